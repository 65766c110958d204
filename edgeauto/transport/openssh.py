"""The default transport: the system OpenSSH client with a private ControlMaster.

Why the ``ssh`` binary and not a library: it honours everything users already configured
(``~/.ssh/config``, ProxyJump bastions, the agent, certificates, GSSAPI …) and ControlMaster
makes every script after the first cost one channel on an open connection.

Options are *merged*: the user's ``ansible_ssh_common_args``/``ansible_ssh_extra_args`` come
first on the command line, and ssh keeps the first value it sees for an option, so the user
wins where they set something and our defaults (multiplexing, BatchMode, timeouts, strict host
keys) fill the rest. Turning multiplexing off is possible but is reported, never silent.
"""

from __future__ import annotations

import logging
import os
import shlex
import socket
import subprocess
import tempfile

from edgeauto.errors import EdgeautoError
from edgeauto.transport.base import ScriptResult, first, split_args
from edgeauto.transport.control import choose_control_dir, control_path, ensure_private_dir
from edgeauto.transport.errors import (
    ConnectionFailed,
    ConnectTimeout,
    classify_ssh_failure,
    looks_like_ssh_failure,
)
from edgeauto.transport.options import TransportOptions
from edgeauto.transport.pipe import PipeTransport
from edgeauto.transport.streams import kill_group

__all__ = [
    "SSH_VARS",
    "OpenSSHTransport",
    "SSHEndpoint",
    "option_keys",
    "split_args",
    "ssh_settings",
]

log = logging.getLogger(__name__)


def option_keys(args: list[str]) -> dict[str, str]:
    """The ``-o Key=value`` options in an ssh argument list, keys lower-cased."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        value = None
        if arg == "-o" and i + 1 < len(args):
            value = args[i + 1]
            i += 1
        elif arg.startswith("-o") and len(arg) > 2:
            value = arg[2:]
        if value:
            key, _, val = value.replace("=", " ", 1).partition(" ")
            found.setdefault(key.strip().lower(), val.strip())
        i += 1
    return found


# What both SSH transports (OpenSSH and paramiko) read: setting -> host variables, Ansible's order.
SSH_VARS = {
    "hostname": ("ansible_host", "ansible_ssh_host"),
    "port": ("ansible_port", "ansible_ssh_port"),
    "user": ("ansible_user", "ansible_ssh_user"),
    "private_key_file": ("ansible_ssh_private_key_file", "ansible_private_key_file"),
    "common_args": ("ansible_ssh_common_args",),
    "extra_args": ("ansible_ssh_extra_args",),
    "password": ("ansible_password", "ansible_ssh_pass"),
    "host_key_checking": ("ansible_host_key_checking", "ansible_ssh_host_key_checking"),
}


def ssh_settings(host: str, found: dict, options: TransportOptions) -> dict:
    """``SSH_VARS`` values read from a host, with the command-line defaults and types applied."""
    from edgeauto.modules.spec import to_bool

    port = found["port"]
    if port is not None:
        try:
            port = int(port)
        except (TypeError, ValueError):
            raise EdgeautoError(
                f"host {host}: ansible_port must be a number, found {port!r}"
            ) from None
    checking = first(found, "host_key_checking", default=options.host_key_checking)
    return {
        **found,
        "hostname": str(first(found, "hostname", default=host)),
        "port": port,
        "user": first(found, "user", default=options.user),
        "private_key_file": first(found, "private_key_file", default=options.private_key_file),
        "password": first(found, "password", default=options.password),
        "host_key_checking": checking if isinstance(checking, bool) else to_bool(checking),
    }


class SSHEndpoint:
    """Where and as whom an SSH transport connects; OpenSSH and paramiko both start here."""

    def __init__(
        self,
        host: str,
        *,
        hostname: str,
        port: int | None = None,
        user: str | None = None,
        private_key_file: str | None = None,
        host_key_checking: bool = True,
        options: TransportOptions | None = None,
    ) -> None:
        super().__init__()
        self.options = options or TransportOptions()
        self.host = host
        self.hostname = hostname
        self.port = port
        self.user = user
        self.private_key_file = private_key_file
        self.host_key_checking = host_key_checking

    @staticmethod
    def endpoint(found: dict) -> dict:
        """The ``SSHEndpoint`` keywords from :func:`ssh_settings`."""
        keys = ("hostname", "port", "user", "private_key_file", "host_key_checking")
        return {key: found[key] for key in keys}


class OpenSSHTransport(SSHEndpoint, PipeTransport):
    names = ("ssh", "openssh", "smart", "ansible.builtin.ssh", "ansible.legacy.ssh")
    host_vars = SSH_VARS

    def __init__(
        self,
        host: str,
        *,
        common_args: list[str] | None = None,
        extra_args: list[str] | None = None,
        **endpoint,
    ) -> None:
        """``endpoint``: the :class:`SSHEndpoint` keywords (hostname, port, user …, options)."""
        super().__init__(host, **endpoint)
        self.user_args = [*(common_args or []), *(extra_args or [])]
        self.warnings: list[str] = []
        self.connected = False
        self.multiplexed = True
        directory, why = choose_control_dir(self.options.control_dir)
        self._control_dir = ensure_private_dir(directory)
        if why:
            self._warn(why)
        identity = "\0".join(
            map(
                str,
                (
                    self.user,
                    self.hostname,
                    self.port,
                    self.private_key_file,
                    self.options.ssh_config_file,
                    self.options.known_hosts_file,
                    self.host_key_checking,
                    *self.user_args,
                ),
            )
        )
        self.control_path = control_path(self._control_dir, identity)
        self.base_argv = self._base_argv()

    @classmethod
    def from_host_vars(cls, host: str, host_vars: dict, options: TransportOptions):
        found = ssh_settings(host, cls.read_vars(host_vars), options)
        if found["password"]:
            # The ssh binary would need a prompt (BatchMode) or sshpass; paramiko takes a password.
            log.warning(
                "host %s: a connection password is set (ansible_password/-k): using the paramiko "
                "transport for it, since the OpenSSH client cannot take a password without a "
                "prompt",
                host,
            )
            from edgeauto.transport.paramiko_ssh import ParamikoTransport

            return ParamikoTransport.from_ssh_settings(host, found, options)
        return cls(
            host,
            common_args=[*split_args(found["common_args"]), *options.ssh_common_args],
            extra_args=[*split_args(found["extra_args"]), *options.ssh_extra_args],
            options=options,
            **cls.endpoint(found),
        )

    def _base_argv(self) -> list[str]:
        o = self.options
        argv = [o.ssh_executable]
        if o.ssh_config_file:
            argv += ["-F", o.ssh_config_file]
        argv += self.user_args  # first: ssh keeps the first value of each option
        user_set = option_keys(self.user_args)
        if (
            user_set.get("controlmaster", "").lower() == "no"
            or user_set.get("controlpath", "").lower() == "none"
        ):
            self.multiplexed = False
            self._warn(
                "multiplexing disabled by the user's ssh args (ControlMaster=no / "
                "ControlPath=none): every script pays a full SSH handshake"
            )
        self.persists = self.multiplexed and user_set.get("controlpersist", "").lower() not in (
            "no",
            "false",
        )
        ours = {
            "ControlMaster": "auto",
            "ControlPath": self.control_path,
            "ControlPersist": f"{int(o.control_persist)}s",
            "BatchMode": "yes",  # never prompt: a prompt would hang the run
            "ConnectTimeout": str(max(1, int(o.connect_timeout))),
            "ServerAliveInterval": "15",
            "ServerAliveCountMax": "4",
            "StrictHostKeyChecking": "yes" if self.host_key_checking else "no",
            "LogLevel": "ERROR",  # keep warnings like "Permanently added" out of stderr
        }
        if o.known_hosts_file:
            ours["UserKnownHostsFile"] = o.known_hosts_file
        if o.kex_algorithms:
            ours["KexAlgorithms"] = o.kex_algorithms  # see options.FAST_KEX
        for key, value in ours.items():
            if key.lower() in user_set and user_set[key.lower()] != value:
                log.debug(
                    "host %s: user ssh args set %s=%s (ours: %s)",
                    self.host,
                    key,
                    user_set[key.lower()],
                    value,
                )
            argv += ["-o", f"{key}={value}"]
        if self.port:
            argv += ["-p", str(self.port)]
        if self.user:
            argv += ["-l", self.user]
        if self.private_key_file:
            argv += ["-i", self.private_key_file]
        return argv

    def _warn(self, text: str) -> None:
        self.warnings.append(text)
        log.warning("host %s: %s", self.host, text)

    # -- connection ---------------------------------------------------------------------------
    def _control(self, operation: str) -> subprocess.CompletedProcess:
        """``ssh -O operation`` on our master (check, exit): local, no network round trip."""
        self.ssh_sessions["control"] += 1
        argv = [
            self.options.ssh_executable,
            "-o",
            f"ControlPath={self.control_path}",
            "-O",
            operation,
            self.hostname,
        ]
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=10)

    def master_alive(self) -> bool:
        """Whether a master listens on our control socket — asked of the socket itself.

        ``ssh -O check`` would say the same, but as one more process per host per run (fork,
        exec, config parsing: ~10 ms of a 2-core controller each, the largest per-host cost of
        a warm run). A socket nobody listens on (the master died, the controller rebooted)
        refuses the connection; a live master accepts it and drops a client that says nothing.
        """
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.settimeout(2)
        try:
            probe.connect(self.control_path)
        except OSError:
            return False
        finally:
            probe.close()
        return True

    def connect(self, timeout: float) -> None:
        """Start (or find) the master connection. Not counted as a round trip."""
        if os.path.exists(self.control_path):
            if self.master_alive():
                # A live master (ControlPersist from an earlier run): no process, no extra
                # session just to prove the host answers — the next script is multiplexed.
                self.connected = True
                return
            # a master that died (reboot of the controller's session, kill) leaves its socket;
            # ssh would then silently disable multiplexing for every later script
            os.unlink(self.control_path)
        # `-N` (no session): with ControlPersist, ssh forks the master into the background
        # right after authentication and exits 0. No `exit 0` session to open and close, so a
        # cold host costs the round trips of one `ssh host sh -s`: TCP, key exchange and
        # authentication here, the first script's session on the master. Without a persisting
        # master `-N` would never return: then a session that exits proves the host answers.
        session = ["-N", self.hostname] if self.persists else [self.hostname, "exit 0"]
        argv = [*self.base_argv, "-o", f"ConnectTimeout={max(1, int(timeout))}", *session]
        shown = shlex.join(argv)
        self.ssh_sessions["connection"] += 1
        # The backgrounded master could keep a pipe open; a temp file cannot hang us.
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
            try:
                rc = proc.wait(timeout=timeout + 5)
            except subprocess.TimeoutExpired:
                kill_group(proc)
                err.seek(0)
                raise ConnectTimeout(
                    f"host {self.host}: `{shown}` did not connect within {timeout:g}s "
                    f"(TCP, SSH banner and authentication); the host is unreachable"
                    + (f": {err.read().decode(errors='replace').strip()}" if err.tell() else "")
                ) from None
            err.seek(0)
            stderr = err.read()
        if rc != 0:
            if rc == 255 or looks_like_ssh_failure(stderr):
                raise classify_ssh_failure(self.host, shown, rc, stderr)
            raise ConnectionFailed(
                f"host {self.host}: `{shown}` exited {rc}: {stderr.decode(errors='replace').strip()}"
            )
        self.connected = True

    # -- one script ------------------------------------------------------------------------
    def before_run(self) -> None:
        if not self.connected:
            self.connect(self.options.connect_timeout)

    def argv(self, command: str) -> list[str]:
        self.ssh_sessions["channel" if self.multiplexed else "connection"] += 1
        return [*self.base_argv, self.hostname, command]

    def classify(self, result: ScriptResult, shown: str) -> ConnectionFailed | None:
        if result.rc == 255 and (
            looks_like_ssh_failure(result.stderr) or (self.multiplexed and not self.master_alive())
        ):
            # a dead master with a silent 255 (LogLevel=ERROR hides "connection closed"): the
            # link went away under the script, which did not exit 255 by itself
            self.connected = False
            return classify_ssh_failure(self.host, shown, result.rc, result.stderr)
        return None

    def close(self) -> None:
        """Leave the master to ControlPersist: the next run on this host skips the handshake."""
        self.connected = False

    def stop_master(self) -> None:
        """Stop the master connection now (tests, `edgeauto` shutting down a lab)."""
        self._control("exit")
        self.connected = False

    def interrupt(self) -> None:
        """Cut scripts in flight: stopping the master ends every session multiplexed on it
        (the remote shells are then reaped, see :mod:`edgeauto.transport.reap`)."""
        self.cut_requested = True
        self.stop_master()
