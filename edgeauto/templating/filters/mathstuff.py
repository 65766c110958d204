"""Math and size filters (Ansible's ``mathstuff.py``)."""

from __future__ import annotations

import math
import re

from edgeauto.errors import TemplateError


def human_to_bytes(size, default_unit=None, isbits=False):
    m = re.match(r"^\s*(\d*\.?\d*)\s*([A-Za-z]+)?\s*$", str(size))
    if not m or not m.group(1):
        raise TemplateError(f"human_to_bytes: cannot parse '{size}'")
    number = float(m.group(1))
    unit = (m.group(2) or default_unit or "B")[0].upper()
    power = "BKMGTPEZY".find(unit)
    if power < 0:
        raise TemplateError(f"human_to_bytes: unknown unit in '{size}'")
    return int(round(number * (1 << (10 * power))))


_SIZES = (("Y", 1 << 80), ("Z", 1 << 70), ("E", 1 << 60), ("P", 1 << 50), ("T", 1 << 40),
          ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1))  # fmt: skip


def human_readable(size, isbits=False, unit=None) -> str:
    base = "bits" if isbits else "Bytes"
    try:
        size = float(size)
    except (TypeError, ValueError):
        raise TemplateError(f"human_readable: cannot interpret {size!r}") from None
    suffix, limit = "B", 1
    for suffix, limit in _SIZES:
        if (unit is None and size >= limit) or (unit is not None and unit.upper() == suffix[0]):
            break
    label = suffix + base[0] if limit != 1 else base
    return f"{size / limit:.2f} {label}"


def log(x, base=None):
    return math.log(x) if base is None else math.log(x, base)


def power(x, y):
    return math.pow(x, y)


def root(x, base=2):
    return x ** (1.0 / base)
