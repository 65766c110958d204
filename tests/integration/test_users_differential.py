"""Differential test of the account modules: playbooks/22_users.yml (group, user, getent,
known_hosts) and posix/22_authorized_key.yml (ansible.posix.authorized_key) through
ansible-playbook and edgeauto, each on its own fresh Python lab host: same end state below the
snapshot roots, same per-task statuses, same printed registered results, second run
unchanged, and check mode predicting the same changes.

22_users.yml also runs in test_differential_playbooks.py with every other playbook; this file
runs only the account playbooks (quick to iterate on) and adds the authorized_key one, which
needs the ansible.posix collection for the oracle: it is used when found in
``EDGEAUTO_ANSIBLE_COLLECTIONS`` (default ~/.cache/edgeauto/collections) and skipped otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from differential import harness as H

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        not H.ANSIBLE_PLAYBOOK.exists(), reason="ansible-core (the oracle) not installed"
    ),
]

COLLECTIONS = Path(
    os.environ.get("EDGEAUTO_ANSIBLE_COLLECTIONS", Path.home() / ".cache/edgeauto/collections")
)
HAVE_POSIX = (COLLECTIONS / "ansible_collections/ansible/posix/plugins/modules").is_dir()
USERS = H.PLAYBOOKS / "22_users.yml"
KEYS = H.HERE / "posix" / "22_authorized_key.yml"
PLAYBOOKS = [USERS, KEYS] if HAVE_POSIX else [USERS]
NAMES = [p.stem for p in PLAYBOOKS]
STEPS = [("first", ()), ("second", ())]


@pytest.fixture(scope="module", autouse=True)
def collections_path():
    old = os.environ.get("ANSIBLE_COLLECTIONS_PATH")
    if HAVE_POSIX:
        os.environ["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
    yield
    if old is None:
        os.environ.pop("ANSIBLE_COLLECTIONS_PATH", None)
    else:
        os.environ["ANSIBLE_COLLECTIONS_PATH"] = old


def _outcome(lab, tmp_path_factory, label, steps):
    made: list[str] = []

    def new_host():
        host = lab.add_host(flavor="debian", systemd=False, with_python=True)
        made.append(host.name)
        return host

    try:
        return H.differential(tmp_path_factory.mktemp(label), new_host, PLAYBOOKS, steps)
    finally:
        for name in made:
            lab.remove_host(name)


@pytest.fixture(scope="module")
def converged(lab, tmp_path_factory):
    return _outcome(lab, tmp_path_factory, "users-real", STEPS)


@pytest.fixture(scope="module")
def checked(lab, tmp_path_factory):
    return _outcome(lab, tmp_path_factory, "users-check", [("check", ("--check",))])


def both(outcome, label, name):
    return outcome.run("ansible", label, name), outcome.run("edgeauto", label, name)


@pytest.mark.parametrize("name", NAMES)
def test_same_files_as_ansible_playbook(converged, name):
    roots = H.snapshot_roots(next(p for p in PLAYBOOKS if p.stem == name))
    oracle = H.under(converged.state("ansible", "first"), roots)
    ours = H.under(converged.state("edgeauto", "first"), roots)
    assert oracle, "ansible-playbook wrote nothing: the playbook is broken"
    assert H.state_differences(oracle, ours) == []


@pytest.mark.parametrize("name", NAMES)
def test_same_statuses_and_recap(converged, name):
    oracle, ours = both(converged, "first", name)
    assert oracle.records, oracle.describe()
    assert H.sequence_differences(oracle.statuses(), ours.statuses()) == [], ours.describe()
    assert ours.exit_code == oracle.exit_code
    assert ours.stats == oracle.stats


@pytest.mark.parametrize("name", NAMES)
def test_same_registered_results(converged, name):
    oracle, ours = both(converged, "first", name)
    theirs, mine = oracle.debug_values(), ours.debug_values()
    for a, b in zip(theirs, mine, strict=False):
        assert b == a, f"\nansible:  {a}\nedgeauto: {b}"
    assert len(mine) == len(theirs)


@pytest.mark.parametrize("name", NAMES)
def test_second_run_changes_nothing(converged, name):
    oracle, ours = both(converged, "second", name)
    assert oracle.changed_tasks() == [], "\n".join(map(str, oracle.changed_tasks()))
    assert ours.changed_tasks() == []


@pytest.mark.parametrize("name", NAMES)
def test_check_mode_predicts_the_same(checked, name):
    oracle, ours = both(checked, "check", name)
    stop = oracle.first_failure()
    assert ours.predictions(stop) == oracle.predictions(stop), ours.describe()
