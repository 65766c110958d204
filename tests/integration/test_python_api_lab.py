"""The Python API over real SSH: an inventory built in Python from the lab host's connection
variables, a copy task converging on a debian lab host, then changed=0, then check mode."""

from __future__ import annotations

import uuid

import pytest

from edgeauto.api import Inventory, Play, run
from edgeauto.inventory import load_inventory

pytestmark = pytest.mark.lab


def python_inventory(lab_inventory, host) -> Inventory:
    """The lab host with only its ansible_* connection vars, declared in Python."""
    known = load_inventory([str(lab_inventory)]).host_vars(host.name)
    conn = {k: v for k, v in known.items() if k.startswith("ansible_")}
    return Inventory().host(host.name, **conn).group("gateways", [host.name])


def test_copy_over_ssh_converges_is_idempotent_and_check_mode_changes_nothing(
    lab_inventory, debian_host
):
    base = f"/tmp/edgeauto-pyapi-{uuid.uuid4().hex[:8]}"
    inv = python_inventory(lab_inventory, debian_host)

    def play(content: str, hosts: str = "gateways") -> Play:
        return (
            Play(hosts, name="motd", gather_facts=False)
            .task("file", title="dir", path=base, state="directory", mode="0755")
            .task("copy", title="motd", dest=f"{base}/motd", content=content, mode="0644")
        )

    try:
        first = run([play("hello\n")], inventory=inv, diff=True)
        assert first.ok, [(r.task.display_name, r.result) for r in first.tasks]
        assert [(r.host, r.task.display_name, r.status) for r in first.tasks] == [
            (debian_host.name, "dir", "changed"),
            (debian_host.name, "motd", "changed"),
        ]
        assert debian_host.run(f"cat {base}/motd", check=True).stdout == "hello\n"

        again = run([play("hello\n")], inventory=inv)
        assert again.ok and again.stats[debian_host.name]["changed"] == 0

        preview = run([play("bye\n")], inventory=inv, check=True, diff=True)
        assert [r.task.display_name for r in preview.changed()] == ["motd"]
        assert debian_host.run(f"cat {base}/motd", check=True).stdout == "hello\n"

        # the same plays with the lab's inventory file, as -i takes it
        by_file = run([play("hello\n", debian_host.name)], inventory=lab_inventory)
        assert by_file.ok and by_file.stats[debian_host.name]["changed"] == 0
    finally:
        debian_host.run(f"rm -rf {base}")
