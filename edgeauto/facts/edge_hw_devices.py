"""``edgeauto_hw`` devices and system: accelerators, NICs, root of trust, init, packages.

Each function takes the probe's parsed lines (``{key: [values]}``, see edge_hw.py) and
returns one key of the fact; the ids they match are in edge_hw_ids.py.
"""

from __future__ import annotations

from edgeauto.facts import edge_hw_ids as ids


def _one(raw: dict, key: str) -> str:
    return (raw.get(key) or [""])[0]


def accelerators_of(raw: dict) -> list[dict]:
    found = []
    for value in raw.get("usb", []):
        id_part, _, product = value.partition(" ")
        vendor, _, device = id_part.lower().partition(":")
        match = ids.USB_ACCELERATORS.get(f"{vendor}:{device}") or ids.USB_ACCELERATORS.get(vendor)
        if match:
            found.append(_accel(match, "usb", f"{vendor}:{device}", product.strip()))
    for value in raw.get("pci", []):
        parts = value.split()
        vendor, _, device = parts[0].lower().replace("0x", "").partition(":")
        pci_class = parts[1].lower().replace("0x", "") if len(parts) > 1 else ""
        address = parts[2] if len(parts) > 2 else ""
        match = ids.PCI_ACCELERATORS.get(f"{vendor}:{device}") or ids.PCI_ACCELERATORS.get(vendor)
        if not match and vendor in ids.PCI_GPU_VENDORS and pci_class[:2] == ids.PCI_CLASS_DISPLAY:
            match = ("gpu", "gpu", f"{ids.PCI_GPU_VENDORS[vendor]} GPU")
        if match:
            found.append(_accel(match, "pci", f"{vendor}:{device}", "", address=address))
    for value in raw.get("fpga_manager", []):
        name, _, desc = value.partition(" ")
        found.append(_accel(("fpga", "fpga", "FPGA manager"), "fpga_manager", name, desc.strip()))
    return found


def _accel(match: tuple, bus: str, dev_id: str, label: str, **extra) -> dict:
    family, kind, name = match
    return {
        "family": family,
        "kind": kind,
        "bus": bus,
        "id": dev_id,
        "name": label or name,
        **extra,
    }


def nics_of(raw: dict) -> list[dict]:
    nics = []
    for value in raw.get("nic", []):
        fields = value.split("|", 7)
        if len(fields) < 8:
            continue
        phys, driver, speed, mac, state, devtype, arphrd, name = fields
        if phys != "1":
            kind = "virtual"
        elif driver in ids.PARAVIRTUAL_NIC_DRIVERS:
            kind = "paravirtual"
        else:
            kind = "physical"
        nics.append(
            {
                "name": name,
                "driver": driver or None,
                "speed_mbps": int(speed) if speed.isdigit() else None,  # -1/empty: unknown
                "mac": mac,
                "state": state or None,
                "type": devtype or ids.ARPHRD_TYPES.get(arphrd, arphrd or None),
                "kind": kind,
                "physical": kind == "physical",
            }
        )
    return nics


def tpm_of(raw: dict) -> dict:
    devices = [d for d in raw.get("dev", []) if d.startswith("tpm")]
    version = None
    for value in raw.get("tpm", []):
        _name, major, caps = (value.split("|") + ["", ""])[:3]
        version = {"2": "2.0", "1": "1.2"}.get(major) or (caps[:3] if caps else None)
        if version:
            break
    if not version and any(d.startswith("tpmrm") for d in devices):
        version = "2.0"  # the resource manager node exists for TPM 2.0 only
    present = bool(raw.get("tpm") or devices)
    return {"present": present, "version": version, "devices": devices}


def sgx_of(raw: dict, flags: set) -> dict:
    device = next((d for d in raw.get("dev", []) if "sgx" in d), None)
    return {
        "cpu": "sgx" in flags,
        "launch_control": "sgx_lc" in flags,
        "device": device,
        "usable": device is not None,  # /dev/sgx_enclave: the kernel driver is up
    }


def tee_of(raw: dict) -> dict:
    devices = [d for d in raw.get("dev", []) if d.startswith("tee")]
    drivers = [t.split("|", 1)[1] for t in raw.get("tee", []) if "|" in t and t.split("|", 1)[1]]
    bus = raw.get("tee_bus", [])
    impl = drivers[0] if drivers else None
    if not impl and (raw.get("dt_optee") or any(b.startswith("optee") for b in bus)):
        impl = "optee"
    return {
        "present": bool(devices or raw.get("tee")),
        "implementation": impl,
        "firmware_optee": bool(raw.get("dt_optee")),
        "devices": devices,
        "bus_devices": bus,
    }


def init_of(raw: dict) -> str:
    comm, marks = _one(raw, "init_comm"), set(raw.get("init_mark", []))
    link = _one(raw, "init_link")
    if comm == "systemd" or "systemd" in marks:
        return "systemd"
    if comm == "procd" or "procd" in marks:
        return "procd"
    if "openrc" in marks:
        return "openrc"
    if comm in ("runit", "runit-init"):
        return "runit"
    if comm == "init" and link.endswith("busybox"):
        return "busybox"
    if comm == "init" and "inittab" in marks:
        return "sysvinit"
    return "none" if comm else "unknown"  # PID 1 is a plain program (container, lab host)


def pkg_mgr_of(raw: dict) -> str:
    present = set(raw.get("pkg", []))
    for name in ids.PKG_MGR_ORDER:
        if name in present:
            return ids.PKG_MGR_NAMES.get(name, name)
    return "none"
