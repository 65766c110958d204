"""Differential: playbook 21_svc.yml through ansible-playbook and edgeauto on twin lab hosts
with Python — booted with systemd (the systemd branch: systemd, service → systemd,
service_facts from systemctl) and light (sshd as PID 1: the SysV branch with update-rc.d).

test_differential_playbooks.py runs every playbook on light hosts only; this file adds the
systemd twins and runs the light variant of this one playbook alone (no need to rerun the
oracle for every other playbook). Same comparisons: end state below /srv/diff/svc (the daemon
logs each action it receives), per-task statuses, recap, printed values, second run
unchanged, check mode predictions.
"""

from __future__ import annotations

import pytest
from differential import harness as H

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(
        not H.ANSIBLE_PLAYBOOK.exists(), reason="ansible-core (the oracle) not installed"
    ),
]

PLAYBOOK = H.PLAYBOOKS / "21_svc.yml"
NAME = PLAYBOOK.stem
EXTRA = ("-e", f"@{H.PLAYBOOKS / 'extra_vars.yml'}", "--skip-tags", "skipped_by_cli")


@pytest.fixture(scope="module", params=[True, False], ids=["systemd", "light"])
def outcome(request, lab, tmp_path_factory):
    """(first+second run, check run) of 21_svc.yml with both tools on fresh twins."""
    systemd = request.param
    made: list[str] = []
    kind = "systemd" if systemd else "light"

    def new_host():
        host = lab.add_host(flavor="debian", systemd=systemd, with_python=True)
        made.append(host.name)
        return host

    try:
        real = H.differential(
            tmp_path_factory.mktemp(f"svc-{kind}"),
            new_host,
            [PLAYBOOK],
            [(f"first-{kind}", EXTRA), (f"second-{kind}", EXTRA)],
        )
        check = H.differential(
            tmp_path_factory.mktemp(f"svc-{kind}-check"),
            new_host,
            [PLAYBOOK],
            [(f"check-{kind}", (*EXTRA, "--check"))],
        )
        yield kind, real, check
    finally:
        for name in made:
            lab.remove_host(name)


def both(outcome, label):
    return outcome.run("ansible", label, NAME), outcome.run("edgeauto", label, NAME)


def test_same_end_state_as_ansible(outcome):
    kind, real, _ = outcome
    oracle = H.under(real.state("ansible", f"first-{kind}"), ("/srv/diff/svc",))
    ours = H.under(real.state("edgeauto", f"first-{kind}"), ("/srv/diff/svc",))
    assert oracle, "ansible-playbook wrote nothing: the playbook is broken"
    assert H.state_differences(oracle, ours) == []


def test_same_statuses_recap_and_values_as_ansible(outcome):
    kind, real, _ = outcome
    oracle, ours = both(real, f"first-{kind}")
    assert oracle.records, oracle.describe()
    assert H.sequence_differences(oracle.statuses(), ours.statuses()) == [], ours.describe()
    assert ours.exit_code == oracle.exit_code
    assert ours.stats == oracle.stats
    assert ours.debug_values() == oracle.debug_values()


def test_second_run_changes_nothing_with_either_tool(outcome):
    kind, real, _ = outcome
    oracle, ours = both(real, f"second-{kind}")
    assert [h for h, s in oracle.stats.items() if s["changed"]] == [], oracle.changed_tasks()
    assert ours.changed_tasks() == []
    assert H.sequence_differences(oracle.statuses(), ours.statuses()) == []
    assert ours.debug_values() == oracle.debug_values()


def test_check_mode_predicts_like_ansible_and_writes_nothing(outcome):
    kind, _, check = outcome
    oracle, ours = both(check, f"check-{kind}")
    assert oracle.records, oracle.describe()
    stop = oracle.first_failure()
    assert ours.predictions(stop) == oracle.predictions(stop), ours.describe()
    for tool in ("ansible", "edgeauto"):
        assert H.under(check.state(tool, f"check-{kind}"), ("/srv/diff/svc",)) == {}, tool
