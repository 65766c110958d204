"""Turn the raw probe outputs into Ansible's fact names and shapes.

Only the facts playbooks actually use are built, with Ansible's key names and value types
(strings where Ansible has strings, e.g. ``distribution_major_version``; ints for sizes).
Parsers pyinfra already has are reused (LinuxDistribution, LsbRelease, Mounts, Hostname …).
Every derivation tolerates missing sections (a subset not gathered, a tool not installed).
"""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime, timedelta, timezone

from pyinfra.facts.server import LinuxDistribution, LsbRelease, Mounts

from edgeauto.facts.edge_hw import parse_edge_hw

# os-release ID -> Ansible's distribution name
DISTRIBUTION_NAMES = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "raspbian": "Debian",
    "linuxmint": "Linux Mint",
    "kali": "Kali",
    "pop": "Pop!_OS",
    "devuan": "Devuan",
    "centos": "CentOS",
    "rhel": "RedHat",
    "fedora": "Fedora",
    "rocky": "Rocky",
    "almalinux": "AlmaLinux",
    "ol": "OracleLinux",
    "amzn": "Amazon",
    "alpine": "Alpine",
    "arch": "Archlinux",
    "manjaro": "ManjaroLinux",
    "opensuse-leap": "openSUSE Leap",
    "opensuse-tumbleweed": "openSUSE Tumbleweed",
    "sles": "SLES",
    "gentoo": "Gentoo",
    "openwrt": "OpenWrt",
    "void": "Void",
    "nixos": "NixOS",
    "clear-linux-os": "ClearLinux",
    "photon": "VMwarePhoton",
}
OS_FAMILY = {
    "Debian": "Debian",
    "Ubuntu": "Debian",
    "Linux Mint": "Debian",
    "Kali": "Debian",
    "Pop!_OS": "Debian",
    "Devuan": "Debian",
    "CentOS": "RedHat",
    "RedHat": "RedHat",
    "Fedora": "RedHat",
    "Rocky": "RedHat",
    "AlmaLinux": "RedHat",
    "OracleLinux": "RedHat",
    "Amazon": "RedHat",
    "Alpine": "Alpine",
    "Archlinux": "Archlinux",
    "ManjaroLinux": "Archlinux",
    "openSUSE Leap": "Suse",
    "openSUSE Tumbleweed": "Suse",
    "SLES": "Suse",
    "Gentoo": "Gentoo",
    "OpenWrt": "OpenWrt",
    "Void": "Void",
}
ID_LIKE_FAMILY = {
    "debian": "Debian",
    "ubuntu": "Debian",
    "rhel": "RedHat",
    "fedora": "RedHat",
    "centos": "RedHat",
    "suse": "Suse",
    "arch": "Archlinux",
    "alpine": "Alpine",
}
FAMILY_PKG_MGR = {
    "Debian": ["apt-get"],
    "RedHat": ["dnf", "yum", "microdnf"],
    "Alpine": ["apk"],
    "OpenWrt": ["opkg"],
    "Suse": ["zypper"],
    "Archlinux": ["pacman"],
    "Void": ["xbps-install"],
}
PKG_MGR_NAMES = {"apt-get": "apt", "xbps-install": "xbps"}
ARPHRD = {
    "1": "ether",
    "772": "loopback",
    "768": "tunnel",
    "776": "tunnel6",
    "65534": "unknown",
    "32": "infiniband",
    "801": "wireless",
    "824": "ieee802154",
}


def _one(sections: dict, name: str, default: str = "") -> str:
    lines = sections.get(name) or []
    return lines[0].strip() if lines and lines[0].strip() else default


def derive_facts(sections: dict[str, list[str]]) -> dict:
    facts: dict = {}
    subsets = (_one(sections, "subset") or "min").split()
    facts["gather_subset"] = subsets
    _platform(sections, facts)
    _distribution(sections, facts)
    _user_env_date(sections, facts)
    _managers(sections, facts)
    if "python" in sections and _one(sections, "python"):
        try:
            facts["python"] = json.loads(sections["python"][0])
            facts["python_version"] = ".".join(map(str, facts["python"]["version_info"][:3]))
        except (ValueError, KeyError, TypeError):
            pass
    if "hardware" in subsets:
        _hardware(sections, facts)
    if "network" in subsets:
        _network(sections, facts)
    if "virtual" in subsets:
        _virtual(sections, facts)
    return facts


def _platform(sections, facts) -> None:
    nodename = _one(sections, "hostname")
    facts["system"] = _one(sections, "system", "Linux")
    facts["kernel"] = _one(sections, "kernel")
    facts["kernel_version"] = _one(sections, "kernel_version")
    machine = _one(sections, "machine")
    facts["machine"] = machine
    facts["architecture"] = {"i686": "i386", "armv7l": "armv7l"}.get(machine, machine)
    facts["nodename"] = nodename
    facts["hostname"] = nodename.split(".")[0]
    fqdn = _one(sections, "fqdn", nodename)
    facts["fqdn"] = fqdn
    facts["domain"] = fqdn.split(".", 1)[1] if "." in fqdn else ""
    facts["machine_id"] = _one(sections, "machine_id")
    bits = _one(sections, "userspace_bits")
    if bits:
        facts["userspace_bits"] = bits
        facts["userspace_architecture"] = machine


def _distribution(sections, facts) -> None:
    info = LinuxDistribution().process(sections.get("release_files") or [])
    meta = info.get("release_meta") or {}
    os_id = (meta.get("ID") or "").lower()
    name = (
        DISTRIBUTION_NAMES.get(os_id)
        or info.get("name")
        or ("OtherLinux" if facts.get("system") == "Linux" else facts.get("system", ""))
    )
    version = meta.get("VERSION_ID") or ""
    debian_version = _one(sections, "debian_version")
    if name == "Debian" and debian_version[:1].isdigit():
        version = debian_version  # Ansible reports Debian's point release ("12.11")
    if not version and info.get("major") is not None:
        version = str(info["major"]) + (
            f".{info['minor']}" if info.get("minor") is not None else ""
        )
    family = OS_FAMILY.get(name)
    if family is None:
        for like in (meta.get("ID_LIKE") or "").split():
            if like in ID_LIKE_FAMILY:
                family = ID_LIKE_FAMILY[like]
                break
    facts["distribution"] = name
    facts["distribution_version"] = version or "NA"
    facts["distribution_major_version"] = version.split(".")[0] if version else "NA"
    minor = version.split(".")[1] if version.count(".") >= 1 else ""
    if minor:
        facts["distribution_minor_version"] = minor
    facts["distribution_release"] = (
        meta.get("VERSION_CODENAME") or meta.get("UBUNTU_CODENAME") or "NA"
    )
    facts["os_family"] = family or name
    lsb_lines = sections.get("lsb") or []
    lsb = LsbRelease().process(lsb_lines) if any(":" in ln for ln in lsb_lines) else {}
    if not lsb:
        lsb = _lsb_from_release_files(sections.get("release_files") or [])
    if lsb.get("release"):
        lsb["major_release"] = lsb["release"].split(".")[0]
    facts["lsb"] = lsb


def _lsb_from_release_files(lines: list[str]) -> dict:
    keys = {
        "DISTRIB_ID": "id",
        "DISTRIB_RELEASE": "release",
        "DISTRIB_CODENAME": "codename",
        "DISTRIB_DESCRIPTION": "description",
    }
    out = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key in keys:
            out[keys[key]] = value.strip().strip('"')
    return out


def _user_env_date(sections, facts) -> None:
    user = sections.get("user") or []
    if len(user) >= 4:
        facts["user_id"] = user[0]
        facts["user_uid"] = int(user[1]) if user[1].isdigit() else user[1]
        facts["user_gid"] = int(user[2]) if user[2].isdigit() else user[2]
        facts["user_dir"] = user[3]
        facts["effective_user_id"] = facts["user_uid"]
        facts["effective_group_id"] = facts["user_gid"]
        if len(user) >= 5 and user[4].count(":") >= 6:
            fields = user[4].split(":")
            facts["user_gecos"] = fields[4]
            facts["user_dir"] = fields[5]  # the passwd entry, like Ansible (not $HOME)
            facts["user_shell"] = fields[6]
    env: dict[str, str] = {}
    last = None
    for line in sections.get("env") or []:
        key, sep, value = line.partition("=")
        if sep and key and key.replace("_", "a").isalnum():
            env[key] = value
            last = key
        elif last is not None:
            env[last] += "\n" + line  # a multi-line value
    if "env" in sections:
        facts["env"] = env
    date = _one(sections, "date").split()
    if date and date[0].isdigit():
        facts["date_time"] = date_time(
            int(date[0]), date[1] if len(date) > 1 else "+0000", date[2] if len(date) > 2 else "UTC"
        )


def date_time(epoch: int, offset: str, tz: str) -> dict:
    """Ansible's ``date_time`` dict from the target's clock and timezone."""
    sign = -1 if offset.startswith("-") else 1
    digits = offset.lstrip("+-")
    minutes = int(digits[:2] or 0) * 60 + int(digits[2:4] or 0) if digits.isdigit() else 0
    local = datetime.fromtimestamp(epoch, timezone(timedelta(minutes=sign * minutes)))
    utc = datetime.fromtimestamp(epoch, UTC)
    return {
        "year": local.strftime("%Y"),
        "month": local.strftime("%m"),
        "weekday": local.strftime("%A"),
        "weekday_number": local.strftime("%w"),
        "weeknumber": local.strftime("%W"),
        "day": local.strftime("%d"),
        "hour": local.strftime("%H"),
        "minute": local.strftime("%M"),
        "second": local.strftime("%S"),
        "epoch": str(epoch),
        "epoch_int": str(epoch),
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M:%S"),
        "iso8601_micro": utc.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        "iso8601": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iso8601_basic": local.strftime("%Y%m%dT%H%M%S000000"),
        "iso8601_basic_short": local.strftime("%Y%m%dT%H%M%S"),
        "tz": tz,
        "tz_dst": tz,
        "tz_offset": offset,
    }


def _managers(sections, facts) -> None:
    present = [p.strip() for p in sections.get("pkg_mgrs") or [] if p.strip()]
    choice = None
    for candidate in FAMILY_PKG_MGR.get(facts.get("os_family", ""), []):
        if candidate in present:
            choice = candidate
            break
    if choice is None and present:
        choice = present[0]
    facts["pkg_mgr"] = PKG_MGR_NAMES.get(choice, choice) if choice else "unknown"
    lines = [ln.strip() for ln in sections.get("service_mgr") or [] if ln.strip()]
    if lines:
        comm, marks = lines[0], set(lines[1:])
        if comm == "systemd" or "#systemd" in marks:
            mgr = "systemd"
        elif comm in ("runit", "runit-init") or "#runit" in marks and comm == "runit":
            mgr = "runit"
        elif "#openrc" in marks:
            mgr = "openrc"
        elif comm == "init" and "#initd" in marks:
            mgr = "sysvinit"
        else:
            mgr = comm
        facts["service_mgr"] = mgr


def _kv(lines) -> dict[str, str]:
    out = {}
    for line in lines or []:
        key, sep, value = line.partition(":")
        if sep:
            out.setdefault(key.strip(), value.strip())
    return out


def _hardware(sections, facts) -> None:
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
    nproc = _one(sections, "nproc")
    facts["processor_nproc"] = int(nproc) if nproc.isdigit() else len(per_cpu)

    mem = {
        k: int(v.split()[0])
        for k, v in _kv(sections.get("meminfo")).items()
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
    facts["mounts"] = _mounts(sections)
    up = _one(sections, "uptime")
    if up.isdigit():
        facts["uptime_seconds"] = int(up)
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
    if "edgeauto_hw" in sections:
        facts["edgeauto_hw"] = parse_edge_hw(sections["edgeauto_hw"])


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


def _network(sections, facts) -> None:
    links: dict[str, dict] = {}
    for line in sections.get("links") or []:
        parts = line.split("|")
        if len(parts) < 6:
            continue
        name, mac, mtu, kind, flags, _state = parts[:6]
        try:
            active = bool(int(flags, 16) & 0x1)
            promisc = bool(int(flags, 16) & 0x100)
        except ValueError:
            active = promisc = False
        entry = {
            "device": name,
            "active": active,
            "type": ARPHRD.get(kind, "unknown"),
            "promisc": promisc,
        }
        if mtu.isdigit():
            entry["mtu"] = int(mtu)
        if mac and kind != "772":
            entry["macaddress"] = mac
        links[name] = entry
    ipv4_all, ipv6_all = [], []
    for line in sections.get("addrs") or []:
        tokens = line.replace("\\", " ").split()
        if len(tokens) < 4 or tokens[2] not in ("inet", "inet6"):
            continue
        dev = tokens[1].rstrip(":").split("@")[0]
        entry = links.setdefault(dev, {"device": dev, "active": True, "type": "unknown"})
        iface = ipaddress.ip_interface(tokens[3])
        if tokens[2] == "inet":
            brd = tokens[tokens.index("brd") + 1] if "brd" in tokens else ""
            v4 = {
                "address": str(iface.ip),
                "netmask": str(iface.netmask),
                "network": str(iface.network.network_address),
                "prefix": str(iface.network.prefixlen),
                "broadcast": brd,
            }
            if "ipv4" in entry:
                entry.setdefault("ipv4_secondaries", []).append(v4)
            else:
                entry["ipv4"] = v4
            if not iface.ip.is_loopback:
                ipv4_all.append(str(iface.ip))
        else:
            scope = tokens[tokens.index("scope") + 1] if "scope" in tokens else ""
            entry.setdefault("ipv6", []).append(
                {"address": str(iface.ip), "prefix": str(iface.network.prefixlen), "scope": scope}
            )
            if not iface.ip.is_loopback:
                ipv6_all.append(str(iface.ip))
    facts["interfaces"] = list(links)
    for name, entry in links.items():
        facts[name.replace("-", "_").replace(":", "_").replace(".", "_")] = entry
    facts["all_ipv4_addresses"] = ipv4_all
    facts["all_ipv6_addresses"] = ipv6_all
    facts["default_ipv4"] = _default_route(sections.get("route4"), links, "ipv4")
    facts["default_ipv6"] = _default_route(sections.get("route6"), links, "ipv6")
    dns = {"nameservers": [], "search": []}
    for line in sections.get("resolv") or []:
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            dns["nameservers"].append(parts[1])
        elif parts and parts[0] in ("search", "domain"):
            dns["search"] += parts[1:]
    facts["dns"] = dns


def _default_route(lines, links, family) -> dict:
    tokens = lines[0].split() if lines else []
    if not tokens:
        return {}
    dev = tokens[tokens.index("dev") + 1] if "dev" in tokens else ""
    gateway = tokens[tokens.index("via") + 1] if "via" in tokens else ""
    src = tokens[tokens.index("src") + 1] if "src" in tokens else ""
    entry = links.get(dev, {})
    out: dict = {"interface": dev, "gateway": gateway, "alias": dev}
    if family == "ipv4":
        addr = entry.get("ipv4", {})
        candidates = [addr, *entry.get("ipv4_secondaries", [])]
        chosen = next((a for a in candidates if a.get("address") == src), addr) if src else addr
        out.update(chosen)
        if src:
            out["address"] = src
    else:
        v6 = [a for a in entry.get("ipv6", []) if a.get("scope") == "global"]
        if v6:
            out.update(v6[0])
        if src:
            out["address"] = src
    for key in ("macaddress", "mtu", "type"):
        if key in entry:
            out[key] = entry[key]
    return out if out.get("address") or dev else {}


def _virtual(sections, facts) -> None:
    probe = {}
    for line in sections.get("virt") or []:
        key, sep, value = line.partition("=")
        if sep:
            probe.setdefault(key, value.strip())
    guest: list[str] = []
    host: list[str] = []
    container = probe.get("container_file") or probe.get("container_env") or ""
    if container:
        guest += [
            {
                "systemd-nspawn": "systemd-nspawn",
                "docker": "docker",
                "podman": "podman",
                "lxc": "lxc",
                "lxc-libvirt": "lxc",
            }.get(container, container),
            "container",
        ]
    elif probe.get("dockerenv") or probe.get("cgroup") == "docker":
        guest += ["docker", "container"]
    elif probe.get("podmanenv"):
        guest += ["podman", "container"]
    elif probe.get("cgroup") == "lxc":
        guest += ["lxc", "container"]
    product = (probe.get("product", "") + " " + probe.get("vendor", "")).lower()
    detect = probe.get("detect", "")
    vm = None
    if detect and detect not in ("none",) and detect not in guest:
        vm = {
            "oracle": "virtualbox",
            "microsoft": "VirtualPC",
            "vmware": "VMware",
            "qemu": "kvm",
        }.get(detect, detect)
    elif "kvm" in product or "qemu" in product or "openstack" in product:
        vm = "kvm"
    elif "vmware" in product:
        vm = "VMware"
    elif "virtualbox" in product:
        vm = "virtualbox"
    elif "amazon ec2" in product or "google compute" in product:
        vm = "kvm"
    elif probe.get("xen"):
        vm = "xen"
    elif probe.get("hypervisor_flag"):
        vm = "kvm" if probe.get("dev_kvm") is None else "kvm"
    if vm and vm not in guest:
        guest.append(vm)
    if probe.get("dev_kvm"):
        host.append("kvm")
    facts["virtualization_tech_guest"] = guest
    facts["virtualization_tech_host"] = host
    if guest:
        facts["virtualization_type"] = guest[0]
        facts["virtualization_role"] = "guest"
    elif host:
        facts["virtualization_type"] = host[0]
        facts["virtualization_role"] = "host"
    else:
        facts["virtualization_type"] = "NA"
        facts["virtualization_role"] = "NA"


def as_host_vars(facts: dict) -> dict:
    """``{"ansible_facts": facts, "ansible_<key>": value …}``: how playbooks see the facts."""
    out = {"ansible_facts": facts}
    for key, value in facts.items():
        if key == "gather_subset":
            continue
        out[f"ansible_{key}"] = value
    return out


def setup_output(facts: dict) -> dict:
    """The JSON shape ``ansible -m setup`` prints: prefixed keys inside ``ansible_facts``."""
    body = {f"ansible_{k}" if k != "gather_subset" else k: v for k, v in facts.items()}
    body["module_setup"] = True
    return {"ansible_facts": body, "changed": False}
