"""One lab host as tests and the CLI see it: where to reach it and how to run a command."""

from __future__ import annotations

import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from edgeauto.lab.errors import LabError


@dataclass
class LabHost:
    """A running (or recorded) lab host.

    ``mode`` is ``systemd`` (systemd-nspawn -b, real systemd as PID 1) or ``light`` (sshd or
    dropbear as PID 1 in its own PID namespace, no service manager).
    """

    name: str
    flavor: str
    arch: str
    mode: str
    address: str
    port: int
    base: str  # recipe name of the lower layer
    dir: str  # host directory under the lab state dir
    ssh_config: str
    key_file: str
    known_hosts: str
    with_python: bool = False
    capabilities: list[str] = field(default_factory=list)
    pid: int = 0  # launcher process (session leader)
    state: str = "starting"  # starting | running | degraded | failed | stopped
    note: str = ""

    @property
    def systemd(self) -> bool:
        return self.mode == "systemd"

    @property
    def privileged(self) -> bool:
        return bool(self.capabilities)

    @property
    def sudo(self) -> bool:
        """Whether the non-root user ``tester`` can become root with sudo."""
        return self.flavor == "debian"

    @property
    def upper(self) -> Path:
        return Path(self.dir) / "upper"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LabHost:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def ssh_argv(self, user: str = "root", extra: list[str] | None = None) -> list[str]:
        """An ``ssh`` command line that reaches this host with pinned host keys."""
        return ["ssh", "-F", self.ssh_config, "-l", user, *(extra or []), self.name]

    def run(
        self,
        command: str,
        user: str = "root",
        input: str | bytes | None = None,
        timeout: float = 120,
        check: bool = False,
    ) -> subprocess.CompletedProcess:
        """Run ``command`` on the host over a fresh SSH session (for test assertions).

        Returns the CompletedProcess (text mode unless ``input`` is bytes); with ``check``
        a non-zero exit raises LabError carrying stdout/stderr.
        """
        text = not isinstance(input, bytes)
        proc = subprocess.run(
            [*self.ssh_argv(user), "--", command],
            input=input,
            capture_output=True,
            text=text,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise LabError(
                f"{self.name}: '{command}' as {user} exited {proc.returncode}\n"
                f"stdout: {proc.stdout!r}\nstderr: {proc.stderr!r}"
            )
        return proc
