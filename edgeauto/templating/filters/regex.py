"""Regular-expression filters (Ansible's ``regex_*``)."""

from __future__ import annotations

import re

from edgeauto.errors import TemplateError


def _flags(ignorecase=False, multiline=False) -> int:
    return (re.I if ignorecase else 0) | (re.M if multiline else 0)


def regex_replace(
    value="",
    pattern="",
    replacement="",
    ignorecase=False,
    multiline=False,
    count=0,
    mandatory_count=0,
):
    value = str(value)
    rx = re.compile(pattern, _flags(ignorecase, multiline))
    out, n = rx.subn(replacement, value, count=count)
    if mandatory_count and n != mandatory_count:
        raise TemplateError(f"regex_replace: expected {mandatory_count} matches, found {n}")
    return out


def regex_findall(value, regex, multiline=False, ignorecase=False):
    return re.findall(regex, str(value), _flags(ignorecase, multiline))


def regex_search(value, regex, *args, **kw):
    groups: list[int | str] = []
    for arg in args:
        m = re.match(r"\\g<(\S+)>", arg) if arg.startswith("\\g") else re.match(r"\\(\d+)", arg)
        if not m:
            raise TemplateError(
                f"regex_search: unknown argument {arg!r} (expected '\\\\1' or '\\\\g<name>')"
            )
        groups.append(m.group(1) if arg.startswith("\\g") else int(m.group(1)))
    match = re.search(regex, str(value), _flags(kw.get("ignorecase"), kw.get("multiline")))
    if not match:
        return None
    if not groups:
        return match.group()
    return [match.group(g) for g in groups]


def regex_escape(string, re_type="python"):
    if re_type == "python":
        return re.escape(str(string))
    if re_type == "posix_basic":
        return re.sub(r"([].[^$*\\])", r"\\\1", str(string))
    raise TemplateError(f"regex_escape: re_type '{re_type}' is not supported (python, posix_basic)")
