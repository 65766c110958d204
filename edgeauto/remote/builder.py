"""Assemble one POSIX sh script from a segment's task invocations.

The script is: ``set -u`` + the framing prelude (``prelude.sh``) + each needed function file
once (in first-use order, only the ones this segment uses) + one guarded call per task. Each
task runs in a subshell with its stdout/stderr captured to private files, stdin from
``/dev/null`` (or its stdin payload — never the script, which arrives on stdin itself), its own
environment and working directory. After a failed task the remaining tasks are skipped (the
parser reports them ``not_run``) unless the failed task had ``ignore_errors``.

Payload bytes (file contents for copy/template, command stdin) are embedded as a quoted
here-document when they hold no NUL byte and no line equal to the delimiter, otherwise as
``printf`` octal escapes; either way they land in the private temp dir (``umask 077``,
``mktemp -d``, removed by an EXIT/INT/TERM/HUP trap) before the task's function runs.

Become is applied by the transport to the whole script (``BecomeSpec``); per-task become users
are not supported inside one script — the planner splits segments where the become user changes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from edgeauto.modules.base import ShellCall

REMOTE_DIR = Path(__file__).resolve().parent
#: payload name prefix: the same bytes under such a name travel once per script (the function
#: must only read the file), e.g. an Ansible module shared by several tasks
SHARED_PAYLOAD = "shared-"
_TASK_ID = re.compile(r"[A-Za-z0-9_.:-]{1,120}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCTION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ASYNC_FILE = "jobs.sh"  # framing helpers for limited and background tasks
_SAFE_PRINTF = re.compile(rb"[A-Za-z0-9 ,._/:=+@#^&*(){}\[\]<>|;~!?]")


@dataclass
class TaskInvocation:
    """One task in a script: what to call and how (check/diff/ignore_errors, env, chdir)."""

    task_id: str
    call: ShellCall
    check: bool = False
    diff: bool = False
    ignore_errors: bool = False
    environment: dict[str, str] = field(default_factory=dict)
    chdir: str | None = None
    #: seconds the task may run (``timeout`` keyword, ``async`` with ``poll`` > 0): past
    #: them it is killed with everything it started (``remote/jobs.sh``)
    limit: int | None = None
    #: ``(job id, async dir)`` of an ``async`` task; with ``background`` (``poll: 0``) it runs
    #: in the background and only its start is reported; ``async_status`` reads it later
    job: tuple[str, str] | None = None
    background: bool = False
    pause: float = 0  #: seconds to wait before the task (``loop_control.pause`` between items)

    def function_files(self) -> list[str]:
        """The function files this task needs: its module's, and jobs.sh when limited or async."""
        extra = [ASYNC_FILE] if self.limit or self.job else []
        return [*self.call.files, *(f for f in extra if f not in self.call.files)]


def new_nonce() -> str:
    """A per-run random marker component (hex, unguessable by the task's output)."""
    return secrets.token_hex(8)


HOME_PATH = "@home:"  # argv prefix of a path with ~ or $VAR (modules.base.home_path)


def sh_quote(value: str) -> str:
    """Single-quote a string for POSIX sh; NUL bytes cannot be passed and are refused."""
    if "\0" in value:
        raise ValueError("a shell argument cannot contain a NUL byte")
    return "'" + value.replace("'", "'\\''") + "'"


@lru_cache(maxsize=64)
def _function_file(name: str) -> str:
    """A remote/*.sh file with comment-only and blank lines removed (smaller scripts).

    Lines are never joined or re-ordered, so a comment *inside* a multi-line quoted string
    would be lost: function files must not put lines starting with ``#`` inside strings.
    """
    path = REMOTE_DIR / name
    if path.parent != REMOTE_DIR or not path.is_file():
        raise ValueError(f"no shell function file remote/{name}")
    text = path.read_text()
    # Indentation is dropped too (a third of the bytes) unless the file has a here-document,
    # whose body would change.
    keep_indent = "<<" in text
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lines.append(line if keep_indent else line.lstrip())
    return "\n".join(lines) + "\n"


def _payload_code(file_name: str, data: bytes, nonce: str) -> str:
    delimiter = f"EA_{nonce}_PAYLOAD"
    text_ok = b"\0" not in data and delimiter.encode() not in data
    if text_ok:
        try:
            body = data.decode("utf-8", errors="surrogateescape")
        except UnicodeDecodeError:  # pragma: no cover - surrogateescape never fails
            text_ok = False
    if text_ok:
        return f"ea__payload {file_name} \"$(cat <<'{delimiter}'\n{body}E\n{delimiter}\n)\"\n"
    # Binary: printf with octal escapes, in chunks so no single line gets huge.
    out = [f': >"$(ea__payload_path {file_name})"\n']
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        escaped = "".join(
            chr(b) if _SAFE_PRINTF.fullmatch(bytes([b])) else f"\\{b:03o}" for b in chunk
        )
        out.append(f"printf '{escaped}' >>\"$(ea__payload_path {file_name})\"\n")
    return "".join(out)


class ScriptBuilder:
    """Collects invocations, then renders the script bytes (see module docstring)."""

    def __init__(self, nonce: str | None = None):
        self.nonce = nonce or new_nonce()
        if not re.fullmatch(r"[0-9A-Za-z]{8,64}", self.nonce):
            raise ValueError("nonce must be 8-64 letters/digits")
        self.invocations: list[TaskInvocation] = []
        # payloads named "shared-…" (read-only for the function) are written once per script
        self._shared: dict[bytes, str] = {}

    def add(self, invocation: TaskInvocation) -> None:
        if not _TASK_ID.fullmatch(invocation.task_id):
            raise ValueError(f"task id {invocation.task_id!r} must match {_TASK_ID.pattern}")
        if any(i.task_id == invocation.task_id for i in self.invocations):
            raise ValueError(f"task id {invocation.task_id!r} used twice in one script")
        if not _FUNCTION.fullmatch(invocation.call.function):
            raise ValueError(f"bad shell function name {invocation.call.function!r}")
        self.invocations.append(invocation)

    def function_files(self) -> list[str]:
        seen: list[str] = []
        for inv in self.invocations:
            for name in inv.function_files():
                if name not in seen:
                    seen.append(name)
        return seen

    def build(self) -> bytes:
        parts = ["#!/bin/sh\n# edgeauto compiled script\nset -u\n", _function_file("prelude.sh")]
        parts.extend(_function_file(name) for name in self.function_files())
        ids = " ".join(i.task_id for i in self.invocations)
        parts.append(f"ea__begin {self.nonce} {sh_quote(ids)}\n")
        for number, inv in enumerate(self.invocations):
            parts.append(self._task_code(number, inv))
        parts.append("ea__end\n")
        return "".join(parts).encode("utf-8", errors="surrogateescape")

    def _task_code(self, number: int, inv: TaskInvocation) -> str:
        flags = (
            ("c" if inv.check else "")
            + ("d" if inv.diff else "")
            + ("i" if inv.ignore_errors else "")
        )
        call = inv.call
        lines = [f"if ea__start {sh_quote(inv.task_id)} {sh_quote(flags or '-')}; then\n"]
        if inv.pause:
            lines.append(f"sleep {float(inv.pause):g}\n")
        payload_files = {}
        for index, (name, data) in enumerate(call.payloads.items()):
            file_name = f"p{number}_{index}"
            if name.startswith(SHARED_PAYLOAD):
                digest = hashlib.sha256(data).digest()
                if digest in self._shared:
                    payload_files[name] = self._shared[digest]
                    continue
                self._shared[digest] = file_name
            payload_files[name] = file_name
            lines.append(_payload_code(file_name, data, self.nonce))
        body = []
        for key, value in inv.environment.items():
            if not _ENV_NAME.fullmatch(key):
                raise ValueError(f"environment variable name {key!r} is not valid")
            body.append(f"export {key}={sh_quote(str(value))}")
        if inv.chdir:
            body.append(
                f'cd {sh_quote(inv.chdir)} || {{ ea_fail "cannot change directory to '
                f'{_dq(inv.chdir)}"; exit 1; }}'
            )
        argv = []
        for arg in call.argv:
            if arg.startswith("@payload:") and arg[9:] in payload_files:
                argv.append(f'"$(ea__payload_path {payload_files[arg[9:]]})"')
            elif arg.startswith(HOME_PATH):  # ~/x, ~user/x, $HOME/x: expanded by the target
                argv.append(f'"$(ea_expand_path {sh_quote(arg[len(HOME_PATH) :])})"')
            else:
                argv.append(sh_quote(arg))
        body.append(" ".join([call.function, *argv]))
        stdin = "/dev/null"
        if call.stdin is not None:
            stdin = f'"$(ea__payload_path {payload_files[call.stdin]})"'
        task = "(\n" + "\n".join(body) + f'\n) >"$__ea_t/o" 2>"$__ea_t/e" <{stdin}'
        if inv.limit:
            task += f" &\nea__bounded $! {int(inv.limit)}"
        if inv.job is not None and not inv.background:  # as Ansible, the async dir exists
            task = f"ea__job_dir {sh_quote(inv.job[1])}\n" + task
        if inv.job is None or not inv.background:
            lines.append(task + "\nea__finish $?\nfi\n")
            return "".join(lines)
        job = f"{sh_quote(inv.job[0])} {sh_quote(inv.job[1])}"
        copies = "".join(f" {sh_quote(name)}" for name in dict.fromkeys(payload_files.values()))
        lines.append(
            f"if ea__job_begin {job}{copies}; then\n(\nea__job_enter {job} {call.function}\n"
            f"{task}\n"
            f"ea__job_done $? {job}\n) </dev/null >/dev/null 2>&1 &\n"
            f"ea__job_started {job}\nea__finish 0\nelse\nea__finish 1\nfi\nfi\n"
        )
        return "".join(lines)


def _dq(text: str) -> str:
    """Escape for inclusion inside a double-quoted sh string."""
    return re.sub(r'([\\"$`])', r"\\\1", text)


def build_script(calls: list[TaskInvocation], *, nonce: str) -> bytes:
    """Convenience wrapper: one script for these invocations (see :class:`ScriptBuilder`)."""
    builder = ScriptBuilder(nonce)
    for inv in calls:
        builder.add(inv)
    return builder.build()
