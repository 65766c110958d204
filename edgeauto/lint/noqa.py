"""``# noqa`` comments: ``# noqa`` silences every rule on that line, ``# noqa: id1 id2`` (or
comma-separated) only those. A finding is silenced by a comment on its own line or on the
first line of its task, as ansible-lint reads them."""

from __future__ import annotations

import re

NOQA = re.compile(r"#\s*noqa\b(?::\s*(?P<ids>[\w\-\[\], ]+))?", re.IGNORECASE)


def silenced(lines: list[str], line: int, rule: str) -> bool:
    if not 0 < line <= len(lines):
        return False
    match = NOQA.search(lines[line - 1])
    if not match:
        return False
    ids = match.group("ids")
    return ids is None or rule in re.split(r"[\s,]+", ids.strip())


def task_lines(lines: list[str], line: int, col: int) -> range:
    """The lines of a task that starts at line/col (its first key): every following line
    indented at least as far, or blank. A ``# noqa`` anywhere in them counts for the task."""
    end = line
    while end < len(lines):
        text = lines[end]
        if text.strip() and len(text) - len(text.lstrip()) < col - 1:
            break
        end += 1
    return range(line, end + 1)


def trailing_comment(lines: list[str], line: int) -> str:
    """The comment text at the end of a line ('' if none): reasons are written there."""
    if not 0 < line <= len(lines):
        return ""
    text = lines[line - 1]
    in_quote = ""
    for i, char in enumerate(text):
        if char in "'\"" and not in_quote:
            in_quote = char
        elif char == in_quote:
            in_quote = ""
        elif char == "#" and not in_quote and (i == 0 or text[i - 1] in " \t"):
            return text[i + 1 :].strip()
    return ""
