"""Hardware facts: processors, memory, mounts, uptime, DMI, edge hardware.

Mount parsing is pyinfra's ``Mounts``; edge hardware is :mod:`edgeauto.facts.edge_hw`.
"""

from __future__ import annotations

from pyinfra.facts.server import Mounts

from edgeauto.facts.collectors.base import Section, kv, one
from edgeauto.facts.edge_hw import parse_edge_hw, probe_call

SUBSET = "hardware"

SECTIONS = (
    Section("cpuinfo", "hardware", "cat /proc/cpuinfo"),
    Section("nproc", "hardware", "nproc 2>/dev/null || getconf _NPROCESSORS_ONLN"),
    Section("meminfo", "hardware", "cat /proc/meminfo"),
    # pyinfra's Mounts.command() asks the host for its kernel first; on Linux it is this:
    Section("mountinfo", "hardware", "cat /proc/self/mountinfo"),
    Section("df", "hardware", "_eaf_t 5 df -kP"),
    Section("uptime", "hardware", "cut -d. -f1 /proc/uptime"),
    Section(
        "dmi",
        "hardware",
        "for f in product_name product_version product_serial product_uuid sys_vendor "
        "bios_vendor bios_version bios_date board_name board_vendor chassis_type; do v=; "
        "[ -r /sys/devices/virtual/dmi/id/$f ] && IFS= read -r v < /sys/devices/virtual/dmi/id/$f; "
        'printf "%s=%s\\n" "$f" "$v"; done',
    ),
    Section("edgeauto_hw", "hardware", probe_call("")),
)


def derive(sections, facts) -> None:
    _processors(sections, facts)
    _memory(sections, facts)
    facts["mounts"] = _mounts(sections)
    up = one(sections, "uptime")
    if up.isdigit():
        facts["uptime_seconds"] = int(up)
    _dmi(sections, facts)
    if "edgeauto_hw" in sections:
        facts["edgeauto_hw"] = parse_edge_hw(sections["edgeauto_hw"])


def _processors(sections, facts) -> None:
    cpus: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in sections.get("cpuinfo") or []:
        if not line.strip():
            if current:
                cpus.append(current)
            current = {}
            continue
        key, sep, value = line.partition(":")
        if sep:
            current[key.strip()] = value.strip()
    if current:
        cpus.append(current)
    per_cpu = [c for c in cpus if "processor" in c]
    processor: list[str] = []
    for c in per_cpu:
        processor.append(c["processor"])
        if "vendor_id" in c:
            processor.append(c["vendor_id"])
        if "model name" in c or "Processor" in c or "cpu model" in c:
            processor.append(c.get("model name") or c.get("Processor") or c.get("cpu model"))
    sockets = {c.get("physical id") for c in per_cpu if "physical id" in c}
    count = len(sockets) if sockets else max(1, len(per_cpu))
    first = per_cpu[0] if per_cpu else {}
    cores = int(first.get("cpu cores", 0) or 0) if sockets else 1
    cores = cores or 1
    siblings = int(first.get("siblings", 0) or 0) if sockets else 0
    threads = max(1, siblings // cores) if siblings else 1
    facts["processor"] = processor
    facts["processor_count"] = count
    facts["processor_cores"] = cores
    facts["processor_threads_per_core"] = threads
    facts["processor_vcpus"] = threads * cores * count
    nproc = one(sections, "nproc")
    facts["processor_nproc"] = int(nproc) if nproc.isdigit() else len(per_cpu)


def _memory(sections, facts) -> None:
    mem = {
        k: int(v.split()[0])
        for k, v in kv(sections.get("meminfo")).items()
        if v.split() and v.split()[0].isdigit()
    }
    if mem:
        mb = {k: v // 1024 for k, v in mem.items()}
        facts["memtotal_mb"] = mb.get("MemTotal", 0)
        facts["memfree_mb"] = mb.get("MemFree", 0)
        facts["swaptotal_mb"] = mb.get("SwapTotal", 0)
        facts["swapfree_mb"] = mb.get("SwapFree", 0)
        nocache_free = mb.get("MemFree", 0) + mb.get("Buffers", 0) + mb.get("Cached", 0)
        facts["memory_mb"] = {
            "real": {
                "total": facts["memtotal_mb"],
                "free": facts["memfree_mb"],
                "used": facts["memtotal_mb"] - facts["memfree_mb"],
            },
            "nocache": {"free": nocache_free, "used": facts["memtotal_mb"] - nocache_free},
            "swap": {
                "total": facts["swaptotal_mb"],
                "free": facts["swapfree_mb"],
                "used": facts["swaptotal_mb"] - facts["swapfree_mb"],
                "cached": mb.get("SwapCached", 0),
            },
        }


def _dmi(sections, facts) -> None:
    dmi = {}
    for line in sections.get("dmi") or []:
        key, sep, value = line.partition("=")
        if sep:
            dmi[key] = value.strip() or "NA"
    for key in (
        "product_name",
        "product_version",
        "product_serial",
        "product_uuid",
        "bios_vendor",
        "bios_version",
        "bios_date",
        "board_name",
        "board_vendor",
    ):
        if key in dmi:
            facts[key] = dmi[key]
    if "sys_vendor" in dmi:
        facts["system_vendor"] = dmi["sys_vendor"]


def _mounts(sections) -> list[dict]:
    parser = Mounts()
    parser._kernel = "Linux"  # what pyinfra's command() would have looked up on the host
    try:
        table = parser.process([ln for ln in sections.get("mountinfo") or [] if ln.strip()])
    except ValueError:
        table = {}
    sizes: dict[str, tuple[int, int]] = {}
    for line in (sections.get("df") or [])[1:]:
        parts = line.split()
        if len(parts) >= 6 and parts[1].isdigit() and parts[3].isdigit():
            sizes[" ".join(parts[5:])] = (int(parts[1]) * 1024, int(parts[3]) * 1024)
    mounts = []
    for point, info in table.items():
        device = info["device"]
        if not (device.startswith("/") or ":/" in device):
            continue  # pseudo filesystems (proc, sysfs, tmpfs …), as Ansible skips them
        total, available = sizes.get(point, (0, 0))
        mounts.append(
            {
                "mount": point,
                "device": device,
                "fstype": info["type"],
                "options": ",".join(info["options"]),
                "size_total": total,
                "size_available": available,
                "uuid": "N/A",
            }
        )
    return mounts
