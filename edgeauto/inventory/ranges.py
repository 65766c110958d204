"""Host names with ranges and ports, as written in inventories.

``edge[01:20].example`` expands to 20 zero-padded names, ``node-[a:f]`` to letters, and
``[1:10:2]`` takes a step; several ranges in one name multiply. ``host:2222`` and
``[2001:db8::1]:2222`` carry a port. Kept separate from the loaders because INI, YAML and
comma-list sources all accept the same syntax.
"""

from __future__ import annotations

import re
import string

from edgeauto.errors import InventoryError, Position

_BRACKETED_IPV6 = re.compile(r"^\[([0-9a-fA-F:.]*:[0-9a-fA-F:.]*)\](?::([0-9]+))?$")


def has_range(name: str) -> bool:
    return "[" in name


def split_port(text: str) -> tuple[str, int | None]:
    """Split an optional ``:port`` from a host (``[v6]:port`` for IPv6; bare IPv6 has none)."""
    text = text.strip()
    m = _BRACKETED_IPV6.match(text)
    if m and m.group(1).count(":") >= 2:
        return m.group(1), int(m.group(2)) if m.group(2) else None
    outside = _colons_outside_brackets(text)
    if len(outside) == 1:
        idx = outside[0]
        port = text[idx + 1 :]
        if port.isdigit():
            return text[:idx], int(port)
    return text, None


def _colons_outside_brackets(text: str) -> list[int]:
    depth = 0
    found = []
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        elif ch == ":" and depth == 0:
            found.append(i)
    return found


def expand_range(name: str, pos: Position | None = None) -> list[str]:
    """All host names a ranged name stands for (the name itself when it has no range)."""
    if not has_range(name):
        return [name]
    head, sep, rest = name.partition("[")
    inner, sep2, tail = rest.partition("]")
    if not sep2:
        raise InventoryError(f"host range in '{name}' has no closing ']'", pos)
    bounds = inner.split(":")
    if len(bounds) not in (2, 3):
        raise InventoryError(
            f"host range '[{inner}]' in '{name}' must be begin:end or begin:end:step", pos
        )
    beg, end = bounds[0] or "0", bounds[1]
    step_text = bounds[2] if len(bounds) == 3 else "1"
    if not end:
        raise InventoryError(f"host range '[{inner}]' in '{name}' must specify an end", pos)
    try:
        step = int(step_text)
        if step < 1:
            raise ValueError
    except ValueError:
        raise InventoryError(
            f"host range step in '{name}' must be a positive integer, found '{step_text}'", pos
        ) from None
    items = _range_items(name, inner, beg, end, step, pos)
    result: list[str] = []
    for item in items:
        result.extend(expand_range(f"{head}{item}{tail}", pos))
    return result


def _range_items(name, inner, beg, end, step, pos) -> list[str]:
    letters = string.ascii_letters
    if beg in letters and end in letters and len(beg) == 1 and len(end) == 1:
        i_beg, i_end = letters.index(beg), letters.index(end)
        if i_beg > i_end:
            raise InventoryError(f"host range '[{inner}]' in '{name}' must have begin <= end", pos)
        return list(letters[i_beg : i_end + 1 : step])
    if not (beg.isdigit() and end.isdigit()):
        raise InventoryError(
            f"host range '[{inner}]' in '{name}' must be two numbers or two letters", pos
        )
    width = len(beg) if beg[0] == "0" and len(beg) > 1 else 0
    if width and len(end) != width:
        raise InventoryError(
            f"host range '[{inner}]' in '{name}': zero-padded begin and end must have the "
            "same length",
            pos,
        )
    if int(beg) > int(end):  # Ansible silently yields no host here; that is always a typo
        raise InventoryError(f"host range '[{inner}]' in '{name}' must have begin <= end", pos)
    return [str(i).zfill(width) for i in range(int(beg), int(end) + 1, step)]


def expand_host_pattern(text: str, pos: Position | None = None) -> tuple[list[str], int | None]:
    """Host names and port from an inventory host entry like ``edge[01:03]:2222``."""
    host, port = split_port(text)
    return expand_range(host, pos), port


def add_host_entry(inventory, group: str, entry: str, variables: dict, pos=None) -> None:
    """Add every host one INI line or YAML key names (``web[01:03]:2222``) to ``group``.

    The entry's port becomes ``ansible_port`` first, so an explicit ``ansible_port`` among
    the entry's own ``variables`` wins, as in Ansible."""
    names, port = expand_host_pattern(entry, pos)
    for name in names:
        host = inventory.add_host(name, group, pos=pos)
        if port is not None:
            host.vars["ansible_port"] = port
        for key, value in variables.items():
            host.vars[str(key)] = value
