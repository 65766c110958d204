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
    from edgeauto.inventory.varsdirs import load_vars_file
    from edgeauto.playbook.search import find_controller_file, searched_text

    name = args.get("file") or args.get("_raw_params") or args.get("free_form")
    if isinstance(name, str):
        name = name.rstrip("\n")  # as Ansible's include_vars: `include_vars: >` + name
    if not name:
        raise EdgeautoError("include_vars needs a file name (dir: is not supported)", task.pos)
    where = {
        "role_path": ctx.role_path,
        "task_file": task.pos.file if task.pos and task.pos.file else None,
        "basedir": ctx.basedir,
    }
    path = find_controller_file("vars", str(name), **where)
    if path is None:
        raise EdgeautoError(
            f"include_vars: '{name}' not found (searched {searched_text('vars', **where)})",
            task.pos,
        )
    data = load_vars_file(path, ctx.vault)
    if args.get("name"):
        data = {str(args["name"]): data}
    ctx.state.included_vars.update(data)
    return {"changed": False, "ansible_included_var_files": [str(path)]}
