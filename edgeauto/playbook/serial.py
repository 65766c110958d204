"""What a ``serial:`` value may be and how it splits hosts into batches — one definition for
the play keyword (Ansible's) and the task/handler keyword (an edgeauto extension).

A value is an integer (hosts per batch), a percentage string (``"30%"``: of the hosts being
split, rounded down, never below one) or a non-empty list of those whose last entry repeats
(``[1, "50%"]``: a canary, then halves). ``0``/``"0"`` means every host in one batch, as
ansible-playbook reads it. A template (``"{{ restart_batch }}"``) is kept as written by the
loader and checked with :func:`serial_problem` once rendered.

Lives in the playbook package (validation runs before any plan exists); the planner imports it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from edgeauto.errors import describe
from edgeauto.modules.spec import is_templated

_NUMBER = re.compile(r"\d+")
_PERCENT = re.compile(r"\d+(\.\d+)?%")

EXPECTED = "a number of hosts, a percentage like '30%' or a list of those"


def serial_problem(value: Any, *, templates_ok: bool = True) -> str | None:
    """Why ``value`` is not a usable ``serial:`` (the message's "expects … found …" part), or
    None when it is. Templates pass at load time (``templates_ok``) and are checked again
    after rendering (``templates_ok=False``)."""
    if isinstance(value, list):
        if not value:
            return f"'serial' expects {EXPECTED}, found an empty list"
        items = value
    else:
        items = [value]
    for item in items:
        if templates_ok and isinstance(item, str) and is_templated(item):
            continue
        if not _one_size_ok(item):
            return f"'serial' expects {EXPECTED}, found {describe(item)}"
    return None


def _one_size_ok(item: Any) -> bool:
    if isinstance(item, bool):
        return False
    if isinstance(item, int):
        return item >= 0
    if not isinstance(item, str):
        return False
    text = item.strip()
    if _NUMBER.fullmatch(text):
        return True
    return bool(_PERCENT.fullmatch(text)) and float(text[:-1]) <= 100


def is_no_serial(value: Any) -> bool:
    """``serial`` absent or 0: every host at once."""
    return value is None or (not isinstance(value, list) and str(value).strip() in ("", "0"))


def batch_size(entry: Any, total: int) -> int:
    """Hosts in one batch for one list entry, out of ``total`` hosts being split."""
    text = str(entry).strip()
    if text.endswith("%"):
        size = math.floor(total * float(text[:-1]) / 100.0)
    else:
        size = int(text)
    if size <= 0:  # 0 → all at once; a percentage never gives an empty batch
        return total if text in ("0",) else 1
    return size


def serial_batches(hosts: list, serial: Any) -> list[list]:
    """Split ``hosts`` (in their order) into consecutive batches for ``serial`` (a value that
    passed :func:`serial_problem`); the last list entry repeats, as in Ansible."""
    if not hosts:
        return []
    if is_no_serial(serial):
        return [list(hosts)]
    sizes = serial if isinstance(serial, list) else [serial]
    total = len(hosts)
    batches: list[list] = []
    index = 0
    step = 0
    while index < total:
        size = max(1, batch_size(sizes[min(step, len(sizes) - 1)], total))
        batches.append(list(hosts[index : index + size]))
        index += size
        step += 1
    return batches
