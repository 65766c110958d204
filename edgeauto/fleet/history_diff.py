"""What changed between two recorded runs (``edgeauto history diff RUN1 RUN2``).

Hosts are compared by their outcome (ok/changed/failed/unreachable, or absent from a run);
tasks by (host, play, task name, occurrence): a task repeated under the same name on a host
(a loop of includes, a handler notified twice) is matched to the same repetition in the other
run. A task is reported when its status or ``changed`` differs, or when it failed in both
runs with a different message ("failed differently"). Pure: takes what
:class:`~edgeauto.fleet.history.History` reads, returns plain data for text or JSON.
"""

from __future__ import annotations

from typing import Any

ABSENT = "absent"


def diff_runs(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``before``/``after``: ``{"run": RunRow.as_dict(), "hosts": {...}, "tasks": [...]}``."""
    return {
        "before": _brief(before["run"]),
        "after": _brief(after["run"]),
        "hosts": _host_changes(before["hosts"], after["hosts"]),
        "tasks": _task_changes(before["tasks"], after["tasks"]),
    }


def _brief(run: dict[str, Any]) -> dict[str, Any]:
    return {
        k: run.get(k) for k in ("id", "kind", "what", "playbook", "started", "rc", "check_mode")
    }


def _host_changes(before: dict, after: dict) -> list[dict[str, str]]:
    out = []
    for host in sorted(set(before) | set(after)):
        was = before.get(host, {}).get("status", ABSENT)
        now = after.get(host, {}).get("status", ABSENT)
        if was != now:
            out.append({"host": host, "before": was, "after": now})
    return out


def _keyed(tasks: list[dict]) -> dict[tuple, dict]:
    seen: dict[tuple, int] = {}
    out = {}
    for task in tasks:
        base = (task["host"], task["play"], task["task"])
        seen[base] = seen.get(base, 0) + 1
        out[(*base, seen[base])] = task
    return out


def _task_changes(before: list[dict], after: list[dict]) -> list[dict[str, Any]]:
    old, new = _keyed(before), _keyed(after)
    order = list(dict.fromkeys([*new, *old]))  # the newer run's order, then what it lost
    out = []
    for key in order:
        was, now = old.get(key), new.get(key)
        change = _task_change(was, now)
        if change is None:
            continue
        host, play, name, nth = key
        entry = {"host": host, "play": play, "task": name, **change}
        if nth > 1:
            entry["occurrence"] = nth
        out.append(entry)
    return sorted(out, key=lambda e: e["host"])  # stable: per host, in run order


def _task_change(was: dict | None, now: dict | None) -> dict[str, Any] | None:
    status = (was or {}).get("status", ABSENT), (now or {}).get("status", ABSENT)
    changed = bool((was or {}).get("changed")), bool((now or {}).get("changed"))
    if status[0] != status[1] or (was and now and changed[0] != changed[1]):
        change: dict[str, Any] = {"before": _label(was), "after": _label(now)}
    elif status == ("failed", "failed") and was["message"] != now["message"]:
        change = {"before": "failed", "after": "failed", "failed_differently": True}
    else:
        return None
    for side, task in (("before", was), ("after", now)):
        if task and task.get("message"):
            change[f"{side}_message"] = task["message"]
    return change


def _label(task: dict | None) -> str:
    if task is None:
        return ABSENT
    if task["status"] == "ok" and task.get("changed"):
        return "changed"
    return task["status"]
