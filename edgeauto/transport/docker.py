"""Run scripts inside a container with ``docker exec -i`` (``ansible_connection=docker``).

``ansible_host`` names the container; ``ansible_docker_extra_args`` go to the docker CLI
before ``exec`` (e.g. ``-H tcp://edge1:2376 --tlsverify``), as in Ansible's docker plugin.

Killing the ``docker exec`` client does NOT stop what it started in the container (the daemon
keeps the exec'd process; measured against dockerd 20.10). Like every transport's, a cut
script is reaped by a second ``docker exec`` (:mod:`edgeauto.transport.reap`).
"""

from __future__ import annotations

import shlex
import subprocess

from edgeauto.transport.base import ScriptResult, first, split_args
from edgeauto.transport.errors import (
    ConnectionFailed,
    ConnectTimeout,
    describe,
)
from edgeauto.transport.options import TransportOptions
from edgeauto.transport.pipe import PipeTransport

# docker exec's own failures (the script never ran): 125 daemon error, 126/127 cannot exec
_DOCKER_FAILURES = (
    b"Error response from daemon",
    b"No such container",
    b"is not running",
    b"Cannot connect to the Docker daemon",
    b"error during connect",
)


class DockerTransport(PipeTransport):
    names = ("docker", "community.docker.docker")
    host_vars = {
        "container": ("ansible_host", "ansible_ssh_host"),
        "user": ("ansible_user", "ansible_docker_user"),
        "extra_args": ("ansible_docker_extra_args",),
    }

    def __init__(
        self,
        host: str,
        container: str,
        *,
        user: str | None = None,
        extra_args: list[str] | None = None,
        docker: str = "docker",
    ) -> None:
        super().__init__()
        self.host = host
        self.container = container
        self.user = user
        self.base = [docker, *(extra_args or [])]

    @classmethod
    def from_host_vars(cls, host: str, host_vars: dict, options: TransportOptions):
        found = cls.read_vars(host_vars)
        return cls(
            host,
            str(first(found, "container", default=host)),
            user=found["user"],
            extra_args=split_args(found["extra_args"]),
            docker=options.docker_executable,
        )

    def connect(self, timeout: float) -> None:
        argv = [*self.base, "inspect", "--format", "{{.State.Running}}", self.container]
        try:
            proc = subprocess.run(
                argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise ConnectTimeout(
                f"host {self.host}: `{shlex.join(argv)}` gave no answer within {timeout:g}s"
            ) from exc
        except FileNotFoundError as exc:
            raise ConnectionFailed(
                f"host {self.host}: docker CLI not found ({self.base[0]})"
            ) from exc
        if proc.returncode != 0 or proc.stdout.strip() != b"true":
            raise ConnectionFailed(
                describe(self.host, shlex.join(argv), proc.returncode, proc.stderr or proc.stdout)
                + f"\n  -> container {self.container!r} is not running or does not exist"
            )

    def argv(self, command: str) -> list[str]:
        argv = [*self.base, "exec", "-i"]
        if self.user:
            argv += ["-u", self.user]
        return [*argv, self.container, "sh", "-c", command]

    def classify(self, result: ScriptResult, shown: str) -> ConnectionFailed | None:
        if (
            result.rc in (1, 125, 126, 127)
            and not result.stdout
            and result.stderr.startswith(_DOCKER_FAILURES)
        ):
            return ConnectionFailed(describe(self.host, shown, result.rc, result.stderr))
        return None
