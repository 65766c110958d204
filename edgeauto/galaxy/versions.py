"""Collection version constraints as requirements.yml writes them (``1.2.0``, ``>=1.0.0``,
``>=1.0,<2.0``, ``*``, ``!=1.1``), compared as numeric tuples (pre-release tags sort first)."""

from __future__ import annotations

import operator
import re

OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le,
       ">": operator.gt, "<": operator.lt}  # fmt: skip
CLAUSE = re.compile(r"^\s*(==|!=|>=|<=|>|<|=)?\s*(\S+)\s*$")


def _key(version: str) -> tuple:
    main, _, pre = version.lstrip("v").partition("-")
    nums = tuple(int(p) if p.isdigit() else 0 for p in main.split("."))
    nums = nums + (0,) * (3 - len(nums))
    return nums + ((0, pre) if pre else (1, ""))


def satisfies(version: str, constraint: str) -> bool:
    for clause in constraint.split(","):
        if clause.strip() in ("*", ""):
            continue
        match = CLAUSE.match(clause)
        if not match:
            return False
        op = OPS.get(match.group(1) or "==", operator.eq)
        if not op(_key(version), _key(match.group(2))):
            return False
    return True
