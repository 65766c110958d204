"""The small records every planner layer shares: walk outcomes, task executions, item slots
and one host's walk state.

Layer 0 of the planner (see ``docs/engine.md``, "Planner layers"): it imports nothing above it,
so the folding, outbox, dispatch and host-walk layers can all speak about the same data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from edgeauto.planner.context import WalkCtx
from edgeauto.planner.results import TaskResult
from edgeauto.planner.segment import Call, Segment
from edgeauto.playbook.model import Task
from edgeauto.transport.base import BecomeSpec


class Flow(StrEnum):
    """How a walk step ended; anything but ``OK`` stops the enclosing walk."""

    OK = "ok"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    STOPPED = "stopped"  # cancelled, or stopped by another host (any_errors_fatal, end_play)
    END_HOST = "end_host"  # meta: end_host / end_batch: this host is done with the play
    END_PLAY = "end_play"  # meta: end_play
    END_ROLE = "end_role"  # meta: end_role: the role's walk ends, the caller goes on


#: walk outcomes after which a host leaves the play section loop at once
LEAVES_PLAY = frozenset({Flow.FAILED, Flow.UNREACHABLE, Flow.STOPPED, Flow.END_PLAY})

NO_ITEM = object()  # the single "item" of an unlooped task
#: result key of a controller action whose ``ansible_facts`` came from the user's own files
#: (include_vars): registered, those values stay templates as Ansible's trusted data do,
#: while the rest of a result is data never rendered again (fold.registered_value)
TRUSTED_FACTS = "_ansible_edgeauto_trusted_facts"


@dataclass
class ItemSlot:
    """One loop item (or the single run of an unlooped task)."""

    item: Any = NO_ITEM
    index: int = 0
    result: dict[str, Any] | None = None
    call: Call | None = None
    label: Any = None
    # a loop_control.label that reads the task's own register name: rendered once this
    # item's result is known, with that name bound to it (templar, label source)
    label_later: tuple[Any, Any] | None = None


@dataclass
class TaskExec:
    """One execution of a task on this host, waiting in the outbox until it is reported."""

    task: Task
    wctx: WalkCtx
    key: tuple
    tvars: dict[str, Any]
    items: list[ItemSlot] = field(default_factory=list)
    looped: bool = False
    loop_var: str = "item"
    login: str | None = None  # remote_user, when not the host's connection user
    remote: bool = False
    final: TaskResult | None = None
    snapshot: dict | None = None  # state before a speculative controller task ran
    check: bool = False
    no_log: bool = False
    ignore_errors: bool = False
    delegated_to: str | None = None
    started: float = field(default_factory=time.monotonic)
    hidden: bool = False  # engine bookkeeping (pending-handler file): never printed/counted
    callback: Any = None  # hidden tasks: called with the result dict


@dataclass
class PendingState:
    """The pending-handler file's bookkeeping for one host and play (``pending.py``)."""

    armed: bool = False  # the play has handlers and the feature is on
    loaded: bool = False  # the first script read the file already
    file_exists: bool = False  # the host holds a file this play must clear
    unsaved: bool = False  # notifications no script has written to the host yet


@dataclass
class HostWalk:
    """Everything one host's walk through one play changes as it goes.

    Kept as plain data apart from the runner so the outbox, the meta actions and the pending
    handler bookkeeping work on it without reaching into the runner object.
    """

    segment: Segment = field(default_factory=Segment)
    outbox: list[TaskExec] = field(default_factory=list)
    pending_names: set[str] = field(default_factory=set)  # names a pending call will set
    occurrences: dict[int, int] = field(default_factory=dict)  # id(task) -> times planned
    notified: list[Task] = field(default_factory=list)
    started: bool = True  # False until --start-at-task is reached
    last_result: TaskResult | None = None
    last_failure: TaskResult | None = None  # what a rescue reads as ansible_failed_*
    failed_at: tuple[Task, WalkCtx] | None = None
    predicted_paths: set[str] = field(default_factory=set)  # check mode: predicted changes
    hidden_become: BecomeSpec | None = None  # become of the last bookkeeping call
    pending: PendingState = field(default_factory=PendingState)

    def reset_segment(self) -> None:
        self.segment = Segment()
        self.pending_names = set()
