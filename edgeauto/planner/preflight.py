"""Command-line choices that cannot work, refused before any host is contacted — where
ansible-playbook errors too, or where going on would silently do nothing.

Layer 8 helper of :mod:`edgeauto.planner.run` (reads the loaded inventory and playbooks only).
"""

from __future__ import annotations

from edgeauto.errors import EdgeautoError
from edgeauto.playbook.walk import iter_playbook_tasks

DYNAMIC_INCLUDES = frozenset({"include_tasks", "include_role", "include"})


def check_limit(inventory, limit) -> None:
    """``--limit`` that leaves no host at all: ansible-playbook's error (exit 1)."""
    if limit is None:
        return
    if not inventory.select("all", limit):
        shown = ",".join(limit) if isinstance(limit, list | tuple) else str(limit)
        raise EdgeautoError(
            "Specified inventory, host pattern and/or --limit leaves us with no hosts to "
            f"target (--limit '{shown}' matches no host)"
        )


def check_start_at_task(playbooks: list, name: str | None) -> None:
    """``--start-at-task`` naming no task would run nothing and exit 0; refuse it. A task
    inside a dynamic include cannot be seen before the run, so then it is left to the run."""
    if name is None:
        return
    dynamic = False
    for playbook in playbooks:
        for entry in iter_playbook_tasks(playbook, handlers=False, rescue=True):
            task = entry.task
            if name in (task.name, task.display_name):
                return
            dynamic = dynamic or task.action_name in DYNAMIC_INCLUDES
    if not dynamic:
        raise EdgeautoError(
            f"--start-at-task: no task named '{name}' in the playbook "
            "(names of tasks, including those of roles and import_tasks files)"
        )
