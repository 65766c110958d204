"""What recording a run in the history costs: the same run with ``--no-history`` and with
``--history``, alternating, on the local connection (no network noise), many hosts × tasks.

Usage: .venv/bin/python bench/history_overhead.py [--hosts 20] [--tasks 25] [--reps 5]
Prints min/median wall seconds of each and the DB size. Measured here, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=25)
    parser.add_argument("--reps", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edgeauto-bench-history-") as tmp:
        work = Path(tmp)
        hosts = "\n".join(f"h{i}" for i in range(opts.hosts))
        (work / "inv.ini").write_text(f"[all:vars]\nansible_connection=local\n[all]\n{hosts}\n")
        tasks = "".join(f"    - name: t{i}\n      command: 'true'\n" for i in range(opts.tasks))
        (work / "pb.yml").write_text(f"- hosts: all\n  gather_facts: false\n  tasks:\n{tasks}")
        times: dict[str, list[float]] = {"--no-history": [], "--history": []}
        for _ in range(opts.reps):
            for flag in times:
                argv = [sys.executable, "-m", "edgeauto", "run", "-i", "inv.ini", "pb.yml"]
                argv += ["--no-retry-file", flag] + (["h.db"] if flag == "--history" else [])
                started = time.perf_counter()
                proc = subprocess.run(argv, cwd=work, capture_output=True, env=_env())
                times[flag].append(time.perf_counter() - started)
                assert proc.returncode == 0, proc.stderr
        rows = opts.hosts * opts.tasks
        print(f"{opts.hosts} hosts x {opts.tasks} tasks = {rows} task results, {opts.reps} reps")
        for flag, values in times.items():
            print(f"  {flag:<13} min {min(values):.3f}s  median {statistics.median(values):.3f}s")
        size = sum(p.stat().st_size for p in work.glob("h.db*"))
        print(f"  history DB after {opts.reps} runs: {size / 1024:.0f} KiB")
    return 0


def _env() -> dict:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO)}


if __name__ == "__main__":
    sys.exit(main())
