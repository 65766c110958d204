"""Controller actions the engine implements itself when no module file declares them:
``include_vars``, ``add_host``, ``group_by`` (``wait_for_connection`` is a module with
``uses_connection``: ``modules/core/wait_for_connection.py``).

They need engine state a module never sees (the host's variables, the host's connection),
handed over in a small :class:`BuiltinCtx` — never the runner. ``add_host``/``group_by`` only
*describe* the inventory change in their result; the fleet state applies it. Layer 2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgeauto.errors import EdgeautoError
from edgeauto.planner.state import HostState
from edgeauto.playbook.model import Task

_RESERVED_ADD_HOST = {"name", "hostname", "host", "groups", "group", "groupname"}


@dataclass
class BuiltinCtx:
    """What a built-in controller action may use."""

    state: HostState
    vault: Any
    basedir: Path
    role_path: Path | None
    sleep: Callable[[float], bool]  # True when the run was cancelled meanwhile
    variables: dict | None = None  # the task's variables (include_vars hash_behaviour: merge)


def run_builtin(task: Task, args: dict, ctx: BuiltinCtx) -> dict:
    action = task.action_name
    if action == "include_vars":
        return _include_vars(task, args, ctx)
    if action == "add_host":
        return _add_host(task, args)
    if action == "group_by":
        key = args.get("key")
        if not key:
            raise EdgeautoError("group_by needs 'key'", task.pos)
        parents = args.get("parents") or ["all"]
        if isinstance(parents, str):
            parents = [parents]
        return {"changed": False, "add_group": str(key).replace(" ", "_"), "parent_groups": parents}
    raise EdgeautoError(f"no module named '{task.action}'", task.pos)


def _add_host(task: Task, args: dict) -> dict:
    name = args.get("name") or args.get("hostname") or args.get("host")
    if not name:
        raise EdgeautoError("add_host needs 'name'", task.pos)
    groups = args.get("groups") or args.get("group") or args.get("groupname") or []
    if isinstance(groups, str):
        groups = [g.strip() for g in groups.split(",") if g.strip()]
    host_vars = {k: v for k, v in args.items() if k not in _RESERVED_ADD_HOST}
    return {
        "changed": False,
        "add_host": {"host_name": str(name), "groups": list(groups), "host_vars": host_vars},
    }


def _include_vars(task: Task, args: dict, ctx: BuiltinCtx) -> dict:
    from edgeauto.planner.includevars import include_vars

    return include_vars(task, args, ctx)
