"""Pieces of the Vagrant box builder that need no VM: module order, boot scripts, recipe key.

The kernel tree here is a FAKE: tiny files that carry only a ``.modinfo``-style ``depends=``
string, which is all the order resolution reads (the real build reads the Debian cloud
kernel's modules the same way; tests/integration/test_vagrant_lab.py boots the real box).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest

from edgeauto.vagrantlab.box import (
    HOSTKEY_SCRIPT,
    INIT,
    BoxRecipe,
    _module_depends,
    _module_order,
)


def _fake_module(moddir, rel, depends):
    path = moddir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x7fELF...\0license=GPL\0depends=" + depends.encode() + b"\0vermagic=6.1\0")


@pytest.fixture
def kernel_tree(tmp_path):
    moddir = tmp_path / "lib/modules/6.1.0-57-cloud-amd64"
    drivers = "kernel/drivers"
    _fake_module(moddir, f"{drivers}/virtio/virtio_ring.ko", "")
    _fake_module(moddir, f"{drivers}/virtio/virtio.ko", "")
    _fake_module(moddir, f"{drivers}/virtio/virtio_pci_modern_dev.ko", "")
    _fake_module(moddir, f"{drivers}/virtio/virtio_pci_legacy_dev.ko", "")
    _fake_module(
        moddir,
        f"{drivers}/virtio/virtio_pci.ko",
        "virtio_pci_modern_dev,virtio_ring,virtio,virtio_pci_legacy_dev",
    )
    _fake_module(moddir, f"{drivers}/block/virtio_blk.ko", "virtio,virtio_ring")
    _fake_module(moddir, f"{drivers}/net/failover.ko", "")
    _fake_module(moddir, f"{drivers}/net/net_failover.ko", "failover")
    _fake_module(moddir, f"{drivers}/net/virtio_net.ko", "net_failover,virtio,virtio_ring")
    _fake_module(moddir, f"{drivers}/char/hw_random/virtio-rng.ko", "virtio,virtio_ring")
    return tmp_path


def test_depends_is_read_from_the_module_file(kernel_tree):
    ko = next(kernel_tree.rglob("virtio_net.ko"))
    assert _module_depends(ko) == ["net_failover", "virtio", "virtio_ring"]
    assert _module_depends(next(kernel_tree.rglob("failover.ko"))) == []


def test_every_module_comes_after_its_dependencies_once(kernel_tree):
    _, order = _module_order(kernel_tree)
    names = [rel.rsplit("/", 1)[1] for rel in order]
    assert len(names) == len(set(names))
    assert names.index("net_failover.ko") < names.index("virtio_net.ko")
    assert names.index("failover.ko") < names.index("net_failover.ko")
    for dep in ("virtio.ko", "virtio_ring.ko", "virtio_pci_modern_dev.ko"):
        assert names.index(dep) < names.index("virtio_pci.ko")
    assert "virtio-rng.ko" in names  # dashes in file names match the underscored request


@pytest.mark.parametrize("script", [INIT, HOSTKEY_SCRIPT], ids=["initramfs-init", "hostkey"])
def test_boot_scripts_parse_under_dash(script, tmp_path):
    if shutil.which("dash") is None:
        pytest.skip("dash is not installed")
    path = tmp_path / "s.sh"
    path.write_text(script)
    proc = subprocess.run(["dash", "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_any_input_change_names_a_new_box():
    base = BoxRecipe(
        base="debian-x", kernel="k=1", udev="252", kmod="30", busybox="a", insecure_key="b"
    )
    assert base.name.startswith("bookworm-")
    for field in ("base", "kernel", "udev", "kmod", "busybox", "insecure_key"):
        assert dataclasses.replace(base, **{field: "other"}).name != base.name


def test_host_key_is_the_last_one_the_guest_printed_on_its_serial_console(tmp_path):
    from edgeauto.vagrantlab.box import HOSTKEY_MARKER
    from edgeauto.vagrantlab.lab import VagrantLab

    lab = VagrantLab(root=tmp_path, cache=tmp_path / "cache", log=lambda _: None)
    lab.serial_dir.mkdir(parents=True)
    (lab.serial_dir / "gateway.log").write_text(
        "\x1b[0;1mUNSUPP\x1b[0m] Starting of autofs unsupported.\r\r\n"
        f"{HOSTKEY_MARKER} ssh-ed25519 AAAAold\r\n"
        "noise\r\n"
        f"{HOSTKEY_MARKER} ssh-ed25519 AAAAnew\r\n"
    )
    assert lab.host_key("gateway", timeout=0) == "ssh-ed25519 AAAAnew"


def test_a_guest_that_printed_no_key_is_a_clear_error(tmp_path):
    from edgeauto.lab.errors import LabError
    from edgeauto.vagrantlab.lab import VagrantLab

    lab = VagrantLab(root=tmp_path, cache=tmp_path / "cache", log=lambda _: None)
    with pytest.raises(LabError, match="printed no 'EDGEAUTO-HOSTKEY' line"):
        lab.host_key("server", timeout=0)
