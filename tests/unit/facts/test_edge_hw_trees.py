"""Whole machines: the probe (real sh, dash and BusyBox) on the recorded sysfs/procfs trees in
tests/fixtures/hw/, then the edge_classify role's own group template on the facts.

Four trees are RECONSTRUCTED from public knowledge (real PCI/USB ids and cpuinfo formats), not
captured from such hardware; pvm-kvm-firecracker was captured from this build machine. See
tests/fixtures/hw/README.md.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from edgeauto.facts.edge_hw import PROBE_SH, parse_edge_hw, probe_call
from edgeauto.templating.templar import Templar

REPO = Path(__file__).resolve().parents[3]
TREES = REPO / "tests" / "fixtures" / "hw"
ROLE = REPO / "roles" / "edge_classify"
SHELLS = ["dash", "busybox"]

EXPECTED_GROUPS = {
    "x86-server-vtx-tpm2": {
        "edge_arch_amd64",
        "edge_class_server",
        "edge_virt_kvm",
        "edge_runtime_kata",
        "edge_bare_metal",
        "edge_privileged",
        "edge_accel_fpga",
        "edge_accel_gpu",
        "edge_tpm2",
        "edge_sgx",
        "edge_init_systemd",
        "edge_pkg_apt",
    },
    "atom-movidius": {
        "edge_arch_amd64",
        "edge_class_device",
        "edge_virt_kvm",
        "edge_runtime_kata",
        "edge_bare_metal",
        "edge_privileged",
        "edge_accel_movidius",
        "edge_init_openrc",
        "edge_pkg_apk",
    },
    "arm64-board-optee": {
        "edge_arch_arm64",
        "edge_class_device",
        "edge_virt_kvm",
        "edge_runtime_kata",
        "edge_bare_metal",
        "edge_privileged",
        "edge_accel_coral",
        "edge_tee",
        "edge_init_systemd",
        "edge_pkg_opkg",
    },
    "xeon-d-gateway-4nic": {
        "edge_arch_amd64",
        "edge_class_gateway",
        "edge_virt_kvm",
        "edge_runtime_kata",
        "edge_bare_metal",
        "edge_privileged",
        "edge_tpm12",
        "edge_init_systemd",
        "edge_pkg_apt",
    },
    "pvm-kvm-firecracker": {
        "edge_arch_amd64",
        "edge_class_device",
        "edge_virt_none",
        "edge_virt_paravirt",
        "edge_runtime_runc",
        "edge_guest_vm",
        "edge_guest_container",
        "edge_privileged",
        "edge_init_none",
        "edge_pkg_apt",
    },
}


def probe_tree(kind: str, shell: str) -> dict:
    if not shutil.which(shell):
        pytest.skip(f"{shell} not installed")
    argv = ["busybox", "sh", "-s"] if shell == "busybox" else [shell, "-s"]
    script = PROBE_SH + probe_call(str(TREES / kind)) + "\n"
    out = subprocess.run(argv, input=script.encode(), capture_output=True, check=True)
    assert out.stderr == b"", out.stderr
    return parse_edge_hw(out.stdout.decode().splitlines())


def role_groups(hw: dict, **overrides) -> list[str]:
    """The groups the role's templates/groups.j2 gives, with the role's defaults."""
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    variables = {**defaults, **overrides, "ansible_facts": {"edgeauto_hw": hw}}
    templar = Templar(variables, search_paths=[ROLE])
    return templar.evaluate("lookup('template', 'groups.j2') | from_yaml")


def test_every_recorded_tree_has_an_expectation():
    assert sorted(p.name for p in TREES.iterdir() if p.is_dir()) == sorted(EXPECTED_GROUPS)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("kind", sorted(EXPECTED_GROUPS))
def test_recorded_tree_classifies_as_expected(kind, shell):
    groups = role_groups(probe_tree(kind, shell))
    assert len(groups) == len(set(groups))
    assert set(groups) == EXPECTED_GROUPS[kind]


def test_dash_and_busybox_read_the_same_facts():
    for kind in EXPECTED_GROUPS:
        assert probe_tree(kind, "dash") == probe_tree(kind, "busybox"), kind


def test_x86_server_facts():
    hw = probe_tree("x86-server-vtx-tpm2", "dash")
    assert hw["cpu"]["model"] == "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz"
    assert (hw["cpu"]["count"], hw["memory_mb"]) == (32, 128448)
    assert hw["kvm"]["backend"] == "vmx" and hw["kvm"]["nested_guest"] is False
    assert hw["tpm"] == {"present": True, "version": "2.0", "devices": ["tpm0", "tpmrm0"]}
    # the BMC's ASPEED VGA is a display adapter, not an accelerator
    assert [(a["family"], a["id"]) for a in hw["accelerators"]] == [
        ("gpu", "10de:1eb8"),
        ("fpga", "8086:09c4"),
    ]


def test_atom_box_facts():
    hw = probe_tree("atom-movidius", "busybox")
    assert hw["cpu"]["model"].startswith("Intel(R) Atom(TM) Processor E3950")
    assert hw["accelerators"][0]["id"] == "03e7:2485"
    assert [(n["name"], n["type"]) for n in hw["nics"]] == [
        ("enp1s0", "ether"),
        ("enp2s0", "ether"),
        ("wlan0", "wlan"),
    ]


def test_arm_board_facts():
    hw = probe_tree("arm64-board-optee", "busybox")
    assert (hw["arch"], hw["cpu"]["model"], hw["cpu"]["vendor"]) == (
        "aarch64",
        "ARM Cortex-A53",
        "arm",
    )
    assert hw["board"] == "NXP i.MX8MPlus EVK board"
    assert (hw["kvm"]["usable"], hw["kvm"]["backend"]) == (True, "arm")
    assert hw["tee"]["implementation"] == "optee" and hw["tee"]["firmware_optee"]
    assert {n["name"]: n["type"] for n in hw["nics"]}["can0"] == "can"


def test_xeon_d_gateway_has_four_physical_ixgbe_nics():
    hw = probe_tree("xeon-d-gateway-4nic", "dash")
    physical = [n for n in hw["nics"] if n["physical"]]
    assert [n["name"] for n in physical] == ["eno1", "eno2", "enp5s0f0", "enp5s0f1"]
    assert {n["driver"] for n in physical} == {"ixgbe"}
    assert [n["speed_mbps"] for n in physical] == [10000, 1000, 10000, None]  # f1: link down
    virtual = {n["name"]: n["type"] for n in hw["nics"] if not n["physical"]}
    assert virtual == {"br-lan": "bridge", "eno2.100": "vlan"}


def test_this_machines_pvm_kvm_is_reported_as_not_usable():
    hw = probe_tree("pvm-kvm-firecracker", "dash")
    assert hw["kvm"]["dev_kvm"] and hw["kvm"]["dev_kvm_usable"]  # /dev/kvm opens ...
    assert (hw["kvm"]["usable"], hw["kvm"]["backend"]) == (False, "pvm")  # ... but is PVM
    assert "stock guest" in hw["kvm"]["reason"]
    assert [(n["name"], n["kind"]) for n in hw["nics"]][0] == ("eth0", "paravirtual")


@pytest.mark.parametrize(
    "overrides,expected",
    [
        ({"edge_classify_class": "server"}, "edge_class_server"),
        ({"edge_classify_device_max_cpus": 8}, "edge_class_device"),
        ({"edge_classify_server_min_memory_mb": 15000}, "edge_class_server"),
    ],
)
def test_class_rules_are_overridable_by_variables(overrides, expected):
    groups = role_groups(probe_tree("xeon-d-gateway-4nic", "dash"), **overrides)
    assert [g for g in groups if g.startswith("edge_class_")] == [expected]


def test_arm_board_rule_can_be_switched_off():
    hw = probe_tree("arm64-board-optee", "dash")
    hw = {**hw, "cpu": {**hw["cpu"], "count": 8}, "memory_mb": 16000}
    assert "edge_class_device" in role_groups(hw)
    assert "edge_class_gateway" in role_groups(hw, edge_classify_arm_board_is_device=False)
