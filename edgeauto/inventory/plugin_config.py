"""Checks shared by the ``plugin:`` YAML sources (OpenStack, libvirt).

Both read a mapping of options, refuse unknown names and wrong types with the option's
file:line:col, accept ``inventory_hostname: name|uuid`` and a positive ``timeout``, and turn
cloud/hypervisor names into group names. Keeping these here makes both sources report the
same mistake with the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from edgeauto.errors import InventoryError, Position, did_you_mean

# option -> (accepted Python types, what to say when wrong)
OptionTable = dict[str, tuple[tuple[type, ...], str]]


def pos_finder(config, path: str) -> Callable[[str], Position]:
    """``key -> Position`` of a loaded YAML mapping (the file itself for a plain dict)."""
    return getattr(config, "pos_of", lambda _key: Position(path))


def check_option_types(
    config: dict,
    table: OptionTable,
    kind: str,
    pos_of: Callable[[str], Position],
    also_known: Iterable[str] = (),
) -> None:
    """Every key must be in ``table`` and hold one of its types (a bool is never a number)."""
    for key, value in config.items():
        if key not in table:
            hint = did_you_mean(str(key), [*table, *also_known])
            raise InventoryError(f"unknown {kind} inventory option '{key}'", pos_of(key), hint)
        types, expected = table[key]
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise InventoryError(
                f"option '{key}' must be {expected}, found {type(value).__name__} {value!r}",
                getattr(value, "pos", None) or pos_of(key),
            )


def check_plugin_name(config: dict, names: tuple[str, ...], what: str, pos) -> None:
    """A ``plugin:`` value, when present, must be one of this source's ``names``."""
    plugin = config.get("plugin")
    if plugin is not None and str(plugin) not in names:
        raise InventoryError(
            f"plugin '{plugin}' is not the {what} inventory (expected {' or '.join(names)})",
            pos,
        )


def host_naming(config: dict, pos_of: Callable[[str], Position]) -> str:
    """``inventory_hostname``: hosts are named by ``name`` (default) or ``uuid``."""
    naming = str(config.get("inventory_hostname", "name"))
    if naming not in ("name", "uuid"):
        raise InventoryError(
            f"inventory_hostname must be 'name' or 'uuid', found '{naming}'",
            pos_of("inventory_hostname"),
        )
    return naming


def positive_timeout(config: dict, default: float, pos_of: Callable[[str], Position]) -> float:
    """``timeout`` in seconds; zero or less would mean "give up before asking"."""
    timeout = float(config.get("timeout", default))
    if timeout <= 0:
        raise InventoryError(f"timeout must be > 0, found {timeout:g}", pos_of("timeout"))
    return timeout


def safe_group_name(name: str) -> str:
    """Keep letters, digits, ``_ - .``; anything else (spaces, ``/``, ``:``) becomes ``_``."""
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in str(name))
