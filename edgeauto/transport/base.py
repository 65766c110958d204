"""The transport interface every connection kind implements (openssh, paramiko, local, docker).

The engine needs exactly one operation: send a POSIX sh script on stdin to ``sh -s`` on the
target (optionally through become) and read back stdout, stderr and the exit code. That is one
*round trip*; transports count them in ``round_trips`` so benchmarks and tests can assert on
the number of round trips per host. ``ssh_sessions`` counts the SSH processes behind them
(new connections with a full handshake, channels multiplexed on a master, local ``-O``
control commands), so a benchmark can tell a cold host from a warm one by what it opened.

A transport class also declares how inventories reach it: ``names`` (the ``ansible_connection``
values it answers to, FQCNs included) and ``host_vars`` (which variables it reads). The
registry (:mod:`edgeauto.transport.registry`) collects the classes; ``make_transport`` and
``CONNECTION_KEYS`` are derived from those declarations.
"""

from __future__ import annotations

import shlex
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from edgeauto.transport.options import TransportOptions


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


def first(host_vars: dict, *names: str, default=None):
    """The first of ``names`` set (not None, not empty) in ``host_vars``, else ``default``."""
    for name in names:
        value = host_vars.get(name)
        if value is not None and value != "":
            return value
    return default


def split_args(value) -> list[str]:
    """A command-line-arguments variable (a string in shell syntax, or a list) as a list."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return shlex.split(str(value))


class Transport(ABC):
    """One connection to one host. Create with the host's resolved connection variables."""

    #: ``ansible_connection`` values this class answers to; the first is its own name.
    names: ClassVar[tuple[str, ...]] = ()
    #: setting -> the host variables it is read from, first set one wins (Ansible's order).
    host_vars: ClassVar[dict[str, tuple[str, ...]]] = {}
    name = "base"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "names" in cls.__dict__ and cls.names:
            cls.name = cls.names[0]

    def __init__(self) -> None:
        self.round_trips = 0
        # ssh processes started, by kind (connection / channel / control); plain ints: cheap
        self.ssh_sessions = {"connection": 0, "channel": 0, "control": 0}

    @classmethod
    def read_vars(cls, host_vars: dict) -> dict[str, Any]:
        """Each declared setting's value from ``host_vars`` (None where none is set)."""
        return {key: first(host_vars, *names) for key, names in cls.host_vars.items()}

    @classmethod
    def from_host_vars(cls, host: str, host_vars: dict, options: TransportOptions) -> Transport:
        """Build the transport for inventory host ``host`` from its variables and options."""
        raise NotImplementedError(f"{cls.__name__} cannot be built from host variables")

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
        on_output=None,
    ) -> ScriptResult:
        """Run ``script`` with ``sh -s`` on the target: exactly one round trip.

        ``on_output(chunk)``, when given, sees stdout as it arrives, so task results can be
        reported while the script still runs."""

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
