"""edgeauto_hw: the sysfs probe runs in real sh against recorded sysfs trees in temp dirs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from edgeauto.facts.edge_hw import PROBE_SH, parse_edge_hw, probe_call


def write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def probe(root: Path, shell: str = "sh") -> dict:
    script = PROBE_SH + probe_call(str(root)) + "\n"
    out = subprocess.run([shell, "-s"], input=script.encode(), capture_output=True, check=True)
    return parse_edge_hw(out.stdout.decode().splitlines())


def usb(root: Path, name: str, vendor: str, product: str, label: str = "") -> None:
    write(root, f"sys/bus/usb/devices/{name}/idVendor", vendor + "\n")
    write(root, f"sys/bus/usb/devices/{name}/idProduct", product + "\n")
    if label:
        write(root, f"sys/bus/usb/devices/{name}/product", label + "\n")


def pci(root: Path, addr: str, vendor: str, device: str, cls: str) -> None:
    write(root, f"sys/bus/pci/devices/{addr}/vendor", vendor + "\n")
    write(root, f"sys/bus/pci/devices/{addr}/device", device + "\n")
    write(root, f"sys/bus/pci/devices/{addr}/class", cls + "\n")


def test_bare_tree_has_no_accelerators_no_kvm_no_tpm(tmp_path):
    hw = probe(tmp_path)
    assert hw["accelerators"] == [] and hw["kvm_capable"] is False
    assert hw["tpm"] == {"present": False, "version": None}


def test_movidius_vpu_is_found_by_usb_vendor_03e7(tmp_path):
    usb(tmp_path, "1-1", "03e7", "2485", "Movidius MyriadX")
    usb(tmp_path, "1-2", "046d", "c52b", "Logitech receiver")
    hw = probe(tmp_path)
    assert hw["accelerators"] == [
        {"kind": "vpu", "bus": "usb", "id": "03e7:2485", "name": "Movidius MyriadX"}
    ]
    assert hw["accelerator_kinds"] == ["vpu"]


def test_fpga_found_by_fpga_manager_class_and_by_pci_vendor(tmp_path):
    write(tmp_path, "sys/class/fpga_manager/fpga0/name", "Xilinx Zynq FPGA Manager\n")
    pci(tmp_path, "0000:03:00.0", "0x1172", "0x5052", "0x120000")  # Intel/Altera card
    pci(tmp_path, "0000:00:1f.0", "0x8086", "0xa304", "0x060100")  # an Intel ISA bridge: no
    hw = probe(tmp_path)
    kinds = [(a["kind"], a["bus"]) for a in hw["accelerators"]]
    assert kinds == [("fpga", "pci"), ("fpga", "fpga_manager")]
    assert hw["accelerators"][1]["name"] == "Xilinx Zynq FPGA Manager"


def test_pci_gpu_counts_once_and_emulated_display_does_not(tmp_path):
    pci(tmp_path, "0000:01:00.0", "0x10de", "0x1eb8", "0x030200")  # NVIDIA T4
    pci(tmp_path, "0000:00:02.0", "0x1234", "0x1111", "0x030000")  # QEMU stdvga
    write(tmp_path, "sys/class/drm/card0/device/vendor", "0x10de\n")
    write(tmp_path, "sys/class/drm/card0-HDMI-A-1/status", "connected\n")
    hw = probe(tmp_path)
    assert [(a["kind"], a["name"]) for a in hw["accelerators"]] == [("gpu", "NVIDIA")]


def test_soc_gpu_without_pci_is_found_through_drm(tmp_path):
    write(tmp_path, "sys/class/drm/card0/uevent", "DRIVER=vc4-drm\n")  # no device/vendor
    hw = probe(tmp_path)
    assert [(a["kind"], a["bus"]) for a in hw["accelerators"]] == [("gpu", "drm")]


def test_tpm2_version_comes_from_tpm_version_major(tmp_path):
    write(tmp_path, "sys/class/tpm/tpm0/tpm_version_major", "2\n")
    assert probe(tmp_path)["tpm"] == {"present": True, "version": "2"}


def test_tpm12_version_comes_from_caps(tmp_path):
    write(tmp_path, "sys/class/tpm/tpm0/caps", "Manufacturer: 0x49465800\nTCG version: 1.2\n")
    assert probe(tmp_path)["tpm"] == {"present": True, "version": "1"}


def test_kvm_capable_needs_usable_dev_kvm_and_a_virt_cpu_flag(tmp_path):
    write(tmp_path, "dev/kvm")
    write(tmp_path, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme sse2 vmx ept\n\n")
    hw = probe(tmp_path)
    assert hw["kvm_capable"] is True and hw["kvm"]["cpu_virt_flag"] == "vmx"


def test_dev_kvm_without_vmx_or_svm_is_not_kvm_capable_on_x86(tmp_path):
    write(tmp_path, "dev/kvm")
    write(tmp_path, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu sse2 hypervisor\n\n")
    hw = probe(tmp_path)
    if hw["arch"].startswith(("aarch64", "arm")):
        pytest.skip("on ARM /dev/kvm alone means capable")
    assert hw["kvm_capable"] is False
    assert hw["kvm"] == {
        "dev_kvm": True,
        "dev_kvm_usable": True,
        "cpu_virt_flag": None,
        "nested_guest": True,
    }


@pytest.mark.parametrize(
    "machine,family",
    [("x86_64", "amd64"), ("aarch64", "arm64"), ("armv7l", "armhf"), ("riscv64", "riscv64")],
)
def test_arch_family_maps_uname_machine_to_debian_names(machine, family):
    assert parse_edge_hw([f"machine={machine}"])["arch_family"] == family


def test_probe_runs_under_busybox_sh_too(tmp_path):
    import shutil

    busybox = shutil.which("busybox")
    if not busybox:
        pytest.skip("busybox not installed (apt-get install busybox-static)")
    usb(tmp_path, "2-1", "03e7", "f63b")
    write(tmp_path, "sys/class/tpm/tpm0/tpm_version_major", "2\n")
    script = PROBE_SH + probe_call(str(tmp_path)) + "\n"
    out = subprocess.run(
        [busybox, "sh", "-s"], input=script.encode(), capture_output=True, check=True
    )
    hw = parse_edge_hw(out.stdout.decode().splitlines())
    assert hw["accelerator_kinds"] == ["vpu"] and hw["tpm"]["version"] == "2"
