"""Run scripts on the controller itself (``ansible_connection=local``)."""

from __future__ import annotations

from edgeauto.transport.options import TransportOptions
from edgeauto.transport.pipe import PipeTransport


class LocalTransport(PipeTransport):
    names = ("local", "ansible.builtin.local", "ansible.legacy.local")

    def __init__(self, host: str = "localhost") -> None:
        super().__init__()
        self.host = host

    @classmethod
    def from_host_vars(cls, host: str, host_vars: dict, options: TransportOptions):
        return cls(host)

    def argv(self, command: str) -> list[str]:
        return ["/bin/sh", "-c", command]

    def shown(self, argv: list[str], command: str) -> str:
        return command
