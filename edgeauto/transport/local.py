"""Run scripts on the controller itself (``ansible_connection=local``)."""

from __future__ import annotations

from edgeauto.transport.base import BecomeSpec, ScriptResult, Transport
from edgeauto.transport.become import become_command, check_become, env_prelude
from edgeauto.transport.errors import timeout_error
from edgeauto.transport.streams import drive, kill_group, spawn


class LocalTransport(Transport):
    name = "local"

    def __init__(self, host: str = "localhost") -> None:
        super().__init__()
        self.host = host

    def connect(self, timeout: float) -> None:
        """Nothing to open: the controller is always reachable."""

    def run_script(
        self,
        script: bytes,
        *,
        timeout: float | None,
        become: BecomeSpec | None = None,
        env: dict[str, str] | None = None,
    ) -> ScriptResult:
        command, handshake = become_command(become)
        self.round_trips += 1
        proc = self._current = spawn(["/bin/sh", "-c", command])
        result = drive(proc, env_prelude(env) + script, timeout=timeout, handshake=handshake)
        if result.timed_out:
            raise timeout_error(self.host, command, timeout, result)
        check_become(become, handshake, result, self.host, command)
        return result

    def interrupt(self) -> None:
        """Kill the script in flight (its whole process group)."""
        proc = getattr(self, "_current", None)
        if proc is not None and proc.poll() is None:
            kill_group(proc)

    def close(self) -> None:
        pass
