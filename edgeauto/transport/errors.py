"""Why a host is unreachable, as exception classes, and how to tell it from stderr.

Unreachable is not failed: these all derive from :class:`edgeauto.errors.ConnectionFailed`
(exit code 4), while a script that ran and exited non-zero is a *failed* host and is reported
through :class:`~edgeauto.transport.base.ScriptResult`. Messages always name the host, what was
run, the exit code and the tail of stderr, so a user can act without re-running with -vvv.
"""

from __future__ import annotations

import re

from edgeauto.errors import ConnectionFailed, HostKeyError


class ConnectTimeout(ConnectionFailed):
    """No SSH (or container) answer within the connect timeout."""


class ConnectionRefused(ConnectionFailed):
    """TCP connection refused: nothing listens on the port."""


class NameResolutionFailed(ConnectionFailed):
    """The host name does not resolve."""


class AuthenticationFailed(ConnectionFailed):
    """The server rejected every offered credential."""


class ConnectionLost(ConnectionFailed):
    """The connection closed while a script was running (ssh exit 255)."""


class CommandTimeout(ConnectionFailed):
    """A script did not finish within its timeout; the host is treated as unreachable."""


class HostKeyUnknown(HostKeyError):
    """The host's key is not in known_hosts and strict checking is on."""


class HostKeyChanged(HostKeyError):
    """The host's key differs from known_hosts: possible man-in-the-middle, or a rebuilt host."""


class BecomeFailed(ConnectionFailed):
    """Privilege escalation failed (wrong or missing become password, not allowed)."""


def stderr_tail(data: bytes | str, lines: int = 6) -> str:
    """The last few non-empty stderr lines, decoded; what a user needs to see."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    kept = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


def describe(host: str, command: str, rc: int | None, stderr: bytes | str) -> str:
    tail = stderr_tail(stderr)
    rc_text = "no exit code" if rc is None else f"exit code {rc}"
    text = f"host {host}: `{command}` failed with {rc_text}"
    return f"{text}: {tail}" if tail else text


# (pattern in ssh's stderr, exception class, short human explanation)
_SSH_PATTERNS: list[tuple[re.Pattern, type[ConnectionFailed], str]] = [
    (
        re.compile(r"REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed"),
        HostKeyChanged,
        "the host key CHANGED since it was recorded in known_hosts (a rebuilt host, or a "
        "man-in-the-middle); if the change is expected, remove the old key with "
        "`ssh-keygen -R HOST` and add the new one",
    ),
    (
        re.compile(r"No \S+ host key is known for|Host key verification failed"),
        HostKeyUnknown,
        "the host key is not in known_hosts and strict host key checking is on; verify the "
        "key and add it (e.g. `ssh-keyscan -H HOST >> ~/.ssh/known_hosts`), or set "
        "ansible_host_key_checking=false for throwaway hosts",
    ),
    (
        re.compile(
            r"Permission denied \(|Too many authentication failures|no more authentication methods"
        ),
        AuthenticationFailed,
        "authentication failed: check ansible_user, the private key (ansible_ssh_private_key_file) "
        "or the agent",
    ),
    (
        re.compile(r"Connection refused"),
        ConnectionRefused,
        "connection refused: is sshd running on that port?",
    ),
    (
        re.compile(r"Could not resolve hostname|Name or service not known|nodename nor servname"),
        NameResolutionFailed,
        "the host name does not resolve",
    ),
    (
        re.compile(r"timed out|Connection timed out|banner exchange.*[Tt]imeout"),
        ConnectTimeout,
        "no answer within the connect timeout",
    ),
]


def classify_ssh_failure(
    host: str, command: str, rc: int | None, stderr: bytes | str
) -> ConnectionFailed:
    """Turn a failed ``ssh`` (exit 255) into the most specific ConnectionFailed subclass."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    base = describe(host, command, rc, text)
    for pattern, cls, explanation in _SSH_PATTERNS:
        if pattern.search(text):
            return cls(f"{base}\n  -> {explanation}")
    return ConnectionLost(f"{base}\n  -> the SSH connection failed or was closed (unreachable)")


def looks_like_ssh_failure(stderr: bytes) -> bool:
    """Whether an exit 255 came from ssh itself rather than from the remote script's ``exit 255``."""
    text = stderr.decode("utf-8", "replace")
    if any(p.search(text) for p, _, _ in _SSH_PATTERNS):
        return True
    return bool(
        re.search(
            r"^(ssh|kex_exchange_identification|ssh_exchange_identification|mux_client_\w+|"
            r"Connection (to \S+ )?closed|client_loop|Control socket connect|"
            r"ControlSocket|muxclient|channel \d+:)",
            text,
            re.M,
        )
    )


def timeout_error(host: str, command: str, timeout: float | None, result) -> CommandTimeout:
    """The script ran past its timeout; keep the partial result (records of finished tasks)."""
    exc = CommandTimeout(
        describe(host, command, None, result.stderr)
        + f"\n  -> no result within {timeout:g}s; the run on this host was stopped and the "
        "host is treated as unreachable (raise the timeout if the work is legitimately slow)"
    )
    exc.result = result
    return exc
