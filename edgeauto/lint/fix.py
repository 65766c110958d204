"""``--fix``: apply the findings' textual fixes, each only where its old text is still at its
position, files rewritten atomically (temp file + rename, mode kept)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from edgeauto.fsutil import atomic_write
from edgeauto.lint.model import Finding, Fix


def apply_fixes(findings: list[Finding]) -> list[Finding]:
    """Apply every fix that still matches; returns the findings that were fixed."""
    by_file: dict[str, list[tuple[Finding, Fix]]] = defaultdict(list)
    for finding in findings:
        if finding.fix:
            by_file[finding.fix.file].append((finding, finding.fix))
    fixed: list[Finding] = []
    for file, fixes in by_file.items():
        path = Path(file)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        # right to left on each line, so earlier columns stay valid
        for finding, fix in sorted(fixes, key=lambda p: (p[1].line, -p[1].col)):
            line = lines[fix.line - 1]
            start = fix.col - 1
            if line[start : start + len(fix.old)] == fix.old:
                lines[fix.line - 1] = line[:start] + fix.new + line[start + len(fix.old) :]
                fixed.append(finding)
        atomic_write(path, "".join(lines))
    return fixed
