"""The local transport runs real ``sh -s`` on the controller."""

from __future__ import annotations

import os
import shutil

import pytest

from edgeauto.transport.base import BecomeSpec
from edgeauto.transport.errors import CommandTimeout
from edgeauto.transport.local import LocalTransport


def test_script_gets_stdin_and_reports_rc_stdout_stderr():
    t = LocalTransport()
    r = t.run_script(b"echo out; echo err >&2; exit 4\n", timeout=10)
    assert (r.rc, r.stdout, r.stderr, t.round_trips) == (4, b"out\n", b"err\n", 1)


def test_env_is_exported_to_the_script():
    r = LocalTransport().run_script(b'echo "$GREETING"\n', timeout=10, env={"GREETING": "hi there"})
    assert r.stdout == b"hi there\n"


def test_timeout_kills_the_script_and_its_children_and_keeps_partial_output():
    t = LocalTransport("ctl")
    with pytest.raises(CommandTimeout) as info:
        t.run_script(b"echo begun; sleep 60 & wait\n", timeout=1)
    assert info.value.result.stdout == b"begun\n" and info.value.result.timed_out
    assert "ctl" in str(info.value) and "no result within 1s" in str(info.value)


def test_large_script_with_large_output_does_not_deadlock():
    script = b"".join(b"echo %d-%s\n" % (i, b"y" * 200) for i in range(30000))
    r = LocalTransport().run_script(script, timeout=120)
    assert r.stdout.count(b"\n") == 30000


def test_become_root_with_sudo_when_already_root():
    if os.geteuid() != 0 or not shutil.which("sudo"):
        pytest.skip("needs root and sudo")
    r = LocalTransport().run_script(b"id -u\n", timeout=10, become=BecomeSpec(user="root"))
    assert r.stdout == b"0\n"


def test_interrupt_cuts_a_script_in_flight():
    import threading

    t = LocalTransport()
    timer = threading.Timer(0.5, t.stop_master)  # what the engine calls on SIGINT
    timer.start()
    r = t.run_script(b"echo started; sleep 60; echo never\n", timeout=60)
    timer.join()
    assert r.stdout == b"started\n" and r.rc < 0
