"""``edgeauto history list|show RUN|diff RUN1 RUN2|prune``: what ran on the fleet, from the history
database every ``run``, ``adhoc`` and workload rollout records (docs/history.md).

RUN is a run number from ``history list``, ``last``, or ``-N`` (N runs back). ``--json``
prints the same data as one document (``schema_version`` 1). ``show RUN --report OUT.html``
writes back the HTML report kept with a ``run --report`` run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from edgeauto.errors import EdgeautoError

JSON_SCHEMA_VERSION = 1


def register(sub) -> None:
    parser = sub.add_parser(
        "history",
        help="list, show and compare recorded runs",
        description="The run history: every run, adhoc command and workload rollout, per host "
        "per task. RUN is a number from `history list`, 'last' or -N (N runs back).",
    )
    parser.add_argument("--history", metavar="PATH", type=Path, help="history database")
    cmds = parser.add_subparsers(dest="history_command", metavar="SUBCOMMAND", required=True)
    listing = cmds.add_parser("list", help="recorded runs, newest first")
    listing.add_argument("-n", "--last", type=int, default=20, metavar="N", help="show N runs")
    listing.add_argument("--kind", help="only runs of this kind (playbook, adhoc, workload-…)")
    show = cmds.add_parser("show", help="one run, per host per task")
    show.add_argument("run", metavar="RUN")
    show.add_argument("--report", metavar="OUT.html", type=Path, help="write its HTML report")
    diff = cmds.add_parser("diff", help="what changed between two runs")
    diff.add_argument("run1", metavar="RUN1")
    diff.add_argument("run2", metavar="RUN2")
    prune = cmds.add_parser("prune", help="delete old runs")
    prune.add_argument("--keep", type=int, metavar="N", help="keep the newest N runs")
    prune.add_argument(
        "--older-than", metavar="DURATION", help="delete runs started longer ago (30d, 12h…)"
    )
    for command in (listing, show, diff, prune):
        command.add_argument("--json", action="store_true", help="one JSON document")
        # `history --history X list` and `history list --history X` both work
        command.add_argument("--history", metavar="PATH", type=Path, default=argparse.SUPPRESS)
    parser.set_defaults(func=main)


def main(args) -> int:
    from edgeauto.fleet.history import History, default_path

    path = args.history or default_path()
    if not path.exists():
        if args.history_command == "list":  # an empty history is no error
            print(f"no runs recorded yet ({path} does not exist; see docs/history.md)")
            return 0
        raise EdgeautoError(f"{path}: no run history yet (runs record it; see docs/history.md)")
    with History.open(path) as history:
        commands = {"list": _list, "show": _show, "diff": _diff, "prune": _prune}
        return commands[args.history_command](history, args)


def _list(history, args) -> int:
    from edgeauto.output.history_view import list_text

    runs = history.runs(limit=max(1, args.last), kind=args.kind)
    counts = history.host_counts([r.id for r in runs])
    if args.json:
        rows = [{**r.as_dict(), "host_counts": counts[r.id]} for r in runs]
        _print_json({"runs": rows})
    else:
        print(list_text(runs, counts))
    return 0


def _show(history, args) -> int:
    from edgeauto.output.history_view import show_text

    data = history.details(args.run)
    if args.report:
        _write_report(history, data["run"], args.report)
    if args.json:
        _print_json(data)
    elif not args.report:
        print(show_text(data))
    return 0


def _write_report(history, run: dict, out: Path) -> None:
    from edgeauto.fsutil import atomic_write

    page = history.report(run["id"])
    if page is None:
        raise EdgeautoError(
            f"run {run['id']} kept no report: only runs made with `run --report FILE.html` do"
        )
    atomic_write(out, page, 0o600)  # results may hold private output
    print(f"report of run {run['id']} written to {out}", file=sys.stderr)


def _diff(history, args) -> int:
    from edgeauto.fleet.history_diff import diff_runs
    from edgeauto.output.history_view import diff_text

    result = diff_runs(history.details(args.run1), history.details(args.run2))
    if args.json:
        _print_json(result)
    else:
        print(diff_text(result))
    return 0


def _prune(history, args) -> int:
    from edgeauto.fleet.schedule import parse_duration

    older = parse_duration(args.older_than, "--older-than") if args.older_than else None
    deleted = history.prune(keep=args.keep, older_than=older)
    if args.json:
        _print_json({"deleted": deleted})
    else:
        print(f"deleted {deleted} run(s) from {history.path}")
    return 0


def _print_json(data: dict) -> None:
    doc = {"schema_version": JSON_SCHEMA_VERSION, **data}
    print(json.dumps(doc, indent=2, sort_keys=False, default=str))
