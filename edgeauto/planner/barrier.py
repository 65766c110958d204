"""Where the hosts of a batch meet: failure budgets, ``any_errors_fatal``, ``run_once``,
``meta: end_batch`` / ``end_play``, and the lockstep phaser.

Hosts run independently, one thread each; they meet only where the semantics need it:

* ``run_once`` — a sync point, as in Ansible: the first host of the batch (inventory order)
  that is still running runs it, the others wait for its result. Hosts that failed, ended or
  wait at another ``run_once`` are passed over, so diverging walks cannot deadlock;
* ``any_errors_fatal`` and ``max_fail_percentage`` — a failure sets the batch's stop flag, which
  the other hosts honour at their next task/segment boundary (a script already on its way is not
  interrupted: a host is never left mid-task by another host's failure);
* ``meta: end_batch`` ends every host of the batch (at its next task), ``meta: end_play`` every
  host of the play; the play then goes on with the next batch or play.

Unreachable is not failed: unreachable hosts do not consume the failure budget. Layer 2.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from edgeauto.planner.context import WalkCtx
from edgeauto.planner.results import TaskResult
from edgeauto.planner.runstate import RunState
from edgeauto.planner.scope import PlayScope
from edgeauto.planner.sync import Phaser
from edgeauto.playbook.model import Task

POLL = 0.2  # seconds between checks for cancellation while waiting


@dataclass
class OnceEntry:
    """One run_once task execution shared by the batch."""

    owner: str | None = None
    arrived: set[str] = field(default_factory=set)
    event: threading.Event = field(default_factory=threading.Event)
    result: TaskResult | None = None


class BatchSync:
    """The sync points of one play's current batch (see module docstring)."""

    def __init__(self, fleet: RunState, scope: PlayScope, lockstep: bool):
        self.fleet = fleet
        self.scope = scope
        self.play = scope.play
        self.lockstep = lockstep
        self.lock = threading.Lock()
        self.failed: set[str] = set()  # batch hosts that failed
        self.abort = threading.Event()  # any_errors_fatal or budget: every host stops
        self.end_play = False
        self.end_batch = False
        self.phaser: Phaser | None = None
        self._once: dict[tuple, OnceEntry] = {}
        self._once_cond = threading.Condition()
        self._walking: set[str] = set()  # batch hosts whose walk has not ended
        self._deciding_at: dict[str, tuple] = {}  # host -> run_once key it waits at

    def start_batch(self, batch: list[str], workers: int) -> None:
        self.failed = set()
        self.abort.clear()
        self.end_batch = False
        # the first `workers` hosts start together; later ones join when they start
        self.phaser = Phaser(workers) if self.lockstep else None
        with self._once_cond:
            self._walking = set(batch)
            self._once = {}  # run_once runs once per batch, as with Ansible's serial

    # ------------------------------------------------------------------ stopping

    def should_stop(self) -> bool:
        """True when the host must not start its next task."""
        return (
            self.fleet.cancelled.is_set() or self.abort.is_set() or self.end_play or self.end_batch
        )

    def host_failed(self, name: str, task: Task, wctx: WalkCtx) -> None:
        """A host left the play failed: any_errors_fatal and the batch budget may stop all."""
        self.scope.status_changed()
        fatal = task.any_errors_fatal
        if fatal is None:
            fatal = wctx.any_errors_fatal
        if fatal is None:
            fatal = self.play.any_errors_fatal
        with self.lock:
            self.failed.add(name)
            if fatal:
                self.abort.set()
                self.fleet.reporter.warning(
                    f"any_errors_fatal: {name} failed, stopping the play for every host"
                )
            if self.over_budget():
                self.abort.set()

    def host_crashed(self, name: str) -> None:
        """An engine error ended the host's walk: it counts as failed in the batch."""
        self.scope.status_changed()
        with self.lock:
            self.failed.add(name)

    def over_budget(self) -> bool:
        pct = self.play.max_fail_percentage
        batch = self.scope.batch
        if pct is None or not batch:
            return False
        return len(self.failed) * 100.0 / len(batch) > float(pct)

    # ------------------------------------------------------------------ run_once

    def claim_once(self, key: tuple, name: str) -> OnceEntry | None:
        """Arrive at run_once execution ``key``; returns once its owner is decided (None if
        the run was cancelled meanwhile)."""
        with self.parked():
            with self._once_cond:
                entry = self._once.setdefault(key, OnceEntry())
                entry.arrived.add(name)
                self._deciding_at[name] = key
                self._once_cond.notify_all()
                try:
                    while entry.owner is None:
                        entry.owner = self._once_owner(entry, key)
                        if entry.owner is not None:
                            self._once_cond.notify_all()
                            break
                        if self.fleet.cancelled.is_set():
                            return None
                        self._once_cond.wait(POLL)
                finally:
                    self._deciding_at.pop(name, None)
        return entry

    def wait_once(self, entry: OnceEntry) -> bool:
        """Wait for the owner's result; False if the run was cancelled meanwhile."""
        with self.parked():
            while not entry.event.wait(POLL):
                if self.fleet.cancelled.is_set():
                    return False
        return True

    def _once_owner(self, entry: OnceEntry, key: tuple) -> str | None:
        """Who runs a run_once task: the first batch host (inventory order) still walking and
        active. None = that host is still on its way (wait for it). A host waiting at another
        run_once is passed over, so two run_once tasks reached in different orders by diverging
        walks cannot wait for each other. Called with ``_once_cond`` held."""
        states = self.fleet.states
        batch = self.scope.batch
        for host in batch:
            if host not in self._walking:
                continue
            st = states.get(host)
            if st is not None and (not st.active or st.ended):
                continue
            if host in entry.arrived:
                return host
            if self._deciding_at.get(host, key) != key:
                continue
            return None
        return min(entry.arrived, key=batch.index) if entry.arrived else None

    def walk_ended(self, name: str) -> None:
        """A host left the play: run_once decisions waiting for it can go on."""
        with self._once_cond:
            self._walking.discard(name)
            self._once_cond.notify_all()
        if self.phaser is not None:
            self.phaser.leave()

    # ------------------------------------------------------------------ lockstep

    def parked(self):
        """Context manager: while a host waits here, the lockstep phaser does not wait for it."""
        return _Parked(self.phaser)

    def before_send(self) -> bool:
        """Lockstep (any_errors_fatal): wait until every host reached its next send; False
        when the play must stop instead of sending."""
        if self.phaser is None:
            return True
        self.phaser.arrive_and_wait(self.fleet.cancelled)
        return not (self.abort.is_set() or self.fleet.cancelled.is_set())


class _Parked:
    def __init__(self, phaser: Phaser | None):
        self.phaser = phaser

    def __enter__(self):
        if self.phaser is not None:
            self.phaser.park()

    def __exit__(self, *exc):
        if self.phaser is not None:
            self.phaser.unpark()
        return False
