"""Turn playbook YAML into the model in :mod:`edgeauto.playbook.model`.

The loader normalises every spelling Ansible accepts into one shape (``with_*`` → ``loop``,
``k=v`` strings → args, ``when``/``notify``/``tags`` → lists, ``action:``/``local_action:`` →
``action`` + ``delegate_to``) and expands what is static: ``import_playbook``, ``import_tasks``,
``import_role`` and the play's ``roles:`` (with meta dependencies, deduplicated). Dynamic
``include_*`` stay tasks; the executor loads them with :func:`load_task_file`/:func:`load_role`.

Problems are *collected* (one per mistake, each with file:line:col) instead of stopping at the
first, so ``edgeauto check-syntax`` can list everything at once; the public functions raise one
:class:`~edgeauto.errors.ValidationError` at the end.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from edgeauto.errors import EdgeautoError, ParseError, Position, ValidationError, did_you_mean
from edgeauto.modules.spec import is_templated, to_bool
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.actions import canonical_action, get_module, module_hint
from edgeauto.playbook.model import Become, Block, Node, Play, Playbook, Role, Task
from edgeauto.playbook.splitter import parse_kv
from edgeauto.yamlsrc import PosDict, PosList, load_yaml, position_of

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_YAML_EXTS = ("", ".yml", ".yaml", ".json")


@dataclass
class _Ctx:
    """Where we are while loading: file, playbook dir, role, and what collects handlers."""

    file: Path
    basedir: Path
    role: Role | None = None
    handlers: bool = False
    static_vars: dict[str, Any] = field(default_factory=dict)
    handler_sink: list[Task] | None = None
    chain: tuple[str, ...] = ()  # files/roles being loaded, for cycle detection


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {str(value)!r}"
    return f"a {type(value).__name__} {value!r}"


def roles_search_path(basedir: Path, roles_path=()) -> list[Path]:
    """Where roles are looked for, in order (roles/ beside the playbook first, playbook dir last)."""
    paths = [basedir / "roles", *[Path(p) for p in roles_path]]
    for env in ("EDGEAUTO_ROLES_PATH", "ANSIBLE_ROLES_PATH"):
        paths += [Path(p).expanduser() for p in os.environ.get(env, "").split(":") if p]
    paths.append(basedir)
    return paths


class Loader:
    """One loading session; ``problems`` collects every error found."""

    def __init__(self, roles_path=(), extra_vars: dict | None = None):
        self.roles_path = [Path(p) for p in roles_path]
        self.extra_vars = dict(extra_vars or {})
        self.problems: list[EdgeautoError] = []
        # names/topics of handlers that failed to load: notify checks must not cascade on them
        self.broken_handler_names: set[str] = set()

    # ---------------------------------------------------------------- helpers
    def problem(self, message: str, pos: Position | None, hint: str | None = None) -> None:
        self.problems.append(ParseError(message, pos, hint))

    def _read(self, path: Path, pos: Position | None = None) -> Any:
        try:
            return load_yaml(path)
        except ParseError as exc:
            if exc.message == "file not found" and pos is not None:
                exc = ParseError(f"file not found: {path}", pos)
            self.problems.append(exc)
            return _FAILED

    def _list(self, value: Any, what: str, pos: Position | None) -> list:
        """Normalise a scalar-or-list keyword (when, notify, listen) into a list."""
        if value is None:
            return []
        if isinstance(value, list):
            return list(value)
        if isinstance(value, dict):
            self.problem(f"'{what}' expects a string or a list, found {_describe(value)}", pos)
            return []
        return [value]

    def _tags(self, value: Any, pos: Position | None) -> list[str]:
        out: list[str] = []
        items = value.split(",") if isinstance(value, str) else self._list(value, "tags", pos)
        for item in items:
            if isinstance(item, dict | list):
                self.problem(f"'tags' expects strings, found {_describe(item)}", pos)
                continue
            text = str(item).strip()
            if text:
                out.append(text)
        return out

    def _bool(self, ds: dict, key: str, default: Any = None) -> Any:
        """A boolean keyword: a real bool, a yes/no string, or a template kept for later."""
        if key not in ds:
            return default
        value = ds[key]
        if is_templated(value):
            return value
        try:
            return to_bool(value)
        except ValueError:
            self.problem(
                f"'{key}' expects a boolean (true/false), found {_describe(value)}",
                position_of(value, ds.pos_of(key)),
            )
            return default

    def _mapping(self, ds: dict, key: str, allow_template: bool = False) -> dict:
        value = ds.get(key)
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        if key == "vars" and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            merged = PosDict()  # Ansible still accepts `vars:` as a list of mappings
            merged.pos = value.pos
            for item in value:
                merged.update(item)
                merged.key_pos.update(item.key_pos)
            return merged
        if allow_template and is_templated(value):
            return value  # e.g. environment: "{{ proxy_env }}", rendered per host
        self.problem(
            f"'{key}' expects a mapping, found {_describe(value)}",
            position_of(value, ds.pos_of(key)),
        )
        return {}

    def _str(self, ds: dict, key: str) -> str | None:
        value = ds.get(key)
        if value is None:
            return None
        if isinstance(value, dict | list):
            self.problem(
                f"'{key}' expects a string, found {_describe(value)}", position_of(value, ds.pos)
            )
            return None
        return value if isinstance(value, str) else str(value)

    def _become(self, ds: dict) -> Become:
        method = self._str(ds, "become_method")
        if method and not is_templated(method) and method not in kw.BECOME_METHODS:
            self.problem(
                f"'become_method' must be one of {', '.join(kw.BECOME_METHODS)}, found {method!r}",
                position_of(ds["become_method"], ds.pos_of("become_method")),
                did_you_mean(method, kw.BECOME_METHODS),
            )
            method = None
        return Become(
            self._bool(ds, "become"),
            self._str(ds, "become_user"),
            method,
            self._str(ds, "become_flags"),
        )

    def _check_keys(self, ds: dict, allowed: set[str], what: str, extra_ok=()) -> None:
        for key in ds:
            name = str(key)
            if name in allowed or name in kw.IGNORED or name in extra_ok:
                continue
            pos = ds.pos_of(key)
            if name in kw.UNSUPPORTED and not (what == "play" and name in kw.PLAY_ONLY_OK):
                self.problem(
                    f"keyword '{name}' is not supported by edgeauto", pos, kw.UNSUPPORTED[name]
                )
                continue
            hint = did_you_mean(name, allowed)
            self.problem(
                f"unknown {what} keyword '{name}'; expected one of: {', '.join(sorted(allowed))}",
                pos,
                hint,
            )

    def _render_static(self, text: str, variables: dict, pos, what: str) -> str | None:
        """Render a load-time template (import file name); None after reporting a problem."""
        import jinja2
        from jinja2 import meta

        env = jinja2.Environment(undefined=jinja2.StrictUndefined)
        value = str(text)
        for _ in range(5):
            if not is_templated(value):
                return value
            try:
                names = meta.find_undeclared_variables(env.parse(value))
            except jinja2.TemplateSyntaxError as exc:
                self.problem(f"{what}: Jinja2 syntax error: {exc.message}", pos)
                return None
            missing = sorted(n for n in names if n not in variables)
            if missing:
                self.problem(
                    f"{what} '{text}' uses undefined variable '{missing[0]}'; a static import "
                    "can only use play vars, role defaults/vars and extra vars",
                    pos,
                    "use include_* for names known only at run time",
                )
                return None
            try:
                value = env.from_string(value).render(variables)
            except Exception as exc:  # noqa: BLE001 - any Jinja failure is a user problem
                self.problem(f"{what} '{text}' could not be rendered: {exc}", pos)
                return None
        return value

    # ---------------------------------------------------------------- playbooks
    def load_playbook(self, path: Path) -> Playbook:
        path = Path(path)
        plays = self._playbook_file(path, None, ())
        return Playbook(path=path, plays=plays)

    def _playbook_file(self, path: Path, pos: Position | None, chain: tuple) -> list[Play]:
        key = str(path.resolve())
        if key in chain:
            self.problem(f"import_playbook cycle: {path} imports itself", pos)
            return []
        data = self._read(path, pos)
        if data is _FAILED:
            return []
        if not isinstance(data, list) or not data:
            self.problem(
                f"a playbook must be a non-empty list of plays, found {_describe(data)}",
                position_of(data, pos or Position(str(path), 1, 1)),
            )
            return []
        plays: list[Play] = []
        for entry in data:
            if not isinstance(entry, dict):
                self.problem(
                    f"expected a play (a mapping with 'hosts'), found {_describe(entry)}",
                    position_of(entry, data.pos),
                )
                continue
            imp = next((k for k in entry if str(k).endswith("import_playbook")), None)
            if imp is not None and canonical_action(imp) == "import_playbook":
                plays += self._import_playbook(entry, imp, path, chain + (key,))
            elif "include" in entry:
                self.problem(
                    "'include' was removed from Ansible; use import_playbook",
                    entry.pos_of("include"),
                )
            else:
                play = self._play(entry, path)
                if play is not None:
                    plays.append(play)
        return plays

    def _import_playbook(self, ds: PosDict, key, path: Path, chain: tuple) -> list[Play]:
        self._check_keys(ds, kw.IMPORT_PLAYBOOK | {str(key)}, "import_playbook")
        pos = ds.pos_of(key)
        name = ds[key]
        if not isinstance(name, str):
            self.problem(f"import_playbook expects a file name, found {_describe(name)}", pos)
            return []
        variables = {**self._mapping(ds, "vars"), **self.extra_vars}
        rendered = self._render_static(name, variables, position_of(name, pos), "import_playbook")
        if rendered is None:
            return []
        target = path.parent / rendered
        plays = self._playbook_file(target, position_of(name, pos), chain)
        when = self._list(ds.get("when"), "when", ds.pos_of("when"))
        tags = self._tags(ds.get("tags"), ds.pos_of("tags"))
        imp_vars = self._mapping(ds, "vars")
        for play in plays:
            play.tags = tags + play.tags
            play.vars = {**play.vars, **imp_vars}
            if when:
                play.when = when + play.when
                _prepend_when_to_play(play, when)
        return plays

    def _play(self, ds: PosDict, path: Path) -> Play | None:
        self._check_keys(ds, kw.PLAY, "play")
        basedir = path.parent
        hosts = ds.get("hosts")
        if hosts is None or hosts == "" or hosts == []:
            self.problem("a play needs 'hosts' (a host pattern), found none", ds.pos)
            hosts = ""
        elif isinstance(hosts, list):
            hosts = ",".join(str(h) for h in hosts)
        elif isinstance(hosts, dict):
            self.problem(
                f"'hosts' expects a host pattern string or list, found {_describe(hosts)}",
                position_of(hosts, ds.pos_of("hosts")),
            )
            hosts = ""
        play = Play(hosts=hosts, pos=ds.pos, name=self._str(ds, "name"), basedir=basedir)
        play.vars = self._mapping(ds, "vars")
        play.vars_files = self._vars_files(ds)
        play.serial = self._serial(ds)
        play.max_fail_percentage = self._percentage(ds)
        play.any_errors_fatal = self._bool(ds, "any_errors_fatal", False)
        play.ignore_unreachable = self._bool(ds, "ignore_unreachable", False)
        play.force_handlers = self._bool(ds, "force_handlers", False)
        play.gather_facts = self._bool(ds, "gather_facts", True)
        play.check_mode = self._bool(ds, "check_mode")
        play.diff = self._bool(ds, "diff")
        play.no_log = self._bool(ds, "no_log")
        play.ignore_errors = self._bool(ds, "ignore_errors")
        play.run_once = self._bool(ds, "run_once")
        play.become = self._become(ds)
        play.environment = self._mapping(ds, "environment", allow_template=True)
        play.tags = self._tags(ds.get("tags"), ds.pos_of("tags"))
        play.remote_user = self._str(ds, "remote_user")
        play.connection = self._str(ds, "connection")
        if "gather_subset" in ds:
            play.gather_subset = [str(s) for s in self._tags(ds["gather_subset"], ds.pos)]
        strategy = self._str(ds, "strategy") or "linear"
        if strategy != "linear":
            self.problem(
                f"strategy '{strategy}' is not supported; expected 'linear'",
                position_of(ds["strategy"], ds.pos_of("strategy")),
            )
        order = self._str(ds, "order") or "inventory"
        orders = ("inventory", "reverse_inventory", "sorted", "reverse_sorted", "shuffle")
        if order not in orders:
            self.problem(
                f"'order' must be one of {', '.join(orders)}, found {order!r}",
                position_of(ds["order"], ds.pos_of("order")),
                did_you_mean(order, orders),
            )
        play.order = order
        static_vars = {**self._vars_files_values(play), **play.vars, **self.extra_vars}
        handlers: list[Task] = []
        ctx = _Ctx(
            file=path,
            basedir=basedir,
            static_vars=static_vars,
            handler_sink=handlers,
            chain=(str(path.resolve()),),
        )
        play.roles = self._play_roles(ds, ctx)
        for section in ("pre_tasks", "tasks", "post_tasks"):
            setattr(play, section, self._task_list(ds, section, ctx))
        own_handlers = self._handler_list(ds, ctx)
        role_handlers = [h for role in play.roles for h in role.handlers]
        play.handlers = _unique_handlers(role_handlers + handlers + own_handlers)
        return play

    def _serial(self, ds: dict) -> Any:
        if "serial" not in ds:
            return None
        value = ds["serial"]
        items = value if isinstance(value, list) else [value]
        for item in items:
            ok = (isinstance(item, int) and not isinstance(item, bool) and item >= 0) or (
                isinstance(item, str)
                and (is_templated(item) or re.fullmatch(r"\d+(\.\d+)?%?", item.strip()))
            )
            if not ok:
                self.problem(
                    "'serial' expects a number, a percentage like '30%' or a list of those, "
                    f"found {_describe(item)}",
                    position_of(item, ds.pos_of("serial")),
                )
                return None
        return value

    def _percentage(self, ds: dict) -> Any:
        if "max_fail_percentage" not in ds:
            return None
        value = ds["max_fail_percentage"]
        if is_templated(value):
            return value
        try:
            number = float(str(value).rstrip("%")) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or not 0 <= number <= 100:
            self.problem(
                f"'max_fail_percentage' expects a number from 0 to 100, found {_describe(value)}",
                position_of(value, ds.pos_of("max_fail_percentage")),
            )
            return None
        return number

    def _vars_files(self, ds: dict) -> list:
        value = ds.get("vars_files")
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, list) and all(isinstance(i, str) for i in item):
                out.append(item)
            elif isinstance(item, str):
                out.append(item)
            else:
                self.problem(
                    f"'vars_files' entries must be file names, found {_describe(item)}",
                    position_of(item, ds.pos_of("vars_files")),
                )
        return out

    def _vars_files_values(self, play: Play) -> dict:
        """Variables from non-templated vars_files, so static imports can use them."""
        out: dict = {}
        for entry in play.vars_files:
            for name in entry if isinstance(entry, list) else [entry]:
                if is_templated(name):
                    break
                path = play.basedir / name
                if path.is_file():
                    try:
                        data = load_yaml(path)
                    except EdgeautoError:
                        break  # reported by validate()
                    if isinstance(data, dict):
                        out.update(data)
                    break
        return out

    # ---------------------------------------------------------------- tasks
    def _task_list(self, ds: dict, key: str, ctx: _Ctx) -> list[Node]:
        value = ds.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(
                f"'{key}' expects a list of tasks, found {_describe(value)}",
                position_of(value, ds.pos_of(key)),
            )
            return []
        return self.load_tasks(value, ctx)

    def _handler_list(self, ds: dict, ctx: _Ctx) -> list[Task]:
        hctx = replace(ctx, handlers=True)
        return _flatten_handlers(self._task_list(ds, "handlers", hctx), self, [])

    def load_tasks(self, items: list, ctx: _Ctx) -> list[Node]:
        out: list[Node] = []
        for item in items:
            node = self._task_or_block(item, ctx, position_of(items, Position(str(ctx.file))))
            if node is not None:
                out.append(node)
        return out

    def _task_or_block(self, ds: Any, ctx: _Ctx, parent_pos) -> Node | None:
        if not isinstance(ds, dict):
            self.problem(
                f"expected a task (a mapping of keywords and one module), found {_describe(ds)}",
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

    def _block(self, ds: PosDict, ctx: _Ctx) -> Block | None:
        self._check_keys(ds, kw.BLOCK, "block")
        block = Block(block=self._task_list(ds, "block", ctx), pos=ds.pos, role=ctx.role)
        block.rescue = self._task_list(ds, "rescue", ctx)
        block.always = self._task_list(ds, "always", ctx)
        self._apply_common(block, ds)
        notify = self._list(ds.get("notify"), "notify", ds.pos_of("notify"))
        if notify:
            for task in _walk_tasks([*block.block, *block.rescue, *block.always]):
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
        delegate = self._str(ds, "delegate_to")
        if delegate is not None:
            node.delegate_to = delegate

    def _find_action(self, ds: PosDict, ctx: _Ctx) -> tuple[str | None, Any, Any]:
        """Return (canonical action, its value, the key it came from) or report why not."""
        allowed = kw.HANDLER if ctx.handlers else kw.TASK
        found: list[tuple[str, Any]] = []
        unknown: list = []
        for key in ds:
            name = str(key)
            if name in allowed or name.startswith("with_") or name in kw.IGNORED:
                continue
            if name in kw.UNSUPPORTED:
                self.problem(
                    f"keyword '{name}' is not supported by edgeauto",
                    ds.pos_of(key),
                    kw.UNSUPPORTED[name],
                )
                continue
            canon = canonical_action(name)
            if canon:
                found.append((canon, key))
            else:
                unknown.append(key)
        for key in ("action", "local_action"):
            if key in ds:
                found.append((None, key))
        for key in unknown:
            name = str(key)
            if name in ("include", "ansible.builtin.include"):
                self.problem(
                    "'include' was removed from Ansible (2.16)",
                    ds.pos_of(key),
                    "use include_tasks (at run time) or import_tasks (at load time)",
                )
                continue
            near_keyword = did_you_mean(name, allowed)
            if found or near_keyword:
                self.problem(
                    f"unknown task keyword '{name}'"
                    + ("" if found else "; no module found in this task either"),
                    ds.pos_of(key),
                    near_keyword,
                )
            else:
                self.problem(
                    f"unknown module '{name}'; expected a module name or a task keyword",
                    ds.pos_of(key),
                    module_hint(name),
                )
        if len(found) > 1:
            names = ", ".join(str(k) for _, k in found)
            self.problem(
                f"a task runs exactly one module, found several: {names}", ds.pos_of(found[1][1])
            )
            return None, None, None
        if not found:
            if not unknown:
                self.problem(
                    "no module given in this task; expected e.g. 'copy:' or 'shell:'", ds.pos
                )
            return None, None, None
        canon, key = found[0]
        value = ds[key]
        if canon is not None:
            return canon, value, key
        # action: / local_action: — the module name is inside the value
        if isinstance(value, str):
            module, _, rest = value.strip().partition(" ")
            module = module.strip()
            value = rest
        elif isinstance(value, dict) and "module" in value:
            value = PosDict(value)
            value.pos = ds[key].pos
            module = str(value.pop("module"))
        else:
            self.problem(
                f"'{key}' expects 'module k=v…' or a mapping with 'module', found {_describe(value)}",
                position_of(value, ds.pos_of(key)),
            )
            return None, None, None
        canon = canonical_action(module)
        if canon is None:
            self.problem(
                f"unknown module '{module}' in '{key}'",
                position_of(ds[key], ds.pos_of(key)),
                module_hint(module),
            )
            return None, None, None
        return canon, value, key

    def _args(self, canon: str, value: Any, ds: PosDict, key) -> dict | None:
        pos = ds.pos_of(key)
        if value is None:
            args: dict = {}
        elif isinstance(value, str):
            try:
                args = parse_kv(value, free_form=canon in kw.FREE_FORM)
            except ValueError as exc:
                self.problem(f"could not split '{canon}' arguments: {exc}", position_of(value, pos))
                return None
        elif isinstance(value, dict):
            args = PosDict(value)
            args.pos, args.key_pos = value.pos, dict(getattr(value, "key_pos", {}))
        else:
            self.problem(
                f"'{key}' expects arguments as a mapping or a 'k=v' string, found {_describe(value)}",
                position_of(value, pos),
            )
            return None
        if "args" in ds:
            extra = self._mapping(ds, "args")
            merged = PosDict({**extra, **args})
            merged.pos = getattr(args, "pos", None) or pos
            merged.key_pos = {**getattr(extra, "key_pos", {}), **getattr(args, "key_pos", {})}
            args = merged
        if "_raw_params" in args:
            target = _RAW_TARGET.get(canon)
            module = get_module(canon)
            if target is None and module is not None and module.spec.free_form:
                target = module.spec.free_form
            if target is None and canon not in kw.RAW_PARAM_ACTIONS:
                self.problem(
                    f"module '{canon}' takes only key=value arguments, found extra text "
                    f"{str(args['_raw_params'])!r}",
                    position_of(value, pos),
                )
                return None
            if target and target != "_raw_params" and target not in args:
                args[target] = args.pop("_raw_params")
        return args

    def _task(self, ds: PosDict, ctx: _Ctx) -> Node | None:
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
        task.is_handler = ctx.handlers
        self._apply_common(task, ds)
        if key == "local_action":
            task.delegate_to = "localhost"
        self._loop(task, ds)
        if "loop_control" in ds:
            task.loop_control = self._mapping(ds, "loop_control")
            for lc_key in task.loop_control:
                if str(lc_key) not in kw.LOOP_CONTROL_KEYS:
                    self.problem(
                        f"unknown loop_control key '{lc_key}'; expected one of: "
                        + ", ".join(sorted(kw.LOOP_CONTROL_KEYS)),
                        task.loop_control.pos_of(lc_key),
                        did_you_mean(str(lc_key), kw.LOOP_CONTROL_KEYS),
                    )
        register = self._str(ds, "register")
        if register is not None and not _IDENT.match(register):
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
        return self._special(task, ds, key, ctx)

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
                f"'{key}' expects an integer, found {_describe(value)}",
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
            lookup = key[5:]
            if lookup not in kw.LOOP_LOOKUPS:
                self.problem(
                    f"unknown loop lookup '{key}'; expected loop: or one of "
                    + ", ".join(f"with_{n}" for n in sorted(kw.LOOP_LOOKUPS)),
                    ds.pos_of(loops[0]),
                    did_you_mean(key, [f"with_{n}" for n in kw.LOOP_LOOKUPS]),
                )
                return
        value = ds[loops[0]]
        if key == "loop" and not (isinstance(value, list) or is_templated(value)):
            self.problem(
                f"'loop' expects a list or a template giving one, found {_describe(value)}",
                position_of(value, ds.pos_of("loop")),
                "use with_<lookup> or loop: \"{{ query('...') }}\" for lookups",
            )
            return
        task.loop = value
        task.loop_kind = key

    # ---------------------------------------------------------------- imports/includes
    def _special(self, task: Task, ds: PosDict, key, ctx: _Ctx) -> Node | None:
        action = task.action
        if action == "import_playbook":
            self.problem("import_playbook is only allowed at the top level of a playbook", task.pos)
            return None
        if action in ("import_tasks", "include_tasks"):
            self._check_args(task, kw.TASK_INCLUDE_ARGS, ds)
            name = task.args.get("file")
            if not isinstance(name, str) or not name:
                self.problem(f"{action} expects a file name, found {_describe(name)}", task.pos)
                return None
            task.include_target = name
            if action == "include_tasks":
                return task
            if task.loop is not None:
                self.problem("import_tasks cannot loop; use include_tasks", task.pos)
                return None
            variables = {**ctx.static_vars, **task.vars, **self.extra_vars}
            rendered = self._render_static(name, variables, position_of(name, task.pos), action)
            if rendered is None:
                return None
            path = self.find_task_file(rendered, ctx, task.pos)
            if path is None:
                return None
            nodes = self.task_file(path, replace(ctx, file=path), task.pos)
            return _wrap(task, nodes, ctx)
        if action in ("import_role", "include_role"):
            self._check_args(task, kw.ROLE_INCLUDE_ARGS, ds)
            name = task.args.get("name")
            if not isinstance(name, str) or not name:
                self.problem(f"{action} expects 'name' (a role), found {_describe(name)}", task.pos)
                return None
            task.include_target = name
            if action == "include_role":
                return task
            if task.loop is not None:
                self.problem("import_role cannot loop; use include_role", task.pos)
                return None
            variables = {**ctx.static_vars, **task.vars, **self.extra_vars}
            rendered = self._render_static(name, variables, position_of(name, task.pos), action)
            if rendered is None:
                return None
            role = self.role(rendered, task.pos, ctx, **_from_args(task.args))
            if role is None:
                return None
            if ctx.handler_sink is not None:
                ctx.handler_sink.extend(h for r in _with_deps(role) for h in r.handlers)
            nodes: list[Node] = []
            for r in _with_deps(role):
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

    def _check_args(self, task: Task, allowed: set[str], ds) -> None:
        for arg in task.args:
            if str(arg) not in allowed:
                self.problem(
                    f"{task.action} has no argument '{arg}'; expected one of: "
                    + ", ".join(sorted(a for a in allowed if not a.startswith("_"))),
                    getattr(task.args, "pos_of", lambda _k: task.pos)(arg),
                    did_you_mean(str(arg), allowed),
                )

    def find_task_file(self, name: str, ctx: _Ctx, pos) -> Path | None:
        tried = []
        bases = []
        if ctx.role is not None:
            bases.append(ctx.role.path / "tasks")
        bases += [ctx.file.parent, ctx.basedir]
        if Path(name).is_absolute():
            bases = [Path("/")]
        for base in dict.fromkeys(bases):
            for ext in _YAML_EXTS:
                candidate = base / (name + ext)
                tried.append(str(candidate))
                if candidate.is_file():
                    return candidate
        self.problem(
            f"task file '{name}' not found; looked in: "
            + ", ".join(str(b) for b in dict.fromkeys(bases)),
            pos,
        )
        return None

    def task_file(self, path: Path, ctx: _Ctx, pos) -> list[Node]:
        key = str(path.resolve())
        if key in ctx.chain:
            self.problem(f"import cycle: {path} imports itself", pos)
            return []
        data = self._read(path, pos)
        if data is _FAILED or data is None:
            return []
        if not isinstance(data, list):
            self.problem(
                f"a task file must be a list of tasks, found {_describe(data)}",
                position_of(data, Position(str(path), 1, 1)),
            )
            return []
        return self.load_tasks(data, replace(ctx, file=path, chain=ctx.chain + (key,)))

    # ---------------------------------------------------------------- roles
    def _play_roles(self, ds: PosDict, ctx: _Ctx) -> list[Role]:
        value = ds.get("roles")
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(
                f"'roles' expects a list, found {_describe(value)}",
                position_of(value, ds.pos_of("roles")),
            )
            return []
        out: list[Role] = []
        seen: set = set()
        for entry in value:
            role = self._role_entry(entry, ctx, position_of(value))
            if role is not None:
                _flatten_role(role, out, seen)
        return out

    def _role_entry(self, entry: Any, ctx: _Ctx, parent_pos) -> Role | None:
        """One item of `roles:` or of meta `dependencies:`."""
        if isinstance(entry, str):
            return self.role(entry, position_of(entry, parent_pos), ctx)
        if not isinstance(entry, dict):
            self.problem(
                f"a role entry must be a role name or a mapping with 'role', found {_describe(entry)}",
                position_of(entry, parent_pos),
            )
            return None
        name = entry.get("role", entry.get("name"))
        if not isinstance(name, str) or not name:
            self.problem(f"a role entry needs 'role: <name>', found {_describe(name)}", entry.pos)
            return None
        params = {
            k: v
            for k, v in entry.items()
            if str(k) not in kw.ROLE_ENTRY and str(k) not in kw.UNSUPPORTED
        }
        for k in entry:
            if str(k) in kw.UNSUPPORTED:
                self.problem(
                    f"keyword '{k}' is not supported by edgeauto",
                    entry.pos_of(k),
                    kw.UNSUPPORTED[str(k)],
                )
        params.update(self._mapping(entry, "vars"))
        rendered = self._render_static(
            name, {**ctx.static_vars, **self.extra_vars}, position_of(name, entry.pos), "role"
        )
        if rendered is None:
            return None
        role = self.role(rendered, position_of(name, entry.pos), ctx, params=params)
        if role is None:
            return None
        role.when = self._list(entry.get("when"), "when", entry.pos_of("when")) + role.when
        role.tags = self._tags(entry.get("tags"), entry.pos_of("tags")) + role.tags
        role.become = self._become(entry)
        role.environment = self._mapping(entry, "environment", allow_template=True)
        given = [k for k in _ROLE_BLOCK_KEYWORDS if k in entry]
        if given and role.tasks:
            # Keywords on the `roles:` entry apply to every task of the role: carry them on
            # one block around the role's tasks (a block's unset keywords inherit).
            block = Block(block=role.tasks, pos=role.pos, role=role)
            block.become, block.environment = role.become, role.environment
            for key in given:
                if key == "delegate_to":
                    block.delegate_to = self._str(entry, key)
                elif key not in ("become", "environment") and not key.startswith("become_"):
                    setattr(block, key, self._bool(entry, key))
            role.tasks = [block]
        return role

    def find_role(self, name: str, ctx: _Ctx, pos) -> Path | None:
        if "/" in name or name.startswith("."):
            candidates = [Path(name)] if Path(name).is_absolute() else [ctx.basedir / name]
        else:
            candidates = [p / name for p in roles_search_path(ctx.basedir, self.roles_path)]
            if ctx.role is not None:
                candidates.insert(1, ctx.role.path.parent / name)
        for candidate in candidates:
            if candidate.is_dir():
                return candidate
        if "." in name and "/" not in name and name.count(".") >= 2:
            hint = "collection roles are not supported; put the role in a roles path"
        else:
            existing = set()
            for base in roles_search_path(ctx.basedir, self.roles_path):
                if base.is_dir() and base != ctx.basedir:
                    existing |= {p.name for p in base.iterdir() if p.is_dir()}
            hint = did_you_mean(name, existing)
        self.problem(
            f"role '{name}' not found; looked in: "
            + ", ".join(str(c.parent) for c in dict.fromkeys(candidates)),
            pos,
            hint,
        )
        return None

    def role(
        self,
        name: str,
        pos,
        ctx: _Ctx,
        *,
        params: dict | None = None,
        tasks_from: str | None = None,
        vars_from: str | None = None,
        defaults_from: str | None = None,
        handlers_from: str | None = None,
    ) -> Role | None:
        path = self.find_role(str(name), ctx, pos)
        if path is None:
            return None
        key = "role:" + str(path.resolve())
        if key in ctx.chain:
            self.problem(f"role dependency cycle: role '{name}' depends on itself", pos)
            return None
        role = Role(name=Path(str(name)).name, path=path, pos=pos, params=dict(params or {}))
        role.tasks_from = tasks_from or "main"
        role.defaults = self._role_vars_file(path / "defaults", defaults_from, pos)
        role.vars = self._role_vars_file(path / "vars", vars_from, pos)
        rctx = _Ctx(
            file=path / "tasks" / "main.yml",
            basedir=ctx.basedir,
            role=role,
            static_vars={**role.defaults, **ctx.static_vars, **role.vars, **role.params},
            handler_sink=[],
            chain=ctx.chain + (key,),
        )
        meta = self._role_file(path / "meta", None, pos)
        if meta is not None:
            data = self._read(meta, pos)
            if isinstance(data, dict):
                self._role_meta(role, data, rctx)
            elif data not in (None, _FAILED):
                self.problem(
                    f"meta/main.yml must be a mapping, found {_describe(data)}",
                    position_of(data, Position(str(meta))),
                )
        tasks_file = self._role_file(path / "tasks", tasks_from, pos)
        if tasks_file is not None:
            role.tasks = self.task_file(tasks_file, replace(rctx, file=tasks_file), pos)
        handlers_file = self._role_file(path / "handlers", handlers_from, pos)
        if handlers_file is not None:
            hctx = replace(rctx, file=handlers_file, handlers=True)
            role.handlers = _flatten_handlers(self.task_file(handlers_file, hctx, pos), self, [])
        role.handlers = list(rctx.handler_sink) + role.handlers
        return role

    def _role_file(self, directory: Path, wanted: str | None, pos) -> Path | None:
        """defaults/ vars/ tasks/ handlers/ meta/ file: <wanted or main>[.yml|.yaml|.json]."""
        stem = wanted or "main"
        for ext in _YAML_EXTS:
            candidate = directory / (stem + ext)
            if candidate.is_file():
                return candidate
        if wanted:
            self.problem(f"role file '{stem}' not found in {directory}", pos)
        return None

    def _role_vars_file(self, directory: Path, wanted: str | None, pos) -> dict:
        path = self._role_file(directory, wanted, pos)
        if path is None:
            return {}
        data = self._read(path, pos)
        if data is None or data is _FAILED:
            return {}
        if not isinstance(data, dict):
            self.problem(
                f"{directory.name}/{path.name} must be a mapping of variables, found {_describe(data)}",
                position_of(data, Position(str(path), 1, 1)),
            )
            return {}
        return data

    def _role_meta(self, role: Role, meta: PosDict, ctx: _Ctx) -> None:
        role.allow_duplicates = bool(self._bool(meta, "allow_duplicates", False))
        deps = meta.get("dependencies") or []
        if not isinstance(deps, list):
            self.problem(
                f"meta 'dependencies' expects a list of roles, found {_describe(deps)}",
                position_of(deps, meta.pos_of("dependencies")),
            )
            return
        for entry in deps:
            dep = self._role_entry(entry, ctx, position_of(deps))
            if dep is not None:
                role.dependencies.append(dep)


_FAILED = object()
_ROLE_BLOCK_KEYWORDS = (
    "become",
    "become_user",
    "become_method",
    "become_flags",
    "environment",
    "ignore_errors",
    "no_log",
    "any_errors_fatal",
    "check_mode",
    "diff",
    "run_once",
    "delegate_to",
)
_RAW_TARGET = {
    "include_tasks": "file",
    "import_tasks": "file",
    "include_role": "name",
    "import_role": "name",
    "include_vars": "file",
    "import_playbook": "file",
}


def _from_args(args: dict) -> dict:
    return {
        k: str(args[k])
        for k in ("tasks_from", "vars_from", "defaults_from", "handlers_from")
        if args.get(k)
    }


def _with_deps(role: Role) -> list[Role]:
    """A role preceded by its dependencies (depth first), without duplicates."""
    out: list[Role] = []
    _flatten_role(role, out, set())
    return out


def _flatten_role(role: Role, out: list[Role], seen: set) -> None:
    """Append ``role`` after its dependencies; a role with the same params runs once per play
    (Ansible's rule) unless its meta says ``allow_duplicates``. Dependencies inherit the
    ``when``/``tags`` of the role that pulled them in."""
    from edgeauto.yamlsrc import to_plain

    for dep in role.dependencies:
        dep.when = list(role.when) + [c for c in dep.when if c not in role.when]
        dep.tags = list(role.tags) + [t for t in dep.tags if t not in role.tags]
        _flatten_role(dep, out, seen)
    key = (str(role.path.resolve()), role.tasks_from, repr(to_plain(role.params)))
    if key in seen and not role.allow_duplicates:
        return
    seen.add(key)
    out.append(role)


def _wrap(task: Task, nodes: list[Node], ctx: _Ctx) -> Block:
    """import_tasks/import_role: the imported nodes inside a block carrying the import's keywords."""
    block = Block(block=nodes, pos=task.pos, role=ctx.role, name=None)
    block.when, block.tags, block.vars = task.when, task.tags, task.vars
    block.become, block.environment = task.become, task.environment
    block.ignore_errors = task.ignore_errors if task.ignore_errors is not False else None
    block.no_log = task.no_log if task.no_log is not False else None
    block.run_once = task.run_once if task.run_once is not False else None
    block.check_mode, block.diff = task.check_mode, task.diff
    block.delegate_to, block.any_errors_fatal = task.delegate_to, task.any_errors_fatal
    if ctx.handlers:
        for inner in _walk_tasks(nodes):
            inner.is_handler = True
    return block


def _walk_tasks(nodes):
    for node in nodes:
        if isinstance(node, Block):
            yield from _walk_tasks([*node.block, *node.rescue, *node.always])
        else:
            yield node


def _flatten_handlers(nodes: list[Node], loader: Loader, outer_when: list) -> list[Task]:
    """Handlers are a flat task list; import_tasks blocks are opened with their when/tags pushed
    into each handler, real block/rescue/always is refused."""
    out: list[Task] = []
    for node in nodes:
        if isinstance(node, Task):
            node.is_handler = True
            node.when = outer_when + node.when
            out.append(node)
        elif node.rescue or node.always or node.name is not None:
            loader.problem("blocks are not supported in handlers", node.pos)
        else:
            inner = _flatten_handlers(node.block, loader, outer_when + node.when)
            for task in inner:
                task.tags = node.tags + task.tags
                task.vars = {**node.vars, **task.vars}
            out += inner
    return out


def _unique_handlers(handlers: list[Task]) -> list[Task]:
    """A role listed twice (different params) or also imported must not register its handlers
    twice: one handler per source position."""
    seen: set = set()
    out: list[Task] = []
    for handler in handlers:
        if handler.pos not in seen:
            seen.add(handler.pos)
            out.append(handler)
    return out


def _prepend_when_to_play(play: Play, when: list) -> None:
    for node in [*play.pre_tasks, *play.tasks, *play.post_tasks, *play.handlers]:
        node.when = when + node.when
    for role in play.roles:
        role.when = when + role.when


def _collect(loader: Loader, result):
    if loader.problems:
        raise ValidationError(sorted_problems(loader.problems))
    return result


def sorted_problems(problems: list[EdgeautoError]) -> list[EdgeautoError]:
    """File order, then line/column; duplicates (same place and text) dropped."""
    seen = set()
    out = []
    for p in problems:
        key = (str(p.pos), p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.pos.file, p.pos.line, p.pos.col) if p.pos else ("", 0, 0))


# ---------------------------------------------------------------------- public functions
def load_playbook(path, *, roles_path=(), extra_vars: dict | None = None) -> Playbook:
    """Load a playbook with static imports expanded; raise ValidationError listing all problems."""
    loader = Loader(roles_path, extra_vars)
    return _collect(loader, loader.load_playbook(Path(path)))


def load_task_file(
    path,
    role: Role | None = None,
    pos: Position | None = None,
    *,
    basedir=None,
    roles_path=(),
    extra_vars: dict | None = None,
    static_vars: dict | None = None,
    handlers: bool = False,
) -> list[Node]:
    """Load a task file for a run-time ``include_tasks`` (``path`` already rendered).

    A relative ``path`` is searched like Ansible does: the role's ``tasks/`` dir, then
    ``basedir`` (the playbook dir). Handlers imported by the file are dropped (dynamic
    includes cannot add handlers in edgeauto).
    """
    basedir = Path(basedir) if basedir else (role.path.parent.parent if role else Path("."))
    loader = Loader(roles_path, extra_vars)
    ctx = _Ctx(
        file=basedir / "playbook.yml",
        basedir=basedir,
        role=role,
        handlers=handlers,
        static_vars={**(static_vars or {}), **(extra_vars or {})},
        handler_sink=[],
    )
    found = loader.find_task_file(str(path), ctx, pos or Position(str(path)))
    nodes = loader.task_file(found, replace(ctx, file=found), pos) if found else []
    return _collect(loader, nodes)


def load_role(
    name: str,
    *,
    pos: Position | None = None,
    basedir=None,
    roles_path=(),
    extra_vars: dict | None = None,
    params: dict | None = None,
    tasks_from: str | None = None,
    vars_from: str | None = None,
    defaults_from: str | None = None,
    handlers_from: str | None = None,
) -> Role:
    """Load one role (for a run-time ``include_role``); dependencies are in ``role.dependencies``
    and :func:`role_with_dependencies` gives the run order."""
    basedir = Path(basedir or ".")
    loader = Loader(roles_path, extra_vars)
    ctx = _Ctx(file=basedir / "playbook.yml", basedir=basedir, static_vars=dict(extra_vars or {}))
    role = loader.role(
        name,
        pos or Position(str(basedir)),
        ctx,
        params=params,
        tasks_from=tasks_from,
        vars_from=vars_from,
        defaults_from=defaults_from,
        handlers_from=handlers_from,
    )
    return _collect(loader, role)


def role_with_dependencies(role: Role) -> list[Role]:
    """The order a role runs in: its dependencies (deduplicated, depth first), then itself."""
    return _with_deps(role)


__all__ = [
    "Loader",
    "PosList",
    "load_playbook",
    "load_role",
    "load_task_file",
    "role_with_dependencies",
    "roles_search_path",
    "sorted_problems",
]
