"""Text helpers shared by reporters: result dicts for humans, diffs, secrets hidden."""

from __future__ import annotations

import difflib
import json
from typing import Any

CENSORED = {
    "censored": "the output has been hidden due to the fact that 'no_log: true' was specified "
    "for this result"
}
_INTERNAL = ("_ansible_item_label", "ansible_loop_var", "_ansible_no_log", "invocation")


def visible_result(result: dict, no_log: bool) -> dict:
    """The result as a user may see it: no_log hides everything, secrets are masked."""
    if no_log:
        out = dict(CENSORED)
        if "changed" in result:
            out["changed"] = result["changed"]
        return out
    return {k: _mask(v) for k, v in result.items() if k not in _INTERNAL}


def _mask(value: Any) -> Any:
    try:
        from edgeauto.templating import is_secret
    except ImportError:  # pragma: no cover
        is_secret = None
    if is_secret is not None and is_secret(value):
        return "********"
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def to_json(value: Any, indent: int | None = 4) -> str:
    return json.dumps(value, indent=indent, sort_keys=True, default=str, ensure_ascii=False)


def item_label(res: dict) -> str:
    if "_ansible_item_label" in res:
        label = res["_ansible_item_label"]
    else:
        label = res.get("item")
    if isinstance(label, dict | list):
        return json.dumps(label, sort_keys=True, default=str)
    return str(label)


def render_diff(diff: Any) -> str:
    """A unified diff from a module's ``diff`` (dict or list of dicts with before/after)."""
    diffs = diff if isinstance(diff, list) else [diff]
    out: list[str] = []
    for d in diffs:
        if not isinstance(d, dict):
            continue
        if "prepared" in d:
            out.append(str(d["prepared"]))
            continue
        before = d.get("before", "")
        after = d.get("after", "")
        if isinstance(before, dict | list):
            before = to_json(before)
        if isinstance(after, dict | list):
            after = to_json(after)
        before, after = str(before or ""), str(after or "")
        if before == after:
            continue
        lines = difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=str(d.get("before_header") or "before"),
            tofile=str(d.get("after_header") or "after"),
        )
        text = "".join(lines)
        if text and not text.endswith("\n"):
            text += "\n"
        out.append(text)
    return "".join(out)
