"""Differential tests: existing Ansible playbooks, unchanged, through ansible-playbook (the
oracle) and edgeauto, each on its own fresh lab host; the end states, the per-task statuses,
the printed values and the recaps must match, a second run must change nothing, and check
mode must predict the same changes.

The playbooks live in ``differential/playbooks`` (one area each: file, copy/template,
lineinfile, command/shell, loops, blocks/errors, handlers, includes/roles, variable
precedence, become, facts). Every playbook runs in its own invocation so one failure cannot
hide the others. ansible-playbook's answers are cached (see ``harness.differential``): the
first run on a machine takes a few minutes, later runs only run edgeauto.

Known differences are listed in ``KNOWN`` with the reason; they are strict xfails, so a fix
turns them into failures that ask for the entry to be removed.
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

PLAYBOOKS = sorted(H.PLAYBOOKS.glob("[0-9][0-9]_*.yml"))
NAMES = [p.stem for p in PLAYBOOKS]
EXTRA = ("-e", f"@{H.PLAYBOOKS / 'extra_vars.yml'}", "--skip-tags", "skipped_by_cli")

# (aspect, playbook) -> why edgeauto differs today. Aspects: state, statuses, recap, values,
# idempotent, check. The same list, with the suspected code, is in docs/compatibility.md.
KNOWN: dict[tuple[str, str], str] = {}  # none today: every aspect of every playbook matches


def params(aspect: str):
    out = []
    for name in NAMES:
        reason = KNOWN.get((aspect, name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def host_factory(lab, made: list[str]):
    def new_host():
        host = lab.add_host(flavor="debian", systemd=False, with_python=True)
        made.append(host.name)
        return host

    return new_host


@pytest.fixture(scope="module")
def converged(lab, tmp_path_factory):
    """First and second run of every playbook with both tools (each on its own host)."""
    made: list[str] = []
    try:
        yield H.differential(
            tmp_path_factory.mktemp("diff-real"),
            host_factory(lab, made),
            PLAYBOOKS,
            [("first", EXTRA), ("second", EXTRA)],
        )
    finally:
        for name in made:
            lab.remove_host(name)


@pytest.fixture(scope="module")
def checked(lab, tmp_path_factory):
    """``--check`` of every playbook with both tools on a fresh host pair."""
    made: list[str] = []
    try:
        yield H.differential(
            tmp_path_factory.mktemp("diff-check"),
            host_factory(lab, made),
            PLAYBOOKS,
            [("check", (*EXTRA, "--check"))],
        )
    finally:
        for name in made:
            lab.remove_host(name)


def both(outcome, label: str, name: str) -> tuple[H.ToolRun, H.ToolRun]:
    return outcome.run("ansible", label, name), outcome.run("edgeauto", label, name)


@pytest.mark.parametrize("name", params("state"))
def test_playbook_leaves_the_same_files_as_ansible_playbook(converged, name):
    roots = H.snapshot_roots(H.PLAYBOOKS / f"{name}.yml")
    if not roots:
        pytest.skip(f"{name} writes no files (it is compared by its printed values)")
    oracle = H.under(converged.state("ansible", "first"), roots)
    ours = H.under(converged.state("edgeauto", "first"), roots)
    assert oracle, f"ansible-playbook wrote nothing below {roots}: the playbook is broken"
    assert H.state_differences(oracle, ours) == []


@pytest.mark.parametrize("name", params("statuses"))
def test_each_task_reports_the_same_status_as_with_ansible_playbook(converged, name):
    oracle, ours = both(converged, "first", name)
    assert oracle.records, oracle.describe()
    assert H.sequence_differences(oracle.statuses(), ours.statuses()) == [], ours.describe()
    assert ours.exit_code == oracle.exit_code


@pytest.mark.parametrize("name", params("recap"))
def test_recap_counts_match_ansible_playbook(converged, name):
    oracle, ours = both(converged, "first", name)
    assert ours.stats == oracle.stats


@pytest.mark.parametrize("name", params("values"))
def test_printed_and_registered_values_match_ansible_playbook(converged, name):
    oracle, ours = both(converged, "first", name)
    assert ours.debug_values() == oracle.debug_values()


@pytest.mark.parametrize("name", params("idempotent"))
def test_second_run_changes_nothing_with_either_tool(converged, name):
    oracle, ours = both(converged, "second", name)
    assert [h for h, s in oracle.stats.items() if s["changed"]] == [], oracle.changed_tasks()
    assert ours.changed_tasks() == []
    assert H.sequence_differences(oracle.statuses(), ours.statuses()) == []


@pytest.mark.parametrize("name", params("check"))
def test_check_mode_predicts_the_same_changes_as_ansible_playbook(checked, name):
    """Compared up to the first task ansible-playbook's check mode fails on (typically a
    task on a path an earlier task would have created: edgeauto predicts past it)."""
    oracle, ours = both(checked, "check", name)
    assert oracle.records, oracle.describe()
    stop = oracle.first_failure()
    assert ours.predictions(stop) == oracle.predictions(stop), ours.describe()


def test_check_mode_writes_nothing_with_either_tool(checked):
    for tool in ("ansible", "edgeauto"):
        assert checked.state(tool, "check") == {}, tool
