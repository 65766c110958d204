"""The probes of the facts script, grouped by ``gather_subset``.

Each section is one shell snippet whose stdout is parsed on the controller. Where pyinfra
already has a fact class for the probe (Hostname, Kernel, KernelVersion, Arch,
LinuxDistribution, LsbRelease, Mounts, Sha1File) we take its ``command()`` here and its
``process()`` in :mod:`edgeauto.facts.derive`, instead of writing those parsers again.
Every snippet is POSIX sh and works with BusyBox; missing tools give empty output, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyinfra.facts.server import (
    Arch,
    Hostname,
    Kernel,
    KernelVersion,
    LinuxDistribution,
    LsbRelease,
)

from edgeauto.facts.edge_hw import probe_call

SUBSETS = ("min", "hardware", "network", "virtual")

# ``_eaf_t SECONDS CMD…``: run CMD under timeout(1) when this target has a working one
PRELUDE = (
    'if timeout 1 true 2>/dev/null; then _eaf_t() { timeout "$@"; }; '
    'else _eaf_t() { shift; "$@"; }; fi\n'
)


def _raw(command) -> str:
    """pyinfra fact commands are str or StringCommand; we need the shell text."""
    return command.get_raw_value() if hasattr(command, "get_raw_value") else str(command)


@dataclass(frozen=True)
class Section:
    name: str
    subset: str
    command: str


def _sections() -> list[Section]:
    s = [
        # -- min ------------------------------------------------------------------------------
        Section("hostname", "min", _raw(Hostname().command())),
        Section("system", "min", _raw(Kernel().command())),
        Section("kernel", "min", _raw(KernelVersion().command())),
        Section("kernel_version", "min", "uname -v"),
        Section("machine", "min", _raw(Arch().command())),
        # hostname -f asks DNS, df stats every mount (stale NFS): both can hang, so bound them
        Section("fqdn", "min", "_eaf_t 3 hostname -f 2>/dev/null || uname -n"),
        Section("userspace_bits", "min", "getconf LONG_BIT"),
        Section("release_files", "min", _raw(LinuxDistribution().command())),
        Section("debian_version", "min", "cat /etc/debian_version"),
        Section(
            "lsb",
            "min",
            f"command -v lsb_release >/dev/null 2>&1 && {_raw(LsbRelease().command())}",
        ),
        Section(
            "user",
            "min",
            'id -un; id -u; id -g; printf "%s\\n" "$HOME"; '
            'grep "^$(id -un):" /etc/passwd | head -n 1',
        ),
        Section("env", "min", "env"),
        Section("date", "min", "date '+%s %z %Z'"),
        Section("machine_id", "min", "cat /etc/machine-id || cat /var/lib/dbus/machine-id"),
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
            "python",
            "min",
            'for p in python3 python; do if command -v "$p" >/dev/null 2>&1; then '
            '"$p" -S -c \'import sys, json\n'
            "v = sys.version_info\n"
            'try:\n import ssl; ctx = hasattr(ssl, "SSLContext")\n'
            "except Exception:\n ctx = False\n"
            'print(json.dumps({"executable": sys.executable, "version": {"major": v[0], '
            '"minor": v[1], "micro": v[2], "releaselevel": v[3], "serial": v[4]}, '
            '"version_info": list(v), "type": getattr(getattr(sys, "implementation", None), '
            '"name", "cpython"), "has_sslcontext": ctx}))\'; break; fi; done',
        ),
        # -- hardware -------------------------------------------------------------------------
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
        # -- network --------------------------------------------------------------------------
        Section(
            "route4",
            "network",
            "ip -4 route get 8.8.8.8 2>/dev/null || ip -4 route show default 2>/dev/null",
        ),
        Section(
            "route6",
            "network",
            "ip -6 route get 2001:4860:4860::8888 2>/dev/null || ip -6 route show default 2>/dev/null",
        ),
        Section("addrs", "network", "ip -o addr show 2>/dev/null"),
        Section(
            "links",
            "network",
            # read(1) builtins, not $(cat …): no fork per value (forks are slow on small CPUs)
            'for d in /sys/class/net/*; do [ -e "$d" ] || continue; '
            'for k in address mtu type flags operstate; do eval "$k="; '
            '[ -r "$d/$k" ] && IFS= read -r "$k" < "$d/$k"; done; '
            'printf "%s|%s|%s|%s|%s|%s\\n" "${d##*/}" "$address" "$mtu" "$type" "$flags" '
            '"$operstate"; done',
        ),
        Section("resolv", "network", "cat /etc/resolv.conf"),
        # -- virtual --------------------------------------------------------------------------
        Section(
            "virt",
            "virtual",
            "printf 'container_file=%s\\n' \"$(cat /run/systemd/container 2>/dev/null)\"; "
            "printf 'container_env=%s\\n' \"$(tr '\\000' '\\n' < /proc/1/environ 2>/dev/null "
            "| sed -n 's/^container=//p' | head -n 1)\"; "
            "[ -e /.dockerenv ] && echo dockerenv=1; [ -e /run/.containerenv ] && echo podmanenv=1; "
            "grep -qE '(docker|kubepods|containerd)' /proc/1/cgroup 2>/dev/null && echo cgroup=docker; "
            "grep -q ':/lxc/' /proc/1/cgroup 2>/dev/null && echo cgroup=lxc; "
            "grep -q '^flags.* hypervisor' /proc/cpuinfo 2>/dev/null && echo hypervisor_flag=1; "
            "grep -qE '^flags.* (vmx|svm)' /proc/cpuinfo 2>/dev/null && echo virt_flag=1; "
            "[ -e /dev/kvm ] && echo dev_kvm=1; "
            "[ -d /proc/xen ] && echo xen=1; [ -d /proc/vz ] && echo openvz=1; "
            "printf 'product=%s\\n' \"$(cat /sys/devices/virtual/dmi/id/product_name 2>/dev/null)\"; "
            "printf 'vendor=%s\\n' \"$(cat /sys/devices/virtual/dmi/id/sys_vendor 2>/dev/null)\"; "
            "command -v systemd-detect-virt >/dev/null 2>&1 && "
            "printf 'detect=%s\\n' \"$(systemd-detect-virt 2>/dev/null)\"; true",
        ),
    ]
    return s


SECTIONS: tuple[Section, ...] = tuple(_sections())
