"""A phaser: the lockstep sync point hosts use when a play asks for ``any_errors_fatal``.

Normally hosts never wait for each other. With ``any_errors_fatal`` a failure on one host must
stop every other host *before its next task*, as ansible-playbook's linear strategy does. Then
each remote task becomes its own segment and every host waits here before sending it, until
each host of the batch has either arrived, left (its walk ended) or is parked elsewhere
(waiting for a ``run_once`` result). Hosts whose walks differ (rescue, includes) may meet at
different task numbers; that costs alignment, never a deadlock.
"""

from __future__ import annotations

import threading


class Phaser:
    def __init__(self, parties: int):
        self.cond = threading.Condition()
        self.parties = parties
        self.arrived = 0
        self.parked = 0
        self.phase = 0

    def _maybe_advance(self) -> None:
        if self.arrived and self.arrived + self.parked >= self.parties:
            self.arrived = 0
            self.phase += 1
            self.cond.notify_all()

    def arrive_and_wait(self, cancelled: threading.Event | None = None) -> None:
        with self.cond:
            phase = self.phase
            self.arrived += 1
            self._maybe_advance()
            while self.phase == phase:
                if cancelled is not None and cancelled.is_set():
                    self.arrived = max(0, self.arrived - 1)
                    return
                self.cond.wait(0.2)

    def join(self) -> None:
        """A host starts (hosts beyond --forks start late: only running hosts take part)."""
        with self.cond:
            self.parties += 1

    def leave(self) -> None:
        with self.cond:
            self.parties = max(0, self.parties - 1)
            self._maybe_advance()

    def park(self) -> None:
        with self.cond:
            self.parked += 1
            self._maybe_advance()

    def unpark(self) -> None:
        with self.cond:
            self.parked = max(0, self.parked - 1)
