"""``edgeauto run --report run.html``: one self-contained HTML page describing the run.

A :class:`~edgeauto.output.reporter.Reporter` that, like the JSON reporter, collects every task
result and writes the page at ``run_end``. The page (layout in :mod:`report_page`) reads
without JavaScript and fetches nothing: failures first, then a timeline per host, the changed
files with their diffs, and the recap.

Secrets: every result passes :func:`~edgeauto.output.render.visible_result` (no_log results
censored, vault strings masked) and the finished page passes
:func:`~edgeauto.templating.revealed.mask_text` (every vault plaintext the run decrypted), the
same two filters the console and ``--json`` use. A failed no_log task shows the censored text
instead of its message.

Times are the controller's, relative to the run's start: a task ends when its result reached
the controller (results stream while the script runs, docs/engine.md) and starts when it was
queued for the host's script or when the host's previous task ended, whichever is later. So
the bars show where a run spends its time as the operator experienced it; tasks whose results
arrive together (a script that stopped streaming) show one long bar and then thin ones.
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.fsutil import atomic_write
from edgeauto.output.render import CENSORED, render_diff, visible_result
from edgeauto.output.reporter import CollectingReporter
from edgeauto.templating.revealed import mask_text


@dataclass
class TaskRow:
    """One task on one host, as the page shows it."""

    host: str
    play: str
    name: str
    action: str
    status: str
    start: float  # seconds since the run started
    duration: float
    ignored: bool = False
    handler: bool = False
    message: str = ""
    at: str | None = None
    diffs: list[tuple[str, str]] = field(default_factory=list)  # (path, unified diff)


@dataclass
class ReportModel:
    """Everything the page shows, already filtered for secrets."""

    title: str
    started_at: str
    elapsed: float
    rows: list[TaskRow]
    stats: dict[str, dict[str, int]]
    exit_code: int
    check_mode: bool
    not_run: dict[str, list[str]]
    interrupted: bool
    warnings: list[str]
    errors: list[str]

    @property
    def failures(self) -> list[TaskRow]:
        return [r for r in self.rows if r.status in ("failed", "unreachable") and not r.ignored]

    def hosts(self) -> list[str]:
        names = list(self.stats)
        names += [r.host for r in self.rows if r.host not in names]
        return list(dict.fromkeys(names))


class HtmlReportReporter(CollectingReporter):
    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__()
        self.path = Path(path)
        self.rows: list[TaskRow] = []
        self.host_end: dict[str, float] = {}
        self.play = ""
        self.t0 = time.monotonic()
        self.started_at = _now_iso()
        self.title = "edgeauto run"
        self.document: str | None = None

    def run_start(self, run) -> None:
        with self.lock:
            self.t0 = time.monotonic()
            self.started_at = _now_iso()
            paths = getattr(run, "playbook_paths", None) or []
            if paths:
                self.title = "edgeauto run " + " ".join(str(p) for p in paths)

    def play_start(self, play, hosts) -> None:
        with self.lock:
            self.play = play.display_name

    def task_result(self, res) -> None:
        if res.hidden:
            return
        end = time.monotonic() - self.t0
        with self.lock:
            # one host's tasks run one after another in its script: a task starts when it was
            # queued or when the host's previous task ended, whichever is later
            start = max(0.0, end - res.duration, self.host_end.get(res.host, 0.0))
            self.host_end[res.host] = end
            self.rows.append(_row(res, self.play, start, end - start))

    def run_end(self, run, result) -> None:
        with self.lock:
            model = ReportModel(
                title=self.title,
                started_at=self.started_at,
                elapsed=time.monotonic() - self.t0,
                rows=list(self.rows),
                stats=result.stats,
                exit_code=result.exit_code,
                check_mode=bool(getattr(run.options, "check", False)),
                not_run=result.not_run,
                interrupted=result.interrupted,
                warnings=list(self.warnings),
                errors=list(self.errors),
            )
            from edgeauto.output.report_page import render_page

            self.document = mask_text(render_page(model))
            atomic_write(self.path, self.document, 0o600)  # results may hold private output


def _row(res, play: str, start: float, duration: float) -> TaskRow:
    shown = visible_result(res.result, res.no_log)
    return TaskRow(
        host=res.host,
        play=play,
        name=res.task.display_name,
        action=res.task.action,
        status=res.status,
        start=start,
        duration=duration,
        ignored=res.ignored,
        handler=res.is_handler,
        message=_message(shown, res) if res.failed else "",
        at=str(res.task.pos) if res.task.pos else None,
        diffs=[] if res.no_log else _diffs(shown),
    )


def _message(shown: dict, res) -> str:
    """What went wrong, in the words the console uses: msg, else the stderr tail and rc."""
    if res.no_log:
        return CENSORED["censored"]
    parts = [str(shown.get("msg") or "")]
    explain = res.explain or {}
    if explain.get("stderr_tail"):
        parts.append(str(explain["stderr_tail"]))
    elif shown.get("stderr"):
        parts.append(str(shown["stderr"]))
    if shown.get("rc") not in (None, 0):
        parts.append(f"rc={shown['rc']}")
    return "\n".join(p for p in parts if p) or res.status


def _diffs(shown: dict) -> list[tuple[str, str]]:
    """(path, unified diff) for the result and each loop item that returned a ``diff``."""
    out = []
    for item in [shown, *[r for r in shown.get("results") or [] if isinstance(r, dict)]]:
        if not item.get("diff"):
            continue
        text = render_diff(item["diff"])
        if text:
            where = item.get("dest") or item.get("path") or _diff_header(item["diff"])
            out.append((str(where), text))
    return out


def _diff_header(diff) -> str:
    """The file a diff is about when the result does not say (lineinfile names it only in
    the diff's ``before_header``)."""
    first = diff[0] if isinstance(diff, list) and diff else diff
    if not isinstance(first, dict):
        return ""
    return str(first.get("before_header") or first.get("after_header") or "")


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
