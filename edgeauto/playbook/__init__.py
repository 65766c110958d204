"""Playbooks: the model, the loader and validation before anything runs.

Public API (the executor and the CLI use only these):

* :func:`load_playbook` — YAML → :class:`Playbook`, static imports and roles expanded;
* :func:`load_task_file` / :func:`load_role` — for run-time ``include_tasks``/``include_role``;
* :func:`validate` — modules, arguments, files, templates, handlers, undefined variables;
* :func:`load_and_validate` — both, every problem reported in one ValidationError;
* :func:`iter_playbook_tasks` — tasks with their effective tags (``--list-tasks``);
* :mod:`~edgeauto.playbook.walk` / :mod:`~edgeauto.playbook.search` — the one task-tree walk
  and the one controller-file search rule, shared by validation and the run.
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
from edgeauto.playbook.search import find_controller_file, search_bases, searched_text
from edgeauto.playbook.validate import check_playbook, load_and_validate, validate
from edgeauto.playbook.walk import (
    TaskEntry,
    all_tags,
    any_node,
    flatten_roles,
    iter_nodes,
    iter_play_tasks,
    iter_playbook_tasks,
    iter_tasks,
    static_tasks,
)

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
    "any_node",
    "check_playbook",
    "find_controller_file",
    "find_vars_file",
    "flatten_roles",
    "iter_nodes",
    "iter_play_tasks",
    "iter_playbook_tasks",
    "iter_tasks",
    "load_and_validate",
    "load_playbook",
    "load_role",
    "load_task_file",
    "role_with_dependencies",
    "roles_search_path",
    "search_bases",
    "searched_text",
    "static_tasks",
    "validate",
]
