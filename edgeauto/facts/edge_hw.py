"""Edge hardware classification: arch family, KVM, accelerators, TPM — from sysfs, in POSIX sh.

No lsusb/lspci (often missing on small images): USB ids come from
``/sys/bus/usb/devices/*/idVendor``, PCI ids from ``/sys/bus/pci/devices/*/{vendor,class}``.
The probe takes a root prefix so tests can run it against recorded sysfs trees in a temp dir.
Its output is ``key=value`` lines, parsed by :func:`parse_edge_hw` into ``edgeauto_hw``.
"""

from __future__ import annotations

import shlex

# One function, POSIX sh, busybox-friendly. $1 = root prefix ("" on a real host).
PROBE_SH = r"""
_eaf_edge_hw() {
  _r="$1"
  printf 'machine=%s\n' "$(uname -m)"
  if [ -c "$_r/dev/kvm" ] || [ -e "$_r/dev/kvm" ]; then
    printf 'dev_kvm=1\n'
    if [ -r "$_r/dev/kvm" ] && [ -w "$_r/dev/kvm" ]; then printf 'dev_kvm_rw=1\n'; fi
  fi
  if [ -r "$_r/proc/cpuinfo" ]; then
    _f=$(grep -m1 -E '^(flags|Features)[[:space:]]*:' "$_r/proc/cpuinfo" 2>/dev/null)
    case " $_f " in *" vmx "*) printf 'cpu_flag=vmx\n' ;; esac
    case " $_f " in *" svm "*) printf 'cpu_flag=svm\n' ;; esac
    case " $_f " in *" hypervisor "*) printf 'cpu_flag=hypervisor\n' ;; esac
  fi
  for _d in "$_r"/sys/bus/usb/devices/*; do
    [ -r "$_d/idVendor" ] || continue
    printf 'usb=%s:%s %s\n' "$(cat "$_d/idVendor")" "$(cat "$_d/idProduct" 2>/dev/null)" \
      "$(cat "$_d/product" 2>/dev/null)"
  done
  for _d in "$_r"/sys/bus/pci/devices/*; do
    [ -r "$_d/vendor" ] || continue
    printf 'pci=%s:%s %s %s\n' "$(cat "$_d/vendor")" "$(cat "$_d/device" 2>/dev/null)" \
      "$(cat "$_d/class" 2>/dev/null)" "${_d##*/}"
  done
  for _d in "$_r"/sys/class/fpga_manager/*; do
    [ -e "$_d" ] || continue
    printf 'fpga_manager=%s %s\n' "${_d##*/}" "$(cat "$_d/name" 2>/dev/null)"
  done
  for _d in "$_r"/sys/class/drm/card[0-9]*; do
    case "${_d##*/}" in *-*) continue ;; esac
    [ -e "$_d" ] || continue
    printf 'drm=%s %s\n' "${_d##*/}" "$(cat "$_d/device/vendor" 2>/dev/null)"
  done
  for _n in "$_r"/dev/nvidia[0-9]*; do [ -e "$_n" ] && printf 'nvidia_dev=%s\n' "${_n##*/}"; done
  if [ -e "$_r/sys/class/tpm/tpm0" ]; then
    _v=$(cat "$_r/sys/class/tpm/tpm0/tpm_version_major" 2>/dev/null)
    if [ -z "$_v" ] && [ -e "$_r/sys/class/tpm/tpm0/caps" ]; then
      _v=$(sed -n 's/^TCG version: *\([0-9]\).*/\1/p' "$_r/sys/class/tpm/tpm0/caps" 2>/dev/null)
    fi
    printf 'tpm=%s\n' "${_v:-unknown}"
  fi
  return 0
}
"""

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

USB_ACCELERATORS = {
    "03e7": ("vpu", "Intel Movidius VPU"),  # Myriad 2 / Myriad X (NCS, NCS2)
    "1a6e": ("tpu", "Google Coral Edge TPU (bootloader)"),
    "18d1:9302": ("tpu", "Google Coral Edge TPU"),
}
# PCI vendor ids of FPGA cards (Intel/Altera, Xilinx/AMD) and of GPU makers.
PCI_FPGA_VENDORS = {
    "0x1172": "Intel (Altera)",
    "0x10ee": "Xilinx/AMD",
    "0x8086:0x09c4": "Intel PAC",
}
PCI_GPU_VENDORS = {"0x10de": "NVIDIA", "0x1002": "AMD", "0x8086": "Intel", "0x13b5": "ARM"}
PCI_CLASS_DISPLAY = "0x03"
PCI_CLASS_PROCESSING_ACCEL = "0x1200"  # "processing accelerators" (many FPGA cards use 0x1200)


def probe_call(root: str = "") -> str:
    return f"_eaf_edge_hw {shlex.quote(root)}"


def parse_edge_hw(lines: list[str]) -> dict:
    """Turn the probe's ``key=value`` lines into the ``edgeauto_hw`` fact."""
    machine = ""
    flags: set[str] = set()
    dev_kvm = dev_kvm_rw = False
    accelerators: list[dict] = []
    tpm = {"present": False, "version": None}
    drm_gpus: list[dict] = []
    for line in lines:
        key, sep, value = line.partition("=")
        if not sep:
            continue
        if key == "machine":
            machine = value.strip()
        elif key == "dev_kvm":
            dev_kvm = True
        elif key == "dev_kvm_rw":
            dev_kvm_rw = True
        elif key == "cpu_flag":
            flags.add(value.strip())
        elif key in ("usb", "pci"):
            found = _usb_accelerator(value) if key == "usb" else _pci_accelerator(value)
            if found:
                accelerators.append(found)
        elif key == "fpga_manager":
            name, _, desc = value.partition(" ")
            accelerators.append(
                {"kind": "fpga", "bus": "fpga_manager", "id": name, "name": desc.strip()}
            )
        elif key == "drm":
            name, _, vendor = value.partition(" ")
            vendor = vendor.strip().lower()
            if vendor and vendor not in PCI_GPU_VENDORS:
                continue  # emulated display (virtio, bochs, vmware, cirrus): not an accelerator
            drm_gpus.append(
                {
                    "kind": "gpu",
                    "bus": "drm",
                    "id": name,
                    "name": PCI_GPU_VENDORS.get(vendor, vendor or "soc"),
                }
            )
        elif key == "nvidia_dev":
            pass  # the PCI entry already says NVIDIA; device nodes only confirm the driver
        elif key == "tpm":
            version = value.strip()
            tpm = {"present": True, "version": None if version == "unknown" else version}
    # drm cards duplicate PCI GPUs; they only count on SoCs whose GPU is not on PCI
    if not any(a["kind"] == "gpu" and a["bus"] == "pci" for a in accelerators):
        accelerators += drm_gpus
    virt_flag = "vmx" if "vmx" in flags else "svm" if "svm" in flags else None
    return {
        "arch": machine,
        "arch_family": ARCH_FAMILY.get(machine, machine or "unknown"),
        "kvm_capable": bool(
            dev_kvm and dev_kvm_rw and (virt_flag or machine.startswith(("aarch64", "arm")))
        ),
        "kvm": {
            "dev_kvm": dev_kvm,
            "dev_kvm_usable": dev_kvm_rw,
            "cpu_virt_flag": virt_flag,
            "nested_guest": "hypervisor" in flags,
        },
        "accelerators": accelerators,
        "accelerator_kinds": sorted({a["kind"] for a in accelerators}),
        "tpm": tpm,
    }


def _usb_accelerator(value: str) -> dict | None:
    """A ``usb=VID:PID product`` line, if it names a known accelerator."""
    ids, _, product = value.partition(" ")
    vendor = ids.split(":", 1)[0].lower()
    match = USB_ACCELERATORS.get(ids.lower()) or USB_ACCELERATORS.get(vendor)
    if not match:
        return None
    return {"kind": match[0], "bus": "usb", "id": ids.lower(), "name": product.strip() or match[1]}


def _pci_accelerator(value: str) -> dict | None:
    """A ``pci=VENDOR:DEVICE CLASS ADDRESS`` line, if it is a GPU or an FPGA."""
    parts = value.split()
    if not parts:
        return None
    vendor, _, device = parts[0].lower().partition(":")
    pci_class = parts[1].lower() if len(parts) > 1 else ""
    address = parts[2] if len(parts) > 2 else ""
    entry = {"bus": "pci", "id": f"{vendor}:{device}", "address": address}
    fpga_vendor = PCI_FPGA_VENDORS.get(f"{vendor}:{device}") or PCI_FPGA_VENDORS.get(vendor)
    if pci_class.startswith(PCI_CLASS_DISPLAY) and vendor in PCI_GPU_VENDORS:
        return {"kind": "gpu", "name": PCI_GPU_VENDORS[vendor], **entry}
    if fpga_vendor and (
        pci_class.startswith(PCI_CLASS_PROCESSING_ACCEL) or vendor in ("0x1172", "0x10ee")
    ):
        return {"kind": "fpga", "name": fpga_vendor, **entry}
    return None
