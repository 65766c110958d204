"""``include_tasks`` / ``include_role`` at run time: loading what they name, and the result
ansible-playbook reports for the include task itself.

ansible-playbook prints ``included: <file> for <host>`` (one line per loop item, each counted
``ok`` in the recap) before the included tasks run, and ``skipping`` (counted ``skipped``) when
the include's condition is false. Reporting the same record keeps edgeauto's recap equal to
ansible-playbook's for playbooks that use includes. Layer 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgeauto.errors import EdgeautoError
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.records import NO_ITEM, TaskExec
from edgeauto.planner.results import TaskResult
from edgeauto.playbook.model import Play, Task

SKIPPED_ITEM = {"skipped": True, "changed": False, "skip_reason": "Conditional result was False"}


class IncludeLoader:
    """Loads included task files and roles relative to the including task."""

    def __init__(self, play: Play, roles_path: list, extra_vars: dict):
        self.play = play
        self.roles_path = roles_path
        self.extra_vars = extra_vars

    def tasks(self, target: str, task: Task, wctx: WalkCtx, host_vars: dict | None = None):
        """Load an include_tasks file; ``host_vars`` (the including task's variables) render
        templated ``import_*`` names inside it, ``roles_path`` finds roles it imports."""
        from edgeauto.playbook import load_task_file
        from edgeauto.playbook.search import find_controller_file, searched_text

        where = {
            "role_path": Path(wctx.role.path) if wctx.role is not None else None,
            "task_file": task.pos.file if task.pos and task.pos.file else None,
            "basedir": self.play.basedir,
        }
        path = find_controller_file("tasks", target, **where)
        if path is None:
            raise EdgeautoError(
                f"included task file '{target}' not found (searched "
                f"{searched_text('tasks', **where)})",
                task.pos,
            )
        from edgeauto.playbook.moduledefaults import apply_module_defaults

        nodes = list(
            load_task_file(
                path,
                role=wctx.role,
                pos=task.pos,
                basedir=self.play.basedir,
                roles_path=self.roles_path,
                extra_vars=self.extra_vars,
                static_vars=host_vars or {},
            )
        )
        apply_module_defaults(nodes, [*wctx.module_defaults, *task.module_defaults])
        return nodes

    def role(self, name: str, task: Task, args: dict):
        from edgeauto.playbook import load_role

        return load_role(
            name,
            roles_path=self.roles_path,
            pos=task.pos,
            params=dict(args.get("vars") or {}),
            tasks_from=args.get("tasks_from"),
        )


def include_entry(
    host: str, task: Task, wctx: WalkCtx, key: tuple, entries: list[tuple[Any, Any]], looped: bool
) -> TaskExec | None:
    """The reported execution of an include task. ``entries``: (item or NO_ITEM, included
    file/role name, or None when that item was skipped). None: nothing to report."""
    items = []
    for item, target in entries:
        res = dict(SKIPPED_ITEM) if target is None else {"changed": False, "include": target}
        if item is not NO_ITEM:
            res["item"] = item
        items.append(res)
    if looped and not items:
        return None
    if looped:
        result = {
            "results": items,
            "changed": False,
            "skipped": all(r.get("skipped") for r in items),
        }
    else:
        result = items[0]
    te = TaskExec(task, wctx, key, {})
    te.final = TaskResult(
        host,
        task,
        "skipped" if result.get("skipped") else "ok",
        result,
        item_results=items if looped else [],
        key=key,
        is_handler=task.is_handler,
    )
    return te
