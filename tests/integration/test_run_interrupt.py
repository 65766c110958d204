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


def leftovers(host) -> tuple[str, str]:
    """edgeauto temp dirs and the test's sleeping process still on the host."""
    dirs = host.run("ls -d /tmp/edgeauto.* /var/tmp/edgeauto.* 2>/dev/null").stdout.strip()
    procs = host.run("pgrep -f '[s]leep 37' || true").stdout.strip()  # [s]: not pgrep's own sh
    return dirs, procs


def secret_then_sleep(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "cut.yml"
    path.write_text(
        textwrap.dedent(
            f"""
            - hosts: all
              gather_facts: false
              tasks:
                - copy: {{dest: /root/secret.txt, content: "s3cret-value", mode: "0600"}}
                  no_log: true
                - shell: sleep 37
                  {extra}
            """
        )
    )
    return path


def run_cut(argv_tail: list[str], inventory: Path, host: str, pb: Path) -> subprocess.Popen:
    repo = Path(__file__).resolve().parents[2]
    argv = [sys.executable, "-m", "edgeauto", "run", "-i", str(inventory), "-l", host, str(pb)]
    return subprocess.Popen(
        [*argv, "--no-retry-file", *argv_tail],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize("connection", ["ssh", "paramiko"])
def test_a_task_timeout_leaves_no_temp_dir_and_no_process_on_the_target(
    tmp_path, lab_inventory, fresh_host, connection
):
    pb = secret_then_sleep(tmp_path)
    proc = run_cut(["--task-timeout", "3", "-c", connection], lab_inventory, fresh_host.name, pb)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode != 0, out
    assert leftovers(fresh_host) == ("", ""), out


@pytest.mark.parametrize("connection", ["ssh", "paramiko"])
def test_ctrl_c_leaves_no_temp_dir_and_no_process_on_the_target(
    tmp_path, lab_inventory, fresh_host, connection
):
    pb = secret_then_sleep(tmp_path)
    proc = run_cut(["-c", connection], lab_inventory, fresh_host.name, pb)
    deadline = time.monotonic() + 60
    while fresh_host.run("pgrep -f '[s]leep 37'").returncode != 0:
        assert time.monotonic() < deadline and proc.poll() is None, "the slow task never started"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 99, out
    assert leftovers(fresh_host) == ("", ""), out


def test_the_next_run_sweeps_what_a_killed_controller_left(tmp_path, lab_inventory, fresh_host):
    """SIGKILL gives the controller no chance to reap: the remote shell is killed here the
    way a lost host would lose it, and the next run's script removes the orphaned dir."""
    pb = secret_then_sleep(tmp_path)
    proc = run_cut([], lab_inventory, fresh_host.name, pb)
    deadline = time.monotonic() + 60
    while fresh_host.run("pgrep -f '[s]leep 37'").returncode != 0:
        assert time.monotonic() < deadline and proc.poll() is None, "the slow task never started"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # what stays behind on the target: kill it the hard way (no trap runs), by PID: the
    # script's own (its pid file) and the sleep
    fresh_host.run("kill -9 $(cat /tmp/edgeauto.*/pid) $(pgrep -f '[s]leep 37'); true")
    dirs, _ = leftovers(fresh_host)
    assert dirs, "expected an orphaned temp dir after SIGKILL"
    again = run_cut([], lab_inventory, fresh_host.name, secret_then_sleep(tmp_path, "when: false"))
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0, out
    assert leftovers(fresh_host) == ("", ""), out
