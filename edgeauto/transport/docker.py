"""Run scripts inside a container with ``docker exec -i`` (``ansible_connection=docker``).

``ansible_host`` names the container; ``ansible_docker_extra_args`` go to the docker CLI
before ``exec`` (e.g. ``-H tcp://edge1:2376 --tlsverify``), as in Ansible's docker plugin.
"""

from __future__ import annotations

import shlex
import subprocess

from edgeauto.transport.base import BecomeSpec, ScriptResult, Transport
from edgeauto.transport.become import become_command, check_become, env_prelude
from edgeauto.transport.errors import (
    ConnectionFailed,
    ConnectTimeout,
    describe,
    timeout_error,
)
from edgeauto.transport.streams import drive, kill_group, spawn

# docker exec's own failures (the script never ran): 125 daemon error, 126/127 cannot exec
_DOCKER_FAILURES = (
    b"Error response from daemon",
    b"No such container",
    b"is not running",
    b"Cannot connect to the Docker daemon",
    b"error during connect",
)


class DockerTransport(Transport):
    name = "docker"

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

    def connect(self, timeout: float) -> None:
        argv = [*self.base, "inspect", "--format", "{{.State.Running}}", self.container]
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=timeout)
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

    def run_script(
        self,
        script: bytes,
        *,
        timeout: float | None,
        become: BecomeSpec | None = None,
        env: dict[str, str] | None = None,
    ) -> ScriptResult:
        command, handshake = become_command(become)
        argv = [*self.base, "exec", "-i"]
        if self.user:
            argv += ["-u", self.user]
        argv += [self.container, "sh", "-c", command]
        self.round_trips += 1
        proc = self._current = spawn(argv)
        result = drive(proc, env_prelude(env) + script, timeout=timeout, handshake=handshake)
        shown = shlex.join(argv)
        if result.timed_out:
            raise timeout_error(self.host, shown, timeout, result)
        if (
            result.rc in (1, 125, 126, 127)
            and not result.stdout
            and result.stderr.startswith(_DOCKER_FAILURES)
        ):
            raise ConnectionFailed(describe(self.host, shown, result.rc, result.stderr))
        check_become(become, handshake, result, self.host, shown)
        return result

    def interrupt(self) -> None:
        """Kill the script in flight (its whole process group)."""
        proc = getattr(self, "_current", None)
        if proc is not None and proc.poll() is None:
            kill_group(proc)

    def close(self) -> None:
        pass
