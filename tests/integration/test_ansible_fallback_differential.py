"""Differential: the fallback playbook (26_fallback.yml: ansible-core's debconf and a role's
``library/`` module, with a loop, an argument error, no_log) through ansible-playbook and
edgeauto on twin lab hosts with Python. End state, per-task statuses, printed/registered
values, recap, second run and check-mode predictions must all be the same.

The same playbook also runs in test_differential_playbooks.py with every other one; this file
runs it alone so a fallback change is checked in a minute, not in a full differential pass.
"""

from __future__ import annotations

import pytest
from differential import harness as H

pytest.importorskip("ansible", reason="ansible-core (oracle and packager) not installed")
pytestmark = [pytest.mark.lab, pytest.mark.slow]

PLAYBOOK = H.PLAYBOOKS / "26_fallback.yml"
# check mode first, on the fresh hosts (it writes nothing), then the real run and a second one
STEPS = [("check", ("--check",)), ("first", ()), ("second", ())]


@pytest.fixture(scope="module")
def outcome(lab, tmp_path_factory):
    made: list[str] = []

    def new_host():
        host = lab.add_host(flavor="debian", systemd=False, with_python=True)
        made.append(host.name)
        return host

    try:
        yield H.differential(tmp_path_factory.mktemp("fallback-diff"), new_host, [PLAYBOOK], STEPS)
    finally:
        for name in made:
            lab.remove_host(name)


def both(outcome, label):
    return outcome.run("ansible", label, PLAYBOOK.stem), outcome.run(
        "edgeauto", label, PLAYBOOK.stem
    )


def test_same_end_state(outcome):
    roots = H.snapshot_roots(PLAYBOOK)
    oracle = H.under(outcome.state("ansible", "first"), roots)
    ours = H.under(outcome.state("edgeauto", "first"), roots)
    assert oracle, "ansible-playbook wrote nothing: the playbook is broken"
    assert H.state_differences(oracle, ours) == []


def test_same_statuses_values_and_recap(outcome):
    oracle, ours = both(outcome, "first")
    assert oracle.records, oracle.describe()
    assert H.sequence_differences(oracle.statuses(), ours.statuses()) == [], ours.describe()
    assert ours.debug_values() == oracle.debug_values()
    assert ours.stats == oracle.stats
    assert ours.exit_code == oracle.exit_code


def test_second_run_changes_nothing(outcome):
    oracle, ours = both(outcome, "second")
    assert oracle.changed_tasks() == [] and ours.changed_tasks() == []
    assert H.sequence_differences(oracle.statuses(), ours.statuses()) == []


def test_check_mode_predicts_the_same_and_writes_nothing(outcome):
    oracle, ours = both(outcome, "check")
    assert oracle.records, oracle.describe()
    assert ours.predictions() == oracle.predictions(), ours.describe()
    roots = H.snapshot_roots(PLAYBOOK)
    for tool in ("ansible", "edgeauto"):
        assert H.under(outcome.state(tool, "check"), roots) == {}, tool
