"""``serial:`` on a task or handler: the task runs on N hosts at a time, batch after batch,
while everything else of the play still runs on every host at once.

Hosts walk a play independently (one thread each); a serial task is where they meet. A host
that reaches it sends what it has pending first (the task is a segment boundary, so the tasks
before it still travel in one script), then *arrives* at the task's gate. The gate waits until
every host that may still come has arrived — a host whose walk ended, that failed or is
unreachable, that has not started yet (beyond ``--forks``), that waits at another sync point
(``run_once``, another serial task) or whose ``when`` skips the task (it *passes*) will not
come — and then splits the arrived hosts, in inventory order, into batches (the first host's
``serial`` value decides; percentages are of the hosts that arrived). Batch after batch, each
host runs the task in a script of its own; the next batch starts when every host of this one
is done. A host whose serial task failed keeps its place until its failure is settled: a
``rescue`` gives it back at once; otherwise the host leaves the play and the batch learns of
the failure first (so ``any_errors_fatal`` and ``max_fail_percentage`` stop the hosts still
waiting). A batch in which every host failed stops the rest of the rollout, as
ansible-playbook stops a play whose whole batch failed.

Handlers are flushed several times a play (after pre_tasks, tasks, post_tasks, at
``meta: flush_handlers``), so a host that was not notified *passes* a serial handler's gate at
each flush, tagged with its flush number (the *phase*): a pass counts only for a round of that
phase or an earlier one, so a host that skipped the handler after pre_tasks is still awaited
by hosts that reached it after tasks. Phases that do not line up (a flush inside an include on
some hosts only) cost waiting or an extra round, never two batches at once.

Hosts that come late (after the arrived ones were split) form the task's next *round*, which
starts only after the previous round ended: the task never runs on more hosts at once than a
batch holds. Layer 1: pure coordination; :class:`~edgeauto.planner.barrier.BatchSync` owns the
gates and tells them who may still come.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from edgeauto.playbook.serial import serial_batches

POLL = 0.2  # seconds between checks for cancellation while waiting


@dataclass
class Round:
    """The hosts that meet at a serial task together, and how far their batches got."""

    label: str
    arrived: dict[str, Any] = field(default_factory=dict)  # host -> its serial value
    passed: dict[str, int] = field(default_factory=dict)  # host -> phase it skipped the task in
    phase: int | None = None  # the phase of the first host that arrived
    batches: list[list[str]] | None = None  # decided: the batches, in order
    turn: int = 0  # index of the batch running now
    running: set[str] = field(default_factory=set)  # hosts of that batch not done yet
    failed: set[str] = field(default_factory=set)  # hosts of that batch that failed

    @property
    def finished(self) -> bool:
        return self.batches is not None and self.turn >= len(self.batches)


class SerialGates:
    """Every serial task's rounds in one play batch (see module docstring).

    ``cond`` is the batch's sync-point condition (shared with ``run_once``); ``may_come(host,
    key)`` says whether a host not yet at the gate may still arrive; ``roster()`` is the batch in
    inventory order; ``batch_failed(label, hosts)`` is told when every host of a batch failed
    and more batches were waiting. Every method but :meth:`enter` is called with ``cond`` held
    by the caller or takes it itself, as documented.
    """

    def __init__(
        self,
        cond: threading.Condition,
        may_come: Callable[[str, tuple], bool],
        roster: Callable[[], list[str]],
        batch_failed: Callable[[str, list[str]], None],
    ):
        self.cond = cond
        self.may_come = may_come
        self.roster = roster
        self.batch_failed = batch_failed
        self._rounds: dict[tuple, list[Round]] = {}
        self._holding: dict[str, tuple[tuple, Round]] = {}

    def reset(self) -> None:
        with self.cond:
            self._rounds = {}
            self._holding = {}

    # ------------------------------------------------------------------ a host's side

    def enter(
        self,
        key: tuple,
        host: str,
        serial: Any,
        label: str,
        stop: Callable[[], bool],
        phase: int = 0,
    ) -> bool:
        """Arrive at the gate ``key`` and wait for this host's turn. True: run the task now
        (then :meth:`release`); False: the play stops for this host (``stop()`` turned true).
        ``phase`` orders a host's visits to a handler's gate (its handler flush number, 0 for
        tasks): a host that skipped the gate in an earlier phase may still come in this one."""
        with self.cond:
            rnd = self._open_round(key, host, label)
            rnd.passed.pop(host, None)
            rnd.arrived[host] = serial
            if rnd.phase is None:
                rnd.phase = phase
            self.cond.notify_all()
            while True:
                if stop():
                    self._leave(key, rnd, host)
                    return False
                self._advance(key)
                if host in rnd.running:
                    self._holding[host] = (key, rnd)
                    return True
                self.cond.wait(POLL)

    def pass_by(self, key: tuple, host: str, label: str, phase: int = 0) -> None:
        """The host skips the task (its ``when``; a handler it was not notified for) in this
        ``phase``: a round of this phase or an earlier one must not wait for it."""
        with self.cond:
            rnd = self._open_round(key, host, label)
            rnd.passed[host] = max(phase, rnd.passed.get(host, phase))
            self._advance(key)
            self.cond.notify_all()

    def holds(self, host: str) -> bool:
        with self.cond:
            return host in self._holding

    def release(
        self, host: str, failed: bool = False, settle: Callable[[], bool] | None = None
    ) -> None:
        """The host's turn is over (``failed``: it leaves the play failed). No-op when the
        host holds no turn. With ``settle`` (the host's stop check), a host that succeeded
        waits until its whole batch is done before it walks on: a batch mate's failure must
        be known first, so ``any_errors_fatal`` stops it before its next task, as
        ansible-playbook ends a task on the whole batch before it aborts."""
        with self.cond:
            held = self._holding.pop(host, None)
            if held is None:
                return
            key, rnd = held
            rnd.running.discard(host)
            if failed:
                rnd.failed.add(host)
            turn = rnd.turn
            self._advance(key)
            self.cond.notify_all()
            if failed or settle is None:
                return
            while rnd.turn == turn and rnd.running and not settle():
                self.cond.wait(POLL)

    # ------------------------------------------------------------------ bookkeeping (cond held)

    def _open_round(self, key: tuple, host: str, label: str) -> Round:
        rounds = self._rounds.setdefault(key, [])
        last = rounds[-1] if rounds else None
        if last is None or last.batches is not None or host in last.arrived:
            last = Round(label)
            rounds.append(last)
        return last

    def _leave(self, key: tuple, rnd: Round, host: str) -> None:
        """A waiting host gives up its place (the play stops for it)."""
        rnd.arrived.pop(host, None)
        rnd.running.discard(host)
        if rnd.batches is not None:
            rnd.batches = [[h for h in b if h != host] for b in rnd.batches]
        self._advance(key)
        self.cond.notify_all()

    def _advance(self, key: tuple) -> None:
        """Decide the first undecided round once nobody else may come; start the next batch
        of the current round once its running batch is done. Rounds run one after another."""
        rounds = self._rounds.get(key, [])
        while rounds:
            rnd = rounds[0]
            if rnd.batches is None:
                decision = self._decide(key, rnd)
                if decision == "empty":
                    rounds.pop(0)
                    continue
                if decision == "wait":
                    return
            if rnd.running:
                return
            self._next_batch(rnd)
            if rnd.running:
                return
            rounds.pop(0)  # every batch done

    def _decide(self, key: tuple, rnd: Round) -> str:
        """Split the round's hosts into batches ("decided") when nobody else may still
        arrive; "wait" while someone may; "empty" when nobody arrived and nobody will."""
        order = self.roster()
        phase = rnd.phase if rnd.phase is not None else 0
        waiting_for = [
            h
            for h in order
            if h not in rnd.arrived and rnd.passed.get(h, -1) < phase and self.may_come(h, key)
        ]
        if not rnd.arrived:
            return "wait" if waiting_for else "empty"
        if waiting_for:
            return "wait"
        rank = {h: i for i, h in enumerate(order)}
        hosts = sorted(rnd.arrived, key=lambda h: rank.get(h, len(rank)))
        rnd.batches = serial_batches(hosts, rnd.arrived[hosts[0]])
        rnd.turn = -1
        return "decided"

    def _next_batch(self, rnd: Round) -> None:
        """The running batch is done: judge it, then start the next non-empty one."""
        assert rnd.batches is not None
        if rnd.turn >= 0:
            done = rnd.batches[rnd.turn]
            rest = [h for b in rnd.batches[rnd.turn + 1 :] for h in b]
            if done and rest and rnd.failed >= set(done):
                self.batch_failed(rnd.label, done)
        rnd.failed = set()
        rnd.turn += 1
        while rnd.turn < len(rnd.batches) and not rnd.batches[rnd.turn]:
            rnd.turn += 1
        if rnd.turn < len(rnd.batches):
            rnd.running = set(rnd.batches[rnd.turn])
