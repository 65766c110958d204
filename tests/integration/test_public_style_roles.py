"""Our own roles in the style of popular public ones (tests/fixtures/roles_like_public: an
NTP/chrony-like role, a users role, an sshd-tuning role), applied by one site playbook with
ansible-playbook (the oracle) and edgeauto on twin fresh lab hosts with Python and systemd.

Compared: exit code, per-task status sequence, recap, printed values, a second run changing
nothing, and the end state of what the roles manage (config files, the users' homes and keys,
passwd/group entries, the package and the service's enablement). See docs/compatibility.md,
"Popular public roles, tried unchanged", for the public roles these mirror.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from differential import harness as H

pytestmark = [
    pytest.mark.lab,
    pytest.mark.slow,
    pytest.mark.skipif(
        not H.ANSIBLE_PLAYBOOK.exists(), reason="ansible-core (the oracle) not installed"
    ),
]

CASE = H.REPO / "tests" / "fixtures" / "roles_like_public"
PLAYBOOK = CASE / "site.yml"
ROOTS = (
    "/etc/chrony",
    "/etc/ssh/sshd_config",
    "/etc/ssh/sshd_config.d",
    "/etc/issue.net",
    "/home/carol",
    "/srv/dave",
    "/home/retired",
)
LAB_OWN = "/etc/ssh/sshd_config.d/listen.conf"
FACTS = (
    "getent passwd carol dave retired | cut -d: -f1,3,4,6,7; "
    "getent group operators carol dave | cut -d: -f1,3,4; "
    "dpkg-query -W -f '${Package} ${Status}\\n' chrony; "
    "systemctl is-enabled chrony systemd-timesyncd 2>&1"
)


def posix_collection_for_the_oracle() -> bool:
    """ansible.posix (authorized_key) is not part of ansible-core: without it the oracle
    could not run that task, so the keys step is then switched off for both tools."""
    paths = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)
    paths += [str(Path.home() / ".ansible" / "collections"), "/usr/share/ansible/collections"]
    paths += sys.path
    return any(Path(p, "ansible_collections", "ansible", "posix").is_dir() for p in paths if p)


@pytest.fixture(scope="module")
def outcome(lab, tmp_path_factory):
    extra = () if posix_collection_for_the_oracle() else ("-e", "manage_keys=false")
    steps = [("first", extra), ("second", extra)]
    work = tmp_path_factory.mktemp("public-style")
    hosts, runs, errors = {}, {}, []

    def side(tool: str) -> None:
        try:
            hosts[tool] = lab.add_host(flavor="debian", systemd=True, with_python=True)
            target = H.target_of(hosts[tool])
            runs[tool] = H.run_steps(tool, target, work, [PLAYBOOK], steps, case_dir=CASE)
            state = H.snapshot(target, ROOTS)
            state.pop(LAB_OWN, None)  # the lab's ListenAddress: differs between the twins
            facts = hosts[tool].run(FACTS).stdout
            runs[tool].append({"label": "end", "state": state, "facts": facts})
        except Exception as exc:  # noqa: BLE001 - re-raised in the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=side, args=(tool,)) for tool in ("ansible", "edgeauto")]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        yield runs
    finally:
        for host in hosts.values():
            lab.remove_host(host.name)


def run_of(outcome, tool: str, label: str) -> H.ToolRun:
    step = next(s for s in outcome[tool] if s["label"] == label)
    return H.ToolRun(**step["runs"][PLAYBOOK.stem])


def test_statuses_exit_code_and_recap_match_ansible_playbook(outcome):
    oracle, ours = run_of(outcome, "ansible", "first"), run_of(outcome, "edgeauto", "first")
    assert oracle.exit_code == 0, oracle.describe()
    assert H.sequence_differences(oracle.statuses("node1"), ours.statuses("node1")) == [], (
        ours.describe()
    )
    assert ours.exit_code == oracle.exit_code
    assert ours.stats == oracle.stats
    assert ours.debug_values() == oracle.debug_values()


def test_roles_leave_the_same_end_state(outcome):
    oracle, ours = outcome["ansible"][-1], outcome["edgeauto"][-1]
    assert "/etc/chrony/chrony.conf" in oracle["state"], "the oracle did not converge"
    assert H.state_differences(oracle["state"], ours["state"]) == []
    assert ours["facts"] == oracle["facts"]


def test_second_run_changes_nothing_with_either_tool(outcome):
    oracle, ours = run_of(outcome, "ansible", "second"), run_of(outcome, "edgeauto", "second")
    assert oracle.changed_tasks() == []
    assert ours.changed_tasks() == [], ours.describe()
    assert H.sequence_differences(oracle.statuses("node1"), ours.statuses("node1")) == []
