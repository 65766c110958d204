"""Per-host cgroups: how lab processes are grouped, found and killed.

Each host's launcher enters ``<hierarchy>/edgeauto-lab/<lab id>/<host>`` before it starts
anything, so every process of that host (nspawn, the container's systemd, sshd sessions) is
found there — also after a crash of the controller, without looking at process names. On a
cgroup-v1 "hybrid" box without systemd as PID 1 this is also what keeps the containers'
systemds from racing each other in one shared cgroup (see docs/lab.md).
"""

from __future__ import annotations

import errno
import os
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
LAB_SLICE = "edgeauto-lab"


def hierarchies() -> list[Path]:
    """The cgroup hierarchies lab hosts are placed in (v2 only, or v1 name=systemd + v2)."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return [CGROUP_ROOT]
    found = []
    for name in ("systemd", "unified"):
        path = CGROUP_ROOT / name
        if (path / "cgroup.procs").exists():
            found.append(path)
    return found


def all_hierarchies() -> list[Path]:
    """Every mounted hierarchy (v1 controllers too): a docker daemon inside a privileged host
    creates its containers' cgroups in the v1 controllers below the lab's slice."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return [CGROUP_ROOT]
    try:
        entries = sorted(CGROUP_ROOT.iterdir())
    except OSError:
        return []
    return [
        p for p in entries if p.is_dir() and not p.is_symlink() and (p / "cgroup.procs").exists()
    ]


def lab_cgroups(lab_id: str, every: bool = True) -> list[Path]:
    tops = all_hierarchies() if every else hierarchies()
    return [h / LAB_SLICE / lab_id for h in tops]


def host_cgroups(lab_id: str, host: str, every: bool = True) -> list[Path]:
    """A host's own cgroups: in every hierarchy (to find its processes), or with
    ``every=False`` only name=systemd + v2 — what an ordinary host joins.

    Only privileged hosts join the v1 controllers too, so that a libvirtd or dockerd inside
    places its guests below the lab's slice. Ordinary hosts must not: a v1 ``cpu`` cgroup
    competes with the machine's processes as ONE task (cpu.shares 1024), which made 10
    systemd hosts boot 2-3x slower on a loaded box (measured).
    """
    return [p / host for p in lab_cgroups(lab_id, every=every)]


def host_all_cgroups(lab_id: str, host: str) -> list[Path]:
    """Everything cgroup-shaped a host may own, in every hierarchy (incl. <host>-docker)."""
    found = []
    for top in lab_cgroups(lab_id):
        found += [top / host, top / f"{host}-docker"]
    return found


def docker_parent(lab_id: str, host: str) -> str:
    """docker's cgroup-parent for a privileged host (v1 has no cgroup namespace here, so the
    host's dockerd sees the controller's hierarchies: keep its cgroups inside the lab slice)."""
    return f"/{LAB_SLICE}/{lab_id}/{host}-docker"


def create(paths: list[Path]) -> None:
    """mkdir the cgroups; a new v1 cpuset cgroup starts with no CPUs/memory nodes (joining
    it would fail with ENOSPC), so those are copied from the parent level by level."""
    for path in paths:
        missing = []
        level = path
        while not level.exists():
            missing.append(level)
            level = level.parent
        for new in reversed(missing):
            new.mkdir(exist_ok=True)
            for knob in ("cpuset.cpus", "cpuset.mems"):
                mine, parents = new / knob, new.parent / knob
                if mine.exists() and not mine.read_text().strip():
                    mine.write_text(parents.read_text().strip() or "\n")


def pids_in(paths: list[Path]) -> set[int]:
    """Every process in these cgroups and their descendants."""
    pids: set[int] = set()
    for top in paths:
        if not top.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(top):
            if "cgroup.procs" not in files:
                continue
            try:
                text = Path(dirpath, "cgroup.procs").read_text()
            except OSError:
                continue
            pids.update(int(x) for x in text.split())
    return pids


def kill_all(paths: list[Path], sig: int = signal.SIGKILL) -> None:
    for pid in pids_in(paths):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def wait_empty(paths: list[Path], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if not pids_in(paths):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def remove(paths: list[Path], timeout: float = 5.0) -> list[str]:
    """rmdir the cgroup trees bottom-up; returns the ones that could not be removed.

    EBUSY is retried for a moment: the kernel may still count just-exited (unreaped)
    tasks as members right after cgroup.procs became empty."""
    failed = []
    for top in paths:
        if not top.is_dir():
            continue
        for dirpath, _dirs, _files in sorted(os.walk(top), key=lambda t: -len(t[0])):
            deadline = time.monotonic() + timeout
            while True:
                try:
                    os.rmdir(dirpath)
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno == errno.EBUSY and time.monotonic() < deadline:
                        time.sleep(0.1)
                        continue
                    failed.append(f"{dirpath}: {exc.strerror}")
                    break
    return failed


def remove_empty_parent(lab_id: str) -> None:
    for path in lab_cgroups(lab_id):
        for p in (path, path.parent):
            try:
                p.rmdir()
            except OSError:
                pass
