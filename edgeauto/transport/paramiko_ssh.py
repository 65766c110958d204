"""Pure-Python SSH through fabric/paramiko (``ansible_connection=paramiko``).

For controllers without an OpenSSH client, and for password logins (``ansible_password``/``-k``)
which the ssh binary cannot take without a prompt. fabric resolves ``~/.ssh/config`` (Hostname,
User, Port, IdentityFile, ProxyJump); we replace its trust-on-first-use host key policy with a
strict one that reads known_hosts, for the target and for every jump host.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from dataclasses import replace

from edgeauto.transport.base import ScriptResult, split_args
from edgeauto.transport.become import Handshake
from edgeauto.transport.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    ConnectionLost,
    ConnectionRefused,
    ConnectTimeout,
    HostKeyChanged,
    HostKeyUnknown,
    NameResolutionFailed,
    describe,
)
from edgeauto.transport.openssh import SSH_VARS, SSHEndpoint, option_keys, ssh_settings
from edgeauto.transport.options import TransportOptions
from edgeauto.transport.pipe import ShellTransport
from edgeauto.transport.streams import TIMEOUT_RC


class ParamikoTransport(SSHEndpoint, ShellTransport):
    names = (
        "paramiko",
        "paramiko_ssh",
        "ansible.builtin.paramiko_ssh",
        "ansible.legacy.paramiko_ssh",
    )
    host_vars = SSH_VARS

    def __init__(self, host: str, *, password: str | None = None, **endpoint) -> None:
        """``endpoint``: the :class:`SSHEndpoint` keywords (hostname, port, user …, options)."""
        super().__init__(host, **endpoint)
        self._password = password
        self.connection = None

    @classmethod
    def from_host_vars(cls, host: str, host_vars: dict, options: TransportOptions):
        return cls.from_ssh_settings(
            host, ssh_settings(host, cls.read_vars(host_vars), options), options
        )

    @classmethod
    def from_ssh_settings(cls, host: str, found: dict, options: TransportOptions):
        """Build from :func:`~edgeauto.transport.openssh.ssh_settings` (also OpenSSH's fallback
        for password logins)."""
        # Inventories often pin host keys through ssh args; paramiko honours the ones it can.
        ssh_opts = option_keys(
            [
                *split_args(found["common_args"]),
                *split_args(found["extra_args"]),
                *options.ssh_common_args,
                *options.ssh_extra_args,
            ]
        )
        if ssh_opts.get("userknownhostsfile"):
            options = replace(options, known_hosts_file=ssh_opts["userknownhostsfile"].split()[0])
        checking = found["host_key_checking"]
        if ssh_opts.get("stricthostkeychecking", "").lower() in ("no", "off", "accept-new"):
            checking = False
        return cls(
            host,
            password=found["password"],
            options=options,
            **{
                **cls.endpoint(found),
                "private_key_file": found["private_key_file"] or ssh_opts.get("identityfile"),
                "host_key_checking": checking,
            },
        )

    def _describe_target(self) -> str:
        where = self.hostname + (f":{self.port}" if self.port else "")
        return f"paramiko connect {self.user + '@' if self.user else ''}{where}"

    def _apply_host_key_policy(self, conn) -> None:
        import paramiko

        client = conn.client
        if self.host_key_checking:
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        else:
            client.set_missing_host_key_policy(paramiko.WarningPolicy())
        known = self.options.known_hosts_file
        if known:
            if os.path.exists(known):
                client.get_host_keys().load(known)
        else:
            client.load_system_host_keys()
        gateway = getattr(conn, "gateway", None)
        if gateway is not None and not isinstance(gateway, str):
            self._apply_host_key_policy(gateway)

    def connect(self, timeout: float) -> None:
        import socket  # here, like paramiko: discovering this transport must stay cheap

        import paramiko
        from fabric import Config, Connection

        if self.connection is not None and self.connection.is_connected:
            return
        # paramiko logs failures itself at ERROR; our exception already says it, with the host
        logging.getLogger("paramiko").setLevel(logging.CRITICAL)
        overrides = {"load_ssh_configs": True}
        config = Config(overrides=overrides, runtime_ssh_path=self.options.ssh_config_file)
        kwargs = {"banner_timeout": timeout, "auth_timeout": timeout, "channel_timeout": timeout}
        if self.private_key_file:
            kwargs["key_filename"] = [self.private_key_file]
        if self._password:
            kwargs["password"] = self._password
        conn = Connection(
            self.hostname,
            user=self.user,
            port=self.port,
            config=config,
            connect_timeout=max(1, int(timeout)),
            connect_kwargs=kwargs,
        )
        self._apply_host_key_policy(conn)
        shown = self._describe_target()
        started = time.monotonic()
        try:
            conn.open()
        except paramiko.BadHostKeyException as exc:
            raise HostKeyChanged(
                f"host {self.host}: `{shown}`: the host key CHANGED since it was recorded in "
                f"known_hosts (got {exc.key.get_name()} {exc.key.get_fingerprint().hex()}); a "
                "rebuilt host or a man-in-the-middle. If expected, remove the old key with "
                "`ssh-keygen -R HOST`"
            ) from None
        except paramiko.AuthenticationException as exc:
            raise AuthenticationFailed(
                f"host {self.host}: `{shown}`: authentication failed ({exc}); check "
                "ansible_user, ansible_password/-k or the private key"
            ) from None
        except paramiko.ssh_exception.NoValidConnectionsError as exc:
            raise ConnectionRefused(
                f"host {self.host}: `{shown}`: connection refused ({exc}); is sshd running?"
            ) from None
        except socket.gaierror as exc:
            raise NameResolutionFailed(
                f"host {self.host}: `{shown}`: name does not resolve ({exc})"
            ) from None
        except TimeoutError as exc:
            raise ConnectTimeout(
                f"host {self.host}: `{shown}`: no answer within {timeout:g}s ({exc or 'timed out'})"
            ) from None
        except paramiko.SSHException as exc:
            text = str(exc)
            if "not found in known_hosts" in text:
                raise HostKeyUnknown(
                    f"host {self.host}: `{shown}`: the host key is not in known_hosts and strict "
                    "host key checking is on; verify the key and add it (e.g. `ssh-keyscan -H "
                    "HOST >> ~/.ssh/known_hosts`), or set ansible_host_key_checking=false"
                ) from None
            # paramiko logs a banner timeout and then fails auth with "No existing session"
            slow = time.monotonic() - started >= timeout * 0.9
            if "banner" in text.lower() or "timeout" in text.lower() or slow:
                raise ConnectTimeout(
                    f"host {self.host}: `{shown}`: no SSH answer within {timeout:g}s ({text})"
                ) from None
            raise ConnectionFailed(f"host {self.host}: `{shown}`: {text}") from None
        except OSError as exc:
            raise ConnectionFailed(f"host {self.host}: `{shown}`: {exc}") from None
        conn.client.get_transport().set_keepalive(15)  # notice a dead link mid-script
        self.connection = conn

    def before_run(self) -> None:
        if self.connection is None or not self.connection.is_connected:
            self.connect(self.options.connect_timeout)

    def execute(
        self,
        command: str,
        payload: bytes,
        timeout: float | None,
        handshake: Handshake | None,
        on_output=None,
    ) -> tuple[ScriptResult, str]:
        import paramiko

        shown = f"{self._describe_target()}: {command}"
        try:
            chan = self.connection.client.get_transport().open_session(
                timeout=self.options.connect_timeout
            )
            chan.exec_command(command)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            self.connection = None
            raise ConnectionLost(
                f"host {self.host}: `{shown}`: could not open a channel: {exc}"
            ) from None
        return _drive_channel(chan, payload, timeout, handshake, on_output), shown

    def classify(self, result: ScriptResult, shown: str) -> ConnectionFailed | None:
        if result.rc is None or result.rc < 0:
            self.connection = None
            return ConnectionLost(
                describe(self.host, shown, None, result.stderr)
                + "\n  -> the connection closed before the script finished"
            )
        return None

    def interrupt(self) -> None:
        """Cut a script in flight by closing the SSH connection under it (the remote shell
        is then reaped over a new connection, see :mod:`edgeauto.transport.reap`)."""
        self.cut_requested = True
        self.close()

    def stop_master(self) -> None:
        self.interrupt()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _drive_channel(
    chan, payload: bytes, timeout: float | None, handshake, on_output=None
) -> ScriptResult:
    """Like streams.drive, for a paramiko channel: a writer thread + a reading loop."""
    from paramiko import SSHException

    deadline = None if timeout is None else time.monotonic() + timeout
    release = threading.Event()
    outbox: list[bytes] = []
    lock = threading.Lock()
    if handshake is None:
        release.set()

    def writer():
        try:
            while True:
                with lock:
                    item = outbox.pop(0) if outbox else None
                if item is not None:
                    chan.sendall(item)
                    continue
                if release.wait(0.05):
                    with lock:
                        if outbox:
                            continue
                    chan.sendall(payload)
                    chan.shutdown_write()
                    return
                if chan.closed:
                    return
        except (OSError, EOFError, SSHException):  # channel closed under us: the reader reports
            return

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    out, err = bytearray(), bytearray()
    timed_out = False
    while True:
        got = False
        while chan.recv_ready():
            chunk = chan.recv(65536)
            out += chunk
            got = True
            if on_output is not None:
                on_output(chunk)
        while chan.recv_stderr_ready():
            chunk = chan.recv_stderr(65536)
            err += chunk
            got = True
            if handshake is not None and not handshake.ready:
                try:
                    answer = handshake.feed(chunk)
                except Exception:
                    chan.close()
                    raise
                if answer:
                    with lock:
                        outbox.append(answer)
                if handshake.ready:
                    release.set()
        if chan.exit_status_ready() and not chan.recv_ready() and not chan.recv_stderr_ready():
            break
        if chan.closed and not got:
            break
        if deadline is not None and time.monotonic() >= deadline:
            timed_out = True
            break
        if not got:
            select.select([chan], [], [], 0.05)
    stderr = handshake.clean(bytes(err)) if handshake else bytes(err)
    if timed_out:
        chan.close()
        return ScriptResult(TIMEOUT_RC, bytes(out), stderr, timed_out=True)
    rc = chan.recv_exit_status() if chan.exit_status_ready() else -1
    chan.close()
    return ScriptResult(rc, bytes(out), stderr)
