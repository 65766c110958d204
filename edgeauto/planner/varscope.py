"""Compose one host's variables for one task, in Ansible's precedence order.

Lowest first (later layers win, top-level keys replace — Ansible's default ``hash_behaviour``):

 1. role defaults (every role of the play, then the current role's)
 2. inventory vars (inline, group_vars/, host_vars/ — merged by the inventory)
 3. facts: ``ansible_facts`` and the ``ansible_*`` names injected from it
 4. play ``vars``, then ``vars_files``
 5. role ``vars`` (play roles, then the current role's)
 6. block vars (outer to inner), then task vars
 7. ``include_vars`` values, then ``set_fact`` and ``register`` values of this host
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
