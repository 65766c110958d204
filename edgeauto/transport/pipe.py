"""The one ``run_script`` body, and the base for transports that are a local child process.

Every transport runs a script the same way: build the (become) command, start it, feed the
script on stdin while answering the become prompt, stop at the timeout, then tell an
unreachable host from a failed script and check that escalation worked. That lives once, in
:class:`ShellTransport`; a transport gives only how to start the command and how to read
its failures (mitogen's ``get_boot_command()`` idea).

:class:`PipeTransport` does the starting for transports that run a local program whose stdin
and stdout reach ``sh`` on the target (``ssh host CMD``, ``docker exec -i c sh -c CMD``,
``/bin/sh -c CMD``). A subclass gives :meth:`~PipeTransport.argv` and, where some exits mean
"unreachable", :meth:`~ShellTransport.classify`.
"""

from __future__ import annotations

import shlex
import subprocess
from abc import abstractmethod

from edgeauto.errors import ConnectionFailed
from edgeauto.transport import reap
from edgeauto.transport.base import BecomeSpec, ScriptResult, Transport
from edgeauto.transport.become import Handshake, become_command, check_become, env_prelude
from edgeauto.transport.errors import timeout_error
from edgeauto.transport.streams import drive, kill_group, spawn


class ShellTransport(Transport):
    """``run_script`` for every transport: subclasses give :meth:`execute` and :meth:`classify`.

    Subclasses set ``self.host`` (the inventory name used in messages).
    """

    host: str

    def run_script(
        self,
        script: bytes,
        *,
        timeout: float | None,
        become: BecomeSpec | None = None,
        env: dict[str, str] | None = None,
        on_output=None,
    ) -> ScriptResult:
        self.before_run()
        command, handshake = become_command(become)
        marker = reap.new_marker()
        self.round_trips += 1
        self.cut_requested = False
        result, shown = self.execute(
            reap.announce(marker, command),
            env_prelude(env) + script,
            timeout,
            handshake,
            on_output=on_output,
        )
        shown = shown.replace(reap.announce(marker, ""), "")  # messages show the command only
        pid, result.stderr = reap.cut_pid(marker, result.stderr)
        # judged before reaping: the reap's new connection must not hide a lost one
        failure = None if result.timed_out else self.classify(result, shown)
        if pid and (result.timed_out or self.cut_requested):
            self.reap(pid, become)
        if result.timed_out:
            raise timeout_error(self.host, shown, timeout, result)
        if failure is not None:
            raise failure
        check_become(become, handshake, result, self.host, shown)
        return result

    cut_requested = False  # interrupt() during the script in flight

    def reap(self, pid: str, become: BecomeSpec | None) -> None:
        """After a cut: stop what the script left running on the target and remove its
        temp dir (:mod:`edgeauto.transport.reap`). Best effort: the host may be gone."""
        try:
            self.before_run()
            command, handshake = become_command(become)
            self.execute(command, reap.kill_script(pid), 30, handshake)
        except Exception:  # noqa: BLE001 - the cut itself is what gets reported
            pass

    def before_run(self) -> None:
        """Called before each script (e.g. connect lazily). Default: nothing."""

    @abstractmethod
    def execute(
        self,
        command: str,
        payload: bytes,
        timeout: float | None,
        handshake: Handshake | None,
        on_output=None,
    ) -> tuple[ScriptResult, str]:
        """Run the shell ``command`` on the target with ``payload`` on its stdin.

        Returns the result and the command line as error messages show it. ``handshake``
        (when not None) must see stderr and hold the payload back until it is ready;
        ``on_output`` (when not None) is given each stdout chunk as it arrives.
        """

    def classify(self, result: ScriptResult, shown: str) -> ConnectionFailed | None:
        """The error to raise when ``result`` means the host was unreachable, else None.

        Default: every exit code is the script's own (a failed task, not an unreachable host).
        """
        return None


class PipeTransport(ShellTransport):
    """A transport that is a local program piping stdin/stdout to ``sh`` on the target."""

    _current: subprocess.Popen | None = None

    @abstractmethod
    def argv(self, command: str) -> list[str]:
        """The local command line that runs the shell ``command`` on the target."""

    def shown(self, argv: list[str], command: str) -> str:
        """How error messages show the command line. Default: the whole argv."""
        return shlex.join(argv)

    def after_run(self, proc: subprocess.Popen, result: ScriptResult) -> None:
        """Called once the child is done or killed, before any error is raised."""

    def execute(
        self,
        command: str,
        payload: bytes,
        timeout: float | None,
        handshake: Handshake | None,
        on_output=None,
    ) -> tuple[ScriptResult, str]:
        argv = self.argv(command)
        proc = self._current = spawn(argv)
        result = drive(proc, payload, timeout=timeout, handshake=handshake, on_output=on_output)
        self.after_run(proc, result)
        return result, self.shown(argv, command)

    def interrupt(self) -> None:
        """Kill the script in flight (its whole process group)."""
        self.cut_requested = True
        proc = self._current
        if proc is not None and proc.poll() is None:
            kill_group(proc)

    def connect(self, timeout: float) -> None:
        """Nothing to open by default: each script starts its own process."""

    def close(self) -> None:
        """Nothing to release by default."""
