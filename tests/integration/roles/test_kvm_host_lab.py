"""The kvm_host role converging the libvirt lab host (Debian, libvirtd with QEMU TCG in the
host's own network namespace, no KVM): packages present, libvirtd running, the default NAT
network and the default directory pool defined, active and autostarted; check mode predicts
the real run task by task, the second run changes nothing, and the domain type is 'qemu'
because this machine has no usable KVM."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from edgeauto.output.reporter import CollectingReporter
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

ROLES = Path(__file__).resolve().parents[3] / "roles"
VIRSH = "virsh -q -c qemu:///system"


class Results(CollectingReporter):
    def __init__(self):
        super().__init__()
        self.results = []

    def task_result(self, res):
        with self.lock:
            self.results.append(res)


def run_role(tmp_path, inventory, host, *, check=False):
    doc = [
        {
            "hosts": "all",
            "gather_facts": True,
            "roles": ["kvm_host"],
            "post_tasks": [
                {"debug": {"var": "kvm_host_domain_type"}},
            ],
        }
    ]
    path = tmp_path / "kvm_host.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    rec = Results()
    opts = RunOptions(
        inventory_sources=[str(inventory)],
        limit=[host.name],
        check=check,
        roles_path=[str(ROLES)],
    )
    result = Run([path], opts, rec).execute()
    visible = [r for r in rec.results if not r.hidden]
    assert result.exit_code == 0, ([r.result for r in visible], rec.errors)
    return [(r.task.name, r.result) for r in visible]


def changes(results) -> list[bool]:
    return [bool(res.get("changed")) for _, res in results]


def test_kvm_host_role_converges_libvirt_with_its_default_network_and_pool(
    tmp_path, lab_inventory, libvirt_host
):
    host = libvirt_host
    host.run(
        f"{VIRSH} net-destroy default; {VIRSH} net-undefine default; "
        f"{VIRSH} pool-destroy default; {VIRSH} pool-undefine default",
        timeout=180,
    )
    try:
        predicted = run_role(tmp_path, lab_inventory, host, check=True)
        first = run_role(tmp_path, lab_inventory, host)
        assert changes(predicted) == changes(first)
        # network define+start, pool define+start, LIBVIRTD_ARGS without the idle timeout + restart
        assert sum(changes(first)) == 6
        assert first[-1][1]["kvm_host_domain_type"] == "qemu"  # no usable KVM here
        again = run_role(tmp_path, lab_inventory, host)
        assert not any(changes(again)), again
        assert not any(changes(run_role(tmp_path, lab_inventory, host, check=True)))

        nets = host.run(f"{VIRSH} net-list --autostart --name", check=True).stdout.split()
        pools = host.run(f"{VIRSH} pool-list --autostart --name", check=True).stdout.split()
        assert "default" in nets and "default" in pools
        assert host.run("systemctl is-active libvirtd", check=True).stdout.strip() == "active"
        # virbr0 (NAT, dnsmasq) lives in the lab host's network namespace only
        assert "192.168.122.1/24" in host.run("ip -br addr show virbr0", check=True).stdout
        assert "virbr0" not in os.popen("ip -br link").read()
    finally:
        host.run(
            f"{VIRSH} net-destroy default; {VIRSH} net-autostart --disable default; "
            f"{VIRSH} pool-destroy default; {VIRSH} pool-undefine default",
            timeout=180,
        )
