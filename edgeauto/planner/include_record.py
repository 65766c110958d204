"""The result ansible-playbook reports for an ``include_tasks``/``include_role`` task itself.

ansible-playbook prints ``included: <file> for <host>`` (one line per loop item, each counted
``ok`` in the recap) before the included tasks run, and ``skipping`` (counted ``skipped``) when
the include's condition is false. Reporting the same record keeps edgeauto's recap equal to
ansible-playbook's for playbooks that use includes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from edgeauto.planner.results import TaskResult
from edgeauto.planner.taskexec import _NO_ITEM, OK, TaskExec

if TYPE_CHECKING:  # pragma: no cover
    from edgeauto.planner.host import HostRunner

SKIPPED_ITEM = {"skipped": True, "changed": False, "skip_reason": "Conditional result was False"}


def report_include(runner: HostRunner, task, wctx, entries: list[tuple[Any, Any]], looped: bool):
    """``entries``: (item or _NO_ITEM, included file/role name or None when skipped)."""
    tags = wctx.tags + tuple(task.tags)
    if not runner.started or (not wctx.in_handlers and not runner.run.tag_selection.selects(tags)):
        return OK
    items = []
    for item, target in entries:
        res = dict(SKIPPED_ITEM) if target is None else {"changed": False, "include": target}
        if item is not _NO_ITEM:
            res["item"] = item
        items.append(res)
    if looped:
        if not items:
            return OK
        result = {
            "results": items,
            "changed": False,
            "skipped": all(r.get("skipped") for r in items),
        }
    else:
        result = items[0]
    status = "skipped" if result.get("skipped") else "ok"
    te = TaskExec(task, wctx, runner.next_key(task), {})
    te.final = TaskResult(
        runner.name,
        task,
        status,
        result,
        item_results=items if looped else [],
        key=te.key,
        is_handler=task.is_handler,
    )
    runner.outbox.append(te)
    return runner.flush()
