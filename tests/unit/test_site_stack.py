"""playbooks/classify.yml's stack decision (templates/edge_stack.j2) on whole machines: the
recorded sysfs/procfs trees of tests/fixtures/hw/ (four RECONSTRUCTED from public knowledge,
one captured from this build machine; see their README), probed by the real probe under
dash, classified by the edge_classify role's template, then given the stack that fits."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edgeauto.templating.templar import Templar
from tests.unit.facts.test_edge_hw_trees import probe_tree, role_groups

REPO = Path(__file__).resolve().parents[2]

EXPECTED_STACK = {
    "x86-server-vtx-tpm2": ["docker", "ovs", "kvm", "kata"],  # server, VT-x: everything
    "xeon-d-gateway-4nic": ["docker", "ovs", "kata"],  # gateway with VT-x: no libvirt host
    "atom-movidius": [],  # Alpine with OpenRC: the Debian/systemd roles do not apply
    "arm64-board-optee": [],  # OpenWrt-like (opkg): base only
    "pvm-kvm-firecracker": [],  # this build machine: PID 1 is not an init system
}


def stack_of(hw: dict, **variables) -> list[str]:
    groups = role_groups(hw)
    edge_class = next(g for g in groups if g.startswith("edge_class_"))[len("edge_class_") :]
    templar = Templar(
        {"ansible_facts": {"edgeauto_hw": hw}, "edge_class": edge_class, **variables},
        search_paths=[REPO / "playbooks"],
    )
    return templar.evaluate("lookup('template', 'edge_stack.j2') | from_yaml")


@pytest.mark.parametrize("kind", sorted(EXPECTED_STACK))
def test_each_kind_of_machine_gets_the_stack_that_fits_it(kind):
    assert stack_of(probe_tree(kind, "dash")) == EXPECTED_STACK[kind]


def test_an_unprivileged_container_gets_only_the_base():
    hw = probe_tree("x86-server-vtx-tpm2", "dash")
    hw["virt"] = dict(hw["virt"], container="systemd-nspawn", privileged=False)
    assert stack_of(hw) == []


def test_the_classify_play_lets_edge_provision_override_the_decision():
    play = yaml.safe_load((REPO / "playbooks" / "classify.yml").read_text())[0]
    expr = play["tasks"][0]["ansible.builtin.set_fact"]["edge_stack"]
    hw = probe_tree("atom-movidius", "dash")
    variables = {"ansible_facts": {"edgeauto_hw": hw}, "edge_class": "device"}
    templar = Templar(
        {**variables, "edge_provision": ["docker"]}, search_paths=[REPO / "playbooks"]
    )
    assert templar.render(expr) == ["docker"]
