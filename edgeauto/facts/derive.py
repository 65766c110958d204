"""Turn the raw probe outputs into Ansible's fact names and shapes.

Only the facts playbooks actually use are built, with Ansible's key names and value types
(strings where Ansible has strings, e.g. ``distribution_major_version``; ints for sizes).
Parsers pyinfra already has are reused (LinuxDistribution, LsbRelease, Mounts, Hostname …).
Every derivation tolerates missing sections (a subset not gathered, a tool not installed).
Each collector in :mod:`edgeauto.facts.collectors` derives its own facts; this module runs
them in order and shapes the result for playbooks and ``setup``.
"""

from __future__ import annotations

from edgeauto.facts.collectors import COLLECTORS
from edgeauto.facts.collectors.base import one
from edgeauto.facts.collectors.user import date_time

__all__ = ["as_host_vars", "date_time", "derive_facts", "setup_output"]


def derive_facts(sections: dict[str, list[str]]) -> dict:
    facts: dict = {}
    subsets = (one(sections, "subset") or "min").split()
    facts["gather_subset"] = subsets
    for collector in COLLECTORS:  # min always; the others only when gathered
        if collector.SUBSET == "min" or collector.SUBSET in subsets:
            collector.derive(sections, facts)
    return facts


def as_host_vars(facts: dict) -> dict:
    """``{"ansible_facts": facts, "ansible_<key>": value …}``: how playbooks see the facts."""
    out = {"ansible_facts": facts}
    for key, value in facts.items():
        if key == "gather_subset":
            continue
        out[f"ansible_{key}"] = value
    return out


def setup_output(facts: dict) -> dict:
    """The JSON shape ``ansible -m setup`` prints: prefixed keys inside ``ansible_facts``."""
    body = {f"ansible_{k}" if k != "gather_subset" else k: v for k, v in facts.items()}
    body["module_setup"] = True
    return {"ansible_facts": body, "changed": False}
