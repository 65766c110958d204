"""What rules look at (tasks, plays, variable definitions as loaded, with positions) and what
they report (findings, optionally with a textual fix)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from edgeauto.errors import Position


@dataclass(frozen=True)
class Fix:
    """Replace ``old`` by ``new`` at a 1-based line/col of a file. Applied only if the text is
    still there, so a fix never edits anything but the token it names."""

    file: str
    line: int
    col: int
    old: str
    new: str


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    pos: Position
    severity: str = "warning"  # warning | error (SARIF levels)
    fix: Fix | None = None

    def __str__(self) -> str:
        return f"{self.pos}: [{self.rule}] {self.message}"


@dataclass
class LintTask:
    """One task, handler or block as written (raw mapping with key positions)."""

    raw: dict
    pos: Position
    action: str | None  # the module key as written (None for a block)
    args: dict
    is_handler: bool = False
    play: LintPlay | None = None

    @property
    def is_block(self) -> bool:
        return "block" in self.raw

    def key_pos(self, key: str) -> Position:
        pos_of = getattr(self.raw, "pos_of", None)
        return (pos_of(key) if pos_of else None) or self.pos


@dataclass
class LintPlay:
    raw: dict
    pos: Position
    tasks: list[LintTask] = field(default_factory=list)


@dataclass
class VarDef:
    """A variable defined in a play, block, task, role defaults/vars or a vars file."""

    name: str
    value: Any
    pos: Position


@dataclass
class LintFile:
    path: str
    kind: str  # playbook | tasks | vars
    lines: list[str]
    plays: list[LintPlay] = field(default_factory=list)
    tasks: list[LintTask] = field(default_factory=list)  # every task of the file, plays' too
    variables: list[VarDef] = field(default_factory=list)


@dataclass(frozen=True)
class Example:
    """A rule's example: file text and the path it is linted under (kind from the path)."""

    text: str
    path: str = "playbook.yml"


@dataclass(frozen=True)
class Rule:
    """One rule. ``check(file, ctx)`` yields findings; ``ctx`` gives the inventory if any."""

    id: str
    summary: str
    description: str
    check: Callable[[LintFile, Any], Iterator[Finding]]
    fails: tuple[Example, ...]
    passes: tuple[Example, ...]
    fixable: bool = False
    severity: str = "warning"
