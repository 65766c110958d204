"""``ansible_failed_task`` / ``ansible_failed_result``: what a ``rescue:`` section may read.

Ansible stores both as non-persistent host facts when a failure is rescued, so they stay
defined after the block too (same rank as ``set_fact``/``register``). The task is described by
its keywords (Ansible serializes the task object; playbooks read ``.name``, ``.action``,
``.args`` …), the result is the failed task's registered value — censored when the task had
``no_log``, so a secret never reaches a later ``debug``.
"""

from __future__ import annotations

import copy
from typing import Any

from edgeauto.planner.results import TaskResult
from edgeauto.templating import as_data


def failed_task_vars(res: TaskResult) -> dict[str, Any]:
    from edgeauto.output.render import visible_result

    task = res.task
    described = {
        "name": task.name or task.action,
        "action": task.action,
        "args": {} if res.no_log else copy.deepcopy(task.args),
        "tags": list(task.tags),
        "when": list(task.when),
        "register": task.register,
        "loop": task.loop,
        "loop_control": dict(task.loop_control or {}),
        "ignore_errors": task.ignore_errors or None,
        "delegate_to": task.delegate_to,
        "no_log": bool(res.no_log),
        "become": bool(task.become.become),
        "become_user": task.become.user,
        "vars": {} if res.no_log else copy.deepcopy(task.vars),
        "notify": list(task.notify) or None,
    }
    if task.pos is not None:
        described["path"] = f"{task.pos.file}:{task.pos.line}"
    result = visible_result(res.result, True) if res.no_log else copy.deepcopy(res.result)
    result.setdefault("failed", True)
    return {"ansible_failed_task": as_data(described), "ansible_failed_result": as_data(result)}
