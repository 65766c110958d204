"""edgeauto_hw rules, one at a time: the real sh probe runs on small trees written in temp
dirs (whole recorded machines are in test_edge_hw_trees.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from edgeauto.facts.edge_hw import PROBE_SH, parse_edge_hw, probe_call


def write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def probe(root: Path, shell: str = "sh", arch: str = "x86_64") -> dict:
    """Run the probe with ``shell`` ("busybox" means ``busybox sh``) on the tree at ``root``."""
    if arch and not (root / "proc/sys/kernel/arch").exists():
        write(root, "proc/sys/kernel/arch", arch + "\n")
    script = PROBE_SH + probe_call(str(root)) + "\n"
    argv = ["busybox", "sh", "-s"] if shell == "busybox" else [shell, "-s"]
    out = subprocess.run(argv, input=script.encode(), capture_output=True, check=True)
    assert out.stderr == b""
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


def cpuinfo(root: Path, flags: str, key: str = "flags") -> None:
    write(root, "proc/cpuinfo", f"processor\t: 0\n{key}\t\t: {flags}\n\n")


def test_bare_tree_has_no_accelerators_no_kvm_no_tpm(tmp_path):
    hw = probe(tmp_path)
    assert hw["accelerators"] == [] and hw["kvm_capable"] is False
    assert hw["kvm"]["state"] == "absent"
    assert hw["tpm"] == {"present": False, "version": None, "devices": []}
    assert (hw["init"], hw["pkg_mgr"]) == ("unknown", "none")


def test_movidius_vpu_is_found_by_usb_vendor_03e7(tmp_path):
    usb(tmp_path, "1-1", "03e7", "2485", "Movidius MyriadX")
    usb(tmp_path, "1-2", "046d", "c52b", "Logitech receiver")
    hw = probe(tmp_path)
    assert hw["accelerators"] == [
        {
            "family": "movidius",
            "kind": "vpu",
            "bus": "usb",
            "id": "03e7:2485",
            "name": "Movidius MyriadX",
        }
    ]
    assert hw["accelerator_families"] == ["movidius"]


@pytest.mark.parametrize(
    "bus,ids,family",
    [
        ("usb", ("1a6e", "089a"), "coral"),
        ("usb", ("18d1", "9302"), "coral"),
        ("pci", ("0x1ac1", "0x089a", "0x088000"), "coral"),
        ("pci", ("0x8086", "0x0b2b", "0x120000"), "fpga"),
        ("pci", ("0x10ee", "0x5000", "0x058000"), "fpga"),
        ("pci", ("0x1172", "0x5052", "0x120000"), "fpga"),
        ("pci", ("0x10de", "0x1eb8", "0x030200"), "gpu"),
    ],
)
def test_accelerator_ids(tmp_path, bus, ids, family):
    if bus == "usb":
        usb(tmp_path, "1-1", *ids)
    else:
        pci(tmp_path, "0000:03:00.0", *ids)
    assert probe(tmp_path)["accelerator_families"] == [family]


def test_not_accelerators_google_usb_other_than_coral_nvidia_audio_and_igpu(tmp_path):
    usb(tmp_path, "1-1", "18d1", "4ee7", "Pixel")  # a Google phone, not a Coral
    pci(tmp_path, "0000:01:00.1", "0x10de", "0x10fa", "0x040300")  # the GPU's HDMI audio
    pci(tmp_path, "0000:00:02.0", "0x8086", "0x5a85", "0x030000")  # Intel iGPU
    pci(tmp_path, "0000:00:03.0", "0x1234", "0x1111", "0x030000")  # QEMU stdvga
    assert probe(tmp_path)["accelerators"] == []


def test_fpga_manager_class_counts_as_fpga(tmp_path):
    write(tmp_path, "sys/class/fpga_manager/fpga0/name", "Xilinx Zynq FPGA Manager\n")
    hw = probe(tmp_path)
    assert [(a["family"], a["bus"], a["name"]) for a in hw["accelerators"]] == [
        ("fpga", "fpga_manager", "Xilinx Zynq FPGA Manager")
    ]


def test_tpm2_version_comes_from_tpm_version_major(tmp_path):
    write(tmp_path, "sys/class/tpm/tpm0/tpm_version_major", "2\n")
    assert probe(tmp_path)["tpm"]["version"] == "2.0"


def test_tpm12_version_comes_from_caps(tmp_path):
    write(tmp_path, "sys/class/tpm/tpm0/caps", "Manufacturer: 0x49465800\nTCG version: 1.2\n")
    assert probe(tmp_path)["tpm"] == {"present": True, "version": "1.2", "devices": []}


def test_tpm2_from_the_resource_manager_node_alone(tmp_path):
    write(tmp_path, "dev/tpm0")
    write(tmp_path, "dev/tpmrm0")
    assert probe(tmp_path)["tpm"] == {
        "present": True,
        "version": "2.0",
        "devices": ["tpm0", "tpmrm0"],
    }


def test_sgx_usable_needs_the_enclave_device_not_just_the_flag(tmp_path):
    cpuinfo(tmp_path, "fpu vmx sgx sgx_lc")
    assert probe(tmp_path)["sgx"] == {
        "cpu": True,
        "launch_control": True,
        "device": None,
        "usable": False,
    }
    write(tmp_path, "dev/sgx_enclave")
    assert probe(tmp_path)["sgx"]["usable"] is True


def test_optee_from_the_tee_class_driver(tmp_path):
    write(tmp_path, "dev/tee0")
    write(tmp_path, "sys/class/tee/tee0/device/uevent", "DRIVER=optee\n")
    tee = probe(tmp_path, arch="aarch64")["tee"]
    assert tee["present"] and tee["implementation"] == "optee" and tee["devices"] == ["tee0"]


def test_optee_in_the_device_tree_without_a_driver_is_firmware_only(tmp_path):
    write(tmp_path, "sys/firmware/devicetree/base/firmware/optee/compatible", "linaro,optee-tz\0")
    tee = probe(tmp_path, arch="aarch64")["tee"]
    assert (tee["present"], tee["firmware_optee"]) == (False, True)


def test_kvm_usable_needs_dev_kvm_and_vmx_or_svm(tmp_path):
    write(tmp_path, "dev/kvm")
    cpuinfo(tmp_path, "fpu vme sse2 svm npt")
    hw = probe(tmp_path)
    assert hw["kvm_capable"] is True
    assert (hw["kvm"]["state"], hw["kvm"]["backend"]) == ("usable", "svm")


def test_vmx_without_dev_kvm_says_why(tmp_path):
    cpuinfo(tmp_path, "fpu vmx ept")
    kvm = probe(tmp_path)["kvm"]
    assert kvm["state"] == "absent" and "vmx" in kvm["reason"]


def test_pvm_backend_opens_but_is_not_usable(tmp_path):
    write(tmp_path, "dev/kvm")
    write(tmp_path, "sys/module/kvm_pvm/parameters/pvm_native", "Y\n")
    cpuinfo(tmp_path, "fpu sse2 hypervisor")
    hw = probe(tmp_path)
    assert hw["kvm_capable"] is False
    assert (hw["kvm"]["state"], hw["kvm"]["backend"]) == ("paravirt", "pvm")
    assert hw["kvm"]["dev_kvm_usable"] is True and hw["kvm"]["nested_guest"] is True


def test_dev_kvm_without_any_hardware_flag_on_x86_is_paravirt(tmp_path):
    write(tmp_path, "dev/kvm")
    cpuinfo(tmp_path, "fpu sse2")
    kvm = probe(tmp_path)["kvm"]
    assert (kvm["usable"], kvm["state"], kvm["backend"]) == (False, "paravirt", "unknown")


def test_arm64_dev_kvm_means_el2_and_usable(tmp_path):
    write(tmp_path, "dev/kvm")
    cpuinfo(tmp_path, "fp asimd evtstrm", key="Features")
    kvm = probe(tmp_path, arch="aarch64")["kvm"]
    assert (kvm["usable"], kvm["backend"]) == (True, "arm")


def test_vm_and_container_detection(tmp_path):
    write(tmp_path, "sys/class/dmi/id/sys_vendor", "QEMU\n")
    write(tmp_path, "sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n")
    write(tmp_path, "run/systemd/container", "systemd-nspawn\n")
    virt = probe(tmp_path)["virt"]
    assert virt == {
        "vm": "qemu",
        "container": "systemd-nspawn",
        "bare_metal": False,
        "privileged": False,  # no capability set to read: a container counts as unprivileged
    }


def test_a_container_is_privileged_only_with_net_admin_and_sys_admin(tmp_path):
    write(tmp_path, "run/systemd/container", "systemd-nspawn\n")
    write(tmp_path, "proc/self/status", "CapBnd:\t00000000fcecafff\n")  # nspawn's default set
    assert probe(tmp_path)["virt"]["privileged"] is False
    write(tmp_path, "proc/self/status", "CapBnd:\t000001fffeffffff\n")  # --capability=all
    assert probe(tmp_path)["virt"]["privileged"] is True


def test_a_host_that_is_not_a_container_is_privileged(tmp_path):
    assert probe(tmp_path)["virt"]["privileged"] is True


def test_nics_physical_paravirtual_and_virtual(tmp_path):
    def nic(name, driver=None, devtype=None):
        write(tmp_path, f"sys/class/net/{name}/address", "02:00:00:00:00:01\n")
        write(tmp_path, f"sys/class/net/{name}/type", "1\n")
        write(tmp_path, f"sys/class/net/{name}/uevent", f"DEVTYPE={devtype}\n" if devtype else "")
        if driver:
            write(tmp_path, f"sys/class/net/{name}/device/uevent", f"DRIVER={driver}\n")

    nic("eno1", "igb")
    nic("eth0", "virtio_net")
    nic("br0", devtype="bridge")
    nic("lo")
    write(tmp_path, "sys/class/net/eno1/speed", "1000\n")
    nics = {n["name"]: n for n in probe(tmp_path)["nics"]}
    assert sorted(nics) == ["br0", "eno1", "eth0"]  # lo is not a NIC
    assert (nics["eno1"]["kind"], nics["eno1"]["speed_mbps"]) == ("physical", 1000)
    assert nics["eth0"]["kind"] == "paravirtual" and nics["eth0"]["physical"] is False
    assert (nics["br0"]["kind"], nics["br0"]["type"]) == ("virtual", "bridge")


@pytest.mark.parametrize(
    "files,init",
    [
        ({"proc/1/comm": "systemd\n"}, "systemd"),
        ({"proc/1/comm": "init\n", "sbin/openrc": ""}, "openrc"),
        ({"proc/1/comm": "procd\n"}, "procd"),
        ({"proc/1/comm": "init\n", "etc/inittab": "id:2:initdefault:\n"}, "sysvinit"),
        ({"proc/1/comm": "sshd\n"}, "none"),
    ],
)
def test_init_system(tmp_path, files, init):
    for rel, text in files.items():
        write(tmp_path, rel, text)
        (tmp_path / rel).chmod(0o755)
    assert probe(tmp_path)["init"] == init


def test_busybox_init_is_told_by_the_sbin_init_link(tmp_path):
    write(tmp_path, "proc/1/comm", "init\n")
    (tmp_path / "sbin").mkdir()
    (tmp_path / "sbin/init").symlink_to("/bin/busybox")
    assert probe(tmp_path)["init"] == "busybox"


def test_package_manager_prefers_apt_and_needs_an_executable(tmp_path):
    write(tmp_path, "sbin/apk")  # not executable: does not count
    assert probe(tmp_path)["pkg_mgr"] == "none"
    (tmp_path / "sbin/apk").chmod(0o755)
    write(tmp_path, "usr/bin/apt-get")
    (tmp_path / "usr/bin/apt-get").chmod(0o755)
    assert probe(tmp_path)["pkg_mgr"] == "apt"


def test_cpu_count_prefers_the_online_list_and_memory_comes_from_meminfo(tmp_path):
    write(tmp_path, "proc/cpuinfo", "processor\t: 0\nmodel name\t: X\n\nprocessor\t: 1\n\n")
    write(tmp_path, "sys/devices/system/cpu/online", "0-3,8-11\n")
    write(tmp_path, "proc/meminfo", "MemTotal:        4030000 kB\nMemFree: 1 kB\n")
    hw = probe(tmp_path)
    assert (hw["cpu"]["count"], hw["cpu"]["model"], hw["memory_mb"]) == (8, "X", 3935)


def test_ea_hw_root_environment_variable_is_the_default_prefix(tmp_path):
    write(tmp_path, "proc/sys/kernel/arch", "riscv64\n")
    script = PROBE_SH + "_eaf_edge_hw\n"
    out = subprocess.run(
        ["sh", "-s"],
        input=script.encode(),
        capture_output=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "EA_HW_ROOT": str(tmp_path)},
    )
    assert parse_edge_hw(out.stdout.decode().splitlines())["arch_family"] == "riscv64"


@pytest.mark.parametrize(
    "machine,family",
    [("x86_64", "amd64"), ("aarch64", "arm64"), ("armv7l", "armhf"), ("riscv64", "riscv64")],
)
def test_arch_family_maps_uname_machine_to_debian_names(machine, family):
    assert parse_edge_hw([f"machine={machine}"])["arch_family"] == family


def test_probe_runs_under_busybox_sh_too(tmp_path):
    if not shutil.which("busybox"):
        pytest.skip("busybox not installed (apt-get install busybox-static)")
    usb(tmp_path, "2-1", "03e7", "f63b")
    write(tmp_path, "sys/class/tpm/tpm0/tpm_version_major", "2\n")
    hw = probe(tmp_path, shell="busybox")
    assert hw["accelerator_families"] == ["movidius"] and hw["tpm"]["version"] == "2.0"


@pytest.mark.parametrize(
    "cgroup,container",
    [
        ("0::/\n", None),
        ("1:name=systemd:/init.scope\n0::/init.scope\n", None),
        ("1:name=systemd:/edgeauto-lab/f28e/busybox-1\n", "unknown"),
        ("0::/system.slice/docker-3f1c.scope\n", "docker"),
        ("0::/kubepods/besteffort/pod1/abc\n", "kubernetes"),
    ],
)
def test_container_told_by_pid1_cgroup(tmp_path, cgroup, container):
    write(tmp_path, "proc/1/cgroup", cgroup)
    assert probe(tmp_path)["virt"]["container"] == container
