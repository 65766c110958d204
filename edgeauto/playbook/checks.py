"""The checks validation applies to one value at a time: Jinja2 syntax of templates and
conditions, variables defined nowhere, ``delegate_to`` targets, module arguments against a
spec, role parameters against ``meta/argument_specs``.

Each returns the problems it found (a list, empty when the value is fine) instead of raising,
so :mod:`edgeauto.playbook.validate` can report every mistake at once.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

import jinja2

from edgeauto.errors import EdgeautoError, ModuleArgumentError, ParseError, did_you_mean
from edgeauto.modules.spec import is_templated
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.base import unguarded_names
from edgeauto.playbook.model import Role, Task
from edgeauto.yamlsrc import load_yaml, position_of

_LOCAL = ("localhost", "127.0.0.1", "::1")
_FACT_PREFIXES = ("ansible_", "facter_", "ohai_")  # facts exist only at run time


def _runtime_env() -> jinja2.Environment:
    """The templating layer's own Jinja2 environment (same lexer as at run time), so a
    template is a syntax error here exactly when it would be one during the run."""
    try:
        from edgeauto.templating.jinja_env import _environment

        return _environment(())
    except ImportError:  # pragma: no cover - templating layer missing
        return jinja2.Environment()


_ENV = _runtime_env()


@lru_cache(maxsize=4096)
def syntax_error(text: str) -> str | None:
    """Jinja2 syntax error message for a template, or None (cached: conditions repeat a lot)."""
    try:
        _ENV.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return exc.message or "invalid template"
    return None


def template_problems(value: Any, pos) -> list[EdgeautoError]:
    """Jinja2 syntax errors in every string inside ``value``."""
    if isinstance(value, dict):
        return [p for v in value.values() for p in template_problems(v, pos)]
    if isinstance(value, list):
        return [p for v in value for p in template_problems(v, pos)]
    if not isinstance(value, str) or not is_templated(value) or hasattr(value, "is_unsafe"):
        return []
    if type(value).__name__ == "UnsafeStr":
        return []
    message = syntax_error(str(value))
    if not message:
        return []
    return [ParseError(f"Jinja2 syntax error in {value!r}: {message}", position_of(value, pos))]


def condition_problems(conditions: list, pos) -> list[EdgeautoError]:
    """Conditions (``when``, ``failed_when``, …) that are not valid Jinja2 expressions."""
    out: list[EdgeautoError] = []
    for cond in conditions:
        if not isinstance(cond, str) or type(cond).__name__ == "UnsafeStr":
            continue
        text = cond if is_templated(cond) else "{{ " + cond + " }}"
        message = syntax_error(str(text))
        if message:
            out.append(
                ParseError(
                    f"condition {str(cond)!r} is not a valid Jinja2 expression: {message}",
                    position_of(cond, pos),
                )
            )
    return out


def undefined_problems(
    text: str, known: set[str], pos, what: str, have_inventory: bool
) -> list[EdgeautoError]:
    """Variables ``text`` needs that nothing in ``known`` defines (``"*"`` in ``known``
    switches the check off: some source of names is known only at run time)."""
    if "*" in known:
        return []
    try:
        names = unguarded_names(str(text))
    except jinja2.TemplateSyntaxError as exc:
        return [ParseError(f"{what}: Jinja2 syntax error: {exc.message}", pos)]
    out: list[EdgeautoError] = []
    for name in sorted(names):
        if name in known or name.startswith(_FACT_PREFIXES):
            continue
        hint = did_you_mean(name, known - kw.MAGIC_VARS)
        if hint is None and not have_inventory:
            hint = "if the inventory defines it, pass the inventory with -i"
        out.append(
            ParseError(
                f"{what} '{text}' uses variable '{name}', which is defined nowhere "
                "(not in play vars, vars files, extra vars or the inventory)",
                pos,
                hint,
            )
        )
    return out


def delegate_problems(target, pos) -> list[EdgeautoError]:
    """``delegate_to`` other than the controller is refused (templated targets are left)."""
    if target is None or is_templated(target) or str(target) in _LOCAL:
        return []
    return [
        ParseError(f"delegate_to '{target}' is not supported; expected delegate_to: localhost", pos)
    ]


def argument_problems(checker, task: Task, error: ModuleArgumentError) -> list:
    """Split one module-argument error into one problem per argument, each at the position of
    that argument's key; what concerns several arguments (required, mutually exclusive)
    stays at the task's position."""
    spec = getattr(checker, "spec", checker)
    relaxed = replace(
        spec,
        options={n: replace(o, required=False) for n, o in spec.options.items()},
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


def argument_specs(role: Role) -> dict | None:
    """The ``argument_specs`` mapping of meta/argument_specs.yml (or meta/main.yml)."""
    for name in ("argument_specs.yml", "argument_specs.yaml", "main.yml", "main.yaml"):
        path = role.path / "meta" / name
        if path.is_file():
            try:
                loaded = load_yaml(path)
            except EdgeautoError:
                return None
            if isinstance(loaded, dict) and isinstance(loaded.get("argument_specs"), dict):
                return loaded["argument_specs"]
    return None


def role_argument_spec(role: Role):
    """The entry point's spec from meta/argument_specs.yml (or meta/main.yml), as a ModuleSpec
    without required options; None when the role declares none."""
    from edgeauto.modules.spec import ModuleSpec

    data = argument_specs(role)
    entry = data.get(role.tasks_from or "main") if data else None
    options = entry.get("options") if isinstance(entry, dict) else None
    if not isinstance(options, dict):
        return None
    from edgeauto.modules.core.validate_argument_spec import argspec_option

    opts = {str(n): argspec_option(r if isinstance(r, dict) else {}) for n, r in options.items()}
    return ModuleSpec(role.name, "role parameters", options=opts)


def role_param_problems(role: Role) -> list[EdgeautoError]:
    """Role parameters against the role's meta/argument_specs (types and choices only:
    required options may come from inventory or defaults, known only per host)."""
    spec = role_argument_spec(role)
    if spec is None:
        return []
    given = {k: v for k, v in role.params.items() if str(k) in spec.options}
    try:
        spec.validate(given, role.pos, final=False)
    except ModuleArgumentError as exc:
        return [ParseError(f"role '{role.name}' parameters: {exc.message}", role.pos)]
    return []
