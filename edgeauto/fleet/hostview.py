"""What placement needs to know about a host, from its ``edgeauto_hw`` facts and hostvars.

Facts come either from the one facts round trip (``edgeauto.fleet.hwfacts``) or, when the
inventory gives a host an ``edgeauto_hw`` hostvar, from that variable: a **simulated
fleet** (tests and what-if plans over hardware you do not have). Such a host's
``facts_from`` says "hostvars (simulated)" and the plan prints it.

Labels are the hostvar ``edge_labels`` (a mapping) plus ``site`` and ``zone`` hostvars,
which win over the same keys in ``edge_labels``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edgeauto.errors import InventoryError
from edgeauto.yamlsrc import position_of

SIMULATED = "hostvars (simulated)"
GATHERED = "gathered"


@dataclass(frozen=True)
class HostView:
    name: str
    arch: str | None
    cpus: float | None
    memory: int | None  # bytes
    groups: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    accelerators: list[str] = field(default_factory=list)  # families and kinds
    kvm_usable: bool = False
    kvm_reason: str = ""
    arch_family: str | None = None
    facts_from: str = GATHERED
    unreachable: str | None = None  # why no facts could be read

    def to_json(self) -> dict:
        return {
            "arch": self.arch,
            "cpus": self.cpus,
            "memory": self.memory,
            "groups": list(self.groups),
            "labels": dict(self.labels),
            "accelerators": list(self.accelerators),
            "kvm_usable": self.kvm_usable,
            "facts_from": self.facts_from,
            "unreachable": self.unreachable,
        }


def views_from_inventory(inventory, facts_by_host: dict, hosts=None) -> list[HostView]:
    """One view per host; ``facts_by_host[name]`` is the gathered ``edgeauto_hw`` dict (or
    a facts dict holding it as ``edgeauto_hw``/``ansible_edgeauto_hw``), or a string saying
    why it could not be gathered. A hostvar ``edgeauto_hw`` is used when the host has no
    gathered ``edgeauto_hw``."""
    names = sorted(hosts if hosts is not None else inventory.hosts)
    views = []
    for name in names:
        hostvars = _rendered(name, inventory.host_vars(name))
        groups = inventory.group_names(name)
        labels = _labels(name, hostvars)
        gathered = _edge_hw_of(facts_by_host.get(name))
        if isinstance(gathered, dict):
            views.append(view_of(name, gathered, groups, labels, GATHERED))
        elif "edgeauto_hw" in hostvars:
            views.append(view_of(name, _checked(name, hostvars), groups, labels, SIMULATED))
        else:
            why = gathered if isinstance(gathered, str) else "no edgeauto_hw facts"
            views.append(HostView(name, None, None, None, groups, labels, unreachable=why))
    return views


def _edge_hw_of(gathered):
    """The ``edgeauto_hw`` fact inside whatever the caller gathered (None when absent)."""
    if not isinstance(gathered, dict):
        return gathered
    for key in ("edgeauto_hw", "ansible_edgeauto_hw"):
        if isinstance(gathered.get(key), dict):
            return gathered[key]
    return gathered if "arch" in gathered else None


def view_of(name: str, hw: dict, groups, labels, facts_from: str) -> HostView:
    """A view from one host's ``edgeauto_hw`` fact (the shape docs/edge.md describes)."""
    kvm = hw.get("kvm") or {}
    usable = bool(kvm.get("usable", hw.get("kvm_capable", False)))
    memory_mb = hw.get("memory_mb")
    count = (hw.get("cpu") or {}).get("count")
    accelerators = sorted(
        {str(a) for a in hw.get("accelerator_families") or []}
        | {str(a) for a in hw.get("accelerator_kinds") or []}
        | {
            str(acc.get(k))
            for acc in hw.get("accelerators") or []
            for k in ("family", "kind")
            if isinstance(acc, dict) and acc.get(k)
        }
    )
    return HostView(
        name=name,
        arch=hw.get("arch"),
        cpus=float(count) if count else None,
        memory=int(memory_mb) * 1024 * 1024 if memory_mb else None,
        groups=list(groups),
        labels=labels,
        accelerators=accelerators,
        kvm_usable=usable,
        kvm_reason="" if usable else str(kvm.get("reason") or kvm.get("state") or ""),
        arch_family=hw.get("arch_family"),
        facts_from=facts_from,
    )


PLACEMENT_VARS = ("edge_labels", "site", "zone", "edgeauto_hw")


def _rendered(name: str, hostvars: dict) -> dict:
    """The placement variables with templates rendered (``site: "{{ region }}"``), the way
    connection variables are; the other hostvars stay as they are."""
    from edgeauto.templating.templar import Templar

    templar = Templar({**hostvars, "inventory_hostname": name})
    return {k: templar.render(hostvars[k]) for k in PLACEMENT_VARS if k in hostvars}


def _labels(name: str, hostvars: dict) -> dict[str, str]:
    raw = hostvars.get("edge_labels") or {}
    if not isinstance(raw, dict):
        raise InventoryError(
            f"host {name}: edge_labels must be a mapping like {{site: paris}}, found "
            f"{type(raw).__name__}",
            position_of(raw),
        )
    labels = {str(k): str(v) for k, v in raw.items() if v is not None}
    for key in ("site", "zone"):
        if hostvars.get(key) is not None:
            labels[key] = str(hostvars[key])
    return labels


def _checked(name: str, hostvars: dict) -> dict:
    """A simulated ``edgeauto_hw`` must at least be a mapping with sane numbers."""
    hw = hostvars["edgeauto_hw"]
    problem = None
    if not isinstance(hw, dict):
        problem = f"must be a mapping, found {type(hw).__name__}"
    elif hw.get("memory_mb") is not None and not _number(hw["memory_mb"]):
        problem = f"memory_mb must be a number of MiB, found {hw['memory_mb']!r}"
    elif not isinstance(hw.get("cpu") or {}, dict):
        problem = "cpu must be a mapping like {count: 4}"
    elif (hw.get("cpu") or {}).get("count") is not None and not _number(hw["cpu"]["count"]):
        problem = f"cpu.count must be a number, found {hw['cpu']['count']!r}"
    if problem:
        raise InventoryError(f"host {name}: edgeauto_hw {problem}", position_of(hw))
    return hw


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
