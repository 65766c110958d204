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

from dataclasses import replace
from pathlib import Path
from typing import Any

from edgeauto.config import active
from edgeauto.errors import EdgeautoError, Position, ValidationError, did_you_mean
from edgeauto.modules.spec import is_templated
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.actions import canonical_action
from edgeauto.playbook.base import (
    FAILED,
    LoadContext,
    LoaderBase,
    describe,
    find_vars_file,
    sorted_problems,
)
from edgeauto.playbook.model import Node, Play, Playbook, Role, Task
from edgeauto.playbook.moduledefaults import apply_module_defaults, loaded_module_defaults
from edgeauto.playbook.roles import RoleLoader, roles_search_path, with_dependencies
from edgeauto.playbook.tasks import TaskLoader
from edgeauto.yamlsrc import PosDict, load_yaml, position_of


def _gathering() -> str:
    """ansible.cfg's ``gathering``: implicit (default), explicit or smart."""
    return active().get("gathering")


class Loader(TaskLoader, RoleLoader):
    """One loading session; ``problems`` collects every error found."""

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
        if data is FAILED:
            return []
        return self._plays(data, path, pos, chain + (key,))

    def load_playbook_data(self, data: Any, path: Path) -> Playbook:
        """A playbook already in memory (the Python API builds one): ``data`` is what
        :func:`load_yaml` would return for ``path`` — a list of play mappings, ideally
        :class:`PosDict`/:class:`PosList` so problems point at their source."""
        path = Path(path)
        return Playbook(path=path, plays=self._plays(data, path, None, (str(path.resolve()),)))

    def _plays(self, data: Any, path: Path, pos: Position | None, chain: tuple) -> list[Play]:
        if not isinstance(data, list) or not data:
            self.problem(
                f"a playbook must be a non-empty list of plays, found {describe(data)}",
                position_of(data, pos or Position(str(path), 1, 1)),
            )
            return []
        plays: list[Play] = []
        for entry in data:
            if not isinstance(entry, dict):
                self.problem(
                    f"expected a play (a mapping with 'hosts'), found {describe(entry)}",
                    position_of(entry, data.pos),
                )
                continue
            imp = next((k for k in entry if str(k).endswith("import_playbook")), None)
            if imp is not None and canonical_action(imp) == "import_playbook":
                plays += self._import_playbook(entry, imp, path, chain)
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
            self.problem(f"import_playbook expects a file name, found {describe(name)}", pos)
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
            bad = [h for h in hosts if not isinstance(h, str)]
            if bad:
                self.problem(
                    f"'hosts' list entries must be host patterns (strings), found {describe(bad[0])}",
                    position_of(hosts, ds.pos_of("hosts")),
                )
            hosts = ",".join(str(h) for h in hosts)
        elif not isinstance(hosts, str):
            self.problem(
                f"'hosts' expects a host pattern string or list, found {describe(hosts)}",
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
        if "timeout" in ds:
            play.timeout = self._int(ds, "timeout")
        play.force_handlers = self._bool(ds, "force_handlers", False)
        play.gather_facts = self._bool(ds, "gather_facts", _gathering() != "explicit")
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
        else:
            play.gather_subset = list(active().get("gather_subset"))
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
        static_vars = {**self.vars_files_values(play), **play.vars, **self.extra_vars}
        handlers: list[Task] = []
        ctx = LoadContext(
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
        play.module_defaults = loaded_module_defaults(self, ds)
        if play.module_defaults or _any_module_defaults(play):
            for nodes in _play_task_lists(play):
                apply_module_defaults(nodes, play.module_defaults)
        return play

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
                f"'max_fail_percentage' expects a number from 0 to 100, found {describe(value)}",
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
                    f"'vars_files' entries must be file names, found {describe(item)}",
                    position_of(item, ds.pos_of("vars_files")),
                )
        return out

    def vars_files_values(self, play: Play) -> dict:
        """Variables from non-templated vars_files, so static imports can use them."""
        out: dict = {}
        for entry in play.vars_files:
            for name in entry if isinstance(entry, list) else [entry]:
                if is_templated(name):
                    break
                path = find_vars_file(play.basedir, name)
                if path is not None:
                    try:
                        data = load_yaml(path)
                    except EdgeautoError:
                        break  # reported by validate()
                    if isinstance(data, dict):
                        out.update(data)
                    break
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
    ctx = LoadContext(
        file=basedir / "playbook.yml",
        basedir=basedir,
        role=role,
        handlers=handlers,
        static_vars={**(static_vars or {}), **(extra_vars or {})},
        handler_sink=[],
        dynamic=True,
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
    ctx = LoadContext(
        file=basedir / "playbook.yml",
        basedir=basedir,
        static_vars=dict(extra_vars or {}),
        dynamic=True,
    )
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
    return with_dependencies(role)


__all__ = [
    "LoadContext",
    "Loader",
    "LoaderBase",
    "describe",
    "load_playbook",
    "load_role",
    "load_task_file",
    "role_with_dependencies",
    "roles_search_path",
    "sorted_problems",
    "with_dependencies",
]


def _play_task_lists(play) -> list[list]:
    """Every list of task nodes a play holds: its sections, handlers and roles' tasks."""
    from edgeauto.playbook.walk import flatten_roles

    out = [play.pre_tasks, play.tasks, play.post_tasks, play.handlers]
    return out + [role.tasks for role in flatten_roles(play.roles)]


def _any_module_defaults(play) -> bool:
    from edgeauto.playbook.walk import iter_nodes

    lists = _play_task_lists(play)
    return any(node.module_defaults for nodes in lists for node in iter_nodes(nodes))
