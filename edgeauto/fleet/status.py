"""``edgeauto workload status``: what runs where, from one round trip per host (the rollout's
probe), and how it drifted — from the host's own record (container gone, stopped, another
image or config than recorded) and, given the spec, from what the spec wants."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from edgeauto.fleet.outcome import health_of, wanted_image_id
from edgeauto.fleet.rollout import Rollout, RolloutOptions


@dataclass
class WorkloadStatus:
    host: str
    workload: str
    version: str
    health: str
    restarts: int | None
    previous: str
    drift: list[str] = field(default_factory=list)


def drift(seen: dict, spec=None) -> list[str]:
    """Why what runs is not what was recorded (and, with ``spec``, not what it wants)."""
    state = seen.get("state") or {}
    current = seen.get("current") or {}
    out = []
    if current and not state:
        out.append("container missing")
    elif state and state.get("status") != "running":
        out.append(f"container {state.get('status')}")
    if state and current:
        if current.get("config_digest") and state.get("config") != current["config_digest"]:
            out.append("container config differs from the recorded one")
        if current.get("image_id") and state.get("image_id") != current["image_id"]:
            out.append("container runs another image than recorded")
    if spec is not None:
        if not current:
            out.append(f"not deployed (spec wants {spec.version})")
        elif current.get("config_digest") != spec.config_digest():
            wanted = spec.version if current.get("image") != spec.version else "another config"
            out.append(f"spec wants {wanted}")
        else:
            image_id = wanted_image_id(spec)
            if image_id and current.get("image_id") != image_id:
                out.append("spec's archive holds another image")
    return out


def fleet_status(inventory, names: list[str], specs: list, options: RolloutOptions):
    """({host: [WorkloadStatus]}, {host: why unreachable}) for the hosts in scope."""
    by_name = {w.name: w for w in specs}
    wanted = sorted(set(names) | set(by_name))
    probe = Rollout(specs, inventory, options)
    probe.probe(probe.scope(), names=wanted, hardware=False)
    rows: dict[str, list[WorkloadStatus]] = {}
    for host, st in sorted(probe.status.items()):
        rows[host] = []
        for name in sorted(set(st.workloads) | set(by_name)):
            if names and name not in names and name not in by_name:
                continue
            seen = st.workloads.get(name) or {}
            if not seen.get("current") and not seen.get("state") and name not in by_name:
                continue
            state = seen.get("state") or {}
            rows[host].append(
                WorkloadStatus(
                    host,
                    name,
                    (seen.get("current") or {}).get("image", ""),
                    health_of(state) if seen.get("current") or state else "absent",
                    state.get("restarts"),
                    (seen.get("previous") or {}).get("image", ""),
                    drift(seen, by_name.get(name)),
                )
            )
    return rows, probe.unreachable


def as_json(rows, unreachable) -> dict:
    return {
        "hosts": {h: [asdict(r) for r in items] for h, items in rows.items()},
        "unreachable": unreachable,
    }
