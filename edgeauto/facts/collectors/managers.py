"""Package and service manager facts (``pkg_mgr``, ``service_mgr``, ``systemd``).

``systemd`` ({version, features}) is what ansible-core's SystemdFactCollector gathers on a
systemd-managed host from ``systemctl --version``; absent elsewhere, as there.
"""

from __future__ import annotations

from edgeauto.facts.collectors.base import Section

SUBSET = "min"

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

SECTIONS = (
    Section(
        "pkg_mgrs",
        "min",
        "for p in apt-get dnf yum microdnf apk opkg zypper pacman xbps-install pkg; do "
        'command -v "$p" >/dev/null 2>&1 && echo "$p"; done',
    ),
    Section(
        "service_mgr",
        "min",
        "cat /proc/1/comm; [ -d /run/systemd/system ] && echo '#systemd'; "
        "[ -x /sbin/openrc ] && echo '#openrc'; [ -d /etc/init.d ] && echo '#initd'; "
        "command -v runit >/dev/null 2>&1 && echo '#runit'; true",
    ),
    Section(
        "systemd",
        "min",
        "[ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && "
        "systemctl --version 2>/dev/null; true",
    ),
)


def derive(sections, facts) -> None:
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
    systemd = systemd_fact(sections.get("systemd") or [])
    if systemd and facts.get("service_mgr") == "systemd":
        facts["systemd"] = systemd


def systemd_fact(lines) -> dict | None:
    """``systemctl --version`` ("systemd 252 (252.39-1~deb12u1)" then the feature line) as
    Ansible's ``{"version": 252, "features": "+PAM +AUDIT …"}``; None when unreadable."""
    words = lines[0].split() if lines else []
    if len(words) < 2 or not words[1].isdigit():
        return None
    return {"features": lines[1].strip() if len(lines) > 1 else "", "version": int(words[1])}
