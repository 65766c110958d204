"""Helpers shared by the system-configuration modules (sysctl, pam_limits, cron, hostname,
timezone, alternatives, mount, modprobe, iptables): flag strings for the shell functions and the
conversion of their string fields back into Ansible's result types."""

from __future__ import annotations

from edgeauto.modules.base import standard_result


def letters(**on: object) -> str:
    """The FLAGS parameter: one letter per true option ('-' when none), e.g. ``b=True``."""
    return "".join(name for name, value in on.items() if value) or "-"


def lines_field(value: str | None) -> list[str]:
    """A newline-separated list field ('' = empty list)."""
    return [line for line in (value or "").split("\n") if line]


def sys_result(record: dict, *, ints: tuple[str, ...] = (), lists: tuple[str, ...] = ()) -> dict:
    """standard_result plus typed keys: ``ints`` become int, ``lists`` become lists of lines;
    ``backup_file`` is kept only when a backup was made (as Ansible does)."""
    out = standard_result(record)
    for key in ints:
        if key in out and str(out[key]).lstrip("-").isdigit():
            out[key] = int(out[key])
    for key in lists:
        if key in out or not out.get("failed"):
            out[key] = lines_field(out.get(key))
    if out.get("backup_file") == "":
        del out["backup_file"]
    return out
