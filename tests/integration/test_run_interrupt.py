"""The controller killed or interrupted mid-run: no half-written file on the host, a report of
what did not run, and the next run converges."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

BIG = "".join(f"line {i:07d} of a large file\n" for i in range(80000))  # ~2.2 MB


def playbook(tmp_path: Path, base: str) -> Path:
    content = tmp_path / "big.txt"
    content.write_text(BIG)
    path = tmp_path / "slow.yml"
    path.write_text(
        textwrap.dedent(
            f"""
            - hosts: all
              gather_facts: false
              tasks:
                - file: {{path: {base}, state: directory}}
                - copy: {{src: {content}, dest: {base}/big.txt}}
                - shell: sleep 8
                - copy: {{dest: {base}/last, content: "done"}}
            """
        )
    )
    return path


def start(playbook_path: Path, inventory: Path, host: str) -> subprocess.Popen:
    repo = Path(__file__).resolve().parents[2]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "edgeauto",
            "run",
            "-i",
            str(inventory),
            "-l",
            host,
            str(playbook_path),
            "--no-retry-file",
        ],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a job in a terminal
    )


def wait_for_sleep(host, proc, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if host.run("pgrep -f 'sleep 8'").returncode == 0:
            return
        if proc.poll() is not None:
            pytest.fail(f"run ended early: {proc.stdout.read()}")
        time.sleep(0.2)
    pytest.fail("the slow task never started")


def test_killing_the_controller_leaves_no_half_written_file_and_the_next_run_converges(
    tmp_path, lab_inventory, fresh_host
):
    base = "/opt/kill-test"
    pb = playbook(tmp_path, base)
    proc = start(pb, lab_inventory, fresh_host.name)
    wait_for_sleep(fresh_host, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    listing = fresh_host.run(f"ls -A {base}", check=True).stdout.split()
    assert listing == ["big.txt"]  # no temp file next to it, 'last' not written
    remote = fresh_host.run(f"sha1sum {base}/big.txt", check=True).stdout.split()[0]
    assert remote == hashlib.sha1(BIG.encode()).hexdigest()
    again = start(pb, lab_inventory, fresh_host.name)
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0, out
    assert fresh_host.run(f"cat {base}/last", check=True).stdout == "done"


def test_sigint_stops_after_the_running_script_and_reports_what_did_not_run(
    tmp_path, lab_inventory, fresh_host
):
    pb = playbook(tmp_path, "/opt/int-test")
    proc = start(pb, lab_inventory, fresh_host.name)
    wait_for_sleep(fresh_host, proc)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: python and its ssh children get it
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 99, out
    assert "did not run" in out
    assert fresh_host.run("test -e /opt/int-test/last").returncode != 0
