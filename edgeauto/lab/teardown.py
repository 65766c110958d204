"""Tearing lab hosts down: stop each host's processes, then everything found by state dir.

``down(force=True)`` relies on these to clean up after a crash: processes are found through
the lab's cgroups and through their root/cwd below the state directory, never by name.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.lab import cgroups
from edgeauto.lab.paths import machine_name
from edgeauto.lab.procs import in_cgroup, mounts_below, parent_pid, processes_inside, reaped

STOP_TIMEOUT = 25.0
NSPAWN_PROPAGATE = Path("/run/systemd/nspawn/propagate")


@dataclass
class DownReport:
    stopped: list[str] = field(default_factory=list)
    killed: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def stop_hosts(
    lab: str, names: list[str], report: DownReport, hosts_dir: Path, log: Callable[[str], None]
) -> None:
    """SIGTERM every host's launcher group (systemd hosts power off), wait, then SIGKILL."""
    groups = {name: cgroups.host_cgroups(lab, name) for name in names}
    for name, cgs in groups.items():
        marker = f"/{cgroups.LAB_SLICE}/{lab}/{name}"
        members = cgroups.pids_in(cgs)
        for pid in members:
            # Only the launcher (the one member whose parent is outside the cgroup) gets
            # the signal, for its process group: the sh ignores it, nspawn powers the
            # container off cleanly. Signalling the container's own systemd with SIGTERM
            # would make it re-execute instead of halting.
            if parent_pid(pid) in members or not in_cgroup(pid, marker):
                continue
            try:
                os.killpg(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, cgs in groups.items():
        if not cgroups.wait_empty(cgs, max(0.0, deadline - time.monotonic())):
            left = sorted(cgroups.pids_in(cgs))
            report.killed += left
            log(f"lab: {name} did not stop in time, killing {len(left)} process(es)")
            cgroups.kill_all(cgs)
            if not cgroups.wait_empty(cgs, 10):
                report.problems.append(f"{name}: processes survive SIGKILL")
        pidfile = hosts_dir / name / "pid"
        if pidfile.exists():  # reap our own launcher child before removing its cgroup
            reaped(int(pidfile.read_text().strip() or 0))
        everything = cgroups.host_all_cgroups(lab, name)
        stray = cgroups.pids_in(everything)  # e.g. containers a host's dockerd started
        if stray:
            report.killed += sorted(stray)
            cgroups.kill_all(everything)
            cgroups.wait_empty(everything, 10)
        report.problems += cgroups.remove(everything)
        propagate = NSPAWN_PROPAGATE / machine_name(lab, name)
        if propagate.is_dir():
            shutil.rmtree(propagate, ignore_errors=True)
        report.stopped.append(name)


def kill_by_state_dir(state_dir: Path, report: DownReport) -> None:
    for pid in processes_inside(state_dir):
        try:
            os.kill(pid, signal.SIGKILL)
            report.killed.append(pid)
        except ProcessLookupError:
            pass


def unmount_below_state_dir(state_dir: Path, report: DownReport) -> None:
    for mountpoint in sorted(mounts_below(state_dir, "self"), key=len, reverse=True):
        proc = subprocess.run(["umount", "-l", mountpoint], capture_output=True, text=True)
        if proc.returncode != 0:
            report.problems.append(f"umount {mountpoint}: {proc.stderr.strip()}")
