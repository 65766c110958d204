"""Edge hardware facts (``edgeauto_hw``): what a host is, so roles can group it.

The probe (remote/edge_hw.sh) reads procfs/sysfs with sh + cat under a root prefix and
prints ``key=value`` lines; everything is decided here, on the controller, so the target
sends little and a recorded tree (tests/fixtures/hw/) is classified by the same code as a
live host. No lspci/lsusb: many edge images lack them. docs/edge.md explains each fact.
"""

from __future__ import annotations

import shlex

from edgeauto.facts import edge_hw_ids as ids
from edgeauto.facts.edge_hw_devices import (
    accelerators_of,
    init_of,
    nics_of,
    pkg_mgr_of,
    sgx_of,
    tee_of,
    tpm_of,
)
from edgeauto.remote.builder import _function_file

# what the facts script carries: the file without comments/indentation, as module scripts
PROBE_SH = _function_file("edge_hw.sh")

# probe keys that may repeat; every other key keeps its first value
_MULTI = {
    "cpuinfo",
    "kvm_module",
    "usb",
    "pci",
    "fpga_manager",
    "nic",
    "tpm",
    "dev",
    "tee",
    "tee_bus",
    "init_mark",
    "pkg",
    "pid1_cgroup",
}
# CPU flags worth keeping in the fact (the full list is in ansible_facts via /proc/cpuinfo)
_NOTABLE_FLAGS = ("vmx", "svm", "hypervisor", "sgx", "sgx_lc", "aes", "avx2", "avx512f")


def probe_call(root: str = "") -> str:
    """The sh call that runs the probe; ``root`` "" means the live system (or $EA_HW_ROOT)."""
    return f"_eaf_edge_hw {shlex.quote(root)}"


def parse_edge_hw(lines: list[str]) -> dict:
    """Turn the probe's ``key=value`` lines into the ``edgeauto_hw`` fact."""
    raw: dict[str, list[str]] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and (key in _MULTI or key not in raw):
            raw.setdefault(key, []).append(value.strip())
    cpu = _cpu(raw)
    virt = _virt(raw, cpu)
    kvm = _kvm(raw, cpu, virt)
    accelerators = accelerators_of(raw)
    return {
        "arch": cpu["arch"],
        "arch_family": cpu["arch_family"],
        "cpu": {k: cpu[k] for k in ("model", "vendor", "count", "flags")},
        "memory_mb": cpu["memory_mb"],
        "board": cpu["board"],
        "virt": virt,
        "kvm_capable": kvm["usable"],
        "kvm": kvm,
        "accelerators": accelerators,
        "accelerator_kinds": sorted({a["kind"] for a in accelerators}),
        "accelerator_families": sorted({a["family"] for a in accelerators}),
        "nics": nics_of(raw),
        "tpm": tpm_of(raw),
        "sgx": sgx_of(raw, cpu["all_flags"]),
        "tee": tee_of(raw),
        "init": init_of(raw),
        "pkg_mgr": pkg_mgr_of(raw),
    }


def _one(raw: dict, key: str) -> str:
    return (raw.get(key) or [""])[0]


def _cpu(raw: dict) -> dict:
    info = dict(line.split("=", 1) for line in raw.get("cpuinfo", []) if "=" in line)
    machine = _one(raw, "machine")
    family = ids.ARCH_FAMILY.get(machine, machine or "unknown")
    flags = set((info.get("flags") or info.get("Features") or "").split())
    model = info.get("model name") or info.get("cpu model") or _arm_core(info)
    count = _cpu_list_count(_one(raw, "cpu_online")) or int(_one(raw, "cpu_count") or 0)
    dt_model = _one(raw, "dt_model")
    mem_kb = _one(raw, "mem_kb")
    return {
        "arch": machine,
        "arch_family": family,
        "model": model or info.get("Hardware") or None,
        "vendor": info.get("vendor_id") or ("arm" if family in ids.ARM_FAMILIES else None),
        "count": count,
        "flags": sorted(flags.intersection(_NOTABLE_FLAGS)),
        "all_flags": flags,
        "memory_mb": int(mem_kb) // 1024 if mem_kb.isdigit() else 0,
        # a device-tree board (not an ACPI/UEFI server, not QEMU's virt machine)
        "board": dt_model
        if dt_model and not _dt_is_virtual(raw) and family in ids.ARM_FAMILIES
        else None,
        "dt_model": dt_model,
    }


def _arm_core(info: dict) -> str | None:
    if info.get("CPU implementer", "").lower() != "0x41":
        return None
    part = ids.ARM_CPU_PARTS.get(info.get("CPU part", "").lower())
    return f"ARM {part}" if part else None


def _cpu_list_count(text: str) -> int:
    """The number of CPUs in a kernel cpu list such as ``0-3,8-11``."""
    total = 0
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        if not (low.isdigit() and (not high or high.isdigit())):
            return 0
        total += int(high or low) - int(low) + 1
    return total


def _dt_is_virtual(raw: dict) -> bool:
    return any(c in _one(raw, "dt_compatible").split() for c in ids.DT_VIRTUAL)


def _virt(raw: dict, cpu: dict) -> dict:
    """Is this already a VM or a container? (both can be true: a container in a VM)."""
    container = (
        _one(raw, "container_file")
        or _one(raw, "container_env")
        or _none(_one(raw, "sdv_container"))
        or ("docker" if raw.get("dockerenv") else None)
        or ("podman" if raw.get("podmanenv") else None)
        or _cgroup_container(raw.get("pid1_cgroup", []))
    )
    dmi = f"{_one(raw, 'dmi_sys_vendor')} {_one(raw, 'dmi_product_name')}".lower()
    vm = _none(_one(raw, "sdv_vm")) or _one(raw, "hypervisor_type") or None
    vm = vm or next((name for key, name in ids.DMI_HYPERVISORS if key in dmi), None)
    if not vm and _dt_is_virtual(raw):
        vm = "qemu"
    if not vm and "hypervisor" in cpu["all_flags"]:
        vm = "unknown"  # the CPU says so, nothing names it (e.g. Firecracker: no DMI)
    return {
        "vm": vm,
        "container": container or None,
        "bare_metal": not (vm or container),
        "privileged": _privileged(container, _one(raw, "cap_bnd")),
    }


CAP_NET_ADMIN, CAP_SYS_ADMIN = 12, 21


def _privileged(container: str | None, cap_bnd: str) -> bool:
    """Can this host run what the edge stack needs (dockerd, OVS, libvirtd: bridges, mounts,
    iptables)? Not a container: yes. A container: only if its capability bounding set kept
    CAP_NET_ADMIN and CAP_SYS_ADMIN (a privileged container); unknown counts as no."""
    if not container:
        return True
    try:
        bits = int(cap_bnd, 16)
    except ValueError:
        return False
    return bool(bits >> CAP_NET_ADMIN & 1 and bits >> CAP_SYS_ADMIN & 1)


def _cgroup_container(paths: list[str]) -> str | None:
    """A PID 1 outside the root cgroup is a container's (no cgroup namespace hides it)."""
    for path in paths:
        if path not in ("/", "/init.scope", ""):
            for runtime in ("docker", "kubepods", "containerd", "lxc", "libpod"):
                if runtime in path:
                    return {"kubepods": "kubernetes", "libpod": "podman"}.get(runtime, runtime)
            return "unknown"
    return None


def _none(value: str) -> str | None:
    return None if value in ("", "none") else value


def _kvm(raw: dict, cpu: dict, virt: dict) -> dict:
    """Can this host boot a stock guest kernel with KVM? See docs/edge.md, "usable KVM"."""
    flags, family = cpu["all_flags"], cpu["arch_family"]
    dev = bool(raw.get("dev_kvm"))
    opened = bool(raw.get("dev_kvm_rw"))
    modules = set(raw.get("kvm_module", []))
    flag = "vmx" if "vmx" in flags else "svm" if "svm" in flags else None
    if family in ids.X86_FAMILIES:
        backend = flag or ("pvm" if "kvm_pvm" in modules else "unknown" if dev else None)
    elif family in ids.ARM_FAMILIES:
        backend = "arm" if dev else None  # /dev/kvm appears only if booted at EL2 (HYP)
    else:
        backend = "unknown" if dev else None
    as_root = _one(raw, "uid") == "0"
    state, reason = _kvm_verdict(dev, opened, as_root, backend, flag, family, virt["vm"])
    return {
        "usable": state == "usable",
        "state": state,
        "backend": backend,
        "reason": reason,
        "dev_kvm": dev,
        "dev_kvm_usable": opened,
        "cpu_virt_flag": flag,
        "nested_guest": bool(virt["vm"]),
    }


def _kvm_verdict(dev, opened, as_root, backend, flag, family, vm) -> tuple[str, str]:
    """(state, reason): usable | paravirt | no_access | absent, and why, for the operator."""
    if not dev:
        hint = f" although the CPU has {flag} (kvm module not loaded, or off in firmware)"
        return "absent", "no /dev/kvm" + (hint if flag else "")
    if backend == "pvm":
        return "paravirt", (
            "KVM backend is PVM (kvm_pvm, software paravirtualisation, no vmx/svm): only "
            "guests built as PVM guests boot; a stock guest kernel does not"
        )
    if backend == "unknown":
        return "paravirt", (
            f"/dev/kvm exists but the CPU shows no hardware virtualisation ({family}: no "
            "vmx/svm): paravirtual or emulated KVM, a stock guest is not expected to boot"
        )
    if not opened and as_root:
        return "no_access", "/dev/kvm exists but root cannot open it read-write"
    reason = f"/dev/kvm with hardware virtualisation ({backend})"
    if vm:
        reason += f", nested inside a {vm} VM"
    if not opened:
        reason += "; not openable by this user (root can)"
    return "usable", reason
