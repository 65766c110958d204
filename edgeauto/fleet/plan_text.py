"""The plan as text: per workload where it goes and, for every excluded host, why; then per
host what it gets. What ``edgeauto workload plan`` prints."""

from __future__ import annotations

from collections import Counter

from edgeauto.fleet.hostview import GATHERED, SIMULATED
from edgeauto.fleet.placement import PlacementPlan, reason_kind
from edgeauto.fleet.specvalues import format_size


def facts_summary(plan: PlacementPlan) -> str:
    """``facts: 2 gathered, 1000 from hostvars (simulated), 1 unreachable``."""
    gathered = sum(1 for h in plan.hosts if h.unreachable is None and h.facts_from == GATHERED)
    simulated = sum(1 for h in plan.hosts if h.unreachable is None and h.facts_from == SIMULATED)
    unreachable = sum(1 for h in plan.hosts if h.unreachable is not None)
    parts = [f"{gathered} gathered"]
    if simulated:
        parts.append(f"{simulated} from hostvars edgeauto_hw (simulated)")
    if unreachable:
        parts.append(f"{unreachable} unreachable")
    return "facts: " + ", ".join(parts)


def needs_of(workload) -> str:
    """``memory 256Mi, cpus 0.5, runtime kata, 2 per host`` — what the workload asks for."""
    parts = []
    if workload.memory:
        parts.append(f"memory {format_size(workload.memory)}")
    if workload.cpus:
        parts.append(f"cpus {workload.cpus:g}")
    if workload.runtime != "runc":
        parts.append(f"runtime {workload.runtime}")
    p = workload.placement
    if p.per_host and p.per_host > 1:
        parts.append(f"{p.per_host} per host")
    if p.per_site:
        parts.append(f"{p.per_site} per site")
    if p.spread:
        parts.append(f"spread by {p.spread}")
    return ", ".join(parts)


def render_text(plan: PlacementPlan) -> str:
    total = len(plan.hosts)
    lines = [facts_summary(plan), ""]
    for w in plan.workloads:
        placed = plan.assigned[w.name]
        needs = needs_of(w)
        lines.append(
            f"workload {w.name} ({w.version}): {len(placed)} of {total} host(s)"
            + (f" [{needs}]" if needs else "")
        )
        lines.append("  placed on: " + (", ".join(placed) if placed else "no host"))
        excluded = plan.excluded[w.name]
        if excluded:
            counts = Counter(reason_kind(reason) for reason in excluded.values())
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.most_common())
            lines.append(f"  excluded: {len(excluded)} ({summary})")
            width = max(len(h) for h in excluded)
            lines.extend(f"    {host:<{width}}  {why}" for host, why in excluded.items())
        for value, why in plan.unmet[w.name].items():
            lines.append(f"  unmet {w.placement.spread} {value}: {why}")
        lines.append("")
    lines.append("hosts:")
    width = max((len(h.name) for h in plan.hosts), default=4)
    for h in plan.hosts:
        where = "/".join(h.labels[k] for k in ("site", "zone") if k in h.labels) or "-"
        if h.unreachable is not None:
            lines.append(f"  {h.name:<{width}}  {where:<12} unreachable: {h.unreachable}")
            continue
        gets = ", ".join(plan.on_host(h.name)) or "nothing"
        lines.append(f"  {h.name:<{width}}  {where:<12} {h.arch or '?':<8} -> {gets}")
    return "\n".join(lines) + "\n"
