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
  host of the play; the play then goes on with the next batch or play;
* ``serial:`` on a task or handler — its gate (:mod:`edgeauto.planner.serialgate`): the hosts
  take turns, N at a time.

A host waiting at one sync point is "elsewhere" for every other one (``_deciding_at``), so
walks that reach sync points in different orders never wait for each other.

Unreachable is not failed: unreachable hosts do not consume the failure budget. Layer 2.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from edgeauto.planner.context import WalkCtx
from edgeauto.planner.results import TaskResult
from edgeauto.planner.runstate import RunState
from edgeauto.planner.scope import PlayScope
from edgeauto.planner.serialgate import SerialGates
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
        self._started: set[str] = set()  # batch hosts whose thread runs (see --forks)
        self._deciding_at: dict[str, tuple] = {}  # host -> the sync point it waits at
        self.gates = SerialGates(
            self._once_cond, self._may_come, lambda: self.scope.batch, self._batch_failed
        )

    def start_batch(self, batch: list[str], workers: int) -> None:
        self.failed = set()
        self.abort.clear()
        self.end_batch = False
        # the first `workers` hosts start together; later ones join when they start
        self.phaser = Phaser(workers) if self.lockstep else None
        with self._once_cond:
            self._walking = set(batch)
            self._started = set(batch[:workers])  # the pool starts these at once
            self._once = {}  # run_once runs once per batch, as with Ansible's serial
        self.gates.reset()

    def host_started(self, name: str) -> None:
        """The host's thread started its walk (hosts beyond --forks start late)."""
        with self._once_cond:
            self._started.add(name)
            self._once_cond.notify_all()

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
            if name in self.failed:
                return  # told already
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

    def wait_once(self, entry: OnceEntry, name: str | None = None) -> bool:
        """Wait for the owner's result; False if the run was cancelled meanwhile. The waiting
        host is elsewhere for other sync points (the owner may meet a serial gate on its way)."""
        with self.parked():
            self._at(name, ("once-result", id(entry)))
            try:
                while not entry.event.wait(POLL):
                    if self.fleet.cancelled.is_set():
                        return False
            finally:
                self._at(name, None)
        return True

    def _at(self, name: str | None, point: tuple | None) -> None:
        if name is None:
            return
        with self._once_cond:
            if point is None:
                self._deciding_at.pop(name, None)
            else:
                self._deciding_at[name] = point
            self._once_cond.notify_all()

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
        """A host left the play: run_once decisions and serial gates waiting for it go on (a
        serial turn it still held ends now, failed if the host did)."""
        st = self.fleet.states.get(name)
        self.gates.release(name, failed=bool(st is not None and st.failed))
        with self._once_cond:
            self._walking.discard(name)
            self._once_cond.notify_all()
        if self.phaser is not None:
            self.phaser.leave()

    # ------------------------------------------------------------------ serial tasks

    def serial_enter(self, key: tuple, name: str, serial, label: str, phase: int = 0) -> bool:
        """Wait for this host's turn at a serial task (:mod:`.serialgate`); False: stop."""
        with self.parked():
            self._at(name, key)
            try:
                return self.gates.enter(key, name, serial, label, self.should_stop, phase)
            finally:
                self._at(name, None)

    def serial_release(self, name: str) -> None:
        """The host's serial turn is over; it walks on once its batch is done (see
        :meth:`SerialGates.release`), parked meanwhile like any host at a sync point."""
        with self.parked():
            self.gates.release(name, settle=self.should_stop)

    def _may_come(self, host: str, key: tuple) -> bool:
        """Whether a batch host not at gate ``key`` may still arrive there (``cond`` held)."""
        if host not in self._walking or host not in self._started:
            return False
        st = self.fleet.states.get(host)
        if st is not None and (not st.active or st.ended):
            return False
        return self._deciding_at.get(host, key) == key

    def _batch_failed(self, label: str, hosts: list[str]) -> None:
        """Every host of a serial task's batch failed: the hosts still waiting stop."""
        self.abort.set()
        self.fleet.reporter.error(
            f"serial task '{label}': every host of its batch failed ({', '.join(hosts)}); "
            "the hosts still waiting do not run it and the play stops"
        )

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
