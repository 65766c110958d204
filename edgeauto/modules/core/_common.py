"""Helpers shared by the core module files (not a module itself: the registry skips ``_*``)."""

from __future__ import annotations

from datetime import datetime

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.spec import Option


def flag(value) -> str:
    """A boolean as the '1'/'0' the shell functions take."""
    return "1" if value else "0"


def text(value) -> str:
    """An optional argument as the shell functions take it ('' = not given)."""
    return "" if value is None else str(value)


def mode_arg(value, pos: Position | None) -> str:
    """Normalise Ansible's ``mode``: int (YAML 0644 → 420, written as octal digits) or a string.

    Ansible treats an int as the *decimal value* of the mode (``mode: 0644`` parses as octal in
    YAML 1.1 → 420), a string of octal digits as octal, anything else as a symbolic mode that
    ``chmod`` understands (``u=rw,g=r``, ``preserve`` is only for copy/template).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ModuleArgumentError(
            f"argument 'mode': expected an octal or symbolic mode, found {value!r}", pos
        )
    if isinstance(value, int):
        return format(value, "04o")
    value = str(value).strip()
    if value and all(c in "01234567" for c in value):
        if int(value, 8) > 0o7777:
            raise ModuleArgumentError(f"argument 'mode': {value!r} is not a valid file mode", pos)
        return format(int(value, 8), "04o")
    if value == "preserve":
        return value
    for clause in value.split(","):
        who = clause.rstrip("rwxXstugo").rstrip("=+-")
        rest = clause[len(who) :]
        if not clause or any(c not in "ugoa" for c in who) or not rest or rest[0] not in "=+-":
            raise ModuleArgumentError(
                f"argument 'mode': expected an octal mode (0644) or a symbolic one "
                f"(u=rw,g=r,o=r), found {value!r}",
                pos,
            )
    return value


def delta(start: str, end: str) -> str | None:
    """Ansible's ``delta`` (str of a timedelta) from the framed start/end stamps."""
    try:
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        return str(datetime.strptime(end, fmt) - datetime.strptime(start, fmt))
    except (TypeError, ValueError):
        return None


COMMON_FILE_OPTIONS = {
    "mode": Option(type="raw", description="Permissions: octal (0644) or symbolic (u=rw,g=r)."),
    "owner": Option(description="Name or uid of the owner."),
    "group": Option(description="Name or gid of the group."),
    "seuser": Option(description="Accepted for compatibility; SELinux contexts are not managed."),
    "serole": Option(description="Accepted for compatibility; SELinux contexts are not managed."),
    "setype": Option(description="Accepted for compatibility; SELinux contexts are not managed."),
    "selevel": Option(description="Accepted for compatibility; SELinux contexts are not managed."),
    "unsafe_writes": Option(
        type="bool", default=False, description="Accepted; writes are always atomic."
    ),
    "attributes": Option(
        aliases=("attr",),
        description="Accepted for compatibility; chattr attributes are not managed.",
    ),
}
