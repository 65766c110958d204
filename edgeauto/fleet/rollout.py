"""Rolling update of workloads across the fleet: probe, place, canary, batches, health gates,
failure budget, rollback, catalog.

One rollout is a few plays run by the ordinary engine (one script per host, hosts of a batch
in parallel), built in memory with :mod:`edgeauto.api`:

1. **probe** — every host in scope, one round trip: ``edge_workload_info`` reports each
   workload's container state and records, the local ids of the wanted images and the
   ``edgeauto_hw`` facts placement needs. Unreachable hosts are reported and left out.
2. **place** — :func:`edgeauto.fleet.placement.place` (deterministic, with a reason for every
   excluded host). Hosts already running the wanted config and image are *converged* and get
   no deploy.
3. **batches** — the first ``update.canary`` hosts needing the update, then groups of
   ``update.max_parallel``. Each host's script is ``edge_workload`` (deploy, health gate,
   revert on failure) then ``edge_catalog`` (the catalog as known so far): one round trip.
   A failed host counts against ``update.failure_budget``; a failed canary, or a spent
   budget, stops the rollout (``on_failure="rollback"`` also rolls back every host this
   rollout updated). A host unreachable in its batch is skipped and reported; the rest go on.
4. **catalog** — hosts whose catalog file differs from the final catalog get it (one more
   round trip, only for them; a converged apply sends none).

Events (``updating, updated, healthy, unhealthy, rolled_back, unreachable, skipped, promoted,
failed``) go to ``on_event`` as they happen, into the result, to the timeline picture and to
the run history when those modules are present.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.fleet.catalog import (
    Endpoint,
    build_catalog,
    endpoints_for,
    host_address,
    render_json,
)
from edgeauto.fleet.outcome import (
    HostOutcome,
    HostStatus,
    RolloutResult,
    WorkloadRollout,
    health_of,
    is_converged,
    wanted_image_id,
)
from edgeauto.fleet.placement import host_views, place
from edgeauto.fleet.rollout_history import RolloutRecord, write_timeline

PROBE_TASK = "workload probe"
DEPLOY_TASK = "workload deploy"
CATALOG_TASK = "service catalog"
ROLLBACK_TASK = "workload rollback"


@dataclass
class RolloutOptions:
    """How a rollout runs. ``engine`` holds further :class:`RunOptions` fields (forks,
    connect_timeout …) for every play it runs."""

    check: bool = False
    limit: list[str] | None = None
    on_failure: str = "stop"  # stop | rollback: also roll back every host this rollout updated
    promote: bool = False  # go past a healthy canary even when update.auto_promote is false
    timeline_dir: Path | None = None
    history: Path | None = None
    record_history: bool = True
    argv: list[str] = field(default_factory=list)
    engine: dict[str, Any] = field(default_factory=dict)
    reporter: Any = None  # an engine reporter that also gets every task (e.g. -v output)


class Rollout:
    """One apply of ``workloads`` on ``inventory`` (see module docstring)."""

    def __init__(
        self,
        workloads: list,
        inventory,
        options: RolloutOptions | None = None,
        on_event: Callable[[dict], None] | None = None,
        echo: Callable[[str], None] | None = None,
    ):
        self.workloads = list(workloads)
        self.inventory = inventory
        self.options = options or RolloutOptions()
        self.on_event = on_event
        self.echo = echo or (lambda _line: None)
        self.events: list[dict] = []
        self.status: dict[str, HostStatus] = {}
        self.unreachable: dict[str, str] = {}
        self.sent_catalog: dict[str, bytes] = {}
        self.endpoints: dict[tuple[str, str], list[Endpoint]] = {}
        self.record: RolloutRecord | None = None
        self._batch = 0

    # -- the engine ---------------------------------------------------------------------
    def _play(self, hosts: list[str], tasks: list[tuple], vars: dict | None = None, check=None):
        """Run one in-memory play on ``hosts``; returns {host: {task title: TaskResult}}."""
        from edgeauto.api import Play, run

        play = Play("all", name="edgeauto workload", gather_facts=False, vars=vars or {})
        for title, action, args in tasks:
            play.task(action, title=title, args=args)
        engine = dict(self.options.engine)
        result = run(
            [play],
            inventory=self.inventory,
            check=self.options.check if check is None else check,
            limit=sorted(hosts),
            reporter=self.options.reporter,
            **engine,
        )
        out: dict[str, dict] = {h: {} for h in hosts}
        for res in result.tasks:
            out.setdefault(res.host, {})[res.task.display_name] = res
        if self.record is not None:
            self.record.tasks(result.tasks)
        return out

    def _emit(self, workload: str, host: str, version: str, event: str, detail: str = ""):
        item = {
            "workload": workload,
            "host": host,
            "version": version,
            "event": event,
            "at": time.time(),
            "batch": self._batch,
            "detail": detail,
        }
        self.events.append(item)
        if self.record is not None:
            self.record.event(item)
        if self.on_event is not None:
            self.on_event(item)
        self.echo(
            f"{workload:<16} {host:<20} {version:<28} {event}{': ' + detail if detail else ''}"
        )

    # -- steps ----------------------------------------------------------------------------
    def scope(self) -> list[str]:
        return [h.name for h in self.inventory.select("all", self.options.limit)]

    def probe(self, hosts: list[str], names: list[str] | None = None, hardware=True) -> None:
        """Fill ``status`` (and ``unreachable``) for ``hosts``: one round trip each."""
        names = sorted({w.name for w in self.workloads}) if names is None else names
        images = sorted({w.image for w in self.workloads})
        args = {"names": names, "images": images, "hardware": hardware}
        results = self._play(
            hosts, [(PROBE_TASK, "edge_workload_info", args)], check=False
        )  # the probe changes nothing: it runs for real in check mode too
        for host in hosts:
            res = results.get(host, {}).get(PROBE_TASK)
            address = host_address(host, self.inventory.host_vars(host))
            if res is None or res.status == "unreachable":
                why = (res.result.get("msg") if res else "") or "no result from the probe"
                self.unreachable[host] = why.splitlines()[0]
                continue
            if res.status == "failed":
                self.unreachable[host] = f"probe failed: {res.result.get('msg', '')}"
                continue
            r = res.result
            self.status[host] = HostStatus(
                host,
                address,
                docker=bool(r.get("docker")),
                workloads=r.get("workloads") or {},
                images=r.get("images") or {},
                facts=(r.get("ansible_facts") or {}),
                catalog=str(r.get("catalog") or ""),
            )

    def place(self) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
        """(workload name -> hosts, workload name -> {host: why not}) over probed hosts."""
        hosts = sorted(self.status)
        facts = {h: self.status[h].facts for h in hosts}
        views = host_views(self.inventory, facts, hosts=hosts)
        views = [v for v in views if getattr(v, "name", None) in self.status]
        plan = place(self.workloads, views)
        assigned, excluded = {}, {}
        for w in self.workloads:
            assigned[w.name] = sorted(_lookup(plan.assigned, w) or [])
            excluded[w.name] = dict(sorted((_lookup(plan.excluded, w) or {}).items()))
        for w in self.workloads:
            for host in list(assigned[w.name]):
                if not self.status[host].docker:
                    assigned[w.name].remove(host)
                    excluded[w.name][host] = "docker: no docker daemon answers on this host"
        return assigned, excluded

    def run(self) -> RolloutResult:
        return self._recorded("workload-apply", "", self._apply_all)

    def _apply_all(self) -> list[WorkloadRollout]:
        self.probe(self.scope())
        for host, why in sorted(self.unreachable.items()):
            for w in self.workloads:
                self._emit(w.name, host, w.version, "unreachable", why)
        assigned, excluded = self.place()
        self._seed_endpoints()
        return [self._roll(w, assigned[w.name], excluded[w.name]) for w in self.workloads]

    def _recorded(self, kind: str, what: str, body, digests=None) -> RolloutResult:
        """Run ``body`` (-> the workload rollouts), then the final catalog, the timeline and
        the history record, whose run is closed whatever happens."""
        what = what or ", ".join(f"{w.name}={w.version}" for w in self.workloads)
        self.record = RolloutRecord.open(self.options, kind, what)
        rc = 250
        try:
            rollouts = body()
            result = RolloutResult(
                rollouts,
                self.events,
                self._final_catalog(),
                dict(self.unreachable),
                kind="rollback" if kind == "workload-rollback" else "apply",
            )
            result.timeline = write_timeline(self.events, self.options.timeline_dir, self.echo)
            rc = result.exit_code
            if self.record is not None:
                if digests is None:
                    digests = {w.name: w.config_digest() for w in self.workloads}
                self.record.outcomes(result, self.status, digests)
                result.run_id = self.record.run_id
            return result
        finally:
            if self.record is not None:
                self.record.finish(rc)

    def rollback(self, name: str, deadline: float, min_healthy: float) -> RolloutResult:
        """Every host in scope that runs ``name`` goes back to the version it recorded as
        previous (from what the host kept; nothing is sent but the call)."""

        def body() -> list[WorkloadRollout]:
            out = WorkloadRollout(name, "previous")
            self._rollback_hosts(name, deadline, min_healthy, out)
            return [out]

        return self._recorded("workload-rollback", f"{name} rollback", body, {})

    def _rollback_hosts(self, name: str, deadline: float, min_healthy: float, out) -> None:
        self.probe(self.scope(), names=[name], hardware=False)
        self._seed_endpoints()
        targets = []
        for host, st in sorted(self.status.items()):
            seen = st.workloads.get(name) or {}
            if seen.get("previous"):
                targets.append(host)
            elif seen.get("current"):
                why = "no previous version recorded on this host"
                out.outcomes[host] = HostOutcome(
                    host, "failed", seen["current"].get("image", ""), why
                )
                self._emit(name, host, seen["current"].get("image", ""), "failed", why)
        for host, why in sorted(self.unreachable.items()):
            out.outcomes[host] = HostOutcome(host, "unreachable", "", why)
            self._emit(name, host, "", "unreachable", why)
        if not targets and not out.outcomes:
            out.stopped = f"workload {name} is recorded on no host in scope"
        if targets:
            self._rollback_play(name, targets, deadline, min_healthy, out)

    def _rolled_back(self, name: str, host: str, res, out: WorkloadRollout) -> None:
        from edgeauto.fleet.spec import Workload

        if res is None or res.status == "unreachable":
            why = ((res.result.get("msg") if res else "") or "unreachable").splitlines()[0]
            self.unreachable.setdefault(host, why)
            out.outcomes[host] = HostOutcome(host, "unreachable", "", why)
            self._emit(name, host, "", "unreachable", why)
            return
        r = res.result
        back = str(r.get("version") or "")
        health = health_of(r.get("container_state") or {})
        if res.status == "failed":
            out.outcomes[host] = HostOutcome(host, "failed", back, str(r.get("msg")), health)
            self._emit(name, host, back, "failed", str(r.get("msg")))
            return
        out.outcomes[host] = HostOutcome(host, "rolled_back", back, "", health)
        self._emit(name, host, back, "rolled_back", f"back to {back}")
        try:
            self._set_endpoints(Workload.from_json(r.get("current") or {}), host, health, back)
        except (KeyError, TypeError, ValueError):
            pass

    # -- one workload -----------------------------------------------------------------------
    def _roll(self, w, targets: list[str], excluded: dict[str, str]) -> WorkloadRollout:
        out = WorkloadRollout(w.name, w.version, excluded=dict(excluded))
        if not targets:
            out.stopped = "placed on no host" + (
                f" ({len(excluded)} excluded, see why)" if excluded else ""
            )
            return out
        image_id = wanted_image_id(w)
        pending = []
        for host in targets:
            seen = self.status[host].workloads.get(w.name) or {}
            if is_converged(w, seen, image_id):
                health = health_of(seen.get("state") or {})
                out.outcomes[host] = HostOutcome(host, "converged", w.version, "", health)
            else:
                pending.append(host)
        policy = w.update
        canary = pending[: max(0, policy.canary)]
        rest = pending[len(canary) :]
        step = max(1, policy.max_parallel)
        batches = ([canary] if canary else []) + [
            rest[i : i + step] for i in range(0, len(rest), step)
        ]
        failures = 0
        on_failure = False  # the rollout stopped because hosts failed
        updated: list[str] = []
        for index, batch in enumerate(batches):
            if out.stopped:
                for host in batch:
                    out.outcomes[host] = HostOutcome(host, "skipped", w.version, out.stopped)
                    self._emit(w.name, host, w.version, "skipped", out.stopped)
                continue
            self._batch += 1
            failed = self._run_batch(w, batch, image_id, out)
            updated += [h for h in batch if out.outcomes[h].status == "updated"]
            failures += failed
            is_canary = index == 0 and bool(canary)
            on_failure = bool(failed) and (is_canary or failures >= max(1, policy.failure_budget))
            if failed and is_canary:
                out.stopped = f"the canary failed ({', '.join(out.hosts('failed', 'rolled_back'))})"
            elif failures >= max(1, policy.failure_budget):
                out.stopped = (
                    f"failure budget spent ({failures} failed host(s), budget "
                    f"{policy.failure_budget})"
                )
            elif is_canary and len(batches) > 1:
                if policy.auto_promote or self.options.promote:
                    for host in batch:
                        self._emit(w.name, host, w.version, "promoted")
                else:
                    out.stopped = "the canary is healthy; promote with --promote"
        if on_failure and self.options.on_failure == "rollback":
            self._rollback_updated(w, updated, out)
        return out

    def _run_batch(self, w, batch: list[str], image_id: str, out: WorkloadRollout) -> int:
        """Deploy ``w`` on ``batch`` (one script per host: deploy + catalog); returns how many
        hosts failed (unreachable ones are skipped, not failed)."""
        for host in batch:
            self._emit(w.name, host, w.version, "updating")
        present = {
            h: bool(image_id) and self.status[h].images.get(w.image) == image_id for h in batch
        }
        deploy = {
            "name": w.name,
            "spec": str(Path(w.source.file).resolve()),
            "image_present": "{{ edgeauto_rollout_present[inventory_hostname] }}",
        }
        catalog = build_catalog(self._all_endpoints())
        results = self._play(
            batch,
            [
                (DEPLOY_TASK, "edge_workload", deploy),
                (CATALOG_TASK, "edge_catalog", {"services": catalog["services"]}),
            ],
            vars={"edgeauto_rollout_present": present},
        )
        failed = 0
        for host in batch:
            res = results.get(host, {}).get(DEPLOY_TASK)
            failed += self._classify(w, host, res, out)
            cat = results.get(host, {}).get(CATALOG_TASK)
            if cat is not None and cat.status in ("ok", "changed"):
                self.sent_catalog[host] = render_json(catalog)
        return failed

    def _classify(self, w, host: str, res, out: WorkloadRollout) -> int:
        version = w.version
        if res is None or res.status == "unreachable":
            why = ((res.result.get("msg") if res else "") or "unreachable").splitlines()[0]
            self.unreachable.setdefault(host, why)
            out.outcomes[host] = HostOutcome(host, "unreachable", version, why)
            self._emit(w.name, host, version, "unreachable", why)
            return 0
        r = res.result
        state = r.get("container_state") or {}
        if res.status == "failed":
            why = str(r.get("msg") or "failed")
            self._emit(w.name, host, version, "unhealthy", str(r.get("unhealthy") or why))
            running = r.get("version") or ""
            if r.get("rolled_back"):
                out.outcomes[host] = HostOutcome(
                    host, "rolled_back", running, why, health_of(state)
                )
                self._emit(w.name, host, running, "rolled_back", f"back to {running}")
            else:
                out.outcomes[host] = HostOutcome(host, "failed", version, why, health_of(state))
                self._emit(w.name, host, version, "failed", why)
            self._set_endpoints(w, host, health_of(state), running or version, seen=r)
            return 1
        if self.options.check:
            status = "would_update" if res.status == "changed" else "converged"
            out.outcomes[host] = HostOutcome(host, status, version, r.get("action", ""), "")
            self._set_endpoints(w, host, "healthy", version)
            return 0
        health = health_of(state)
        out.outcomes[host] = HostOutcome(host, "updated", version, r.get("action", ""), health)
        self._emit(w.name, host, version, "updated", r.get("action", ""))
        self._emit(w.name, host, version, "healthy", health)
        self._set_endpoints(w, host, health, version)
        return 0

    def _rollback_updated(self, w, hosts: list[str], out: WorkloadRollout) -> None:
        """on_failure=rollback: every host this rollout updated goes back to its previous."""
        if hosts:
            policy = w.update
            self._rollback_play(
                w.name, hosts, policy.healthy_deadline, policy.min_healthy_time, out
            )

    def _rollback_play(self, name, hosts: list[str], deadline, min_healthy, out) -> None:
        """One batch: ``hosts`` swap their previous version in (``edge_workload`` rollback)."""
        self._batch += 1
        args = {
            "name": name,
            "state": "rollback",
            "healthy_deadline": deadline,
            "min_healthy_time": min_healthy,
        }
        for host in hosts:
            self._emit(name, host, "previous", "updating", "rollback")
        results = self._play(hosts, [(ROLLBACK_TASK, "edge_workload", args)])
        for host in hosts:
            self._rolled_back(name, host, results.get(host, {}).get(ROLLBACK_TASK), out)

    # -- catalog -----------------------------------------------------------------------------
    def _seed_endpoints(self) -> None:
        """The catalog as the probe found it: every workload recorded on every host."""
        from edgeauto.fleet.spec import Workload

        for host, st in sorted(self.status.items()):
            for seen in st.workloads.values():
                current = seen.get("current") or {}
                try:
                    recorded = Workload.from_json(current)
                except (KeyError, TypeError, ValueError):
                    continue  # no record (or not one of ours): nothing to announce
                health = health_of(seen.get("state") or {})
                self._set_endpoints(recorded, host, health, recorded.image)

    def _set_endpoints(self, w, host: str, health: str, version: str, seen=None) -> None:
        address = self.status[host].address if host in self.status else host
        self.endpoints[(w.name, host)] = endpoints_for(w, host, address, health, version)

    def _all_endpoints(self) -> list[Endpoint]:
        return [ep for eps in self.endpoints.values() for ep in eps]

    def _final_catalog(self) -> dict:
        catalog = build_catalog(self._all_endpoints())
        want = render_json(catalog)
        stale = [
            h
            for h, st in sorted(self.status.items())
            if h not in self.unreachable and self.sent_catalog.get(h, st.catalog.encode()) != want
        ]
        if stale:
            self._batch += 1
            results = self._play(
                stale, [(CATALOG_TASK, "edge_catalog", {"services": catalog["services"]})]
            )
            for host in stale:
                res = results.get(host, {}).get(CATALOG_TASK)
                if res is None or res.status == "unreachable":
                    self.unreachable.setdefault(host, "unreachable while writing the catalog")
        return catalog


def _lookup(mapping: dict, w):
    """placement's maps are keyed by workload name (or by the workload itself)."""
    if w.name in mapping:
        return mapping[w.name]
    return mapping.get(w)


def apply(workloads, inventory, options: RolloutOptions | None = None, **kwargs) -> RolloutResult:
    """Convenience: ``Rollout(workloads, inventory, options, **kwargs).run()``."""
    return Rollout(workloads, inventory, options, **kwargs).run()
