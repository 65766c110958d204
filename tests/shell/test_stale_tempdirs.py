"""A cut run cannot remove its private temp dir (SIGKILL, a dropped connection): the next
script on that host removes every ``edgeauto.*`` dir whose script is gone, and only those
(issue 14, defect 3)."""

import os
import signal
import subprocess

from edgeauto.remote.localrun import LocalTask

from .harness import run_under


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def private_dir(base, name, pid=None):
    path = base / name
    path.mkdir(mode=0o700)
    (path / "secret").write_text("plaintext of a no_log copy")
    if pid is not None:
        (path / "pid").write_text(f"{pid}\n")
    return path


def test_the_next_script_sweeps_dirs_of_scripts_that_are_gone(shell, tmp_path):
    live = subprocess.Popen(["sleep", "60"])
    try:
        stale = private_dir(tmp_path, "edgeauto.stale001", dead_pid())
        running = private_dir(tmp_path, "edgeauto.alive001", live.pid)
        unknown = private_dir(tmp_path, "edgeauto.nopid001")  # not ours to judge: kept
        other = private_dir(tmp_path, "other.dir", dead_pid())
        out = run_under(shell, [LocalTask("ping", {})], tmpdir=str(tmp_path))
        assert out.results[0].get("ping") == "pong", out.stderr
        assert not stale.exists()
        assert running.exists() and unknown.exists() and other.exists()
        # and the script's own dir is gone after it finished, as before
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            ["edgeauto.alive001", "edgeauto.nopid001", "other.dir"]
        )
    finally:
        live.kill()
        live.wait()


def test_a_script_killed_mid_run_leaves_a_dir_the_next_run_removes(shell, tmp_path):
    """SIGKILL gives the EXIT trap no chance: the pid file marks the dir as orphaned."""
    from edgeauto.modules.registry import get_module
    from edgeauto.remote.builder import TaskInvocation, build_script, new_nonce
    from edgeauto.remote.localrun import SHELLS

    module = get_module("command")
    call = module.compile(module.validate({"cmd": "sleep 30"}, final=True), _ctx())
    script = build_script([TaskInvocation("t0", call, False, False, False, {})], nonce=new_nonce())
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen(
        SHELLS["dash"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own group: killed below with everything it started
    )
    proc.stdin.write(script)
    proc.stdin.close()
    proc.stdout.readline()
    proc.stdout.readline()  # BEGIN: the dir exists now
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith("edgeauto.")]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert leftovers and all(p.exists() for p in leftovers)
    run_under(shell, [LocalTask("ping", {})], tmpdir=str(tmp_path))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("edgeauto.")]


def _ctx():
    from edgeauto.modules.base import CompileContext

    return CompileContext()
