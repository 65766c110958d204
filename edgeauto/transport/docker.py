"""Run scripts inside a container with ``docker exec -i`` (``ansible_connection=docker``).

``ansible_host`` names the container; ``ansible_docker_extra_args`` go to the docker CLI
before ``exec`` (e.g. ``-H tcp://edge1:2376 --tlsverify``), as in Ansible's docker plugin.

Killing the ``docker exec`` client does NOT stop what it started in the container (the daemon
keeps the exec'd process; measured against dockerd 20.10). So the exec'd shell first prints its
PID on stderr behind a random marker (cut from the stderr callers see) and then runs the
(become) command; when a run is cut (timeout or interrupt) a second ``docker exec`` as root
kills that PID, its session/process group and all descendants, found through /proc/*/stat
(readable even for processes that sudo/su made undumpable, unlike /proc/*/environ).
"""

from __future__ import annotations

import re
import secrets
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


# POSIX sh run in the container as root, $1 = PID of the exec'd shell: that process, every
# process in its session or process group (runc makes it a session leader), and descendants
# (ppid in the set) until nothing new; then SIGKILL them all.
_KILL_RUN = r"""
root=$1 all=" $1 " more=1
while [ "$more" = 1 ]; do
  more=0
  for s in /proc/[0-9]*/stat; do
    read -r line < "$s" 2>/dev/null || continue
    p=${line%% *}; rest=${line##*) }; set -- $rest
    case "$all" in *" $p "*) continue ;; esac
    case "$all" in *" $2 "*) ;; *) [ "$3" = "$root" ] || [ "$4" = "$root" ] || continue ;; esac
    all="$all$p "; more=1
  done
done
kill -9 $all 2>/dev/null
exit 0
"""


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
        self._marker = ""

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
        self._marker = f"[edgeauto-pid-{secrets.token_hex(6)}]"
        argv = [*self.base, "exec", "-i"]
        if self.user:
            argv += ["-u", self.user]
        return [*argv, self.container, "sh", "-c", f"echo {self._marker}$$ >&2; {command}"]

    def after_run(self, proc: subprocess.Popen, result: ScriptResult) -> None:
        pid, result.stderr = _cut_pid(self._marker, result.stderr)
        if pid and (result.timed_out or proc.returncode is not None and proc.returncode < 0):
            self._kill_run(pid)  # the client was killed: stop what it left in the container

    def classify(self, result: ScriptResult, shown: str) -> ConnectionFailed | None:
        if (
            result.rc in (1, 125, 126, 127)
            and not result.stdout
            and result.stderr.startswith(_DOCKER_FAILURES)
        ):
            return ConnectionFailed(describe(self.host, shown, result.rc, result.stderr))
        return None

    def _kill_run(self, pid: str) -> None:
        argv = [*self.base, "exec", "-u", "0", self.container, "sh", "-c", _KILL_RUN, "sh", pid]
        try:
            subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        except (subprocess.TimeoutExpired, OSError):
            pass  # best effort: the daemon or container may be gone, which ends the run too


def _cut_pid(marker: str, stderr: bytes) -> tuple[str | None, bytes]:
    """The PID the exec'd shell announced, and stderr without that line."""
    match = re.search(rb"%s(\d+)\n" % re.escape(marker.encode()), stderr)
    if not match:
        return None, stderr
    return match.group(1).decode(), stderr[: match.start()] + stderr[match.end() :]
