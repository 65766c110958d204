"""Playbooks: the model, the loader and validation before anything runs.

Public API (the executor and the CLI use only these):

* :func:`load_playbook` — YAML → :class:`Playbook`, static imports and roles expanded;
* :func:`load_task_file` / :func:`load_role` — for run-time ``include_tasks``/``include_role``;
* :func:`validate` — modules, arguments, files, templates, handlers, undefined variables;
* :func:`load_and_validate` — both, every problem reported in one ValidationError;
* :func:`iter_tasks` — tasks with their effective tags (``--list-tasks``).
"""

from edgeauto.errors import ValidationError
from edgeauto.playbook.base import find_vars_file
from edgeauto.playbook.loader import (
    load_playbook,
    load_role,
    load_task_file,
    role_with_dependencies,
    roles_search_path,
)
from edgeauto.playbook.model import Become, Block, Node, Play, Playbook, Role, Task
from edgeauto.playbook.validate import (
    check_playbook,
    find_controller_file,
    load_and_validate,
    validate,
)
from edgeauto.playbook.walk import TaskEntry, all_tags, iter_play_tasks, iter_tasks

__all__ = [
    "Become",
    "Block",
    "Node",
    "Play",
    "Playbook",
    "Role",
    "Task",
    "TaskEntry",
    "ValidationError",
    "all_tags",
    "check_playbook",
    "find_controller_file",
    "find_vars_file",
    "iter_play_tasks",
    "iter_tasks",
    "load_and_validate",
    "load_playbook",
    "load_role",
    "load_task_file",
    "role_with_dependencies",
    "roles_search_path",
    "validate",
]
