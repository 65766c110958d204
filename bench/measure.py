"""Run one controller command and measure what it cost: wall time, CPU, memory.

Controller CPU is the user+system time of the whole process tree the command started, ssh
clients and backgrounded ControlMaster processes included (a master forks away from its
parent, so ``getrusage`` of waited children misses it). Each tool therefore runs in its own
cpuacct cgroup (cgroup v1 here; a new process stays in its parent's cgroup whoever reaps
it) and the cgroup's ``cpuacct.usage`` is read before and after. Warm masters started by an
earlier run of the same tool stay in that tool's cgroup, so what they do for this run counts.

Memory, sampled every ``SAMPLE_S`` over the processes in the cgroup: ``rss_mb`` is the peak
RSS of the largest single process (what ``/usr/bin/time %M`` shows; ``wait4``'s ru_maxrss
cannot be used, a child forked from this 30 MB harness starts with its RSS); ``tree_pss_mb``
the peak of the summed PSS (shared pages split between processes) of the whole tree — what it
really held, without counting the ssh binary's shared pages once per client. A process that
lives less than a sample (an ssh to a warm master) may be missed.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CPUACCT = Path("/sys/fs/cgroup/cpuacct")
SAMPLE_S = 0.1


@dataclass
class Measured:
    wall: float
    rc: int
    stdout: str
    stderr: str
    cpu: float | None  # seconds, user+sys of the tree
    rss_mb: float | None
    tree_pss_mb: float | None


class ToolGroup:
    """A cpuacct cgroup for one tool (``edgeauto-bench/<name>``), or nothing where none can be
    made (then CPU and memory are not reported: None)."""

    def __init__(self, name: str) -> None:
        self.path: Path | None = CPUACCT / "edgeauto-bench" / name
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / "cpuacct.usage").read_text()
        except OSError:
            self.path = None

    def usage(self) -> float | None:
        if self.path is None:
            return None
        return int((self.path / "cpuacct.usage").read_text()) / 1e9

    def pids(self) -> list[int]:
        if self.path is None:
            return []
        return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` run from a shell that first moves itself into this cgroup."""
        if self.path is None:
            return argv
        procs = self.path / "cgroup.procs"
        return ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "sh", *argv]

    def remove(self) -> None:
        if self.path is not None:
            try:
                self.path.rmdir()
            except OSError:
                pass  # still has processes (warm masters); left for the next run


def memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in kB; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except OSError:
        pass
    return pss, rss


def run_measured(
    argv: list[str],
    group: ToolGroup,
    *,
    env: dict | None = None,
    cwd: Path | None = None,
    stdin_data: str | None = None,
) -> Measured:
    """Run ``argv`` to completion in ``group``, sampling the group's memory meanwhile."""
    before = group.usage()
    peak = [0, 0]  # summed PSS, largest RSS (kB)
    stop = threading.Event()

    def sample():
        while not stop.wait(SAMPLE_S):
            mem = [memory_kb(p) for p in group.pids()]
            if mem:
                peak[0] = max(peak[0], sum(m[0] for m in mem))
                peak[1] = max(peak[1], max(m[1] for m in mem))

    sampler = threading.Thread(target=sample, daemon=True)
    start = time.perf_counter()
    proc = subprocess.Popen(
        group.wrap(argv),
        stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    sampler.start()
    out, err = _collect(proc, stdin_data)
    proc.wait()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = group.usage()
    cpu = None if before is None or after is None else after - before
    return Measured(
        wall=wall,
        rc=proc.returncode,
        stdout=out,
        stderr=err,
        cpu=cpu,
        # 0: every process ended between two samples (a warm ssh): not seen, not "no memory"
        rss_mb=peak[1] / 1024 if peak[1] else None,
        tree_pss_mb=peak[0] / 1024 if peak[0] else None,
    )


def _collect(proc: subprocess.Popen, stdin_data: str | None) -> tuple[str, str]:
    """stdout and stderr read to EOF in threads while stdin is fed."""
    chunks: dict[str, str] = {}

    def read(name, stream):
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=read, args=(n, s))
        for n, s in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for t in readers:
        t.start()
    if stdin_data is not None:
        try:
            proc.stdin.write(stdin_data)
        except BrokenPipeError:
            pass
        proc.stdin.close()
    for t in readers:
        t.join()
    return chunks.get("out", ""), chunks.get("err", "")
