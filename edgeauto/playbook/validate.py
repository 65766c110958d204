"""Validation before anything runs: every problem, each with file:line:col, no host contacted.

What is checked beyond what the loader already refused (unknown keywords/modules, YAML):

* module arguments against each module's spec (type, choices, required, mutually exclusive;
  templated values are left for the per-host check after rendering);
* controller files a task needs: ``copy``/``template`` ``src`` (unless templated or
  ``remote_src``), ``include_vars`` files, ``vars_files``, and the targets of
  ``include_tasks``/``include_role`` whose names are static (those are loaded and validated
  too, so a typo inside an included file is found before the run);
* Jinja2 syntax of every template string and condition;
* ``notify`` names that match no handler name or ``listen`` topic;
* variables in static places (``hosts:``, ``vars_files`` entries, include file names) that
  are defined nowhere: not in play vars, vars files, extra vars, the inventory, role
  defaults/vars, ``register``/``set_fact``/loop variables or facts.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from edgeauto.errors import (
    EdgeautoError,
    ModuleArgumentError,
    ParseError,
    ValidationError,
    did_you_mean,
)
from edgeauto.modules.spec import is_templated, to_bool
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.actions import control_spec, get_module
from edgeauto.playbook.base import find_vars_file, unguarded_names, vars_file_candidates
from edgeauto.playbook.loader import Loader, _Ctx, _walk_tasks, sorted_problems
from edgeauto.playbook.model import Block, Node, Play, Playbook, Role, Task
from edgeauto.yamlsrc import load_yaml, position_of


def _runtime_env() -> jinja2.Environment:
    """The templating layer's own Jinja2 environment (same lexer as at run time), so a
    template is a syntax error here exactly when it would be one during the run."""
    try:
        from edgeauto.templating.jinja_env import _environment

        return _environment(())
    except ImportError:  # pragma: no cover - templating layer missing
        return jinja2.Environment()


_ENV = _runtime_env()
_LOCAL = ("localhost", "127.0.0.1", "::1")
_FACT_PREFIXES = ("ansible_", "facter_", "ohai_")  # facts exist only at run time


@lru_cache(maxsize=4096)
def _syntax_error(text: str) -> str | None:
    """Jinja2 syntax error message for a template, or None (cached: conditions repeat a lot)."""
    try:
        _ENV.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return exc.message or "invalid template"
    return None


def _vars_dir_names(basedir: Path) -> set[str]:
    """Variable names in group_vars/ and host_vars/ beside the playbook (Ansible loads those
    for every inventory), so check-syntax without -i does not call them undefined."""
    names: set[str] = set()
    for sub in ("group_vars", "host_vars"):
        root = basedir / sub
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in ("", ".yml", ".yaml", ".json"):
                try:
                    data = load_yaml(path)
                except EdgeautoError:
                    continue
                if isinstance(data, dict):
                    names |= {str(k) for k in data}
    return names


def _inventory_var_names(inventory) -> set[str]:
    names: set[str] = set()
    if inventory is None:
        return names
    try:
        for host in list(inventory.hosts):
            names |= set(inventory.host_vars(host))
        for group in list(inventory.groups):
            names |= set(inventory.group_vars(group))
    except (AttributeError, TypeError, EdgeautoError):
        pass
    return names


def _load_vars_yaml(path: Path, vault):
    """A vars file's YAML; a whole-file vault-encrypted one is decrypted with ``vault``
    (without secrets that is a VaultError naming the file, like at run time)."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    if head.lstrip().startswith(b"$ANSIBLE_VAULT"):
        from edgeauto.inventory.varsdirs import load_vars_file

        return load_vars_file(path, vault)
    return load_yaml(path)


class _Validator:
    def __init__(
        self, playbook: Playbook, inventory, extra_vars, roles_path, broken=(), vault=None
    ):
        self.vault = vault
        self.broken_handlers = set(broken)
        self.playbook = playbook
        self.extra_vars = dict(extra_vars or {})
        self.inventory_vars = _inventory_var_names(inventory)
        self.have_inventory = inventory is not None
        self.inventory_vars |= _vars_dir_names(Path(playbook.path).parent)
        self.roles_path = list(roles_path)
        self.problems: list[EdgeautoError] = []
        self.loader = Loader(roles_path, extra_vars)  # for static include targets
        self._seen_includes: set[str] = set()

    def problem(self, message: str, pos, hint=None, cls=ParseError) -> None:
        self.problems.append(cls(message, pos, hint))

    # ------------------------------------------------------------------ entry
    def run(self) -> list[EdgeautoError]:
        for play in self.playbook.plays:
            self._play(play)
        return self.problems + self.loader.problems

    def _play(self, play: Play) -> None:
        files_vars = self._vars_files(play)
        static = (
            set(play.vars) | set(files_vars) | set(self.extra_vars) | self.inventory_vars
        ) | kw.MAGIC_VARS
        if is_templated(play.hosts):
            self._undefined(play.hosts, static, play.pos, "'hosts'")
        self._templates(play.vars, play.pos)
        anywhere = static | self._defined_anywhere(play)
        self.anywhere = anywhere
        handlers = self._handler_names(play)
        roles_by_task: list[tuple[Node, Role | None]] = []
        for section in (play.pre_tasks, play.tasks, play.post_tasks):
            roles_by_task += [(n, None) for n in section]
        for role in play.roles:
            self._templates(role.params, role.pos)
            self._role_params(role)
            roles_by_task += [(n, role) for n in role.tasks]
        for node, _role in roles_by_task:
            self._node(node, play, handlers)
        for handler in play.handlers:
            self._node(handler, play, handlers)  # handlers may notify handlers

    def _vars_files(self, play: Play) -> dict:
        out: dict = {}
        known = set(play.vars) | set(self.extra_vars) | self.inventory_vars | kw.MAGIC_VARS
        for entry in play.vars_files:
            names = entry if isinstance(entry, list) else [entry]
            pos = position_of(entry, play.pos)
            if any(is_templated(n) for n in names):
                for name in names:
                    if is_templated(name):
                        self._undefined(name, known, position_of(name, pos), "vars_files entry")
                continue
            for name in names:
                path = find_vars_file(play.basedir, name)
                if path is not None:
                    try:
                        data = _load_vars_yaml(path, self.vault)
                    except EdgeautoError as exc:
                        self.problems.append(exc)
                        break
                    if isinstance(data, dict):
                        out.update(data)
                    elif data is not None:
                        self.problem(
                            f"a vars file must be a mapping of variables, found a {type(data).__name__}",
                            position_of(data, pos),
                        )
                    break
            else:
                looked = ", ".join(
                    str(c) for n in names for c in vars_file_candidates(play.basedir, n)
                )
                self.problem(
                    f"vars file not found; looked for: {looked}",
                    pos,
                    "Ansible would silently skip it; edgeauto treats it as a mistake",
                )
        return out

    def _defined_anywhere(self, play: Play) -> set[str]:
        """Every variable name some part of the play may define at run time."""
        names: set[str] = set()
        nodes: list[Node] = [*play.pre_tasks, *play.tasks, *play.post_tasks, *play.handlers]
        for role in play.roles:
            names |= set(role.defaults) | set(role.vars) | set(role.params)
            nodes += role.tasks
        stack = list(nodes)
        while stack:
            node = stack.pop()
            names |= set(node.vars) if isinstance(node.vars, dict) else set()
            if isinstance(node, Block):
                stack += [*node.block, *node.rescue, *node.always]
                if node.role:
                    names |= set(node.role.defaults) | set(node.role.vars)
                continue
            if node.register:
                names.add(node.register)
            if node.action == "set_fact":
                names |= {str(k) for k in node.args if k != "cacheable"}
            if node.action == "include_vars":
                names |= self._include_vars_names(node)
            for key in ("loop_var", "index_var"):
                if key in node.loop_control:
                    names.add(str(node.loop_control[key]))
        return names

    def _include_vars_names(self, task: Task) -> set[str]:
        name = task.args.get("file") or task.args.get("_raw_params")
        if task.args.get("name"):
            return {str(task.args["name"])}
        if not isinstance(name, str) or is_templated(name) or task.args.get("dir"):
            return {"*"}  # unknown: switches the 'defined nowhere' check off
        path = self._find_vars_file(name, task)
        if path is None:
            return set()
        try:
            data = _load_vars_yaml(path, self.vault)
        except EdgeautoError:
            return set()
        return set(data) if isinstance(data, dict) else set()

    def _handler_names(self, play: Play) -> set[str] | None:
        names: set[str] = set(self.broken_handlers) | set(self.loader.broken_handler_names)
        for handler in play.handlers:
            if is_templated(handler.name or "") or any(is_templated(t) for t in handler.listen):
                return None  # names known only at run time: cannot check
            if handler.name is not None:
                names.add(str(handler.name))
                if handler.role is not None:
                    names.add(f"{handler.role.name} : {handler.name}")
            names |= {str(topic) for topic in handler.listen}
        for entry in _all_tasks(play):
            if entry.action == "include_role":
                if is_templated(entry.include_target or ""):
                    return None
                role = self._static_role(entry, report=False)
                if role is None:
                    return None
                for handler in role.handlers:
                    if handler.name:
                        names.add(str(handler.name))
                    names |= {str(t) for t in handler.listen}
        return names

    def _role_params(self, role: Role) -> None:
        """Role parameters against the role's meta/argument_specs (types and choices only:
        required options may come from inventory or defaults, known only per host)."""
        spec = role_argument_spec(role)
        if spec is None:
            return
        given = {k: v for k, v in role.params.items() if str(k) in spec.options}
        try:
            spec.validate(given, role.pos, final=False)
        except ModuleArgumentError as exc:
            self.problem(f"role '{role.name}' parameters: {exc.message}", role.pos)

    # ------------------------------------------------------------------ tasks
    def _node(self, node: Node, play: Play, handlers: set[str] | None) -> None:
        if isinstance(node, Block):
            self._conditions(node.when, node.pos)
            self._templates(node.vars, node.pos)
            self._delegate(node.delegate_to, node.pos)
            for child in [*node.block, *node.rescue, *node.always]:
                self._node(child, play, handlers)
            return
        self._task(node, play, handlers)

    def _task(self, task: Task, play: Play, handlers: set[str] | None) -> None:
        pos = task.pos
        self._templates(task.name, pos)
        self._templates(task.args, pos)
        self._templates(task.vars, pos)
        self._templates(task.environment, pos)
        if isinstance(task.loop, str):
            self._templates(task.loop, pos)
        for conds in (task.when, task.failed_when, task.changed_when, task.until):
            self._conditions(conds or [], pos)
        self._delegate(task.delegate_to, pos)
        if handlers is not None:
            for name in task.notify:
                if not is_templated(name) and name not in handlers:
                    self.problem(
                        f"notify '{name}' matches no handler name or listen topic in this play",
                        pos,
                        did_you_mean(name, handlers),
                    )
        module = get_module(task.action)
        checker = module or control_spec(task.action)
        if checker is not None and task.action not in ("include_tasks", "include_role"):
            try:
                checker.validate(dict(task.args), pos, final=False)
            except ModuleArgumentError as exc:
                self.problems += argument_problems(checker, task, exc)
        elif task.action == "add_host" and module is None:
            if not any(k in task.args for k in ("name", "host", "hostname")):
                self.problem("add_host needs 'name' (the new host), found none", pos)
        if task.action in ("copy", "template"):
            self._src_file(task, play)
        elif task.action == "include_vars":
            self._include_vars_file(task)
        elif task.action == "include_tasks":
            self._include_tasks(task, play, handlers)
        elif task.action == "include_role":
            self._include_role(task, play)

    def _delegate(self, target, pos) -> None:
        if target is None or is_templated(target) or str(target) in _LOCAL:
            return
        self.problem(
            f"delegate_to '{target}' is not supported; expected delegate_to: localhost",
            pos,
        )

    def _src_file(self, task: Task, play: Play) -> None:
        src = task.args.get("src")
        if not isinstance(src, str) or not src or is_templated(src):
            return
        remote = task.args.get("remote_src")
        try:
            if remote is not None and (is_templated(remote) or to_bool(remote)):
                return
        except ValueError:
            return
        kind = "templates" if task.action == "template" else "files"
        if find_controller_file(kind, src, task.role, play.basedir) is None:
            where = [f"{task.role.path}/{kind}"] if task.role else []
            where += [str(play.basedir / kind), str(play.basedir)]
            self.problem(
                f"{task.action} src '{src}' not found; looked in: {', '.join(where)}",
                position_of(src, task.pos),
            )

    def _find_vars_file(self, name: str, task: Task) -> Path | None:
        bases = [task.role.path / "vars"] if task.role else []
        bases += [Path(task.pos.file).parent / "vars", Path(task.pos.file).parent]
        for base in bases:
            for ext in ("", ".yml", ".yaml", ".json"):
                if (base / (name + ext)).is_file():
                    return base / (name + ext)
        return None

    def _include_vars_file(self, task: Task) -> None:
        name = task.args.get("file") or task.args.get("_raw_params")
        if not isinstance(name, str) or is_templated(name):
            return
        if self._find_vars_file(name, task) is None and not Path(name).is_file():
            self.problem(f"include_vars file '{name}' not found", position_of(name, task.pos))

    def _include_tasks(self, task: Task, play: Play, handlers) -> None:
        name = task.include_target or ""
        if is_templated(name):
            self._undefined(name, self.anywhere, position_of(name, task.pos), "include_tasks file")
            return
        # imports inside the included file may use play vars (vars_files, vars, extra vars)
        static_vars = {**self.loader._vars_files_values(play), **play.vars, **self.extra_vars}
        ctx = _Ctx(
            file=Path(task.pos.file), basedir=play.basedir, role=task.role, static_vars=static_vars
        )
        before = len(self.loader.problems)
        path = self.loader.find_task_file(name, ctx, position_of(name, task.pos))
        if path is None or str(path) in self._seen_includes:
            return
        self._seen_includes.add(str(path))
        ctx = replace(ctx, file=path, handler_sink=[], handlers=task.is_handler)
        nodes = self.loader.task_file(path, ctx, task.pos)
        if len(self.loader.problems) == before:
            for node in nodes:
                self._node(node, play, handlers)

    def _static_role(self, task: Task, report: bool = True) -> Role | None:
        name = task.include_target or ""
        if is_templated(name):
            return None
        from edgeauto.playbook.loader import _from_args

        loader = self.loader if report else Loader(self.roles_path, self.extra_vars)
        ctx = _Ctx(
            file=Path(task.pos.file), basedir=Path(self.playbook.path).parent, role=task.role
        )
        return loader.role(name, position_of(name, task.pos), ctx, **_from_args(task.args))

    def _include_role(self, task: Task, play: Play) -> None:
        name = task.include_target or ""
        if is_templated(name):
            self._undefined(name, self.anywhere, position_of(name, task.pos), "include_role name")
            return
        key = f"{name}:{task.args.get('tasks_from')}"
        if key in self._seen_includes:
            return
        self._seen_includes.add(key)
        before = len(self.loader.problems)
        role = self._static_role(task)
        if role is None or len(self.loader.problems) != before:
            return
        saved = self.anywhere
        self.anywhere = saved | set(role.defaults) | set(role.vars) | set(role.params)
        from edgeauto.playbook.loader import _with_deps

        for r in _with_deps(role):
            for node in r.tasks:
                self._node(node, play, None)
        self.anywhere = saved

    # ------------------------------------------------------------------ templates
    def _undefined(self, text: str, known: set[str], pos, what: str) -> None:
        if "*" in known:
            return
        try:
            names = unguarded_names(str(text))
        except jinja2.TemplateSyntaxError as exc:
            self.problem(f"{what}: Jinja2 syntax error: {exc.message}", pos)
            return
        for name in sorted(names):
            if name in known or name.startswith(_FACT_PREFIXES):
                continue
            hint = did_you_mean(name, known - kw.MAGIC_VARS)
            if hint is None and not self.have_inventory:
                hint = "if the inventory defines it, pass the inventory with -i"
            self.problem(
                f"{what} '{text}' uses variable '{name}', which is defined nowhere "
                "(not in play vars, vars files, extra vars or the inventory)",
                pos,
                hint,
            )

    def _templates(self, value: Any, pos) -> None:
        """Report Jinja2 syntax errors in every string inside ``value``."""
        if isinstance(value, dict):
            for v in value.values():
                self._templates(v, pos)
        elif isinstance(value, list):
            for v in value:
                self._templates(v, pos)
        elif isinstance(value, str) and is_templated(value) and not hasattr(value, "is_unsafe"):
            if type(value).__name__ == "UnsafeStr":
                return
            message = _syntax_error(str(value))
            if message:
                self.problem(
                    f"Jinja2 syntax error in {value!r}: {message}",
                    position_of(value, pos),
                )

    def _conditions(self, conditions: list, pos) -> None:
        for cond in conditions:
            if not isinstance(cond, str) or type(cond).__name__ == "UnsafeStr":
                continue
            text = cond if is_templated(cond) else "{{ " + cond + " }}"
            message = _syntax_error(str(text))
            if message:
                self.problem(
                    f"condition {str(cond)!r} is not a valid Jinja2 expression: {message}",
                    position_of(cond, pos),
                )


def _all_tasks(play: Play):
    nodes = [*play.pre_tasks, *play.tasks, *play.post_tasks]
    for role in play.roles:
        nodes += role.tasks
    return list(_walk_tasks(nodes))


def argument_problems(checker, task: Task, error: ModuleArgumentError) -> list:
    """Split one module-argument error into one problem per argument, each at the position of
    that argument's key; what concerns several arguments (required, mutually exclusive)
    stays at the task's position."""
    from dataclasses import replace as dc_replace

    spec = getattr(checker, "spec", checker)
    relaxed = dc_replace(
        spec,
        options={n: dc_replace(o, required=False) for n, o in spec.options.items()},
        mutually_exclusive=(),
        required_one_of=(),
        required_together=(),
        required_if=(),
    )
    key_pos = getattr(task.args, "pos_of", None)
    problems: list = []
    good: dict = {}
    for key, value in task.args.items():
        try:
            relaxed.validate({key: value}, task.pos, final=False)
            good[key] = value
        except ModuleArgumentError as exc:
            where = key_pos(key) if key_pos else task.pos
            problems.append(ModuleArgumentError(exc.message, where or task.pos))
            if key in spec._alias_map():  # given but wrong: still counts as given below
                good[key] = "{{ reported_above }}"
    if not problems:
        return [error]
    try:
        spec.validate(good, task.pos, final=False)
    except ModuleArgumentError as exc:
        problems.append(exc)
    return problems


_SPEC_TYPES = {"str", "int", "float", "bool", "list", "dict", "path", "raw"}


def role_argument_spec(role: Role):
    """The entry point's spec from meta/argument_specs.yml (or meta/main.yml), as a ModuleSpec
    without required options; None when the role declares none."""
    from edgeauto.modules.spec import ModuleSpec, Option

    data = None
    for name in ("argument_specs.yml", "argument_specs.yaml", "main.yml", "main.yaml"):
        path = role.path / "meta" / name
        if path.is_file():
            try:
                loaded = load_yaml(path)
            except EdgeautoError:
                return None
            if isinstance(loaded, dict) and isinstance(loaded.get("argument_specs"), dict):
                data = loaded["argument_specs"]
                break
    entry = data.get(role.tasks_from or "main") if data else None
    options = entry.get("options") if isinstance(entry, dict) else None
    if not isinstance(options, dict):
        return None
    opts = {}
    for name, raw in options.items():
        raw = raw if isinstance(raw, dict) else {}
        kind = str(raw.get("type", "str"))
        choices = raw.get("choices")
        opts[str(name)] = Option(
            type=kind if kind in _SPEC_TYPES else "raw",
            choices=tuple(choices) if isinstance(choices, list) else None,
            elements=str(raw["elements"]) if raw.get("elements") in _SPEC_TYPES else None,
        )
    return ModuleSpec(role.name, "role parameters", options=opts)


def find_controller_file(kind: str, name: str, role: Role | None, basedir: Path) -> Path | None:
    """Ansible's search for a controller-side file (``kind`` = files|templates|vars):
    role ``<kind>/`` dir, the role dir, then ``<playbook dir>/<kind>/`` and the playbook dir."""
    path = Path(name)
    if path.is_absolute():
        return path if path.exists() else None
    bases = [role.path / kind, role.path, role.path / "tasks"] if role else []
    bases += [basedir / kind, basedir]
    for base in bases:
        if (base / name).exists():
            return base / name
    return None


def validate(
    playbook: Playbook, *, inventory=None, extra_vars=None, roles_path=(), vault=None
) -> None:
    """Raise ValidationError listing every problem of an already loaded playbook."""
    problems = _Validator(playbook, inventory, extra_vars, roles_path, vault=vault).run()
    if problems:
        raise ValidationError(sorted_problems(problems))


def check_playbook(path, *, roles_path=(), extra_vars=None, inventory=None, vault=None):
    """Load and validate; return ``(playbook, problems)`` without raising (check-syntax)."""
    loader = Loader(roles_path, extra_vars)
    playbook = loader.load_playbook(Path(path))
    problems = list(loader.problems)
    validator = _Validator(
        playbook, inventory, extra_vars, roles_path, loader.broken_handler_names, vault=vault
    )
    problems += validator.run()
    return playbook, sorted_problems(problems)


def load_and_validate(
    path, *, roles_path=(), extra_vars=None, inventory=None, vault=None
) -> Playbook:
    """What ``edgeauto run`` calls: every load and validation problem in one ValidationError.
    ``vault`` (VaultSecrets) lets whole-file encrypted ``vars_files`` be read and checked."""
    playbook, problems = check_playbook(
        path, roles_path=roles_path, extra_vars=extra_vars, inventory=inventory, vault=vault
    )
    if problems:
        raise ValidationError(problems)
    return playbook
