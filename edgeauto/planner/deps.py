"""Which variables a template or condition reads — the planner's only dependency analysis.

A segment must end before a task whose ``when``/``loop``/arguments read a value that a task
still waiting in the segment will produce (its ``register`` name, facts it sets). We parse the
Jinja2 source once and list the free variable names; anything we cannot parse counts as reading
*everything* (the safe answer: flush first).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta

EVERYTHING = frozenset({"*"})
# Names through which a template can reach any variable indirectly.
INDIRECT = frozenset({"hostvars", "vars", "lookup", "query", "q"})


class _AnyCallable(dict):
    """Filters/tests for parsing only: every name exists. Jinja2's compiler refuses unknown
    filter names, and a plain Environment knows none of Ansible's — without this every
    template using ``from_json`` or ``ipaddr`` would count as reading everything."""

    def __contains__(self, name) -> bool:
        return True

    def get(self, name, default=None):
        return dict.get(self, name) or _no_op

    def __missing__(self, name):
        return _no_op


def _no_op(*args, **kwargs):
    return None


_ENV = jinja2.Environment()
_ENV.filters = _AnyCallable(_ENV.filters)
_ENV.tests = _AnyCallable(_ENV.tests)


@lru_cache(maxsize=4096)
def _names_in_template(source: str) -> frozenset[str]:
    try:
        return frozenset(meta.find_undeclared_variables(_ENV.parse(source)))
    except jinja2.TemplateError:
        return EVERYTHING


def _names_in_expression(expr: str) -> frozenset[str]:
    return _names_in_template("{{ " + expr + " }}")


def template_names(value: Any) -> frozenset[str]:
    """Free variable names of a value that may contain Jinja2 anywhere inside it."""
    if isinstance(value, str):
        if "{{" in value or "{%" in value:
            return _names_in_template(str(value))
        return frozenset()
    if isinstance(value, dict):
        out: frozenset[str] = frozenset()
        for key, item in value.items():
            out |= template_names(key) | template_names(item)
        return out
    if isinstance(value, list | tuple):
        out = frozenset()
        for item in value:
            out |= template_names(item)
        return out
    return frozenset()


def condition_names(conditions: Any) -> frozenset[str]:
    """Free names of ``when``/``failed_when``/``until`` values (bare expressions)."""
    if conditions is None:
        return frozenset()
    if not isinstance(conditions, list):
        conditions = [conditions]
    out: frozenset[str] = frozenset()
    for cond in conditions:
        if isinstance(cond, str):
            text = cond.strip()
            if "{{" in text or "{%" in text:
                out |= _names_in_template(text)
            else:
                out |= _names_in_expression(text)
    return out


def reads_pending(names: frozenset[str], pending: set[str]) -> bool:
    """True if a value reading ``names`` must wait for the pending segment's results."""
    if not pending:
        return False
    if "*" in names or names & INDIRECT:
        return True
    if "*facts*" in pending and (
        "ansible_facts" in names or any(n.startswith("ansible_") for n in names)
    ):
        return True
    return bool(names & pending)


def expand_names(names: frozenset[str], variables: dict, limit: int = 200) -> frozenset[str]:
    """Names plus the names their (templated) values read — so `x: "{{ r.stdout }}"` counts."""
    if "*" in names:
        return names
    seen = set(names)
    todo = list(names)
    while todo and len(seen) < limit:
        value = variables.get(todo.pop())
        if value is None or not _might_template(value):
            continue
        for inner in template_names(value):
            if inner not in seen:
                seen.add(inner)
                todo.append(inner)
    return frozenset(seen)


def _might_template(value) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    return isinstance(value, dict | list)
