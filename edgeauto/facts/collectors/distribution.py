"""Distribution facts from os-release, /etc/debian_version and lsb_release.

Parsers are pyinfra's (``LinuxDistribution``, ``LsbRelease``).
"""

from __future__ import annotations

from pyinfra.facts.server import LinuxDistribution, LsbRelease

from edgeauto.facts.collectors.base import Section, _raw, one

SUBSET = "min"

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

SECTIONS = (
    Section("release_files", "min", _raw(LinuxDistribution().command())),
    Section("debian_version", "min", "cat /etc/debian_version"),
    Section(
        "lsb",
        "min",
        f"command -v lsb_release >/dev/null 2>&1 && {_raw(LsbRelease().command())}",
    ),
)


def derive(sections, facts) -> None:
    info = LinuxDistribution().process(sections.get("release_files") or [])
    meta = info.get("release_meta") or {}
    os_id = (meta.get("ID") or "").lower()
    name = (
        DISTRIBUTION_NAMES.get(os_id)
        or info.get("name")
        or ("OtherLinux" if facts.get("system") == "Linux" else facts.get("system", ""))
    )
    version = meta.get("VERSION_ID") or ""
    debian_version = one(sections, "debian_version")
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
