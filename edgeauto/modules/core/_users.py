"""Helpers shared by the account modules (group, user, getent, authorized_key, known_hosts).

Not a module (the registry skips ``_*`` files). The shell side of group/user shares
``remote/accounts.sh`` (lookups, id allocation, locked atomic edits of the /etc files).
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position

# What a name in /etc/passwd or /etc/group may hold without breaking the file format.
_BAD_NAME = re.compile(r"[:\n,\s]|^-|^$")


def account_name(value, what: str, pos: Position | None) -> str:
    """A user or group name that cannot corrupt the colon-separated databases."""
    name = str(value)
    if _BAD_NAME.search(name):
        raise ModuleArgumentError(
            f"argument '{what}': invalid name {name!r} (no ':', ',', whitespace, leading '-')",
            pos,
        )
    return name


def no_colon(value, what: str, pos: Position | None) -> str:
    """A field of an account entry (comment, home, shell): no ':' nor newline."""
    text = "" if value is None else str(value)
    if ":" in text or "\n" in text:
        raise ModuleArgumentError(f"argument '{what}': ':' and newlines are not allowed", pos)
    return text


def int_field(fields: dict, key: str) -> None:
    """Turn a numeric string field of a record into an int in place (Ansible returns ints)."""
    value = fields.get(key)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        fields[key] = int(value)
