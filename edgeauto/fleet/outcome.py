"""What a rollout found and did: per host outcomes, per workload rollouts, the result with
its exit code and JSON, what the probe saw on a host, and the tests a probe result is read
with (converged? healthy?)."""

from __future__ import annotations

from dataclasses import dataclass, field

from edgeauto.fleet.images import inspect_archive


@dataclass
class HostOutcome:
    host: str
    status: str  # converged updated failed rolled_back unreachable skipped would_update
    version: str = ""
    detail: str = ""
    health: str = ""


@dataclass
class WorkloadRollout:
    name: str
    version: str
    outcomes: dict[str, HostOutcome] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    stopped: str = ""  # why the rollout stopped early ('' = it ran to its end)

    def hosts(self, *statuses: str) -> list[str]:
        return sorted(h for h, o in self.outcomes.items() if o.status in statuses)


@dataclass
class RolloutResult:
    workloads: list[WorkloadRollout]
    events: list[dict]
    catalog: dict
    unreachable: dict[str, str]
    timeline: tuple | None = None
    run_id: int | None = None
    kind: str = "apply"  # apply | rollback (where rolled_back is the success)

    @property
    def exit_code(self) -> int:
        """ansible-playbook's: 2 when a host failed (or the rollout stopped), 4 when one
        was unreachable."""
        bad = ("failed",) if self.kind == "rollback" else ("failed", "rolled_back")
        if any(w.hosts(*bad) or w.stopped for w in self.workloads):
            return 2
        return 4 if self.unreachable else 0

    def to_json(self) -> dict:
        return {
            "workloads": [
                {
                    "name": w.name,
                    "version": w.version,
                    "stopped": w.stopped,
                    "hosts": {h: o.__dict__ for h, o in sorted(w.outcomes.items())},
                    "excluded": dict(sorted(w.excluded.items())),
                }
                for w in self.workloads
            ],
            "unreachable": self.unreachable,
            "catalog": self.catalog,
            "events": self.events,
            "timeline": [str(p) for p in self.timeline] if self.timeline else None,
            "run_id": self.run_id,
            "exit_code": self.exit_code,
        }


@dataclass
class HostStatus:
    """What the probe saw on one host."""

    name: str
    address: str
    docker: bool = False
    workloads: dict[str, dict] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    catalog: str = ""  # services.json as it is on the host


def wanted_image_id(workload) -> str:
    """The image id the workload must run: the archive's ('' = whatever the tag names)."""
    if workload.archive is None:
        return ""
    return inspect_archive(workload.archive, workload.source).image_id(
        workload.image, workload.source
    )


def is_converged(workload, seen: dict, image_id: str) -> bool:
    """The host runs this config digest on the wanted image (by id when it is known)."""
    state = seen.get("state") or {}
    if state.get("status") != "running" or state.get("config") != workload.config_digest():
        return False
    if image_id:
        return state.get("image_id") == image_id
    return seen.get("current", {}).get("image") == workload.image


def health_of(state: dict) -> str:
    if not state:
        return "down"
    if state.get("status") != "running":
        return "down"
    return str(state.get("health") or "unknown")
