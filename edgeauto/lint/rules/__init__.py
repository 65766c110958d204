"""Every lint rule, one file each: a module here defining ``RULE`` is a rule. Files starting
with ``_`` are helpers."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from edgeauto.lint.model import Rule


@cache
def all_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        rule = importlib.import_module(f"{__name__}.{info.name}").RULE
        rules[rule.id] = rule
    return dict(sorted(rules.items()))
