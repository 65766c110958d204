"""What every collector shares: the :class:`Section` record and small output readers.

A collector is one module of this package with ``SUBSET`` (the ``gather_subset`` it belongs
to), ``SECTIONS`` (its probes' shell text) and ``derive(sections, facts)`` (their parser),
kept side by side as pyinfra keeps ``FactBase.command()`` next to ``process()``.
"""

from __future__ import annotations

from dataclasses import dataclass


def _raw(command) -> str:
    """pyinfra fact commands are str or StringCommand; we need the shell text."""
    return command.get_raw_value() if hasattr(command, "get_raw_value") else str(command)


@dataclass(frozen=True)
class Section:
    name: str
    subset: str
    command: str


def one(sections: dict, name: str, default: str = "") -> str:
    lines = sections.get(name) or []
    return lines[0].strip() if lines and lines[0].strip() else default


def kv(lines) -> dict[str, str]:
    out = {}
    for line in lines or []:
        key, sep, value = line.partition(":")
        if sep:
            out.setdefault(key.strip(), value.strip())
    return out
