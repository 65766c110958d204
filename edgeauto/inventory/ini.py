"""INI inventories, read the way Ansible's ``ini`` plugin reads them.

Sections are ``[group]`` (hosts), ``[group:children]`` and ``[group:vars]``; lines before
any section belong to ``ungrouped``. Values (``k=v`` on host lines and in ``:vars``) are
Python literals when they parse as one (``1`` -> int, ``True`` -> bool, ``[1, 2]`` -> list)
and strings otherwise (``yes`` stays ``'yes'``). Host lines are split like a shell (quotes,
``#`` comments); ``:vars`` lines are split at the first ``=`` only. A ``:children`` or
``:vars`` section may name a group defined later in the file, but not one never defined.
"""

from __future__ import annotations

import ast
import re
import shlex
import warnings

from edgeauto.errors import InventoryError, Position
from edgeauto.inventory.ranges import add_host_entry

_SECTION = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUP_NAME = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")


def parse_value(text: str):
    """Ansible's INI value typing: a Python literal if it is one, else the text itself."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    return _plain(value)


def _plain(value):
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is ...:
        return "..."
    if isinstance(value, (complex, bytes)):
        return str(value)
    return value


def populate_ini(inventory, path: str, text: str) -> None:
    """Add the hosts, groups and vars of one INI file to ``inventory``."""
    pending: dict[str, dict] = {}  # groups named before being defined
    group, state = "ungrouped", "hosts"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        pos = Position(path, lineno)
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        m = _SECTION.match(line)
        if m:
            group, state = m.group(1), m.group(2) or "hosts"
            if state not in ("hosts", "children", "vars"):
                raise InventoryError(
                    f"section [{line[1:].split(']')[0]}] has unknown type '{state}'",
                    pos,
                    hint="expected [group], [group:children] or [group:vars]",
                )
            if group not in inventory.groups:
                if state == "vars" and group not in pending:
                    pending[group] = {"line": lineno, "state": "vars", "parents": []}
                inventory.add_group(group, pos=pos)
            if group in pending and state != "vars":
                if pending[group]["state"] == "children":
                    _resolve_pending(inventory, group, pending)
                else:
                    del pending[group]
            continue
        if line.startswith("[") and line.endswith("]"):
            raise InventoryError(
                f"invalid section header {line!r}",
                pos,
                hint="no spaces or extra ':' inside [ ]",
            )
        if state == "hosts":
            _host_line(inventory, group, line, pos)
        elif state == "vars":
            if "=" not in line:
                raise InventoryError(f"expected key=value in [{group}:vars], found {line!r}", pos)
            key, value = (part.strip() for part in line.split("=", 1))
            inventory.set_group_var(group, key, parse_value(value), pos)
        else:
            gm = _GROUP_NAME.match(line)
            if not gm:
                raise InventoryError(
                    f"expected a group name in [{group}:children], found {line!r}", pos
                )
            child = gm.group(1)
            if child in inventory.groups:
                inventory.add_child(group, child, pos=pos)
            elif child in pending:
                pending[child]["parents"].append(group)
            else:
                pending[child] = {"line": lineno, "state": "children", "parents": [group]}
    for name, decl in pending.items():
        pos = Position(path, decl["line"])
        if decl["state"] == "vars":
            raise InventoryError(f"section [{name}:vars] is for undefined group '{name}'", pos)
        raise InventoryError(
            f"section [{decl['parents'][-1]}:children] includes undefined group '{name}'",
            pos,
            hint=f"define it with a [{name}] section",
        )


def _resolve_pending(inventory, group: str, pending: dict) -> None:
    for parent in pending[group]["parents"]:
        inventory.add_child(parent, group)
        if parent in pending and pending[parent]["state"] == "children":
            _resolve_pending(inventory, parent, pending)
    del pending[group]


def _host_line(inventory, group: str, line: str, pos: Position) -> None:
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError as exc:
        raise InventoryError(f"cannot split host line {line!r}: {exc}", pos) from None
    if not tokens:
        return
    entry = tokens[0]
    if entry.endswith(":") and not entry.endswith("::"):
        raise InventoryError(
            f"invalid host {entry!r}: a trailing ':' must be followed by a port", pos
        )
    if entry == "---":
        raise InventoryError("invalid host '---' (is this a YAML file with an INI name?)", pos)
    variables = {}
    for token in tokens[1:]:
        if "=" not in token:
            raise InventoryError(f"expected key=value after host {entry!r}, found {token!r}", pos)
        key, value = token.split("=", 1)
        variables[key] = parse_value(value)
    add_host_entry(inventory, group, entry, variables, pos)
