"""Drive a local child process (ssh, sh, docker exec) for one script run.

One loop for every subprocess-based transport: write stdin without blocking (large scripts and
large outputs must not deadlock), read stdout/stderr, run the become handshake, and enforce the
timeout by killing the child's whole process group, so no host can hang a run.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time

from edgeauto.transport.base import ScriptResult
from edgeauto.transport.become import Handshake

TIMEOUT_RC = 124  # what timeout(1) uses; ScriptResult.timed_out says it for sure


def spawn(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # own process group: a timeout kills everything it started
        env=env,
    )


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - kernel did not reap in time
        pass


def drive(
    proc: subprocess.Popen,
    script: bytes,
    *,
    timeout: float | None,
    handshake: Handshake | None = None,
    on_output=None,
) -> ScriptResult:
    """Feed ``script`` to ``proc`` (after the handshake, if any) and collect its output.

    ``on_output(chunk)`` sees each piece of stdout as it arrives (live task results)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = b"" if handshake else script
    stdin_open = True
    script_released = handshake is None
    out, err = bytearray(), bytearray()
    sel = selectors.DefaultSelector()
    for stream in (proc.stdout, proc.stderr):
        os.set_blocking(stream.fileno(), False)
        sel.register(stream, selectors.EVENT_READ)
    os.set_blocking(proc.stdin.fileno(), False)

    def close_stdin():
        nonlocal stdin_open
        if stdin_open:
            try:
                sel.unregister(proc.stdin)
            except KeyError:
                pass
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
            stdin_open = False

    def want_write(flag: bool):
        registered = _is_registered(sel, proc.stdin)
        if flag and not registered:
            sel.register(proc.stdin, selectors.EVENT_WRITE)
        elif not flag and registered:
            sel.unregister(proc.stdin)

    readers = 2
    try:
        while readers:
            if stdin_open:
                if pending:
                    want_write(True)
                elif script_released:
                    close_stdin()
                else:
                    want_write(False)
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                kill_group(proc)
                return ScriptResult(TIMEOUT_RC, bytes(out), _clean(handshake, err), timed_out=True)
            for key, _ in sel.select(wait):
                stream = key.fileobj
                if stream is proc.stdin:
                    try:
                        n = os.write(proc.stdin.fileno(), pending[:65536])
                        pending = pending[n:]
                    except BrokenPipeError:
                        pending = b""
                        script_released = True
                        close_stdin()
                    continue
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    sel.unregister(stream)
                    readers -= 1
                    continue
                if stream is proc.stdout:
                    out += chunk
                    if on_output is not None:
                        on_output(chunk)
                else:
                    err += chunk
                    if handshake and not handshake.ready:
                        try:
                            pending += handshake.feed(chunk)
                        except Exception:
                            kill_group(proc)
                            raise
                        if handshake.ready:
                            pending += script
                            script_released = True
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            rc = proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            return ScriptResult(TIMEOUT_RC, bytes(out), _clean(handshake, err), timed_out=True)
        return ScriptResult(rc, bytes(out), _clean(handshake, err))
    finally:
        close_stdin()
        sel.close()
        if proc.poll() is None:
            kill_group(proc)


def _is_registered(sel: selectors.BaseSelector, fileobj) -> bool:
    try:
        sel.get_key(fileobj)
        return True
    except KeyError:
        return False


def _clean(handshake: Handshake | None, err: bytearray) -> bytes:
    return handshake.clean(bytes(err)) if handshake else bytes(err)
