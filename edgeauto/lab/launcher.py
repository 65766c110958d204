"""The shell scripts that start one lab host, written into its directory for easy debugging.

``launch.sh`` joins the host's cgroups and execs ``unshare`` into a private mount namespace
(plus PID/UTS/IPC namespaces for light hosts) running ``inner.sh``; ``inner.sh`` mounts the
overlay there — so every mount of a host vanishes with its processes, even after a crash —
and then either boots systemd with ``systemd-nspawn -b`` or execs sshd/dropbear as PID 1.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from edgeauto.lab import cgroups as cg

LAUNCH = """\
#!/bin/sh
# edgeauto lab host {name}: join its cgroups, then enter its own namespaces.
set -eu
{join_cgroups}
exec unshare {unshare_opts} -- /bin/sh {inner}
"""

MOUNT_OVERLAY = """\
mount -t overlay overlay -o lowerdir={lower},upperdir={upper},workdir={work} {merged}
"""

NSPAWN_INNER = """\
#!/bin/sh
# Boot real systemd in the overlay. Exit code 133 = 'systemctl reboot' inside: boot again.
set -u
{mount_overlay}
trap : TERM INT
while :; do
    SYSTEMD_NSPAWN_LOCK=0 {env}systemd-nspawn -b -q -D {merged} -M {machine} --hostname={name} \\
        --register=no --keep-unit --console=passive --link-journal=no{extra}
    rc=$?
    [ "$rc" = 133 ] || exit "$rc"
done
"""

LIGHT_INNER = """\
#!/bin/sh
# A host without an init: sshd (or dropbear) is PID 1 of its own PID namespace.
set -eu
M={merged}
{mount_overlay}
hostname {name}
mount -t proc -o nosuid,nodev,noexec proc "$M/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$M/sys"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$M/run"
mkdir -p "$M/run/sshd" "$M/run/lock"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$M/tmp"
mount -t tmpfs -o mode=755,nosuid tmpfs "$M/dev"
for d in null zero full random urandom tty; do
    : > "$M/dev/$d"
    mount --bind "/dev/$d" "$M/dev/$d"
done
mkdir -p "$M/dev/pts" "$M/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$M/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$M/dev/shm"
ln -s pts/ptmx "$M/dev/ptmx"
ln -s /proc/self/fd "$M/dev/fd"
ln -s /proc/self/fd/0 "$M/dev/stdin"
ln -s /proc/self/fd/1 "$M/dev/stdout"
ln -s /proc/self/fd/2 "$M/dev/stderr"
exec chroot "$M" {daemon}
"""

PRIVILEGED_NSPAWN = (
    " \\\n        --private-network --capability=all"
    " --system-call-filter=@keyring --system-call-filter=bpf"
)


def q(value: object) -> str:
    return shlex.quote(str(value))


def write_scripts(
    host_dir: Path,
    name: str,
    lower: Path,
    cgroups: list[Path],
    mode: str,
    machine: str = "",
    daemon: list[str] | None = None,
    privileged: bool = False,
) -> Path:
    """Write launch.sh/inner.sh for one host; returns launch.sh's path."""
    merged = host_dir / "merged"
    mount = MOUNT_OVERLAY.format(
        lower=q(lower), upper=q(host_dir / "upper"), work=q(host_dir / "work"), merged=q(merged)
    )
    if mode == "systemd":
        inner = NSPAWN_INNER.format(
            mount_overlay=mount.strip(),
            merged=q(merged),
            name=q(name),
            machine=q(machine or name),
            env="SYSTEMD_NSPAWN_API_VFS_WRITABLE=1 " if privileged else "",
            extra=PRIVILEGED_NSPAWN if privileged else "",
        )
        unshare_opts = "--mount --propagation private"
    else:
        inner = LIGHT_INNER.format(
            merged=q(merged),
            mount_overlay=mount.strip(),
            name=q(name),
            daemon=" ".join(q(a) for a in daemon or []),
        )
        unshare_opts = "--mount --propagation private --uts --ipc --pid --fork --kill-child"
    inner_path = host_dir / "inner.sh"
    inner_path.write_text(inner)
    launch = host_dir / "launch.sh"
    launch.write_text(
        LAUNCH.format(
            name=name,
            join_cgroups="\n".join(f"echo $$ > {q(c / 'cgroup.procs')}" for c in cgroups),
            unshare_opts=unshare_opts,
            inner=q(inner_path),
        )
    )
    return launch


PROXY = """\
#!/bin/sh
# ssh ProxyCommand for {name}: the host has its own network namespace; find a process of the
# host that lives in it (through the host's cgroup) and connect to its sshd from inside.
# The host's init is the one to pick: its parent (systemd-nspawn) is in our namespace. Any
# other process may sit in a namespace the host made itself (`ip netns`, a container) or be
# about to exit; one of those is only the fallback.
set -eu
own=$(readlink /proc/self/ns/net)
first=
for pid in $(find {top} -name cgroup.procs -exec cat {{}} + 2>/dev/null); do
    ns=$(readlink "/proc/$pid/ns/net" 2>/dev/null) || continue
    [ "$ns" != "$own" ] || continue
    ppid=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null) || continue
    pns=$(readlink "/proc/$ppid/ns/net" 2>/dev/null) || pns=
    if [ "$pns" = "$own" ]; then
        exec nsenter -t "$pid" -n -- busybox nc 127.0.0.1 22
    fi
    [ -n "$first" ] || first=$pid
done
if [ -n "$first" ]; then
    exec nsenter -t "$first" -n -- busybox nc 127.0.0.1 22
fi
echo "{name}: no process in its own network namespace (is the host up?)" >&2
exit 1
"""


def write_proxy(host_dir: Path, cgroups: list[Path]) -> Path:
    """The ProxyCommand that reaches a privileged host's sshd inside its network namespace."""
    path = host_dir / "proxy.sh"
    path.write_text(PROXY.format(name=host_dir.name, top=q(cgroups[0])))
    path.chmod(0o755)
    return path


def netns_pid(lab_id: str, host: str) -> int | None:
    """A process of ``host`` inside a network namespace other than ours, if any."""
    own = os.readlink("/proc/self/ns/net")
    for pid in sorted(cg.pids_in(cg.host_cgroups(lab_id, host))):
        try:
            if os.readlink(f"/proc/{pid}/ns/net") != own:
                return pid
        except OSError:
            continue
    return None
