"""Compose one host's variables for one task, in Ansible's precedence order.

Lowest first (later layers win, top-level keys replace — Ansible's default ``hash_behaviour``):

 1. role defaults (every role of the play, then the current role's)
 2. inventory vars (inline, group_vars/, host_vars/ — merged by the inventory)
 3. facts: ``ansible_facts`` and the ``ansible_*`` names injected from it
 4. play ``vars``, then ``vars_files``
 5. role ``vars`` (play roles, then the current role's)
 6. block vars (outer to inner), then task vars
 7. ``include_vars``, ``set_fact`` and ``register`` values of this host
 8. role params, include params
 9. extra vars (``-e``)
10. magic variables (inventory_hostname, groups, hostvars, play_hosts, omit …)

Why a function and not a merged dict kept per host: layers change at different rates (facts
per play, set_fact per task) and the composition is cheap next to a round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def inject_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """``ansible_facts`` plus each fact as ``ansible_<name>`` (INJECT_FACTS_AS_VARS=True)."""
    out: dict[str, Any] = {"ansible_facts": dict(facts)}
    for key, value in facts.items():
        name = key if str(key).startswith("ansible_") else f"ansible_{key}"
        out[name] = value
    return out


def compose(layers: list[Mapping[str, Any] | None]) -> dict[str, Any]:
    """Merge layers, lowest precedence first."""
    out: dict[str, Any] = {}
    for layer in layers:
        if layer:
            out.update(layer)
    return out


class HostVarsView(Mapping):
    """The ``hostvars`` magic variable: every inventory host's vars, built on first access.

    Each entry holds the host's inventory vars, facts and set_fact/register values — what a
    task on another host can see in Ansible. Built lazily because fleets are large and most
    templates never touch ``hostvars``.
    """

    def __init__(self, lookup, names):
        self._lookup = lookup
        self._names = list(names)
        self._cache: dict[str, dict] = {}

    def __getitem__(self, name: str) -> dict:
        if name not in self._cache:
            value = self._lookup(name)
            if value is None:
                raise KeyError(name)
            self._cache[name] = value
        return self._cache[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._names
