"""YAML inventories, the shape Ansible's ``yaml`` plugin reads.

The top is a mapping of group names; each group may have ``hosts`` (host -> vars or
nothing), ``children`` (group -> the same group shape) and ``vars``. Every error points at
the offending key with file:line:col.
"""

from __future__ import annotations

from edgeauto.errors import InventoryError, describe
from edgeauto.inventory.ranges import add_host_entry
from edgeauto.yamlsrc import position_of

_SECTIONS = ("vars", "children", "hosts")


def populate_yaml(inventory, path: str, data) -> None:
    """Add the groups/hosts of an already loaded YAML document to ``inventory``."""
    if not data:
        raise InventoryError("YAML inventory is empty", position_of(data) or _pos(path))
    if not isinstance(data, dict):
        raise InventoryError(
            f"YAML inventory must be a mapping of group names, found {describe(data)}",
            position_of(data) or _pos(path),
        )
    for name, body in data.items():
        _group(inventory, path, name, body, data.pos_of(name) if hasattr(data, "pos_of") else None)


def _group(inventory, path, name, body, pos) -> str:
    if not isinstance(name, str):
        raise InventoryError(f"group name must be a string, found {name!r}", pos)
    if body is not None and not isinstance(body, dict):
        raise InventoryError(
            f"group '{name}' must be a mapping with hosts/children/vars, found {describe(body)}",
            pos,
        )
    inventory.add_group(name, pos=pos)
    if not body:
        return name
    for key, value in body.items():
        kpos = body.pos_of(key) if hasattr(body, "pos_of") else pos
        if key not in _SECTIONS:
            raise InventoryError(
                f"unexpected key '{key}' in group '{name}'",
                kpos,
                hint="only hosts, children and vars are valid",
            )
        if isinstance(value, str):  # Ansible accepts 'hosts: web1' as {web1: None}
            value = {value: None}
        if value is None:
            continue
        if not isinstance(value, dict):
            raise InventoryError(
                f"'{key}' of group '{name}' must be a mapping, found {describe(value)}", kpos
            )
        if key == "vars":
            for var, val in value.items():
                inventory.set_group_var(name, str(var), val, value.pos_of(var))
        elif key == "children":
            for child, child_body in value.items():
                cpos = value.pos_of(child) if hasattr(value, "pos_of") else kpos
                child = _group(inventory, path, child, child_body, cpos)
                inventory.add_child(name, child, pos=cpos)
        else:
            for entry, host_vars in value.items():
                hpos = value.pos_of(entry) if hasattr(value, "pos_of") else kpos
                _hosts(inventory, name, entry, host_vars, hpos)
    return name


def _hosts(inventory, group, entry, host_vars, pos) -> None:
    if not isinstance(entry, str):
        raise InventoryError(f"host name must be a string, found {entry!r} (quote numbers)", pos)
    if host_vars is not None and not isinstance(host_vars, dict):
        raise InventoryError(
            f"host '{entry}' must map to its variables (a mapping) or nothing, found a "
            f"{describe(host_vars)}",
            position_of(host_vars, pos),
        )
    add_host_entry(inventory, group, entry, host_vars or {}, pos)


def _pos(path):
    from edgeauto.errors import Position

    return Position(path)
