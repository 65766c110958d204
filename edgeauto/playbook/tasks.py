"""Loading tasks, blocks and handlers; static imports (import_tasks/import_role) are
expanded here, dynamic includes stay tasks for the executor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from edgeauto.errors import Position, did_you_mean
from edgeauto.modules.spec import is_templated
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.actions import canonical_action, get_module
from edgeauto.playbook.base import (
    FAILED,
    IDENT,
    LoadContext,
    describe,
    flatten_handlers,
)
from edgeauto.playbook.fallback import fallback_source
from edgeauto.playbook.model import Block, Node, Task
from edgeauto.playbook.moduledefaults import loaded_module_defaults
from edgeauto.playbook.roles import with_dependencies
from edgeauto.playbook.search import YAML_EXTS, find_controller_file, searched_text
from edgeauto.playbook.taskaction import ActionLoader
from edgeauto.playbook.walk import iter_tasks
from edgeauto.yamlsrc import PosDict, position_of


class TaskLoader(ActionLoader):
    """Task-level loading (mixed into :class:`~edgeauto.playbook.loader.Loader`)."""

    # ---------------------------------------------------------------- tasks
    def _task_list(self, ds: dict, key: str, ctx: LoadContext) -> list[Node]:
        value = ds.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(
                f"'{key}' expects a list of tasks, found {describe(value)}",
                position_of(value, ds.pos_of(key)),
            )
            return []
        return self.load_tasks(value, ctx)

    def _handler_list(self, ds: dict, ctx: LoadContext) -> list[Task]:
        hctx = replace(ctx, handlers=True)
        return flatten_handlers(self._task_list(ds, "handlers", hctx), self, [])

    def load_tasks(self, items: list, ctx: LoadContext) -> list[Node]:
        out: list[Node] = []
        for item in items:
            node = self._task_or_block(item, ctx, position_of(items, Position(str(ctx.file))))
            if node is not None:
                out.append(node)
        return out

    def _task_or_block(self, ds: Any, ctx: LoadContext, parent_pos) -> Node | None:
        if not isinstance(ds, dict):
            self.problem(
                f"expected a task (a mapping of keywords and one module), found {describe(ds)}",
                position_of(ds, parent_pos),
            )
            return None
        if "block" in ds:
            return self._block(ds, ctx)
        for orphan in ("rescue", "always"):
            if orphan in ds:
                self.problem(f"'{orphan}' needs a 'block' in the same mapping", ds.pos_of(orphan))
                return None
        return self._task(ds, ctx)

    def _block(self, ds: PosDict, ctx: LoadContext) -> Block | None:
        self._check_keys(ds, kw.BLOCK, "block")
        block = Block(block=self._task_list(ds, "block", ctx), pos=ds.pos, role=ctx.role)
        block.rescue = self._task_list(ds, "rescue", ctx)
        block.always = self._task_list(ds, "always", ctx)
        self._apply_common(block, ds)
        notify = self._list(ds.get("notify"), "notify", ds.pos_of("notify"))
        if notify:
            for task in iter_tasks([block]):
                task.notify = task.notify + [n for n in notify if n not in task.notify]
        return block

    def _apply_common(self, node: Task | Block, ds: dict) -> None:
        """Keywords tasks and blocks share."""
        node.name = self._str(ds, "name")
        node.when = self._list(ds.get("when"), "when", ds.pos_of("when"))
        node.tags = self._tags(ds.get("tags"), ds.pos_of("tags"))
        node.vars = self._mapping(ds, "vars")
        node.become = self._become(ds)
        node.environment = self._mapping(ds, "environment", allow_template=True)
        default = False if isinstance(node, Task) else None
        node.ignore_errors = self._bool(ds, "ignore_errors", default)
        node.no_log = self._bool(ds, "no_log", default)
        node.run_once = self._bool(ds, "run_once", default)
        node.check_mode = self._bool(ds, "check_mode")
        node.diff = self._bool(ds, "diff")
        node.any_errors_fatal = self._bool(ds, "any_errors_fatal")
        if isinstance(node, Task):
            node.ignore_unreachable = self._bool(ds, "ignore_unreachable", False)
            for key, attr in (("async", "async_val"), ("poll", "poll")):
                if key in ds:
                    setattr(node, attr, self._int(ds, key))
        if "timeout" in ds:
            node.timeout = self._int(ds, "timeout")
        node.remote_user = self._str(ds, "remote_user")
        node.module_defaults = loaded_module_defaults(self, ds)
        delegate = self._str(ds, "delegate_to")
        if delegate is not None:
            node.delegate_to = delegate

    def _task(self, ds: PosDict, ctx: LoadContext) -> Node | None:
        self._unresolved = None
        canon, value, key = self._find_action(ds, ctx)
        if canon is None:
            if ctx.handlers:
                for name in [ds.get("name"), *self._list(ds.get("listen"), "listen", None)]:
                    if isinstance(name, str):
                        self.broken_handler_names.add(name)
            return None
        args = self._args(canon, value, ds, key)
        if args is None:
            return None
        task = Task(action=canon, args=args, pos=ds.pos_of(key), role=ctx.role)
        task.unresolved, self._unresolved = self._unresolved, None
        task.args_templates, self._templates = list(self._templates), []
        if canonical_action(canon) is None and not is_templated(canon):
            task.fallback = fallback_source(canon, ctx, self)  # Ansible's own module, run as such
        task.is_handler = ctx.handlers
        self._apply_common(task, ds)
        if key == "local_action":
            task.delegate_to = "localhost"
        self._loop(task, ds)
        if "loop_control" in ds:
            self._loop_control(task, ds)
        register = self._str(ds, "register")
        if register is not None and not IDENT.match(register):
            self.problem(
                f"'register' expects a variable name (letters, digits, _), found {register!r}",
                position_of(ds["register"], ds.pos_of("register")),
            )
        task.register = register
        task.notify = [str(n) for n in self._list(ds.get("notify"), "notify", ds.pos_of("notify"))]
        if ctx.handlers:
            task.listen = [str(n) for n in self._list(ds.get("listen"), "listen", ds.pos)]
        for cond in ("failed_when", "changed_when", "until"):
            if cond in ds:
                setattr(task, cond, self._list(ds[cond], cond, ds.pos_of(cond)))
        for number in ("retries", "delay"):
            if number in ds:
                setattr(task, number, self._int(ds, number))
        if "until" in ds and task.retries is None:
            task.retries = 3
        if "until" in ds and task.delay is None:
            task.delay = 5
        self._task_serial(task, ds)
        return self._special(task, ds, key, ctx)

    def _task_serial(self, task: Task, ds: PosDict) -> None:
        """``serial`` on a task or handler (an edgeauto extension, docs/engine.md)."""
        task.serial = self._serial(ds)
        if task.serial is not None and task.action_name in kw.NO_SERIAL_ACTIONS:
            self.problem(
                f"'serial' cannot be set on {task.action_name}: it runs no task of its own",
                ds.pos_of("serial"),
                "put serial: on the tasks it includes, or use a play with serial:",
            )
            task.serial = None

    def _loop_control(self, task: Task, ds: PosDict) -> None:
        """``loop_control``: known keys only, booleans, a non-negative pause, variable names."""
        task.loop_control = self._mapping(ds, "loop_control")
        for lc_key in task.loop_control:
            if str(lc_key) not in kw.LOOP_CONTROL_KEYS:
                self.problem(
                    f"unknown loop_control key '{lc_key}'; expected one of: "
                    + ", ".join(sorted(kw.LOOP_CONTROL_KEYS)),
                    task.loop_control.pos_of(lc_key),
                    did_you_mean(str(lc_key), kw.LOOP_CONTROL_KEYS),
                )
        lc = task.loop_control
        for flag in ("extended", "extended_allitems"):
            if flag in lc:
                lc[flag] = self._bool(lc, flag)
        if "pause" in lc and not is_templated(lc["pause"]):
            try:
                if isinstance(lc["pause"], bool) or float(lc["pause"]) < 0:
                    raise ValueError
            except (TypeError, ValueError):
                self.problem(
                    f"loop_control 'pause' expects seconds (a number), found "
                    f"{describe(lc['pause'])}",
                    lc.pos_of("pause"),
                )
        for name_key in ("loop_var", "index_var"):
            value = lc.get(name_key)
            templated = name_key == "loop_var" and is_templated(value)  # rendered per host
            if value is not None and not templated and not IDENT.match(str(value)):
                self.problem(
                    f"loop_control '{name_key}' expects a variable name, found {describe(value)}",
                    lc.pos_of(name_key),
                )

    def _int(self, ds: dict, key: str) -> Any:
        value = ds[key]
        if is_templated(value):
            return value
        try:
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            self.problem(
                f"'{key}' expects an integer, found {describe(value)}",
                position_of(value, ds.pos_of(key)),
            )
            return None

    def _loop(self, task: Task, ds: PosDict) -> None:
        loops = [k for k in ds if str(k) == "loop" or str(k).startswith("with_")]
        if len(loops) > 1:
            self.problem(
                f"a task can have one loop, found {', '.join(map(str, loops))}",
                ds.pos_of(loops[1]),
            )
        if not loops:
            return
        key = str(loops[0])
        if key.startswith("with_"):
            # any lookup, by short name or FQCN (with_ansible.builtin.items,
            # with_community.general.flattened), as Ansible accepts every lookup plugin
            from edgeauto.templating.lookups import LOOKUPS, lookup_short_name

            known = kw.LOOP_LOOKUPS | set(LOOKUPS)
            if lookup_short_name(key[5:]) not in known:
                self.problem(
                    f"unknown loop lookup '{key}'; expected loop: or one of "
                    + ", ".join(f"with_{n}" for n in sorted(known)),
                    ds.pos_of(loops[0]),
                    did_you_mean(key, [f"with_{n}" for n in known]),
                )
                return
        value = ds[loops[0]]
        if key == "loop" and not (isinstance(value, list) or is_templated(value)):
            self.problem(
                f"'loop' expects a list or a template giving one, found {describe(value)}",
                position_of(value, ds.pos_of("loop")),
                "use with_<lookup> or loop: \"{{ query('...') }}\" for lookups",
            )
            return
        task.loop = value
        task.loop_kind = key

    # ---------------------------------------------------------------- imports/includes
    def _special(self, task: Task, ds: PosDict, key, ctx: LoadContext) -> Node | None:
        action = task.action
        if action == "import_playbook":
            self.problem("import_playbook is only allowed at the top level of a playbook", task.pos)
            return None
        if action in ("import_tasks", "include_tasks"):
            name = self._include_target(task, ds, kw.TASK_INCLUDE_ARGS, "file", "a file name")
            if name is None:
                return None
            if action == "include_tasks":
                return task
            rendered = self._render_import(task, name, ctx)
            if rendered is None:
                return None
            path = self.find_task_file(rendered, ctx, task.pos)
            if path is None:
                return None
            nodes = self.task_file(path, replace(ctx, file=path), task.pos)
            return _wrap(task, nodes, ctx)
        if action in ("import_role", "include_role"):
            name = self._include_target(task, ds, kw.ROLE_INCLUDE_ARGS, "name", "'name' (a role)")
            if name is None:
                return None
            if action == "include_role":
                return task
            rendered = self._render_import(task, name, ctx)
            if rendered is None:
                return None
            role = self.role(rendered, task.pos, ctx, **role_file_options(task.args))
            if role is None:
                return None
            if ctx.handler_sink is not None:
                ctx.handler_sink.extend(h for r in with_dependencies(role) for h in r.handlers)
            nodes: list[Node] = []
            for r in with_dependencies(role):
                inner = Block(block=list(r.tasks), pos=task.pos, role=r)
                inner.when, inner.tags = list(r.when), list(r.tags)
                nodes.append(inner)
            return _wrap(task, nodes, ctx)
        if action == "meta" and get_module("meta") is None:  # else the spec checks it
            what = task.args.get("_raw_params")
            if isinstance(what, str) and not is_templated(what) and what not in kw.META_ACTIONS:
                self.problem(
                    f"unknown meta action '{what}'; expected one of: {', '.join(kw.META_ACTIONS)}",
                    task.pos,
                    did_you_mean(what, kw.META_ACTIONS),
                )
        return task

    def _include_target(
        self, task: Task, ds, allowed: set[str], arg: str, expects: str
    ) -> str | None:
        """What import_*/include_* share first: known arguments only, and a non-empty name in
        ``arg`` that becomes ``task.include_target``; None (after a problem) when it is missing."""
        self._check_args(task, allowed, ds)
        name = task.args.get(arg)
        if not isinstance(name, str) or not name:
            self.problem(f"{task.action} expects {expects}, found {describe(name)}", task.pos)
            return None
        task.include_target = name
        return name

    def _render_import(self, task: Task, name: str, ctx: LoadContext) -> str | None:
        """An import is resolved at load time: it cannot loop, and its name is rendered now
        with the variables known statically; None (after a problem) when that fails."""
        if task.loop is not None:
            include = task.action.replace("import_", "include_", 1)
            self.problem(f"{task.action} cannot loop; use {include}", task.pos)
            return None
        variables = {**ctx.static_vars, **task.vars, **self.extra_vars}
        return self._render_static(name, variables, position_of(name, task.pos), task.action)

    def _check_args(self, task: Task, allowed: set[str], ds) -> None:
        apply = task.args.get("apply")
        if apply is not None:
            if not isinstance(apply, dict):
                self.problem(
                    f"{task.action} 'apply' expects a mapping of keywords, found {describe(apply)}",
                    task.pos,
                )
            else:
                self._check_keys(apply, kw.BLOCK - {"block", "rescue", "always"}, "apply")
        for arg in task.args:
            if str(arg) not in allowed:
                self.problem(
                    f"{task.action} has no argument '{arg}'; expected one of: "
                    + ", ".join(sorted(a for a in allowed if not a.startswith("_"))),
                    getattr(task.args, "pos_of", lambda _k: task.pos)(arg),
                    did_you_mean(str(arg), allowed),
                )

    def find_task_file(self, name: str, ctx: LoadContext, pos) -> Path | None:
        """The task file ``name`` (import_tasks/include_tasks), by :mod:`.search`'s rule."""
        where = {
            "role_path": ctx.role.path if ctx.role is not None else None,
            "task_file": ctx.file,
            "basedir": ctx.basedir,
        }
        found = find_controller_file("tasks", name, exts=YAML_EXTS, **where)
        if found is None:
            looked = "/" if Path(name).is_absolute() else searched_text("tasks", **where)
            self.problem(f"task file '{name}' not found; looked in: {looked}", pos)
        return found

    def task_file(self, path: Path, ctx: LoadContext, pos) -> list[Node]:
        key = str(path.resolve())
        if key in ctx.chain:
            self.problem(f"import cycle: {path} imports itself", pos)
            return []
        data = self._read(path, pos)
        if data is FAILED or data is None:
            return []
        if not isinstance(data, list):
            self.problem(
                f"a task file must be a list of tasks, found {describe(data)}",
                position_of(data, Position(str(path), 1, 1)),
            )
            return []
        return self.load_tasks(data, replace(ctx, file=path, chain=ctx.chain + (key,)))


def role_file_options(args: dict) -> dict:
    """The ``tasks_from``/``vars_from``/… arguments of an import_role/include_role, as given."""
    return {
        k: str(args[k])
        for k in ("tasks_from", "vars_from", "defaults_from", "handlers_from")
        if args.get(k)
    }


def _wrap(task: Task, nodes: list[Node], ctx: LoadContext) -> Block:
    """import_tasks/import_role: the imported nodes inside a block carrying the import's keywords."""
    block = Block(block=nodes, pos=task.pos, role=ctx.role, name=None)
    block.when, block.tags, block.vars = task.when, task.tags, task.vars
    block.become, block.environment = task.become, task.environment
    block.ignore_errors = task.ignore_errors if task.ignore_errors is not False else None
    block.no_log = task.no_log if task.no_log is not False else None
    block.run_once = task.run_once if task.run_once is not False else None
    block.check_mode, block.diff = task.check_mode, task.diff
    block.delegate_to, block.any_errors_fatal = task.delegate_to, task.any_errors_fatal
    block.timeout, block.remote_user = task.timeout, task.remote_user
    block.module_defaults = task.module_defaults
    if ctx.handlers:
        for inner in iter_tasks(nodes):
            inner.is_handler = True
    return block
