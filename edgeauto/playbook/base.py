"""Shared parts of the playbook loader: the loading context, value helpers and the
base class that collects problems (one per mistake, each with file:line:col)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.errors import EdgeautoError, ParseError, Position, describe, did_you_mean
from edgeauto.modules.spec import is_templated, to_bool
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.model import Become, Node, Role, Task
from edgeauto.playbook.search import search_bases
from edgeauto.playbook.serial import serial_problem
from edgeauto.yamlsrc import PosDict, load_yaml, position_of

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class LoadContext:
    """Where we are while loading: file, playbook dir, role, and what collects handlers."""

    file: Path
    basedir: Path
    role: Role | None = None
    handlers: bool = False
    static_vars: dict[str, Any] = field(default_factory=dict)
    handler_sink: list[Task] | None = None
    chain: tuple[str, ...] = ()  # files/roles being loaded, for cycle detection
    # reached only through include_tasks/include_role: an unknown module there is a warning
    # at validation and an error only if its task runs (ansible-core's rule)
    dynamic: bool = False


FAILED = object()


class LoaderBase:
    """Problem collection and keyword-value helpers every loading step uses."""

    def __init__(self, roles_path=(), extra_vars: dict | None = None):
        self.roles_path = [Path(p) for p in roles_path]
        self.extra_vars = dict(extra_vars or {})
        self.problems: list[EdgeautoError] = []
        self.warnings: list[EdgeautoError] = []  # unknown modules in dynamic files (see ctx)
        self.strict = False  # check-syntax --strict: those are errors too
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
            return FAILED

    def _list(self, value: Any, what: str, pos: Position | None) -> list:
        """Normalise a scalar-or-list keyword (when, notify, listen) into a list."""
        if value is None:
            return []
        if isinstance(value, list):
            return list(value)
        if isinstance(value, dict):
            self.problem(f"'{what}' expects a string or a list, found {describe(value)}", pos)
            return []
        return [value]

    def _tags(self, value: Any, pos: Position | None) -> list[str]:
        out: list[str] = []
        items = value.split(",") if isinstance(value, str) else self._list(value, "tags", pos)
        for item in items:
            if isinstance(item, dict | list):
                self.problem(f"'tags' expects strings, found {describe(item)}", pos)
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
                f"'{key}' expects a boolean (true/false), found {describe(value)}",
                position_of(value, ds.pos_of(key)),
            )
            return default

    def _serial(self, ds: dict) -> Any:
        """``serial`` on a play, task or handler (:mod:`edgeauto.playbook.serial`)."""
        if "serial" not in ds:
            return None
        value = ds["serial"]
        problem = serial_problem(value)
        if problem:
            bad = value  # point at the bad list entry, not the list
            if isinstance(value, list) and value:
                bad = next((v for v in value if serial_problem(v)), value)
            self.problem(problem, position_of(bad, ds.pos_of("serial")))
            return None
        return value

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
            f"'{key}' expects a mapping, found {describe(value)}",
            position_of(value, ds.pos_of(key)),
        )
        return {}

    def _str(self, ds: dict, key: str) -> str | None:
        value = ds.get(key)
        if value is None:
            return None
        if isinstance(value, dict | list):
            self.problem(
                f"'{key}' expects a string, found {describe(value)}", position_of(value, ds.pos)
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
        """Render a load-time template (import file name) with the Ansible-compatible Templar;
        None after reporting a problem."""
        import jinja2

        from edgeauto.templating import Templar

        value = str(text)
        if not is_templated(value):
            return value
        try:
            missing = sorted(n for n in unguarded_names(value) if n not in variables)
        except jinja2.TemplateSyntaxError as exc:
            self.problem(f"{what}: Jinja2 syntax error: {exc.message}", pos)
            return None
        if missing:
            self.problem(
                f"{what} '{text}' uses undefined variable '{missing[0]}'; a static import "
                "can only use play vars, role defaults/vars and extra vars",
                pos,
                "use include_* for names known only at run time",
            )
            return None
        try:
            rendered = Templar(variables).render(value, pos)
        except EdgeautoError as exc:
            self.problem(f"{what} '{text}' could not be rendered: {exc.message}", pos)
            return None
        return str(rendered)


def flatten_handlers(nodes: list[Node], loader: LoaderBase, outer_when: list) -> list[Task]:
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
            inner = flatten_handlers(node.block, loader, outer_when + node.when)
            for task in inner:
                task.tags = node.tags + task.tags
                task.vars = {**node.vars, **task.vars}
            out += inner
    return out


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


class _AnyName(dict):
    """Filter/test table that claims to know every name: finding variables must not fail on
    Ansible's own filters (regex_replace, …), which plain Jinja2 does not have."""

    def __contains__(self, key) -> bool:
        return True

    def get(self, key, default=None):
        return super().get(key) or _any_callable


def _any_callable(*_args, **_kwargs):
    return None


def _permissive_env():
    import jinja2

    env = jinja2.Environment()
    env.filters = _AnyName(env.filters)
    env.tests = _AnyName(env.tests)
    return env


def unguarded_names(text: str) -> set[str]:
    """Variables a template needs from outside, except those it guards itself
    (``x | default(...)``, ``x is defined``): only those can be "undefined" before a run.
    Raises jinja2.TemplateSyntaxError."""
    from jinja2 import meta, nodes

    tree = _permissive_env().parse(text)
    guarded: set[str] = set()

    def names_in(node) -> set[str]:
        found = {n.name for n in node.find_all(nodes.Name)}
        return found | ({node.name} if isinstance(node, nodes.Name) else set())

    for flt in tree.find_all(nodes.Filter):
        if flt.name in ("default", "d") and flt.node is not None:
            guarded |= names_in(flt.node)
    for test in tree.find_all(nodes.Test):
        if test.name in ("defined", "undefined"):
            guarded |= names_in(test.node)
    return set(meta.find_undeclared_variables(tree)) - guarded


def vars_file_candidates(basedir: Path, name: str) -> list[Path]:
    """Where a play's vars_files entry is looked for (:mod:`.search`'s rule without role or
    task file): ``<playbook dir>/vars/NAME`` (unless NAME already starts with ``vars/``),
    then ``<playbook dir>/NAME``; absolute names as they are."""
    path = Path(name).expanduser()
    if path.is_absolute():
        return [path]
    bases = search_bases("vars", role_path=None, task_file=None, basedir=basedir)
    if name.split("/")[0] == "vars":
        bases = [b for b in bases if b != basedir / "vars"]
    return [base / name for base in bases]


def find_vars_file(basedir: Path, name: str) -> Path | None:
    """The first existing :func:`vars_file_candidates` entry, or None."""
    return next((p for p in vars_file_candidates(basedir, name) if p.is_file()), None)
