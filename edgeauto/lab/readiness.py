"""Waiting for lab hosts: until each accepts SSH logins (and its systemd finished booting).

One thread per host; a host that fails is marked ``failed`` with a note, never raised from
the thread.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from edgeauto.lab.errors import LabError
from edgeauto.lab.host import LabHost
from edgeauto.lab.launcher import netns_pid
from edgeauto.lab.net import ssh_banner
from edgeauto.lab.procs import reaped

# nspawn mounts the v1 controller hierarchies read-only; runc (docker run) must create cgroups
# in them. Remount the controllers (not name=systemd / unified, which the host's systemd owns).
REMOUNT_CGROUPS_RW = """
set -e
mount -o remount,bind,rw /sys/fs/cgroup
for d in /sys/fs/cgroup/*; do
    case "${d##*/}" in systemd|unified) continue ;; esac
    [ -L "$d" ] || mount -o remount,bind,rw "$d"
done
"""


def wait_ready(hosts: list[LabHost], timeout: float, lab: str, log: Callable[[str], None]) -> None:
    threads = [threading.Thread(target=_wait_one, args=(h, timeout, lab, log)) for h in hosts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def log_tail(host: LabHost, lines: int = 12) -> str:
    try:
        text = (Path(host.dir) / "log").read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(text[-lines:]) or "(empty log)"


def _wait_one(host: LabHost, timeout: float, lab: str, log: Callable[[str], None]) -> None:
    deadline = time.monotonic() + timeout
    try:
        if host.privileged:
            _wait_privileged(host, deadline, lab, log)
            return
        while not ssh_banner(host.address, host.port):
            if reaped(host.pid):
                raise LabError(f"exited during start: {log_tail(host)}")
            if time.monotonic() > deadline:
                raise LabError(f"no SSH banner after {timeout:.0f}s: {log_tail(host)}")
            time.sleep(0.1)
        if host.systemd:
            _wait_systemd(host, deadline, log)
        else:
            host.state = "running"
    except LabError as exc:
        host.state = "failed"
        host.note = exc.message
    except Exception as exc:  # noqa: BLE001 - a thread must never die silently
        host.state = "failed"
        host.note = f"{type(exc).__name__}: {exc}"


def _wait_systemd(host: LabHost, deadline: float, log: Callable[[str], None]) -> None:
    """SSH banner is not enough: until boot finishes pam_nologin refuses non-root users."""
    remaining = max(5.0, deadline - time.monotonic())
    proc = host.run("systemctl is-system-running --wait", timeout=remaining)
    state = proc.stdout.strip()
    if state == "running":
        host.state = "running"
    elif state == "degraded":
        failed = host.run("systemctl --failed --no-legend --plain", timeout=30).stdout
        host.state = "degraded"
        host.note = "failed units: " + " ".join(
            line.split()[0] for line in failed.splitlines() if line
        )
        log(f"lab: {host.name} is degraded ({host.note}); usable, but check it")
    else:
        raise LabError(
            f"systemd state '{state or '?'}' (ssh exit {proc.returncode}: "
            f"{proc.stderr.strip()[-300:]})"
        )


def _wait_privileged(host: LabHost, deadline: float, lab: str, log: Callable[[str], None]) -> None:
    """A privileged host has its own network namespace: wait for a process inside it,
    then for sshd through the ProxyCommand, then for systemd; then let its dockerd
    create cgroups (nspawn mounts the v1 controllers read-only)."""
    while netns_pid(lab, host.name) is None:
        if reaped(host.pid):
            raise LabError(f"exited during start: {log_tail(host)}")
        if time.monotonic() > deadline:
            raise LabError(f"no process in its own network namespace: {log_tail(host)}")
        time.sleep(0.2)
    while True:
        proc = host.run("true", timeout=30)
        if proc.returncode == 0:
            break
        if time.monotonic() > deadline:
            raise LabError(f"ssh through the netns proxy failed: {proc.stderr.strip()[-300:]}")
        time.sleep(0.3)
    _wait_systemd(host, deadline, log)
    if {"docker", "libvirt"} & set(host.capabilities):
        pid = netns_pid(lab, host.name)
        proc = subprocess.run(
            ["nsenter", "-t", str(pid), "-m", "--", "sh", "-c", REMOUNT_CGROUPS_RW],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise LabError(f"making cgroups writable failed: {proc.stderr.strip()}")
