"""Result records the engine produces and the reporters print.

One :class:`TaskResult` per (host, task execution). ``status`` is what the recap counts:
ok, changed, failed, skipped, unreachable, rescued is counted per host separately, and ``ignored``
marks a failure that ``ignore_errors`` let pass. The ``result`` dict is the Ansible-shaped value
``register`` stores (loops: ``results`` list, ``changed``/``failed`` aggregated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edgeauto.playbook.model import Task


@dataclass
class TaskResult:
    host: str
    task: Task
    status: str  # ok | changed | failed | skipped | unreachable
    result: dict[str, Any] = field(default_factory=dict)
    ignored: bool = False
    item_results: list[dict[str, Any]] = field(default_factory=list)
    key: tuple = ()  # identity of this task execution, shared by all hosts (output grouping)
    delegated_to: str | None = None
    duration: float = 0.0
    script: str | None = None  # the script that ran it (for -vvv)
    hidden: bool = False  # internal bookkeeping tasks are not printed
    no_log: bool = False
    check_mode: bool = False
    is_handler: bool = False
    explain: dict[str, Any] | None = None  # where/what/rc/stderr tail of a failure

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "unreachable")


_INCLUDES = ("include_tasks", "include_role")


@dataclass
class HostStats:
    ok: int = 0
    changed: int = 0
    unreachable: int = 0
    failed: int = 0
    skipped: int = 0
    rescued: int = 0
    ignored: int = 0

    def count(self, res: TaskResult) -> None:
        if res.hidden:
            return
        if res.status == "ok" and res.item_results and res.task.action.endswith(_INCLUDES):
            # ansible-playbook counts every included file of a looped include as one ok.
            self.ok += sum(1 for r in res.item_results if not r.get("skipped"))
            return
        if res.status == "unreachable":
            self.unreachable += 1
        elif res.status == "failed":
            if res.ignored:  # ansible-playbook counts an ignored failure as ok (and changed)
                self.ignored += 1
                self.ok += 1
                if res.result.get("changed"):
                    self.changed += 1
            else:
                self.failed += 1
        elif res.status == "skipped":
            self.skipped += 1
        else:
            self.ok += 1
            if res.status == "changed":
                self.changed += 1

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)
