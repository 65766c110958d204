"""Checked conversions for the values of a workload spec (sizes, durations, ports …).

Each function takes the raw loaded value and the :class:`Field` it came from and either
returns the normalized value or raises :class:`SpecProblem` saying what was expected and
what was found, at the value's own file:line (the key's when the value carries none, as
YAML numbers and booleans do). ``spec.py`` collects these problems so that one run
reports every mistake in every file at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgeauto.errors import ParseError, Position, describe
from edgeauto.yamlsrc import position_of


class SpecProblem(ParseError):
    """One bad value in a workload spec (file:line, the field's path, expected, found)."""


@dataclass(frozen=True)
class Field:
    """Where a value sits: its dotted path in the spec (``resources.memory``) and position."""

    path: str
    pos: Position | None

    def child(self, key: str, parent) -> Field:
        pos_of = getattr(parent, "pos_of", None)
        return Field(
            f"{self.path}.{key}" if self.path else key, pos_of(key) if pos_of else self.pos
        )

    def item(self, index: int, value, parent=None) -> Field:
        """The field of ``parent[index]`` (its position even for a bare number)."""
        pos_at = getattr(parent, "pos_at", None)
        return Field(
            f"{self.path}[{index}]", pos_at(index) if pos_at else position_of(value, self.pos)
        )

    def at(self, value) -> Position | None:
        """The value's own position when it has one, else the key's."""
        return position_of(value, self.pos)

    def bad(self, value, expected: str, hint: str | None = None) -> SpecProblem:
        return SpecProblem(
            f"{self.path}: expected {expected}, found {describe(value)}", self.at(value), hint
        )


def text(value, field: Field, expected: str = "a string") -> str:
    """A non-empty string (numbers are not silently turned into names)."""
    if not isinstance(value, str) or not value.strip():
        raise field.bad(value, expected)
    return str(value)


def boolean(value, field: Field) -> bool:
    if not isinstance(value, bool):
        raise field.bad(value, "true or false")
    return value


def integer(value, field: Field, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum]; booleans and "3" strings are refused."""
    words = f"a whole number >= {minimum}" + (f" and <= {maximum}" if maximum else "")
    if isinstance(value, bool) or not isinstance(value, int):
        raise field.bad(value, words)
    if value < minimum or (maximum is not None and value > maximum):
        raise field.bad(value, words)
    return value


def string_list(value, field: Field, expected: str = "a list of strings") -> list[str]:
    """A list of non-empty strings; a single string is a list of one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise field.bad(value, expected)
    return [text(v, field.item(i, v, value), "a non-empty string") for i, v in enumerate(value)]


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?|k|B)?\s*$")
_SIZE_UNITS = {
    None: 1,
    "B": 1,
    "k": 1000,
    "K": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
}
SIZE_WORDS = "a size like 256Mi, 1Gi, 512M or a number of bytes"


def size(value, field: Field) -> int:
    """Bytes from ``256Mi``/``1Gi`` (binary), ``512M``/``1G`` (decimal) or a plain number.

    Docker's lowercase ``512m`` is refused rather than guessed: in Kubernetes it means
    milli-bytes, in Docker MiB, and a limit off by 2^20 is worse than an error.
    """
    if isinstance(value, bool):
        raise field.bad(value, SIZE_WORDS)
    if isinstance(value, int | float):
        amount = value
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        amount = float(match.group(1)) * _SIZE_UNITS[match.group(2)]
    else:
        hint = None
        if isinstance(value, str) and re.match(r"^\s*\d+(\.\d+)?\s*[mgt]b?\s*$", value, re.I):
            number = re.match(r"\s*([\d.]+)\s*(\w)", value)
            assert number is not None
            unit = number.group(2).upper()
            hint = f"did you mean {number.group(1)}{unit}i (binary) or {number.group(1)}{unit} (decimal)?"
        raise field.bad(value, SIZE_WORDS, hint)
    if amount <= 0 or int(amount) != amount:
        raise field.bad(value, SIZE_WORDS + " (a whole number of bytes > 0)")
    return int(amount)


def format_size(amount: int) -> str:
    """The shortest exact binary spelling: 268435456 → 256Mi, 1536Mi → 1536Mi, 1000 → 1000."""
    for unit in ("Ti", "Gi", "Mi", "Ki"):
        step = _SIZE_UNITS[unit]
        if amount and amount % step == 0:
            return f"{amount // step}{unit}"
    if amount >= 1024**2:
        return f"{amount / 1024**2:.1f}Mi"
    return str(amount)


def cpus(value, field: Field) -> float:
    """CPUs as a number (``0.5``) or Kubernetes millicores (``500m``)."""
    words = "a number of CPUs > 0 like 0.5, 2 or 500m"
    if isinstance(value, bool):
        raise field.bad(value, words)
    amount: float | None = None
    if isinstance(value, int | float):
        amount = float(value)
    elif isinstance(value, str):
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(m?)\s*$", value)
        if match:
            amount = float(match.group(1)) / (1000 if match.group(2) else 1)
    if amount is None or amount <= 0:
        raise field.bad(value, words)
    return amount


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
DURATION_WORDS = "a duration like 10s, 2m, 1h30m, 500ms or a number of seconds"


def duration(value, field: Field, allow_zero: bool = True) -> float:
    """Seconds from ``10s``/``2m``/``1h30m``/``500ms`` or a plain number of seconds."""
    if isinstance(value, bool):
        raise field.bad(value, DURATION_WORDS)
    seconds: float | None = None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        compact = value.replace(" ", "")
        parts = _DURATION_PART.findall(compact)
        if parts and "".join(n + u for n, u in parts) == compact:
            scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
            seconds = sum(float(n) * scale[u] for n, u in parts)
        elif re.fullmatch(r"\d+(\.\d+)?", compact):
            seconds = float(compact)
    if seconds is None or seconds < 0 or (seconds == 0 and not allow_zero):
        raise field.bad(value, DURATION_WORDS + ("" if allow_zero else " (> 0)"))
    return seconds


PORT_WORDS = "a port like 8080, '8080:80', '5353:53/udp' or {host: 8080, container: 80}"


def port_number(value, field: Field) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return integer(value, field, 1, 65535)


def port(value, field: Field) -> tuple[int, int, str]:
    """``(host, container, proto)`` from ``8080``, ``"8080:80/udp"`` or a mapping."""
    if isinstance(value, bool):
        raise field.bad(value, PORT_WORDS)
    if isinstance(value, int):
        number = port_number(value, field)
        return number, number, "tcp"
    if isinstance(value, dict):
        return _port_mapping(value, field)
    if not isinstance(value, str):
        raise field.bad(value, PORT_WORDS)
    match = re.fullmatch(r"\s*(\d+)(?::(\d+))?(?:/(\w+))?\s*", value)
    if not match:
        raise field.bad(value, PORT_WORDS)
    proto = match.group(3) or "tcp"
    if proto not in ("tcp", "udp"):
        raise SpecProblem(
            f"{field.path}: expected protocol tcp or udp, found {proto!r}", field.at(value)
        )
    host = port_number(match.group(1), field)
    return host, port_number(match.group(2) or match.group(1), field), proto


def _port_mapping(value: dict, field: Field) -> tuple[int, int, str]:
    known = ("host", "container", "proto")
    for key in value:
        if key not in known:
            raise unknown_key(key, known, field, value)
    if "container" not in value and "host" not in value:
        raise field.bad(value, "a mapping with 'container' (and optionally 'host', 'proto')")
    container = port_number(
        value.get("container", value.get("host")), field.child("container", value)
    )
    host = port_number(value.get("host", container), field.child("host", value))
    proto = value.get("proto", "tcp")
    if proto not in ("tcp", "udp"):
        raise field.child("proto", value).bad(proto, "tcp or udp")
    return host, container, str(proto)


def unknown_key(key, known, field: Field, parent) -> SpecProblem:
    from edgeauto.errors import did_you_mean

    where = f"in {field.path}" if field.path else "in a workload"
    pos = getattr(parent, "pos_of", lambda _k: field.pos)(key)
    return SpecProblem(
        f"unknown key {str(key)!r} {where}: expected one of {', '.join(known)}",
        pos,
        did_you_mean(str(key), known),
    )
