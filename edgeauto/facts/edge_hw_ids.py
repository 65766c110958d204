"""The tables behind ``edgeauto_hw``: architectures, CPU parts, accelerator ids, hypervisors.

Ids are the public USB/PCI ids (usb.ids / pci.ids, vendors' datasheets). They live apart from
the parser so that adding a device is a one-line change here and a fixture in
tests/fixtures/hw/ — never a change to the probe sent to targets, which only lists ids.
"""

from __future__ import annotations

# uname -m → Debian architecture name (what packages and images are built for)
ARCH_FAMILY = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "armhf",
    "armv7": "armhf",
    "armv6l": "armel",
    "i686": "i386",
    "i386": "i386",
    "riscv64": "riscv64",
    "ppc64le": "ppc64el",
    "s390x": "s390x",
}
ARM_FAMILIES = ("arm64", "armhf", "armel")
X86_FAMILIES = ("amd64", "i386")

# arm64 /proc/cpuinfo has no model name: "CPU implementer" 0x41 (Arm Ltd.) + "CPU part"
ARM_CPU_PARTS = {
    "0xd03": "Cortex-A53",
    "0xd04": "Cortex-A35",
    "0xd05": "Cortex-A55",
    "0xd07": "Cortex-A57",
    "0xd08": "Cortex-A72",
    "0xd09": "Cortex-A73",
    "0xd0a": "Cortex-A75",
    "0xd0b": "Cortex-A76",
    "0xd0c": "Neoverse-N1",
    "0xd0d": "Cortex-A77",
    "0xd40": "Neoverse-V1",
    "0xd41": "Cortex-A78",
    "0xd49": "Neoverse-N2",
}

# (family, kind, name) by "vendor:product" (lower case, no 0x), or by vendor alone
USB_ACCELERATORS = {
    "03e7:2150": ("movidius", "vpu", "Intel Movidius Myriad 2 (Neural Compute Stick)"),
    "03e7:2485": ("movidius", "vpu", "Intel Movidius Myriad X (Neural Compute Stick 2)"),
    "03e7:f63b": ("movidius", "vpu", "Intel Movidius Myriad X (firmware booted)"),
    "03e7": ("movidius", "vpu", "Intel Movidius VPU"),  # the vendor makes nothing else
    "1a6e:089a": ("coral", "tpu", "Google Coral Edge TPU (USB, before firmware load)"),
    "18d1:9302": ("coral", "tpu", "Google Coral Edge TPU (USB)"),
}
PCI_ACCELERATORS = {
    "1ac1:089a": ("coral", "tpu", "Google Coral Edge TPU (PCIe/M.2)"),
    "8086:09c4": ("fpga", "fpga", "Intel PAC with Arria 10 GX FPGA"),
    "8086:0b2b": ("fpga", "fpga", "Intel FPGA PAC D5005 (Stratix 10)"),
    "8086:0b30": ("fpga", "fpga", "Intel FPGA PAC N3000"),
    "1172": ("fpga", "fpga", "Intel (Altera) FPGA"),
    "10ee": ("fpga", "fpga", "Xilinx/AMD FPGA"),
}
# vendors whose display-class (0x03xxxx) PCI functions are compute GPUs. Integrated Intel
# graphics and emulated adapters (QEMU stdvga, virtio-gpu) are not accelerators.
PCI_GPU_VENDORS = {"10de": "NVIDIA"}
PCI_CLASS_DISPLAY = "03"

# NIC drivers of paravirtual (VM) network devices: the NIC has a device/, but no hardware
PARAVIRTUAL_NIC_DRIVERS = {"virtio_net", "vmxnet3", "hv_netvsc", "xen-netfront", "vif"}

# /sys/class/net/*/type (ARPHRD_*) when uevent names no DEVTYPE
ARPHRD_TYPES = {"1": "ether", "32": "infiniband", "280": "can", "512": "ppp", "65534": "none"}

# DMI sys_vendor/product_name substrings (lower case) → hypervisor, as systemd-detect-virt
DMI_HYPERVISORS = (
    ("qemu", "qemu"),
    ("kvm", "kvm"),
    ("openstack", "kvm"),
    ("amazon ec2", "amazon"),
    ("google compute engine", "google"),
    ("vmware", "vmware"),
    ("innotek", "oracle"),
    ("virtualbox", "oracle"),
    ("xen", "xen"),
    ("microsoft corporation virtual machine", "microsoft"),
    ("parallels", "parallels"),
    ("bochs", "bochs"),
)
# device tree compatible strings of virtual machines (QEMU's arm "virt" board)
DT_VIRTUAL = ("linux,dummy-virt",)

PKG_MGR_ORDER = ("apt-get", "dnf", "yum", "zypper", "apk", "opkg", "pacman", "xbps-install")
PKG_MGR_NAMES = {"apt-get": "apt", "xbps-install": "xbps"}
