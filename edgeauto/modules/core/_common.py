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

# Options several file modules declare alike (copy, template, lineinfile).
BACKUP = Option(type="bool", default=False, description="Keep a timestamped copy of the old file.")
VALIDATE = Option(
    description="Command run on the new content before it is moved into place; %s is the file."
)
FORCE_REPLACE = Option(
    type="bool",
    default=True,
    description="Replace the file when contents differ (no: only create).",
)
# the edited file of lineinfile, blockinfile and replace (Ansible's names for it)
EDITED_PATH = Option(
    type="path", required=True, aliases=("dest", "destfile", "name"), description="File to edit."
)
FOLLOW_DEST = Option(type="bool", default=False, description="Follow a symlink at dest.")
#: the options of modules that install a whole file at dest (copy, template)
INSTALL_OPTIONS = {
    "backup": BACKUP,
    "force": FORCE_REPLACE,
    "validate": VALIDATE,
    "follow": FOLLOW_DEST,
}


def owner_group(args: dict) -> dict[str, str]:
    """The ``owner``/``group`` shell parameters every file-ish function takes."""
    return {"owner": text(args.get("owner")), "group": text(args.get("group"))}


def check_validate(args: dict, pos: Position | None) -> None:
    """``validate`` must name the file it checks (``%s``), as Ansible requires."""
    if args.get("validate") and "%s" not in args["validate"]:
        raise ModuleArgumentError(f"validate must contain %s: {args['validate']}", pos)


_CLASS_ESCAPES = {
    "d": ("0-9", "[0-9]"),
    "s": ("[:space:]", "[[:space:]]"),
    "w": ("A-Za-z0-9_", "[A-Za-z0-9_]"),
}
_NEGATED = {"D": "d", "S": "s", "W": "w"}
_PLAIN_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v"}


class PythonOnlyRegex(ModuleArgumentError):
    """A valid Python regexp that POSIX ERE cannot express: modules then match with perl on
    targets that have it (:mod:`edgeauto.modules.core._perlre`); ``construct`` names why."""

    def __init__(self, message: str, pos: Position | None, construct: str):
        super().__init__(message, pos)
        self.construct = construct


NEWLINE_SENTINEL = "\x1e"  # stands for a line's "\n" when lines are matched by grep


def check_python_regex(pattern: str, pos: Position | None, what: str) -> None:
    """A regexp Python cannot compile fails at validation, with Python's reason."""
    import re

    try:
        re.compile(pattern)
    except re.error as exc:
        raise ModuleArgumentError(
            f"argument '{what}': invalid regular expression {pattern!r}: {exc}", pos
        ) from None


def python_re_to_ere(
    pattern: str, pos: Position | None, what: str = "regexp", sentinel: str | None = None
) -> str:
    """Translate a Python regular expression into POSIX ERE for awk/grep -E/sed -E.

    Ansible matches each line *with* its trailing newline, so ``\\s`` and ``[^x]`` can consume
    it (``^\\s+$`` matches an empty line). With ``sentinel`` the target appends that byte to
    every line that had a newline, and the translation keeps Python's meaning: ``\\s`` includes
    the sentinel, ``\\S`` and ``.`` exclude it, ``$`` becomes ``<sentinel>?$``, ``\\n`` is it.

    Translated: ``\\d \\s \\w`` (and ``\\D \\S \\W`` outside brackets), ``(?:`` → ``(``,
    ``\\t \\n \\r``. Refused with a clear error (no POSIX equivalent): look-around, named
    groups, lazy quantifiers, backreferences in the pattern, ``\\b \\B \\A \\Z``, inline flags.
    Python's leftmost-first alternation vs POSIX leftmost-longest can pick a different match
    for ambiguous alternations; that only matters with ``backrefs``.
    """
    check_python_regex(pattern, pos, what)

    def refuse(construct: str) -> ModuleArgumentError:
        return PythonOnlyRegex(
            f"argument '{what}': {construct} in {pattern!r} is Python-only regex syntax with no POSIX "
            "ERE equivalent (targets run awk/grep/sed); rewrite it without that construct",
            pos,
            f"argument '{what}': {construct} in {pattern!r}",
        )

    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            n = pattern[i + 1]
            i += 2
            if n in _CLASS_ESCAPES:
                inner, whole = _CLASS_ESCAPES[n]
                if sentinel and n == "s":
                    inner, whole = inner + sentinel, "[" + inner + sentinel + "]"
                out.append(inner if in_class else whole)
            elif n in _NEGATED:
                if in_class:
                    raise refuse(f"\\{n} inside a bracket expression")
                extra = sentinel if (sentinel and n == "S") else ""
                out.append("[^" + _CLASS_ESCAPES[_NEGATED[n]][0] + extra + "]")
            elif n == "n" and sentinel:
                out.append(sentinel)
            elif n in _PLAIN_ESCAPES:
                out.append(_PLAIN_ESCAPES[n])
            elif n.isdigit():
                raise refuse(f"the backreference \\{n}")
            elif n in "bBAZ":
                raise refuse(f"the anchor \\{n}")
            elif n.isalnum():
                raise refuse(f"the escape \\{n}")
            elif in_class and n in "]-":
                raise refuse(
                    f"an escaped '{n}' inside a bracket expression (put ] first or - last instead)"
                )
            elif in_class:
                out.append(n)  # POSIX brackets have no escapes: [\.] is just [.]
            else:
                out.append("\\" + n)
            continue
        if in_class:
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append(sentinel if (c == "\n" and sentinel) else c)
            i += 1
            continue
        if sentinel and c in ".$\n":
            out.append({".": f"[^{sentinel}]", "$": f"{sentinel}?$", "\n": sentinel}[c])
            i += 1
            continue
        if c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                out.append("]")
                i += 1
            continue
        if c == "(" and pattern.startswith("(?", i):
            if pattern.startswith("(?:", i):
                out.append("(")
                i += 3
                continue
            raise refuse("the group " + pattern[i : i + 4] + "…")
        if c in "*+?}" and pattern.startswith("?", i + 1):
            raise refuse("the lazy quantifier " + pattern[i : i + 2])
        out.append(c)
        i += 1
    return "".join(out)


def python_template_to_sed(template: str, pos: Position | None) -> str:
    """Translate a Python ``match.expand`` template (\\1, \\g<1>) to a sed replacement."""
    import re

    if "\n" in template or "\x01" in template:
        raise ModuleArgumentError("argument 'line': backrefs lines cannot contain newlines", pos)
    out: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        if c == "\\" and i + 1 < len(template):
            n = template[i + 1]
            named = re.match(r"g<(\d+)>", template[i + 1 :])
            if n.isdigit():
                out.append("\\" + n)
                i += 2
            elif named:
                out.append("\\" + named.group(1))
                i += 1 + named.end()
            elif n == "\\":
                out.append("\\\\")
                i += 2
            elif n in _PLAIN_ESCAPES and n != "n":
                out.append(_PLAIN_ESCAPES[n])
                i += 2
            else:
                raise ModuleArgumentError(
                    f"argument 'line': unsupported escape \\{n} in a backrefs template", pos
                )
            continue
        if c == "&":
            out.append("\\&")
        else:
            out.append(c)
        i += 1
    return "".join(out)
