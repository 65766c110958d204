"""The reporter that writes a run into the history database (``edgeauto run``/``adhoc``).

It sits beside the console (or JSON) reporter in a :class:`MultiReporter`, so it sees every
result exactly where the engine reports them and costs the engine nothing but an append per
result: the database is touched twice per run — the run's row at ``run_start`` (so a run
killed halfway still shows, without an exit code) and every task and host row in **one**
transaction at ``run_end``.

Values are stored as the console shows them: a failure's message passes
:func:`~edgeauto.output.render.visible_result` (no_log censored, vault strings masked) and
the history's own :func:`~edgeauto.fleet.history.clean`; a no_log task keeps its name,
status and timing only. ``-e`` variables and ``adhoc -a`` options on the command line whose
names look like secrets (the lint rule's pattern) are stored as ``********``.

A broken history (disk full, foreign file) never fails the run: it is one warning on stderr.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import time
from pathlib import Path

from edgeauto.output.masking import MASK, mask_secret_options
from edgeauto.output.reporter import Reporter

_EXTRA_VARS_FLAGS = ("-e", "--extra-vars")
_ARGS_FLAGS = ("-a", "--args")  # adhoc's module options


class HistoryRecorder(Reporter):
    def __init__(
        self,
        path: Path | None,
        *,
        kind: str,
        what: str,
        argv: list[str],
        playbook: str = "",
        inventory: str = "",
        limit: str = "",
        tags: str = "",
        report=None,
    ) -> None:
        super().__init__()
        self.path = path
        self.meta = {
            "kind": kind,
            "what": what,
            "argv": list(argv),  # History.start_run masks it
            "user": who(),
            "playbook": playbook,
            "inventory": inventory,
            "limit": limit,
            "tags": tags,
        }
        self.report = report  # the HtmlReportReporter whose page is kept with the run
        self.rows: list[tuple] = []
        self.host_end: dict[str, float] = {}
        self.play = ""
        self.run_id: int | None = None
        self.history = None

    def run_start(self, run) -> None:
        from edgeauto.fleet.history import History

        try:
            self.history = History.open(self.path)
            meta = self.meta
            self.run_id = self.history.start_run(
                meta["kind"],
                meta["what"],
                meta["argv"],
                meta["user"],
                playbook=meta["playbook"],
                inventory=meta["inventory"],
                limit=meta["limit"],
                tags=meta["tags"],
                check_mode=bool(getattr(run.options, "check", False)),
            )
        except Exception as exc:  # noqa: BLE001 - history must never fail a run
            self._give_up(exc)

    def play_start(self, play, hosts) -> None:
        with self.lock:
            self.play = play.display_name

    def task_result(self, res) -> None:
        if res.hidden or self.run_id is None:
            return
        ended = time.time()
        with self.lock:
            started = max(ended - res.duration, self.host_end.get(res.host, 0.0))
            self.host_end[res.host] = ended
            self.rows.append((res, self.play, started, ended))

    def run_end(self, run, result) -> None:
        if self.run_id is None or self.history is None:
            return
        try:
            with self.history.batch():
                for res, play, started, ended in self.rows:
                    self._task(res, play, started, ended)
                for host, status in host_statuses(result).items():
                    self.history.record_host(self.run_id, host, status, result.stats.get(host))
                document = getattr(self.report, "document", None)
                if document:
                    self.history.attach_report(self.run_id, document)
                self.history.finish_run(self.run_id, result.exit_code, result.stats)
        except Exception as exc:  # noqa: BLE001 - history must never fail a run
            self._give_up(exc)
        finally:
            self.history.close()

    def _task(self, res, play: str, started: float, ended: float) -> None:
        record_result(self.history, self.run_id, res, play, started, ended)

    def _give_up(self, exc: Exception) -> None:
        where = self.path or "the default history"
        print(f"[WARNING]: run history not recorded in {where}: {exc}", file=sys.stderr)
        self.run_id = None


def host_statuses(result) -> dict[str, str]:
    """Each host's outcome for the run: unreachable or failed as the run counts them (the
    exit code's lists), else changed when anything changed, else ok."""
    out: dict[str, str] = {}
    for host, counts in result.stats.items():
        if host in result.unreachable_hosts:
            out[host] = "unreachable"
        elif host in result.failed_hosts:
            out[host] = "failed"
        else:
            out[host] = "changed" if counts.get("changed") else "ok"
    for host in [*result.failed_hosts, *result.unreachable_hosts]:
        out.setdefault(host, "unreachable" if host in result.unreachable_hosts else "failed")
    return out


def record_result(history, run_id: int, res, play: str = "", started=None, ended=None) -> None:
    """One task result as a history row — the one place that decides what of a result is
    kept (status, timing; a failure's message filtered as the console shows it, none for
    no_log), for playbook runs and workload rollouts alike."""
    from edgeauto.output.render import visible_result
    from edgeauto.output.report_html import failure_message

    # only a failure's message needs the filtered result (the costly part per row)
    message = failure_message(visible_result(res.result, res.no_log), res) if res.failed else ""
    changed = res.status == "changed" or bool((res.result or {}).get("changed"))
    history.record_task(
        run_id,
        res.host,
        res.task.display_name,
        res.task.action,
        res.status,
        changed,
        started,
        ended,
        play=play,
        ignored=res.ignored,
        message=message,
        no_log=res.no_log,
    )


def who() -> str:
    """The user that ran it; under sudo, also the person behind it; for a scheduled run,
    the schedule's name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    sudo = os.environ.get("SUDO_USER")
    if sudo and sudo != user:
        user = f"{user} (sudo by {sudo})"
    schedule = os.environ.get("EDGEAUTO_SCHEDULE")  # set by the wrapper of `schedule add`
    return f"{user} (schedule {schedule})" if schedule else user


def mask_argv(argv: list[str]) -> list[str]:
    """The command line as stored: inline ``-e`` variables and ``adhoc -a`` module options
    named like secrets masked."""
    out, masker = [], None
    for arg in argv:
        if masker is not None:
            out.append(masker(arg))
            masker = None
            continue
        for flags, mask in (
            (_EXTRA_VARS_FLAGS, _mask_extra_vars),
            (_ARGS_FLAGS, mask_secret_options),
        ):
            short, long = flags
            if arg in flags:
                masker = mask
            elif arg.startswith(long + "="):
                arg = long + "=" + mask(arg[len(long) + 1 :])
            elif arg.startswith(short) and len(arg) > 2 and arg[2] != "-":
                arg = short + mask(arg[2:])
        out.append(arg)
    return out


def _mask_extra_vars(value: str) -> str:
    from edgeauto.lint.rules.no_plaintext_secrets import SECRET_NAME

    if value.startswith("@"):
        return value  # a file name; the values stay in the file
    try:
        from edgeauto.planner.run import parse_extra_vars

        data = parse_extra_vars([value])
    except Exception:  # noqa: BLE001 - unparseable here: keep nothing of it
        return MASK
    if not any(SECRET_NAME.search(str(k)) for k in data):
        return value
    masked = {k: MASK if SECRET_NAME.search(str(k)) else v for k, v in data.items()}
    return json.dumps(masked, sort_keys=True, default=str)
