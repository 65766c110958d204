"""What ``run`` and ``adhoc`` share about the run history: the ``--history``/``--no-history``
options, the recorder each run adds beside its output, and ``run --retry-failed``.

``--retry-failed [RUN]`` re-runs a recorded run on its failed and unreachable hosts only: the
newest run of the same playbook (the playbook's resolved path), or run RUN. Without a
playbook on the command line it takes the playbook, inventory and tags of that run (the
newest playbook run for a bare ``--retry-failed``); every other option is this command
line's; the inventory is the run's unless ``-i`` is given. It cannot be combined with
``--limit`` (the retry *is* the limit).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from edgeauto.errors import EdgeautoError


def add_history_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--history",
        metavar="PATH",
        type=Path,
        help="run history database (default $XDG_STATE_HOME/edgeauto/history.db; docs/history.md)",
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="do not record this run in the history (or set EDGEAUTO_HISTORY=off)",
    )


def add_retry_failed_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--retry-failed",
        nargs="?",
        const="last",
        metavar="RUN",
        help="re-run the last run of this playbook (or run RUN from `edgeauto history list`) "
        "on its failed and unreachable hosts only",
    )


def recorder(args, *, kind: str, what: str, playbook: str = "", report=None):
    """The history reporter for this command, or None when history is switched off."""
    from edgeauto.fleet.history import disabled_by_env
    from edgeauto.fleet.recorder import HistoryRecorder

    if getattr(args, "no_history", False) or (disabled_by_env() and not args.history):
        return None
    limit = ",".join(args.limit or [])
    tags = ",".join(getattr(args, "tags", None) or [])
    skip = ",".join(getattr(args, "skip_tags", None) or [])
    if skip:
        tags = f"{tags} skip:{skip}".strip()
    return HistoryRecorder(
        args.history,
        kind=kind,
        what=what,
        argv=list(getattr(args, "command_line", None) or sys.argv[1:]),
        playbook=playbook,
        inventory=json.dumps([_resolved(i) for i in args.inventory]),  # sources hold commas
        limit=limit,
        tags=tags,
        report=report,
    )


def _resolved(source: str) -> str:
    """An inventory file or directory by absolute path (a retry may run from elsewhere);
    host lists (``a,b,``) and plugin names as given."""
    path = Path(source)
    return str(path.resolve()) if "," not in source and path.exists() else source


def playbook_key(playbooks: list[str]) -> str:
    """How runs of "the same playbook" are recognized: the resolved paths (a JSON list)."""
    return json.dumps([str(Path(p).resolve()) for p in playbooks])


def apply_retry_failed(args) -> bool:
    """Narrow ``args`` to the failed and unreachable hosts of the run to retry.

    Returns False (after saying why on stderr) when that run left nothing to retry; raises a
    :class:`EdgeautoError` when there is no such run or the options contradict each other."""
    from edgeauto.fleet.history import History, json_list

    ref = str(args.retry_failed)
    if not (ref.isdigit() or ref in ("last", "latest") or ref.lstrip("-").isdigit()):
        # `run --retry-failed site.yml`: argparse took the playbook for RUN
        args.playbooks = [ref, *args.playbooks]
        args.retry_failed = "last"
    if args.limit:
        raise EdgeautoError("--retry-failed chooses the hosts itself: drop --limit")
    if getattr(args, "no_history", False):
        raise EdgeautoError("--retry-failed reads the run history: drop --no-history")
    with History.open(args.history) as history:
        row = _run_to_retry(history, args)
        hosts = history.hosts(row.id)
    args.inventory = args.inventory or json_list(row.inventory)
    if not args.playbooks:
        args.playbooks = json_list(row.playbook)
        args.history_what = row.what  # recorded under the name the first run gave it
        if row.tags and not args.tags:
            args.tags = [t for t in row.tags.split(" ")[0].split(",") if t and ":" not in t]
    retry = sorted(h for h, v in hosts.items() if v["status"] in ("failed", "unreachable"))
    when = _when(row.started)
    if not retry:
        print(
            f"--retry-failed: run {row.id} of {row.what} ({when}, exit code {row.rc}) had no "
            "failed or unreachable host: nothing to retry",
            file=sys.stderr,
        )
        return False
    print(
        f"--retry-failed: re-running run {row.id} of {row.what} ({when}) on its "
        f"{len(retry)} failed/unreachable host(s): {', '.join(retry)}",
        file=sys.stderr,
    )
    args.limit = [",".join(retry)]
    return True


def _run_to_retry(history, args):
    from edgeauto.fleet.history import HistoryError

    if args.retry_failed != "last":
        row = history.run(args.retry_failed)
        if row.kind != "playbook":
            raise EdgeautoError(f"--retry-failed {row.id}: that run was {row.kind}, not a playbook")
        if args.playbooks and row.playbook != playbook_key(args.playbooks):
            raise EdgeautoError(
                f"--retry-failed {row.id}: that run was of {row.what}, not of "
                f"{' '.join(args.playbooks)} (give no playbook to re-run it as it was)"
            )
        return row
    what = playbook_key(args.playbooks) if args.playbooks else None
    candidates = history.runs(limit=1, kind="playbook", playbook=what)
    if not candidates:
        of = " ".join(args.playbooks) if args.playbooks else "any playbook"
        raise HistoryError(f"--retry-failed: no run of {of} in the history {history.path}")
    return candidates[0]


def _when(epoch: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def require_playbooks(args) -> None:
    if not args.playbooks:
        raise EdgeautoError("run: give a PLAYBOOK (or --retry-failed to re-run a recorded one)")
