"""The transport interface every connection kind implements (openssh, paramiko, local, docker).

The engine needs exactly one operation: send a POSIX sh script on stdin to ``sh -s`` on the
target (optionally through become) and read back stdout, stderr and the exit code. That is one
*round trip*; transports count them in ``round_trips`` so benchmarks and tests can assert on
the number of round trips per host.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass
class BecomeSpec:
    """Privilege escalation for one script run. The password never goes on a command line."""

    method: str = "sudo"  # sudo | su | doas
    user: str = "root"
    password: str | None = None
    flags: str = ""


@dataclass
class ScriptResult:
    rc: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False


class Transport(ABC):
    """One connection to one host. Create with the host's resolved connection variables."""

    name = "base"

    def __init__(self) -> None:
        self.round_trips = 0

    @abstractmethod
    def connect(self, timeout: float) -> None:
        """Open (or verify) the connection; raise ConnectionFailed/HostKeyError if unreachable."""

    @abstractmethod
    def run_script(
        self,
        script: bytes,
        *,
        timeout: float | None,
        become: BecomeSpec | None = None,
        env: dict[str, str] | None = None,
    ) -> ScriptResult:
        """Run ``script`` with ``sh -s`` on the target: exactly one round trip."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection (ControlMaster, paramiko client …)."""

    def interrupt(self) -> None:
        """Cut a script in flight (the run was interrupted). Default: nothing to cut.

        Transports override this; ``stop_master`` is the same operation under the name the
        OpenSSH transport uses for it.
        """
        return None

    def stop_master(self) -> None:
        self.interrupt()
