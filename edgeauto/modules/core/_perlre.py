"""Python regexps that POSIX ERE cannot express, matched with perl on the target.

WHY: lineinfile/blockinfile/replace take Python regexps. The first choice stays the POSIX ERE
translation (:func:`~edgeauto.modules.core._common.python_re_to_ere`: awk/grep/sed exist on
every target, BusyBox too). What it cannot express — ``(?m)``, backreferences, look-around,
lazy quantifiers, ``\\S`` inside brackets, patterns spanning lines — perl's dialect covers
almost as written, and Debian-family targets always have perl (``perl-base`` is essential).
So such a pattern is translated here for perl, and the target's script checks for perl; a
host without it (BusyBox) fails the task with a message naming the construct.

The few spelling differences are translated: named groups ``(?P<n>…)`` → ``(?<n>…)``,
``(?P=n)`` → ``\\k<n>``, ``(?(n)…)`` → ``(?(<n>)…)``, ``\\Z`` → ``\\z``, ``\\uXXXX`` →
``\\x{XXXX}``, ``{,n}`` → ``{0,n}`` (older perls read it literally), a ``{`` that starts no
quantifier → ``\\{`` and a ``[`` inside brackets → ``\\[`` (Python reads both literally).
Replacement templates (``\\1``, ``\\g<name>``, ``\\n`` …) are expanded here into literal text
and group references the perl side fills in (:func:`perl_template`).
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.core._common import (
    PythonOnlyRegex,
    check_python_regex,
    python_re_to_ere,
)

GROUP_MARK = "\x01"  # a template's group reference travels as \x01<number>\x01

_QUANTIFIER = re.compile(r"\{(\d*)(,?)(\d*)\}")


def ere_or_perl_reason(pattern: str, pos: Position | None, what: str, sentinel=None) -> str | None:
    """None when the POSIX ERE path can take ``pattern``, else what needs perl (the
    construct, for the message on a host without perl). Invalid regexps still raise."""
    try:
        python_re_to_ere(pattern, pos, what, sentinel)
    except PythonOnlyRegex as exc:
        return exc.construct
    return None


def python_re_to_perl(pattern: str, pos: Position | None, what: str = "regexp") -> str:
    """Python regexp → the same regexp in perl's syntax (see the module docstring)."""
    check_python_regex(pattern, pos, what)
    if re.search(r"\(\?[a-zA-Z]*L", pattern):
        raise ModuleArgumentError(
            f"argument '{what}': the locale flag (?L) in {pattern!r} is not supported", pos
        )
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            i = _escape(pattern, i, out)
            continue
        if in_class:
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
            out.append("\\[" if c == "[" else c)
            i += 1
            continue
        if c == "[":
            in_class = True
            start = "[^" if pattern.startswith("[^", i) else "["
            out.append(start)
            i += len(start)
            if pattern.startswith("]", i):
                out.append("\\]")
                i += 1
            continue
        if c == "(" and pattern.startswith("(?P<", i):
            out.append("(?<")
            i += 4
            continue
        if c == "(" and (m := re.match(r"\(\?P=(\w+)\)", pattern[i:])):
            out.append(f"\\k<{m.group(1)}>")
            i += m.end()
            continue
        if c == "(" and (m := re.match(r"\(\?\(([A-Za-z_]\w*)\)", pattern[i:])):
            out.append(f"(?(<{m.group(1)}>)")
            i += m.end()
            continue
        if c == "{":
            m = _QUANTIFIER.match(pattern, i)
            if m and (m.group(1) or m.group(3)) and (m.group(2) or not m.group(3)):
                out.append("{" + (m.group(1) or "0") + m.group(2) + m.group(3) + "}")
                i = m.end()
            else:
                out.append("\\{")
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _escape(pattern: str, i: int, out: list[str]) -> int:
    n = pattern[i + 1]
    if n == "Z":
        out.append("\\z")
        return i + 2
    if n == "u":
        out.append("\\x{" + pattern[i + 2 : i + 6] + "}")
        return i + 6
    if n == "U":
        out.append("\\x{" + pattern[i + 2 : i + 10] + "}")
        return i + 10
    out.append(pattern[i : i + 2])
    return i + 2


_TEMPLATE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "f": "\f",
    "v": "\v",
    "a": "\a",
    "b": "\b",
    "\\": "\\",
}


def perl_template(template: str, compiled: re.Pattern, pos: Position | None, what: str) -> str:
    """A Python ``re.sub``/``match.expand`` template as literal text with group references
    ``\\x01N\\x01`` (names resolved to numbers here, as Python does; an unmatched group is
    empty), so the perl side only fills in groups and never parses Python's syntax."""
    if GROUP_MARK in template:
        raise ModuleArgumentError(f"argument '{what}': the byte \\x01 is not supported", pos)
    out: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        if c != "\\" or i + 1 == len(template):
            out.append(c)
            i += 1
            continue
        rest = template[i + 1 :]
        named = re.match(r"g<([^>]*)>", rest)
        digits = re.match(r"\d{1,2}", rest)
        if named:
            ref = named.group(1)
            number = int(ref) if ref.isdigit() else compiled.groupindex.get(ref)
            if number is None:
                raise ModuleArgumentError(
                    f"argument '{what}': unknown group name '{ref}' in {template!r}", pos
                )
            i += 1 + named.end()
        elif digits and not rest.startswith("0"):
            number = int(digits.group(0))
            i += 1 + digits.end()
        elif rest[0] in _TEMPLATE_ESCAPES:
            out.append(_TEMPLATE_ESCAPES[rest[0]])
            i += 2
            continue
        elif rest[0].isascii() and rest[0].isalnum():
            raise ModuleArgumentError(f"argument '{what}': bad escape \\{rest[0]}", pos)
        else:
            out.append(template[i : i + 2])  # Python keeps an unknown \& or \. as written
            i += 2
            continue
        if number > compiled.groups:
            raise ModuleArgumentError(
                f"argument '{what}': invalid group reference {number} in {template!r}", pos
            )
        out.append(f"{GROUP_MARK}{number}{GROUP_MARK}")
    return "".join(out)


def translate_patterns(
    patterns: dict[str, str | None], pos: Position | None, sentinel: str | None = None
) -> tuple[dict[str, str], str]:
    """A task's patterns (argument name → Python regexp or None) for the target: all as POSIX
    ERE, or — when one of them needs it — all for perl (one engine per task keeps their
    matches consistent). Returns (translations, why perl: "" for ERE); None becomes ""."""
    why = ""
    for what, pattern in patterns.items():
        if pattern is not None and not why:
            why = ere_or_perl_reason(pattern, pos, what, sentinel) or ""
    out = {}
    for what, pattern in patterns.items():
        if pattern is None:
            out[what] = ""
        elif why:
            out[what] = python_re_to_perl(pattern, pos, what)
        else:
            out[what] = python_re_to_ere(pattern, pos, what, sentinel)
    return out, why
