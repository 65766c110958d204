"""Helpers shared by the package modules (apt, package, apk, opkg, dpkg_selections, pip …).

The shell functions run the package tools and report their raw output in fields; these
helpers turn that into Ansible's result keys, the same way for every manager.
"""

from __future__ import annotations

import re

from edgeauto.modules.base import split_lines


def letters(pairs: list[tuple[str, object]]) -> str:
    """Boolean options as the letter string the package functions take ('' = none set)."""
    return "".join(letter for letter, on in pairs if on)


def parse_apt_diff(output: str) -> dict[str, str]:
    """Ansible's apt ``diff``: apt-get's plan, from after "Reading state information..." up to
    and including the "N upgraded, …" summary line."""
    lines = output.splitlines()
    start = (
        lines.index("Reading state information...")
        if "Reading state information..." in lines
        else -1
    )
    end = next(
        (i for i, line in enumerate(lines) if re.match(r"[0-9]+ (packages )?upgraded", line)),
        len(lines),
    )
    return {"prepared": "\n".join(lines[start + 1 : end + 1])}


def command_output(
    out: dict, fields: dict, stdout: str = "apt_out", stderr: str = "apt_err"
) -> None:
    """Put a tool's captured output under Ansible's stdout/stderr(_lines) keys."""
    for key, field in (("stdout", stdout), ("stderr", stderr)):
        value = fields.pop(field, "")
        out[key] = value
        out[f"{key}_lines"] = split_lines(value)


def to_int(value, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default
