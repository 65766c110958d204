"""Controller actions the engine implements itself when no module file declares them:
``include_vars``, ``add_host``, ``group_by``, ``wait_for_connection``.

They need engine state a module never sees (the host's variables, the shared inventory, the
host's connection), which is why they live here and not in ``edgeauto/modules``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from edgeauto.errors import ConnectionFailed, EdgeautoError

if TYPE_CHECKING:  # pragma: no cover
    from edgeauto.planner.host import HostRunner

_RESERVED_ADD_HOST = {"name", "hostname", "host", "groups", "group", "groupname"}


def run_builtin(runner: HostRunner, task, wctx, args: dict) -> dict:
    from edgeauto.planner.host import short_action

    action = short_action(task.action)
    if action == "include_vars":
        return _include_vars(runner, task, wctx, args)
    if action == "add_host":
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
    if action == "group_by":
        key = args.get("key")
        if not key:
            raise EdgeautoError("group_by needs 'key'", task.pos)
        parents = args.get("parents") or ["all"]
        if isinstance(parents, str):
            parents = [parents]
        return {"changed": False, "add_group": str(key).replace(" ", "_"), "parent_groups": parents}
    if action == "wait_for_connection":
        return _wait_for_connection(runner, args)
    raise EdgeautoError(f"no module named '{task.action}'", task.pos)


def _include_vars(runner: HostRunner, task, wctx, args: dict) -> dict:
    from edgeauto.inventory.varsdirs import load_vars_file

    name = args.get("file") or args.get("_raw_params") or args.get("free_form")
    if not name:
        raise EdgeautoError("include_vars needs a file name (dir: is not supported)", task.pos)
    candidates = [Path(str(name))]
    if not candidates[0].is_absolute():
        bases = []
        if wctx.role is not None:
            bases.append(Path(wctx.role.path) / "vars")
        if task.pos and task.pos.file:
            bases += [Path(task.pos.file).parent / "vars", Path(task.pos.file).parent]
        bases.append(runner.prun.play.basedir / "vars")
        bases.append(runner.prun.play.basedir)
        candidates = [b / str(name) for b in bases]
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        raise EdgeautoError(
            f"include_vars: '{name}' not found (searched "
            + ", ".join(str(c.parent) for c in candidates)
            + ")",
            task.pos,
        )
    data = load_vars_file(path, runner.run.vault)
    if args.get("name"):
        data = {str(args["name"]): data}
    runner.state.included_vars.update(data)
    return {"changed": False, "ansible_included_var_files": [str(path)]}


def _wait_for_connection(runner: HostRunner, args: dict) -> dict:
    timeout = float(args.get("timeout", 600))
    delay = float(args.get("delay", 0))
    sleep = float(args.get("sleep", 1))
    started = time.monotonic()
    if delay and runner.prun.sleep(delay):
        return {"failed": True, "msg": "interrupted"}
    transport = runner.state.transport
    while True:
        try:
            transport.close()
            transport.connect(min(10.0, max(1.0, timeout)))
            return {"changed": False, "elapsed": round(time.monotonic() - started, 1)}
        except ConnectionFailed as exc:
            if time.monotonic() - started > timeout:
                return {"failed": True, "msg": f"timed out waiting for connection: {exc.message}"}
            if runner.prun.sleep(sleep):
                return {"failed": True, "msg": "interrupted"}
