"""Privilege escalation (sudo/su/doas) that never puts the password on a command line.

Without a password the become command is plain (``sudo -n -u root -- sh -s``) and the script is
written blind: no extra latency. With a password we cannot write it blind, because whether
sudo asks depends on NOPASSWD rules and cached timestamps, and a password line that sudo does
not consume would be *executed by sh*. So the remote command is::

    sudo -S -p '<PROMPT-MARKER>' -u USER -- sh -c 'echo <OK-MARKER> >&2; exec sh -s'

and :class:`Handshake` watches stderr: on the prompt marker it writes the password line to
stdin (exactly once; a second prompt means the password was wrong and we stop before any script
byte is sent), on the OK marker it releases the script. The markers are random per run and
are cut out of the stderr the caller sees. The password exists only in the controller's memory
and on the sudo process's stdin.

``su`` reads the password from stdin too (PAM), but prints its own prompt, so its handshake
looks for ``Password:`` at the end of stderr (with ``LC_ALL=C`` for an English prompt), and it
always waits for the OK marker. ``doas`` reads passwords from a terminal only: with a password
it is refused with an explanation.
"""

from __future__ import annotations

import re
import secrets
import shlex
from dataclasses import dataclass, field

from edgeauto.transport.base import BecomeSpec
from edgeauto.transport.errors import BecomeFailed

INNER = "sh -s"
METHODS = ("sudo", "su", "doas")
SU_PROMPT = re.compile(rb"[Pp]assword[^\n]{0,40}: ?\Z")


@dataclass
class Handshake:
    """Controller side of a become-with-password exchange (one per script run)."""

    password: str | None  # None: a prompt means we cannot go on (su without -K)
    prompt: bytes | re.Pattern  # our marker (sudo -p), or su's own prompt as a pattern
    ok: bytes
    buffer: bytes = b""
    answered: int = 0
    ready: bool = False
    _scan: int = field(default=0, repr=False)
    _spans: list = field(default_factory=list, repr=False)  # where su's prompts were

    def feed(self, chunk: bytes) -> bytes:
        """Take stderr bytes; return what must be written to stdin now (the password line)."""
        self.buffer += chunk
        to_send = b""
        while True:
            prompt_at, prompt_end = self._find_prompt()
            ok_at = self.buffer.find(self.ok, self._scan)
            if ok_at != -1 and (prompt_at == -1 or ok_at < prompt_at):
                self.ready = True
                self._scan = ok_at + len(self.ok)
                return to_send
            if prompt_at == -1:
                return to_send
            self._scan = prompt_end
            self._spans.append((prompt_at, prompt_end))
            if self.password is None:
                raise BecomeFailed(
                    "the become method asks for a password: pass -K or set ansible_become_password"
                )
            if self.answered:
                raise BecomeFailed(
                    "the become password was rejected (asked again after it was sent)"
                )
            self.answered += 1
            to_send += self.password.encode() + b"\n"

    def _find_prompt(self) -> tuple[int, int]:
        if isinstance(self.prompt, bytes):
            at = self.buffer.find(self.prompt, self._scan)
            return at, at + len(self.prompt)
        # su prints its own prompt; it counts only as the last thing written (su now waits)
        match = self.prompt.search(self.buffer, self._scan)
        return (match.start(), match.end()) if match else (-1, -1)

    def clean(self, stderr: bytes) -> bytes:
        """Stderr without our markers (what the user sees)."""
        if isinstance(self.prompt, bytes):
            out = stderr.replace(self.prompt, b"")
        else:
            out = stderr
            for start, end in reversed(self._spans):
                if out[start:end] == self.buffer[start:end]:
                    out = out[:start] + out[end:]
        out = out.replace(self.ok + b"\n", b"").replace(self.ok, b"")
        return out


def _marker(kind: str) -> str:
    return f"[edgeauto-{kind}-{secrets.token_hex(8)}]"


def become_command(spec: BecomeSpec | None, inner: str = INNER) -> tuple[str, Handshake | None]:
    """The remote command line for ``inner`` under ``spec``, and the handshake if one is needed.

    Nothing secret is in the returned string: it is safe to show in logs and errors.
    """
    if spec is None:
        return inner, None
    if spec.method not in METHODS:
        raise BecomeFailed(
            f"unknown become method {spec.method!r}: expected one of {', '.join(METHODS)}"
        )
    user = shlex.quote(spec.user or "root")
    flags = spec.flags.strip()
    flags = f" {flags}" if flags else ""
    if not spec.password and spec.method == "sudo":
        return f"sudo -n{flags} -u {user} -- {inner}", None
    if not spec.password and spec.method == "doas":
        return f"doas -n{flags} -u {user} {inner}", None
    if spec.method == "doas" and spec.password:
        raise BecomeFailed(
            "become_method=doas with a password needs a terminal (doas reads passwords from a "
            "tty only), which a script on stdin does not have; use become_method=sudo or su, "
            "or allow the user without a password ('permit nopass')"
        )
    if spec.method == "su":
        # su reads a password from stdin when it wants one, so even without -K the script
        # must wait for the OK marker: otherwise su would eat its first line as a password.
        ok = _marker("ok")
        wrapped = f"printf '%s\\n' {shlex.quote(ok)} >&2; exec {inner}"
        # LC_ALL=C: su's PAM prompt in English ("Password: "), whatever the target's locale
        command = f"LC_ALL=C su{flags} -s /bin/sh {user} -c {shlex.quote(wrapped)}"
        return command, Handshake(password=spec.password, prompt=SU_PROMPT, ok=ok.encode())
    prompt, ok = _marker("prompt"), _marker("ok")
    wrapped = f"printf '%s\\n' {shlex.quote(ok)} >&2; exec {inner}"
    command = f"sudo -S -p {shlex.quote(prompt)}{flags} -u {user} -- sh -c {shlex.quote(wrapped)}"
    return command, Handshake(password=spec.password, prompt=prompt.encode(), ok=ok.encode())


def env_prelude(env: dict[str, str] | None) -> bytes:
    """Export ``env`` at the top of the script (values travel on stdin, not on a command line)."""
    if not env:
        return b""
    lines = []
    for key, value in env.items():
        if not key.replace("_", "a").isalnum() or key[0].isdigit():
            raise ValueError(f"not a valid environment variable name: {key!r}")
        lines.append(f"{key}={shlex.quote(str(value))}; export {key}\n")
    return "".join(lines).encode()


_NEEDS_PASSWORD = (b"a password is required", b"a terminal is required", b"Authentication failed")


def check_become(
    spec: BecomeSpec | None, handshake: Handshake | None, result, host: str, command: str
) -> None:
    """Raise BecomeFailed when escalation itself failed (the script never ran)."""
    from edgeauto.transport.errors import describe

    if spec is None or result.timed_out:
        return
    if handshake is not None and not handshake.ready:
        raise BecomeFailed(
            describe(host, command, result.rc, result.stderr)
            + f"\n  -> {spec.method} to {spec.user} failed before the script started"
        )
    if handshake is None and result.rc != 0 and not result.stdout:
        if any(s in result.stderr for s in _NEEDS_PASSWORD):
            raise BecomeFailed(
                describe(host, command, result.rc, result.stderr)
                + f"\n  -> {spec.method} needs a password: pass -K or set ansible_become_password"
            )
