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

This module is the visitor that walks a play; the checks of single values are in
:mod:`.checks`, the controller-file checks in :mod:`.filechecks` (which finds files by the
run's own rule, :mod:`.search`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from edgeauto.errors import (
    EdgeautoError,
    ModuleArgumentError,
    ParseError,
    ValidationError,
    did_you_mean,
)
from edgeauto.modules.spec import is_templated
from edgeauto.playbook import checks
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.actions import control_spec, get_module
from edgeauto.playbook.base import LoadContext, find_vars_file, vars_file_candidates
from edgeauto.playbook.filechecks import (
    find_include_vars_file,
    include_vars_name,
    include_vars_problems,
    inventory_var_names,
    load_vars_yaml,
    src_file_problems,
    vars_dir_names,
)
from edgeauto.playbook.loader import Loader, sorted_problems
from edgeauto.playbook.model import Block, Node, Play, Playbook, Role, Task
from edgeauto.playbook.moduledefaults import candidate_args
from edgeauto.playbook.roles import with_dependencies
from edgeauto.playbook.tasks import role_file_options
from edgeauto.playbook.walk import iter_nodes, iter_tasks
from edgeauto.yamlsrc import position_of


class Validator:
    """Walks every play of a loaded playbook and collects its problems (:meth:`run`)."""

    def __init__(
        self,
        playbook: Playbook,
        inventory,
        extra_vars,
        roles_path,
        broken=(),
        vault=None,
        strict=False,
    ):
        self.vault = vault
        self.broken_handlers = set(broken)
        self.playbook = playbook
        self.extra_vars = dict(extra_vars or {})
        self.inventory_vars = inventory_var_names(inventory)
        self.have_inventory = inventory is not None
        self.inventory_vars |= vars_dir_names(Path(playbook.path).parent)
        self.roles_path = list(roles_path)
        self.problems: list[EdgeautoError] = []
        self.loader = Loader(roles_path, extra_vars)  # for static include targets
        self.strict = strict
        self.loader.strict = strict
        self._seen_includes: set[str] = set()
        self.anywhere: set[str] = set()
        self._guarded = 0  # >0 inside a block with `when`, a rescue part or a handler
        self.include_cycles = IncludeCycles()

    def problem(self, message: str, pos, hint=None, cls=ParseError) -> None:
        self.problems.append(cls(message, pos, hint))

    # ------------------------------------------------------------------ entry
    def run(self) -> list[EdgeautoError]:
        for play in self.playbook.plays:
            self._play(play)
        self.problems += self.include_cycles.problems()
        return self.problems + self.loader.problems

    def _play(self, play: Play) -> None:
        files_vars = self._vars_files(play)
        static = (
            set(play.vars) | set(files_vars) | set(self.extra_vars) | self.inventory_vars
        ) | kw.MAGIC_VARS
        if is_templated(play.hosts):
            self._undefined(play.hosts, static, play.pos, "'hosts'")
        self.problems += checks.template_problems(play.vars, play.pos)
        self.anywhere = static | self._defined_anywhere(play)
        handlers = self._handler_names(play)
        nodes: list[Node] = [*play.pre_tasks, *play.tasks, *play.post_tasks]
        for role in play.roles:
            self.problems += checks.template_problems(role.params, role.pos)
            for each in with_dependencies(role):  # the runtime check covers every other way
                self.problems += checks.role_param_problems(each)
            nodes += role.tasks
        for node in nodes:
            self._node(node, play, handlers)
        self._guarded += 1  # a handler runs only when notified
        for handler in play.handlers:
            self._node(handler, play, handlers)  # handlers may notify handlers
        self._guarded -= 1

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
                    out.update(self._vars_file_data(path, pos))
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

    def _vars_file_data(self, path: Path, pos) -> dict:
        """The variables of one vars_files entry; problems reported, {} then."""
        try:
            data = load_vars_yaml(path, self.vault)
        except EdgeautoError as exc:
            self.problems.append(exc)
            return {}
        if isinstance(data, dict):
            return data
        if data is not None:
            self.problem(
                f"a vars file must be a mapping of variables, found a {type(data).__name__}",
                position_of(data, pos),
            )
        return {}

    def _defined_anywhere(self, play: Play) -> set[str]:
        """Every variable name some part of the play may define at run time."""
        names: set[str] = set()
        nodes: list[Node] = [*play.pre_tasks, *play.tasks, *play.post_tasks, *play.handlers]
        for role in play.roles:
            names |= set(role.defaults) | set(role.vars) | set(role.params)
            nodes += role.tasks
        for node in iter_nodes(nodes):
            names |= set(node.vars) if isinstance(node.vars, dict) else set()
            if isinstance(node, Block):
                if node.role:
                    names |= set(node.role.defaults) | set(node.role.vars)
                continue
            if node.register:
                names.add(node.register)
            if node.action == "set_fact":
                names |= {str(k) for k in node.args if k != "cacheable"}
            if node.action == "include_vars":
                names |= self._include_vars_names(node, play)
            for key in ("loop_var", "index_var"):
                if key in node.loop_control:
                    value = node.loop_control[key]  # a template names it per host: unknown
                    names.add("*" if is_templated(value) else str(value))
        return names

    def _include_vars_names(self, task: Task, play: Play) -> set[str]:
        name = include_vars_name(task)
        if task.args.get("name"):
            return {str(task.args["name"])}
        if not isinstance(name, str) or is_templated(name) or task.args.get("dir"):
            return {"*"}  # unknown: switches the 'defined nowhere' check off
        path = find_include_vars_file(name, task, play)
        if path is None:
            return set()
        try:
            data = load_vars_yaml(path, self.vault)
        except EdgeautoError:
            return set()
        return set(data) if isinstance(data, dict) else set()

    def _handler_names(self, play: Play) -> set[str] | None:
        """Every name and topic a ``notify`` may use; None when some are known only at run
        time (templated names, include_role of a templated or broken role)."""
        names: set[str] = set(self.broken_handlers) | set(self.loader.broken_handler_names)
        for handler in play.handlers:
            if is_templated(handler.name or "") or any(is_templated(t) for t in handler.listen):
                return None
            if handler.name is not None:
                names.add(str(handler.name))
                if handler.role is not None:
                    names |= {f"{p} : {handler.name}" for p in handler.role.prefixes}
            names |= {str(topic) for topic in handler.listen_topics}
        nodes = [*play.pre_tasks, *play.tasks, *play.post_tasks]
        for task in iter_tasks(nodes + [n for role in play.roles for n in role.tasks]):
            if task.action != "include_role":
                continue
            if is_templated(task.include_target or ""):
                return None
            role = self._static_role(task, report=False)
            if role is None:
                return None
            for handler in role.handlers:
                if handler.name:
                    names.add(str(handler.name))
                names |= {str(t) for t in handler.listen_topics}
        return names

    # ------------------------------------------------------------------ tasks
    def _node(self, node: Node, play: Play, handlers: set[str] | None) -> None:
        if not isinstance(node, Block):
            self._task(node, play, handlers)
            return
        self.problems += checks.condition_problems(node.when, node.pos)
        self.problems += checks.template_problems(node.vars, node.pos)
        self.problems += checks.delegate_problems(node.delegate_to, node.pos)
        self._guarded += bool(node.when)
        for child in node.block:
            self._node(child, play, handlers)
        self._guarded += 1  # rescue runs only after a failure; always after block or rescue
        for child in node.rescue:
            self._node(child, play, handlers)
        self._guarded -= 1
        for child in node.always:
            self._node(child, play, handlers)
        self._guarded -= bool(node.when)

    def _task(self, task: Task, play: Play, handlers: set[str] | None) -> None:
        pos = task.pos
        for value in (task.name, task.args, task.vars, task.environment):
            self.problems += checks.template_problems(value, pos)
        if isinstance(task.loop, str):
            self.problems += checks.template_problems(task.loop, pos)
        for conds in (task.when, task.failed_when, task.changed_when, task.until):
            self.problems += checks.condition_problems(conds or [], pos)
        self.problems += checks.delegate_problems(task.delegate_to, pos)
        if handlers is not None:
            self._notify(task, handlers)
        self._arguments(task)
        if task.action in ("copy", "template"):
            self._src_file(task, play)
        elif task.action == "include_vars":
            self.problems += include_vars_problems(task, play)
        elif task.action == "include_tasks":
            self._include_tasks(task, play, handlers)
        elif task.action == "include_role":
            self._include_role(task, play)

    def _src_file(self, task: Task, play: Play) -> None:
        """A copy/template ``src`` not found now is a warning: Ansible's action plugin looks
        it up when the task runs (an earlier task may create it, e.g. with delegate_to:
        localhost), so the task fails only if it runs and the file is still missing.
        ``--strict`` keeps it an error."""
        missing = src_file_problems(task, play)
        if self.strict:
            self.problems += missing
            return
        for problem in missing:
            problem.message += (
                " (looked up again when the task runs: it fails only if still missing)"
            )
            self.loader.warnings.append(problem)

    def _notify(self, task: Task, handlers: set[str]) -> None:
        for name in task.notify:
            if not is_templated(name) and name not in handlers:
                self.problem(
                    f"notify '{name}' matches no handler name or listen topic in this play",
                    task.pos,
                    did_you_mean(name, handlers),
                )

    def _arguments(self, task: Task) -> None:
        module = get_module(task.action)
        checker = module or control_spec(task.action)
        if task.args_templates:
            return  # arguments given as a template are checked per host once rendered
        if checker is not None and task.action not in ("include_tasks", "include_role"):
            try:
                _validate_any(checker, task)
            except ModuleArgumentError as exc:
                ignored = task.ignore_errors in (True, "yes", "true", "True")
                if not ignored and not _expects_failure(task):
                    self.problems += checks.argument_problems(checker, task, exc)
                # else: as with ansible-playbook the task fails when it runs, its failure is
                # ignored (and registered) or judged by failed_when, and the play goes on
        elif task.action == "add_host" and module is None:
            if not any(k in task.args for k in ("name", "host", "hostname")):
                self.problem("add_host needs 'name' (the new host), found none", task.pos)

    def _include_tasks(self, task: Task, play: Play, handlers) -> None:
        name = task.include_target or ""
        if is_templated(name):
            self._undefined(name, self.anywhere, position_of(name, task.pos), "include_tasks file")
            return
        # imports inside the included file may use play vars (vars_files, vars, extra vars)
        static_vars = {**self.loader.vars_files_values(play), **play.vars, **self.extra_vars}
        ctx = LoadContext(
            file=Path(task.pos.file), basedir=play.basedir, role=task.role, static_vars=static_vars
        )
        before = len(self.loader.problems)
        path = self.loader.find_task_file(name, ctx, position_of(name, task.pos))
        if path is not None and not (self._guarded or task.when or task.loop is not None):
            self.include_cycles.add(task.pos, path)
        if path is None or str(path) in self._seen_includes:
            return
        self._seen_includes.add(str(path))
        ctx = replace(ctx, file=path, handler_sink=[], handlers=task.is_handler, dynamic=True)
        nodes = self.loader.task_file(path, ctx, task.pos)
        if len(self.loader.problems) == before:
            guarded, self._guarded = self._guarded, 0  # whether a loop ends is per file
            for node in nodes:
                self._node(node, play, handlers)
            self._guarded = guarded

    def _static_role(self, task: Task, report: bool = True) -> Role | None:
        name = task.include_target or ""
        if is_templated(name):
            return None
        loader = self.loader if report else Loader(self.roles_path, self.extra_vars)
        loader.strict = self.strict
        ctx = LoadContext(
            file=Path(task.pos.file),
            basedir=Path(self.playbook.path).parent,
            role=task.role,
            dynamic=True,
        )
        return loader.role(name, position_of(name, task.pos), ctx, **role_file_options(task.args))

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
        if role is None and not self.strict:
            self._defer_missing_role(before)
        if role is None or len(self.loader.problems) != before:
            return
        saved = self.anywhere
        self.anywhere = saved | set(role.defaults) | set(role.vars) | set(role.params)
        for r in with_dependencies(role):
            for node in r.tasks:
                self._node(node, play, None)
        self.anywhere = saved

    def _defer_missing_role(self, before: int) -> None:
        """include_role is dynamic: ansible-playbook looks the role up only when the task
        runs (sshd roles include a firewall role of another collection under ``when``), so a
        role that is not there is a warning now and the task's error if it runs."""
        new = self.loader.problems[before:]
        if len(new) == 1 and "' not found; looked in:" in str(new[0].message):
            del self.loader.problems[before:]
            problem = new[0]
            problem.message = f"{problem.message} (include_role: the task fails only if it runs)"
            self.loader.warnings.append(problem)

    def _undefined(self, text: str, known: set[str], pos, what: str) -> None:
        self.problems += checks.undefined_problems(text, known, pos, what, self.have_inventory)


class IncludeCycles:
    """Unconditional ``include_tasks`` edges between task files, to find a loop of them
    before the run: such a loop never ends (the run would stop only at the depth limit)."""

    def __init__(self) -> None:
        self.edges: dict[str, list[tuple[str, object]]] = {}

    def add(self, pos, target: Path) -> None:
        self.edges.setdefault(str(Path(pos.file).resolve()), []).append(
            (str(Path(target).resolve()), pos)
        )

    def problems(self) -> list[EdgeautoError]:
        out: list[EdgeautoError] = []
        reported: set[frozenset] = set()
        for start in sorted(self.edges):
            for cycle in self._cycles_from(start):
                key = frozenset(f for f, _ in cycle)
                if key in reported:
                    continue
                reported.add(key)
                chain = " → ".join(f"{Path(p.file).name}:{p.line}" for _, p in cycle)
                out.append(
                    ParseError(
                        "include_tasks loop that never ends: every include in it is "
                        f"unconditional ({chain} → {Path(cycle[0][0]).name})",
                        cycle[0][1],
                        "guard one of the includes with `when:`",
                    )
                )
        return out

    def _cycles_from(self, start: str):
        stack: list[tuple[str, object]] = []
        on_path: set[str] = set()

        def visit(node: str):
            on_path.add(node)
            for target, pos in self.edges.get(node, ()):
                stack.append((node, pos))
                if target == start:
                    yield list(stack)
                elif target not in on_path and target > start:
                    yield from visit(target)
                stack.pop()
            on_path.discard(node)

        yield from visit(start)


def validate(
    playbook: Playbook, *, inventory=None, extra_vars=None, roles_path=(), vault=None
) -> None:
    """Raise ValidationError listing every problem of an already loaded playbook."""
    problems = Validator(playbook, inventory, extra_vars, roles_path, vault=vault).run()
    if problems:
        raise ValidationError(sorted_problems(problems))


def check_playbook(
    path, *, roles_path=(), extra_vars=None, inventory=None, vault=None, strict=False, data=None
):
    """Load and validate; return ``(playbook, problems)`` without raising (check-syntax).
    ``playbook.warnings`` holds what only a run that reaches it would turn into an error
    (unknown modules in dynamically included files); ``strict`` makes those problems.
    ``data`` is the playbook already in memory (the Python API), standing for ``path``."""
    loader = Loader(roles_path, extra_vars)
    loader.strict = strict
    if data is None:
        playbook = loader.load_playbook(Path(path))
    else:
        playbook = loader.load_playbook_data(data, Path(path))
    problems = list(loader.problems)
    validator = Validator(
        playbook,
        inventory,
        extra_vars,
        roles_path,
        loader.broken_handler_names,
        vault=vault,
        strict=strict,
    )
    problems += validator.run()
    playbook.warnings = sorted_problems(loader.warnings + validator.loader.warnings)
    return playbook, sorted_problems(problems)


def load_and_validate(
    path, *, roles_path=(), extra_vars=None, inventory=None, vault=None, data=None
) -> Playbook:
    """What ``edgeauto run`` calls: every load and validation problem in one ValidationError.
    ``vault`` (VaultSecrets) lets whole-file encrypted ``vars_files`` be read and checked;
    ``data`` is an in-memory playbook standing for ``path`` (see :func:`check_playbook`)."""
    playbook, problems = check_playbook(
        path,
        roles_path=roles_path,
        extra_vars=extra_vars,
        inventory=inventory,
        vault=vault,
        data=data,
    )
    if problems:
        raise ValidationError(problems)
    return playbook


def _expects_failure(task: Task) -> bool:
    """A failed_when written to expect the module's failure (``not r.failed``, ``'x' in
    r.msg``): its argument error is judged when it runs, as by Ansible. Any other failed_when
    (``r.rc != 0``) keeps the error before anything runs."""
    if task.failed_when is None:
        return False
    text = " ".join(
        str(c)
        for c in (task.failed_when if isinstance(task.failed_when, list) else [task.failed_when])
    )
    return "failed" in text or "msg" in text


def _validate_any(checker, task: Task) -> None:
    """Valid with the task's own arguments, or with those a backend's module_defaults add
    (``service:`` with ``module_defaults: {systemd: {name: x}}``): the host's backend decides
    when the task runs, and the run validates again with exactly that one."""
    first = None
    for args in candidate_args(task):
        try:
            checker.validate(args, task.pos, final=False)
            return
        except ModuleArgumentError as exc:
            first = first or exc
    raise first
