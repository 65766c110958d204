"""The small records the host runner and the result folding share: task executions, item
slots and walk outcomes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from edgeauto.planner.context import WalkCtx
from edgeauto.planner.results import TaskResult
from edgeauto.planner.segment import Call
from edgeauto.playbook.model import Task

OK, FAILED, UNREACHABLE, END_HOST, END_PLAY, STOPPED = (
    "ok",
    "failed",
    "unreachable",
    "end_host",
    "end_play",
    "stopped",
)
INCLUDE_TASKS = {"include_tasks", "import_tasks", "include"}
INCLUDE_ROLE = {"include_role", "import_role"}
FACT_ACTIONS = {"setup", "gather_facts"}
_NO_ITEM = object()


def short_action(name: str) -> str:
    for prefix in ("ansible.builtin.", "ansible.legacy.", "edgeauto.builtin."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass
class ItemSlot:
    """One loop item (or the single run of an unlooped task)."""

    item: Any = _NO_ITEM
    index: int = 0
    result: dict[str, Any] | None = None
    call: Call | None = None
    label: Any = None


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
