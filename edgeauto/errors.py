"""One exception family for everything edgeauto reports to a user.

Every error that comes from user input carries a :class:`Position` (file:line:column) so the
CLI can print ``file:line:col: message`` without a traceback. Exit codes follow
ansible-playbook's task queue manager: 1 usage/parse/validation error, 2 failed hosts,
4 unreachable hosts, 5 bad options, 99 interrupted, 250 unexpected.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_HOST_FAILED = 2
EXIT_HOST_UNREACHABLE = 4
EXIT_BAD_OPTIONS = 5
EXIT_INTERRUPTED = 99
EXIT_UNEXPECTED = 250


@dataclass(frozen=True)
class Position:
    """Where a value came from in a user's file (1-based line and column)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.file}:{self.line}:{self.col}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


class EdgeautoError(Exception):
    """Base class: a message for a human, an optional position and hint."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, pos: Position | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.pos}: {self.message}" if self.pos else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ParseError(EdgeautoError):
    """A file could not be read as YAML/INI/JSON or has the wrong shape."""


class InventoryError(EdgeautoError):
    """Inventory sources or host patterns are wrong."""


class TemplateError(EdgeautoError):
    """A Jinja2 expression failed (syntax, undefined variable, filter error)."""


class UndefinedVariableError(TemplateError):
    """A template used a variable that is not defined."""


class VaultError(EdgeautoError):
    """Vault data could not be decrypted or encrypted (wrong password, bad format)."""


class ModuleArgumentError(EdgeautoError):
    """A module was called with arguments that do not match its spec.

    ``ansible_msg`` is ansible-core's own wording of the first problem (``missing required
    arguments: path``), which becomes the registered ``msg`` of a task whose argument failure
    is ignored: playbooks compare it exactly. The printed error keeps our words and file:line.
    """

    def __init__(
        self,
        message: str,
        pos: Position | None = None,
        hint: str | None = None,
        ansible_msg: str | None = None,
    ):
        super().__init__(message, pos, hint)
        self.ansible_msg = ansible_msg


class ValidationError(EdgeautoError):
    """Several problems found while validating a playbook; all are reported at once."""

    def __init__(self, problems: list[EdgeautoError]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) found")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ConnectionFailed(EdgeautoError):
    """A host could not be reached or authenticated (the host is *unreachable*, not failed)."""

    exit_code = EXIT_HOST_UNREACHABLE


class HostKeyError(ConnectionFailed):
    """The host key is unknown or changed; strict checking refuses to connect."""


class RemoteProtocolError(EdgeautoError):
    """The framed output of a remote script could not be parsed."""


class InternalError(EdgeautoError):
    """A bug in edgeauto met while running a task: reported as that task's failure, with
    where it happened and a request to report it, instead of crashing the host's walk."""

    exit_code = EXIT_UNEXPECTED

    @classmethod
    def of(cls, exc: BaseException, pos: Position | None = None) -> InternalError:
        import traceback
        from pathlib import Path

        frames = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
        return cls(
            f"internal error: {type(exc).__name__}: {exc} ({where.strip()}; please report it)", pos
        )


def did_you_mean(word: str, candidates) -> str | None:
    """Return a 'did you mean X?' hint when a close candidate exists."""
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.7)
    return f"did you mean '{close[0]}'?" if close else None


def kind_of(value) -> str:
    """A user-facing name for a value's YAML kind (never an internal class like PosDict)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


def describe(value) -> str:
    """A value as error messages show it: its kind, and the value when it is short."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {str(value)[:60]!r}"
    return f"a {type(value).__name__} {value!r}"[:80]
