"""Run the rules over files: discovery, ``# noqa`` and skip lists, ordering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edgeauto.errors import EdgeautoError, Position
from edgeauto.lint.discover import read_file, yaml_files
from edgeauto.lint.model import Finding
from edgeauto.lint.noqa import silenced, task_lines
from edgeauto.lint.rules import all_rules


@dataclass
class LintContext:
    inventory: Any = None


def lint_paths(
    paths: list[str], *, skip: tuple[str, ...] = (), only: tuple[str, ...] = (), inventory=None
) -> list[Finding]:
    """Findings for every YAML file under ``paths``, sorted by file and line. A file that
    cannot be read as YAML is a finding of its own (``load-failure``), not a crash."""
    rules = all_rules()
    unknown = sorted((set(skip) | set(only)) - set(rules))
    if unknown:
        raise EdgeautoError(
            f"lint: unknown rule(s) {', '.join(unknown)}; known: {', '.join(rules)}"
        )
    chosen = [r for r in rules.values() if r.id not in skip and (not only or r.id in only)]
    ctx = LintContext(inventory)
    findings: list[Finding] = []
    for path in yaml_files(paths):
        try:
            lint_file = read_file(path)
        except EdgeautoError as exc:
            pos = getattr(exc, "pos", None) or Position(str(path))
            findings.append(Finding("load-failure", str(exc).split("\n")[0], pos, "error"))
            continue
        if lint_file is None:
            continue
        starts = {(t.pos.line, t.pos.col) for t in lint_file.tasks}
        for rule in chosen:
            for finding in rule.check(lint_file, ctx):
                pos = finding.pos
                span = (
                    task_lines(lint_file.lines, pos.line, pos.col)
                    if (pos.line, pos.col) in starts
                    else [pos.line]
                )
                if not any(silenced(lint_file.lines, line, rule.id) for line in span):
                    findings.append(finding)
    return sorted(findings, key=lambda f: (f.pos.file, f.pos.line, f.pos.col, f.rule))
