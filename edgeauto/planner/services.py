"""What a host's walk is given: the play's collaborators, bundled (layer 3).

The host runner receives this frozen bundle instead of the whole play object, so what it may
touch is listed in one place: the play's variable scope, handler table, include loader,
dispatcher, batch sync points, and the run's options, reporter and cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edgeauto.planner.barrier import BatchSync
from edgeauto.planner.dispatch import Dispatcher
from edgeauto.planner.handlers import HandlerTable
from edgeauto.planner.includes import IncludeLoader
from edgeauto.planner.options import RunOptions
from edgeauto.planner.runstate import RunState
from edgeauto.planner.scope import PlayScope
from edgeauto.playbook.model import Play


@dataclass(frozen=True)
class PlayServices:
    fleet: RunState
    play: Play
    index: int  # the play's number in the run (part of every task execution key)
    scope: PlayScope
    handlers: HandlerTable
    includes: IncludeLoader
    dispatch: Dispatcher
    barrier: BatchSync
    # host -> ids/signatures of roles already run in this play (dependencies run once)
    roles_done: dict[str, set] = field(default_factory=dict)

    @property
    def options(self) -> RunOptions:
        return self.fleet.options

    @property
    def reporter(self):
        return self.fleet.reporter

    def cancelled(self) -> bool:
        return self.fleet.cancelled.is_set()
