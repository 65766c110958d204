"""Placement: which host runs which workload and, for every host left out, why.

Deterministic and explainable: hosts are taken in name order, workloads in the order given,
and each workload's memory/CPU is reserved on its hosts before the next one is placed, so
the same specs and facts always give the same plan and a later workload's "memory" reason
names the earlier ones that took the room. The rules, in the order a host is tested
(docs/workloads.md, "Placement"):

1. facts: a host whose facts could not be read is left out (unreachable);
2. ``arch``; 3. ``groups`` (any of them); 4. ``labels`` (every key; a list means any value);
5. ``accelerators`` (every one, by family or kind); 6. KVM (``kvm: true`` or runtime kata);
7. host ports already taken by an earlier workload; 8. memory; 9. CPUs — free after the
   earlier workloads' reservations, times ``per_host`` copies;
10. ``per_site: N`` keeps the first N candidates of each site (round-robin over ``spread``
    values inside the site when spread is ``zone``); ``spread: KEY`` also reports each
    KEY value (site, zone) that got no copy at all, in ``unmet``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edgeauto.fleet.hostview import HostView
from edgeauto.fleet.spec import Workload
from edgeauto.fleet.specvalues import format_size

__all__ = ["HostView", "PlacementPlan", "host_views", "place", "reason_kind"]


class ByWorkload(dict):
    """A dict keyed by workload name that also accepts the :class:`Workload` itself."""

    @staticmethod
    def _key(key):
        return key.name if isinstance(key, Workload) else key

    def __getitem__(self, key):
        return super().__getitem__(self._key(key))

    def __contains__(self, key) -> bool:
        return super().__contains__(self._key(key))

    def get(self, key, default=None):
        return super().get(self._key(key), default)


@dataclass
class PlacementPlan:
    """``assigned[name]`` = host names (sorted); ``excluded[name][host]`` = the reason."""

    workloads: list[Workload]
    hosts: list[HostView]
    assigned: ByWorkload = field(default_factory=ByWorkload)
    excluded: ByWorkload = field(default_factory=ByWorkload)
    copies: ByWorkload = field(default_factory=ByWorkload)
    unmet: ByWorkload = field(default_factory=ByWorkload)

    def on_host(self, host: str) -> list[str]:
        """The workloads placed on ``host``, in spec order."""
        return [w.name for w in self.workloads if host in self.assigned[w.name]]

    def to_json(self) -> dict:
        return {
            "workloads": {
                w.name: {
                    "version": w.version,
                    "copies_per_host": self.copies[w.name],
                    "assigned": list(self.assigned[w.name]),
                    "excluded": dict(self.excluded[w.name]),
                    "unmet": dict(self.unmet[w.name]),
                }
                for w in self.workloads
            },
            "hosts": {h.name: h.to_json() | {"placed": self.on_host(h.name)} for h in self.hosts},
        }


@dataclass
class _Room:
    """What is left on one host while workloads are placed in order."""

    memory: int | None
    cpus: float | None
    taken: list[tuple[str, int, float]] = field(default_factory=list)  # (workload, mem, cpus)
    ports: dict[tuple[int, str], str] = field(default_factory=dict)


def place(workloads: list[Workload], hosts: list[HostView]) -> PlacementPlan:
    hosts = sorted(hosts, key=lambda h: h.name)
    plan = PlacementPlan(list(workloads), hosts)
    rooms = {h.name: _Room(h.memory, h.cpus) for h in hosts}
    for workload in workloads:
        copies = workload.placement.per_host or 1
        excluded: dict[str, str] = {}
        candidates = []
        for host in hosts:
            reason = _why_not(workload, host, rooms[host.name], copies)
            if reason:
                excluded[host.name] = reason
            else:
                candidates.append(host)
        chosen = _per_site(workload, candidates, excluded)
        for host in chosen:
            _reserve(rooms[host.name], workload, copies)
        plan.assigned[workload.name] = sorted(h.name for h in chosen)
        plan.excluded[workload.name] = dict(sorted(excluded.items()))
        plan.copies[workload.name] = copies
        plan.unmet[workload.name] = _unmet(workload, hosts, chosen, excluded)
    return plan


def _why_not(w: Workload, host: HostView, room: _Room, copies: int) -> str | None:
    p = w.placement
    if host.unreachable is not None:
        return f"unreachable: {host.unreachable}"
    if p.arch and host.arch not in p.arch:
        return f"arch {host.arch or 'unknown'} not in [{', '.join(p.arch)}]"
    if p.groups and not set(p.groups) & set(host.groups):
        return f"groups: in none of [{', '.join(p.groups)}]"
    for key, wanted in p.labels.items():
        have = host.labels.get(key)
        if have not in wanted:
            want = f"{key}={wanted[0]}" if len(wanted) == 1 else f"{key} in [{', '.join(wanted)}]"
            found = f"{key}={have}" if have is not None else f"no {key} label"
            return f"labels: {found}, wanted {want}"
    missing = [a for a in p.accelerators if a not in host.accelerators]
    if missing:
        has = ", ".join(host.accelerators) or "none"
        return f"accelerators: no {', '.join(missing)} (has {has})"
    if (w.runtime == "kata" or p.kvm) and not host.kvm_usable:
        why = "for a kata workload" if w.runtime == "kata" else "(placement.kvm: true)"
        detail = f": {host.kvm_reason}" if host.kvm_reason else ""
        return f"kvm: no usable KVM {why}{detail}"
    for port in w.ports:
        owner = room.ports.get((port.host, port.proto))
        if owner:
            return f"ports: {port.host}/{port.proto} already taken by {owner}"
    return _resources_short(w, room, copies)


def _resources_short(w: Workload, room: _Room, copies: int) -> str | None:
    """The memory/CPU reason, naming the earlier workloads that reserved the room."""
    after = ", ".join(f"{name} ({format_size(mem)})" for name, mem, _ in room.taken if mem)
    if w.memory:
        need = w.memory * copies
        if room.memory is None:
            return "memory: host memory unknown (no memory_mb in its facts)"
        if need > room.memory:
            where = f"free after {after}" if after else "on the host"
            return f"memory: {format_size(room.memory)} {where}, needs {format_size(need)}"
    if w.cpus:
        need_cpus = w.cpus * copies
        if room.cpus is None:
            return "cpus: host CPU count unknown"
        if need_cpus > room.cpus + 1e-9:
            cpu_after = ", ".join(f"{name} ({c:g})" for name, _, c in room.taken if c)
            where = f"free after {cpu_after}" if cpu_after else "on the host"
            return f"cpus: {room.cpus:g} {where}, needs {need_cpus:g}"
    return None


def _reserve(room: _Room, w: Workload, copies: int) -> None:
    memory = (w.memory or 0) * copies
    cpus = (w.cpus or 0.0) * copies
    if room.memory is not None:
        room.memory -= memory
    if room.cpus is not None:
        room.cpus -= cpus
    room.taken.append((w.name, memory, cpus))
    for port in w.ports:
        room.ports[(port.host, port.proto)] = w.name


def _per_site(w: Workload, candidates: list[HostView], excluded: dict) -> list[HostView]:
    """At most ``per_site`` hosts of each site; every candidate when it is unset."""
    limit = w.placement.per_site
    if not limit:
        return candidates
    by_site: dict[str, list[HostView]] = {}
    for host in candidates:
        site = host.labels.get("site")
        if site is None:
            excluded[host.name] = "per_site: host has no site label"
        else:
            by_site.setdefault(site, []).append(host)
    chosen = []
    for site in sorted(by_site):
        ordered = _round_robin(by_site[site], w.placement.spread)
        kept, dropped = ordered[:limit], ordered[limit:]
        names = ", ".join(h.name for h in kept)
        for host in dropped:
            excluded[host.name] = f"per_site: site {site} has its {limit} ({names})"
        chosen.extend(kept)
    return chosen


def _round_robin(hosts: list[HostView], key: str | None) -> list[HostView]:
    """Hosts ordered so consecutive picks take different ``key`` values (zones) first."""
    if not key or key == "site":
        return hosts
    buckets: dict[str, list[HostView]] = {}
    for host in hosts:
        buckets.setdefault(host.labels.get(key) or "", []).append(host)
    order = [buckets[k] for k in sorted(buckets)]
    result = []
    for depth in range(max(len(b) for b in order)):
        result.extend(b[depth] for b in order if depth < len(b))
    return result


def _unmet(w: Workload, hosts, chosen, excluded: dict) -> dict[str, str]:
    """For ``spread: KEY``: every KEY value among the hosts that got no copy, and why."""
    key = w.placement.spread
    if not key:
        return {}
    placed = {h.labels.get(key) for h in chosen}
    reasons: dict[str, dict[str, int]] = {}
    for host in hosts:
        value = host.labels.get(key)
        if value is None or value in placed:
            continue
        kind = reason_kind(excluded.get(host.name, "?"))
        counts = reasons.setdefault(value, {})
        counts[kind] = counts.get(kind, 0) + 1
    return {
        value: "no host placed ("
        + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        + ")"
        for value, counts in sorted(reasons.items())
    }


def reason_kind(reason: str) -> str:
    """The rule a reason names: ``memory``, ``arch``, ``per_site`` … (its first word)."""
    return reason.split(":")[0].split(" ")[0]


def host_views(inventory, facts_by_host: dict, hosts: list[str] | None = None) -> list[HostView]:
    """Views of ``hosts`` (default every inventory host); see :mod:`edgeauto.fleet.hostview`."""
    from edgeauto.fleet.hostview import views_from_inventory

    return views_from_inventory(inventory, facts_by_host, hosts)
