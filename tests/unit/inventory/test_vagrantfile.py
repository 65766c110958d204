"""vagrant/Vagrantfile turns vagrant/fleet.yml into machines for both providers.

Vagrant is not installed here, so the Vagrantfile is loaded by Ruby under a FAKE of
Vagrant's configuration API (``vagrant_stub.rb``) that records every setting.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import REPO

VAGRANT_DIR = REPO / "vagrant"
STUB = Path(__file__).with_name("vagrant_stub.rb")

pytestmark = pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")


def _record(lab_root: Path) -> dict:
    """Settings the Vagrantfile makes, with the Vagrant lab's root directory at ``lab_root``."""
    proc = subprocess.run(
        ["ruby", str(STUB), str(VAGRANT_DIR / "Vagrantfile")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=VAGRANT_DIR,
        env=dict(os.environ, EDGEAUTO_VAGRANT_ROOT=str(lab_root)),
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    return _record(tmp_path_factory.mktemp("no-lab"))


@pytest.fixture(scope="module")
def fleet():
    return yaml.safe_load((VAGRANT_DIR / "fleet.yml").read_text())


def test_vagrantfile_is_valid_ruby():
    proc = subprocess.run(
        ["ruby", "-c", str(VAGRANT_DIR / "Vagrantfile")], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "Syntax OK" in proc.stdout


def test_every_fleet_machine_is_defined_in_fleet_order(recorded, fleet):
    assert list(recorded["vm"]["machines"]) == [m["name"] for m in fleet["machines"]]


def test_sizes_and_boxes_come_from_fleet_with_defaults(recorded, fleet):
    defaults = fleet["defaults"]
    for machine in fleet["machines"]:
        vm = recorded["vm"]["machines"][machine["name"]]["vm"]
        assert vm["box"] == machine.get("box", defaults["box"])
        assert vm["hostname"] == machine["name"]
        for provider in ("libvirt", "virtualbox"):
            settings = vm["providers"][provider]
            assert settings["cpus"] == machine.get("cpus", defaults["cpus"])
            assert settings["memory"] == machine.get("memory", defaults["memory"])


def test_private_network_uses_the_fleet_ip_in_a_private_range(recorded, fleet):
    for machine in fleet["machines"]:
        vm = recorded["vm"]["machines"][machine["name"]]["vm"]
        (net,) = [c for c in vm["calls"] if c["name"] == "network"]
        assert net["args"] == ["private_network"]
        assert net["opts"]["ip"] == machine["ip"]
        assert ipaddress.ip_address(net["opts"]["ip"]).is_private
        assert net["opts"]["libvirt__forward_mode"] == "none"  # isolated: no route out


def test_nested_virtualisation_only_on_the_kvm_server(recorded, fleet):
    for machine in fleet["machines"]:
        vm = recorded["vm"]["machines"][machine["name"]]["vm"]
        libvirt = vm["providers"]["libvirt"]
        vbox_calls = vm["providers"]["virtualbox"].get("calls", [])
        nested = bool(machine.get("nested_virt"))
        assert libvirt.get("nested", False) is nested
        assert any("--nested-hw-virt" in c["args"][0] for c in vbox_calls) is nested


def test_no_synced_folder_is_shared_with_the_vms(recorded):
    (call,) = [c for c in recorded["vm"]["calls"] if c["name"] == "synced_folder"]
    assert call["opts"] == {"disabled": True}


def test_lab_boot_files_switch_libvirt_to_direct_kernel_boot_under_tcg(tmp_path):
    boot = tmp_path / "boot"
    boot.mkdir()
    for name in ("vmlinuz", "initrd.gz"):
        (boot / name).write_bytes(b"")
    (boot / "cmdline").write_text("root=/dev/vda rw console=ttyS0\n")
    for name, machine in _record(tmp_path)["vm"]["machines"].items():
        libvirt = machine["vm"]["providers"]["libvirt"]
        assert libvirt["driver"] == "qemu"
        assert libvirt["kernel"] == str(boot / "vmlinuz")
        assert libvirt["initrd"] == str(boot / "initrd.gz")
        assert libvirt["cmd_line"] == "root=/dev/vda rw console=ttyS0"
        (serial,) = [c for c in libvirt["calls"] if c["name"] == "serial"]
        assert serial["opts"]["source"] == {"path": str(tmp_path / "run/serial" / f"{name}.log")}


def test_without_lab_boot_files_the_box_boots_as_usual(recorded):
    for machine in recorded["vm"]["machines"].values():
        assert "kernel" not in machine["vm"]["providers"]["libvirt"]
