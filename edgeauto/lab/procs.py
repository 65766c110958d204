"""Finding a lab's processes, mounts and namespaces on the machine (for teardown and checks).

Everything here looks things up through /proc — by cgroup, by root/cwd inside the lab's
state directory, by namespace id — never by process name.
"""

from __future__ import annotations

import os
from pathlib import Path

NS_KINDS = ("mnt", "pid", "uts", "ipc", "net", "cgroup")


def reaped(pid: int) -> bool:
    """Reap our child ``pid`` if it exited; True when it is gone."""
    if pid <= 0:
        return True
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == pid
    except ChildProcessError:
        return not Path(f"/proc/{pid}").exists()


def in_cgroup(pid: int, marker: str) -> bool:
    try:
        return marker in Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return False


def parent_pid(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def processes_inside(directory: Path) -> list[int]:
    """Processes whose root or working directory lies inside ``directory``."""
    prefix = str(Path(directory).resolve()) + "/"
    found = []
    for pid in all_pids():
        if pid == os.getpid():
            continue
        for link in ("root", "cwd"):
            try:
                target = os.readlink(f"/proc/{pid}/{link}")
            except OSError:
                continue
            if (target + "/").startswith(prefix):
                found.append(pid)
                break
    return found


def mounts_below(directory: Path, which: str) -> set[str]:
    """Mount points below ``directory`` in our mount namespace ('self') or in any ('*')."""
    prefix = str(Path(directory).resolve()) + "/"
    pids = ["self"] if which == "self" else all_pids()
    seen_ns: set[str] = set()
    found: set[str] = set()
    for pid in pids:
        try:
            ns = os.readlink(f"/proc/{pid}/ns/mnt")
            if ns in seen_ns:
                continue
            seen_ns.add(ns)
            lines = Path(f"/proc/{pid}/mountinfo").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            mp = line.split()[4].encode().decode("unicode_escape")
            if (mp + "/").startswith(prefix):
                found.add(mp)
    return found


def processes_in_namespaces(
    namespaces: set[str], started_before: int | None = None
) -> list[tuple[int, str]]:
    """Processes inside any of ``namespaces``. Namespace ids are reused by the kernel once a
    namespace is gone, so with ``started_before`` (clock ticks since boot, taken when the
    lab's teardown began) processes started later are ignored: a new process in one of the
    lab's namespaces would be the child of a lab process, found through the lab's cgroups."""
    found = []
    for pid in all_pids():
        if started_before is not None and start_ticks(pid) > started_before:
            continue
        for kind in NS_KINDS:
            try:
                ns = os.readlink(f"/proc/{pid}/ns/{kind}")
            except OSError:
                continue
            if ns in namespaces:
                found.append((pid, ns))
                break
    return found


def describe(pid: int) -> str:
    """'comm, cgroup' of a process, for messages about leftovers."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        cgroup = next(
            (
                line.split(":", 2)[2]
                for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines()
                if ":name=systemd:" in line or line.startswith("0::")
            ),
            "?",
        )
        return f"{cmd[:80]}, cgroup {cgroup}"
    except OSError:
        return "gone"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def now_ticks() -> int:
    """Time since boot in clock ticks (the unit of a process's start time in /proc/PID/stat)."""
    return int(float(Path("/proc/uptime").read_text().split()[0]) * CLOCK_TICKS)


def start_ticks(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return 0
