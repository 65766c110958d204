"""playbooks/site.yml on a lab fleet: a privileged host (own netns, can run dockerd and OVS),
a plain Debian host (an unprivileged container) and a BusyBox host. Each gets what fits its
class — the privileged gateway docker + OVS, the others the base only — over real SSH, and a
second run changes nothing (issue 11, "done when").

Kata is planned for no host: no lab host has usable KVM (docs/edge.md); the kata role is
proven on its own with a stand-in release (roles/kata/tests/scenarios/standin).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.integration.site_results import changed_tasks, plays_of, run_site

pytestmark = [pytest.mark.lab, pytest.mark.privileged]


def fleet_inventory(tmp_path: Path, lab_inventory: Path, gateway, plain, device) -> Path:
    """The lab's connection variables, plus what an operator would say about the fleet: the
    privileged host is a gateway with one OVS bridge (the lab sees 2 CPUs everywhere, which
    alone would make every host a device) and installs no extra base packages (its own
    network namespace has no route to the mirror)."""
    doc = yaml.safe_load(lab_inventory.read_text())["all"]
    hosts = {h.name: doc["hosts"][h.name] for h in (gateway, plain, device)}
    hosts[gateway.name] = dict(
        hosts[gateway.name],
        edge_classify_class="gateway",
        edge_common_packages={},  # its own netns has no route to a Debian mirror
        ovs_bridges=[{"name": "br-site", "ports": [{"name": "site-int", "type": "internal"}]}],
    )
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump({"all": {"vars": doc["vars"], "hosts": hosts}}))
    return path


def site(inventory: Path) -> dict:
    return run_site(str(inventory))


def test_site_provisions_each_host_with_what_fits_and_converges(tmp_path, lab_inventory, make_host):
    gateway = make_host(flavor="debian", capabilities=("docker", "ovs"))
    plain = make_host(flavor="debian")
    device = make_host(flavor="busybox")
    inventory = fleet_inventory(tmp_path, lab_inventory, gateway, plain, device)
    first = site(inventory)
    assert {"container engine", "Open vSwitch"} <= plays_of(first, gateway.name)
    for host in (plain.name, device.name):
        assert (
            plays_of(first, host) & {"container engine", "Open vSwitch", "KVM/libvirt host"}
            == set()
        )
        assert "base configuration on every host" in plays_of(first, host)
    assert gateway.run("ovs-vsctl br-exists br-site").returncode == 0
    info = gateway.run("docker info --format '{{.LoggingDriver}}'").stdout.strip()
    assert info == "json-file"
    second = site(inventory)
    changed = {h: s["changed"] for h, s in second["stats"].items()}
    assert changed == {gateway.name: 0, plain.name: 0, device.name: 0}, changed_tasks(second)
