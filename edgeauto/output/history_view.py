"""Plain-text views of the run history (``edgeauto history list|show|diff``): fixed-width
tables that read the same in a terminal, a pipe or a CI log."""

from __future__ import annotations

import datetime
from typing import Any

from edgeauto.fleet.history import json_list

MESSAGE_LINES = 6  # of a failure's message under its task in `history show`
_HOST_ORDER = ("failed", "unreachable", "changed", "ok")


def when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def took(started: float | None, ended: float | None) -> str:
    if started is None or ended is None:
        return "-"
    seconds = max(0.0, ended - started)
    return f"{seconds:.1f}s" if seconds < 120 else f"{seconds / 60:.1f}m"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]  # fmt: skip
    return "\n".join(lines)


def _hosts_summary(counts: dict[str, int]) -> str:
    parts = [f"{counts[s]} {s}" for s in _HOST_ORDER if counts.get(s)]
    return ", ".join(parts) or "no hosts"


def _rc(rc: int | None) -> str:
    return "running?" if rc is None else str(rc)  # no exit code: still running, or killed


def list_text(runs, counts: dict[int, dict[str, int]]) -> str:
    if not runs:
        return "no runs recorded"
    rows = [
        [str(r.id), when(r.started), r.kind + (" (check)" if r.check_mode else ""), r.what, r.user, _hosts_summary(counts[r.id]),
         _rc(r.rc), took(r.started, r.ended)]
        for r in runs
    ]  # fmt: skip
    return table(["RUN", "STARTED", "KIND", "WHAT", "USER", "HOSTS", "RC", "TOOK"], rows)


def show_text(data: dict[str, Any]) -> str:
    run = data["run"]
    inventory = " ".join(json_list(run["inventory"]))
    lines = [
        f"run {run['id']}: {run['kind']} {run['what']}"
        + (" (check mode: predicted, changed nothing)" if run.get("check_mode") else ""),
        f"  started   {when(run['started'])}  took {took(run['started'], run['ended'])}"
        f"  exit code {_rc(run['rc'])}",
        f"  by        {run['user']} on {run['controller']} in {run['cwd']}",
        f"  command   edgeauto {' '.join(run['argv'])}",
    ]
    for label, value in (("inventory", inventory), ("limit", run["limit"]), ("tags", run["tags"])):
        if value:
            lines.append(f"  {label:<9} {value}")
    if run.get("has_report"):
        lines.append(f"  report    kept (history show {run['id']} --report OUT.html)")
    for host, info in data["hosts"].items():
        lines += ["", f"{host}: {info['status']}"]
        tasks = [t for t in data["tasks"] if t["host"] == host]
        lines += _task_lines(tasks)
    orphans = [t for t in data["tasks"] if t["host"] not in data["hosts"]]
    if orphans:
        lines += ["", "(hosts without a recap)"] + _task_lines(orphans)
    if data.get("versions"):
        lines += ["", "versions deployed:"]
        lines += [f"  {v['host']}: {v['workload']} {v['version']} ({v['outcome']})"
                  for v in data["versions"]]  # fmt: skip
    return "\n".join(lines)


def _task_lines(tasks: list[dict]) -> list[str]:
    rows = []
    for t in tasks:
        status = "changed" if t["status"] == "ok" and t["changed"] else t["status"]
        if t["ignored"]:
            status += " (ignored)"
        rows.append(["   ", status, took(t["started"], t["ended"]), t["task"], t["action"]])
    out = table(["   ", "STATUS", "TOOK", "TASK", "ACTION"], rows).splitlines() if rows else []
    for t in tasks:
        if t["message"]:
            first, *more = t["message"].splitlines()
            out.append(f"    ! {t['task']}: {first}")
            out += [f"      {line}" for line in more[:MESSAGE_LINES]]
            if len(more) > MESSAGE_LINES:
                out.append(f"      … ({len(more) - MESSAGE_LINES} more lines: --json has all)")
    return out


def diff_text(diff: dict[str, Any]) -> str:
    before, after = diff["before"], diff["after"]
    lines = [
        f"run {before['id']} ({when(before['started'])}, exit code {_rc(before['rc'])}) -> "
        f"run {after['id']} ({when(after['started'])}, exit code {_rc(after['rc'])})"
    ]
    if (before["kind"], before["playbook"] or before["what"]) != (
        after["kind"],
        after["playbook"] or after["what"],
    ):
        lines.append(f"  note: different runs: {before['what']} vs {after['what']}")
    for side in (before, after):
        if side.get("check_mode"):
            lines.append(f"  note: run {side['id']} was a check-mode run (predicted changes)")
    if not diff["hosts"] and not diff["tasks"]:
        lines.append("no difference in host outcomes or task results")
        return "\n".join(lines)
    if diff["hosts"]:
        lines += ["", "hosts whose outcome changed:"]
        lines += [f"  {h['host']}: {h['before']} -> {h['after']}" for h in diff["hosts"]]
    if diff["tasks"]:
        lines += ["", "tasks that changed:"]
        for t in diff["tasks"]:
            what = "failed differently" if t.get("failed_differently") else None
            what = what or f"{t['before']} -> {t['after']}"
            lines.append(f"  {t['host']}: {t['task']}: {what}")
            for side in ("before", "after"):
                if t.get(f"{side}_message"):
                    first = t[f"{side}_message"].splitlines()[0]
                    lines.append(f"      {side}: {first}")
    return "\n".join(lines)
