"""``edgeauto schedule add|list|remove|run``: scheduled fleet runs on the controller.

``edgeauto schedule add NAME --every 15m [--jitter 2m] -- run -i INV PLAYBOOK`` installs a
systemd timer (or a cron entry where there is no systemd) that runs the command after ``--``
every period, one run at a time under a lock, each run recorded in the history database.
Details and the lock's rule: :mod:`edgeauto.fleet.schedule`, docs/schedules.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

RUNNABLE = ("run", "adhoc", "workload", "history")  # history: a scheduled prune


def register(sub) -> None:
    parser = sub.add_parser(
        "schedule",
        help="run a command periodically on the controller (systemd timer or cron)",
        description="Scheduled fleet runs: a systemd timer (cron where there is no systemd) "
        "running an edgeauto command at a period with jitter, never two at once.",
    )
    cmds = parser.add_subparsers(dest="schedule_command", metavar="SUBCOMMAND", required=True)
    add = cmds.add_parser(
        "add",
        help="install a schedule",
        usage="edgeauto schedule add NAME --every 15m [--jitter 2m] [options] -- run …",
    )
    _add_options(add)
    # NAME, its options and the command after -- are split by _parse_add (argparse cannot
    # put a positional before options and a free command line after them)
    add.add_argument("rest", nargs=argparse.REMAINDER, metavar="NAME [options] -- COMMAND")
    listing = cmds.add_parser("list", help="installed schedules")
    listing.add_argument("--json", action="store_true")
    remove = cmds.add_parser("remove", help="uninstall a schedule")
    remove.add_argument("name", metavar="NAME")
    run = cmds.add_parser("run", help="run a schedule now, in the foreground, under its lock")
    run.add_argument("name", metavar="NAME")
    for command in (listing, remove, run):
        command.add_argument(
            "--root",
            type=Path,
            help=_ROOT_HELP,
        )
    parser.set_defaults(func=main)


def _add_options(parser, default=None) -> None:
    """The options of ``schedule add``; ``default=argparse.SUPPRESS`` for the second pass."""

    def opt(*names, **kwargs):
        if default is not None:
            kwargs["default"] = default
        parser.add_argument(*names, **kwargs)

    opt("--every", help="period: 15m, 1h, 1d, 90s… (required)")
    opt("--jitter", default="0", help="random delay added to each run (default 0)")
    opt(
        "--max-wait",
        default="5m",
        help="how long a run waits for the previous one to finish before it gives up with "
        "exit code 75 (default 5m)",
    )
    opt("--lock", default="", help="lock name shared with other schedules")
    opt("--backend", choices=("systemd", "cron"), help="default: detected")
    opt("--history", type=Path, help="history database the runs record into")
    opt("--replace", action="store_true", help="replace a schedule of that name")
    opt("--root", type=Path, help=_ROOT_HELP)


_ROOT_HELP = "install under this directory instead of / (files only, nothing activated)"


def _parse_add(args) -> None:
    """``rest`` = ``NAME [options] [-- COMMAND…]``: the options parsed with the same
    definitions (what was given before NAME stays), the command kept verbatim."""
    rest = list(args.rest)
    head, command = (
        (rest[: rest.index("--")], rest[rest.index("--") + 1 :]) if "--" in rest else (rest, [])
    )
    second = argparse.ArgumentParser(prog="edgeauto schedule add")
    second.add_argument("name", metavar="NAME")
    _add_options(second, default=argparse.SUPPRESS)
    vars(args).update(vars(second.parse_args(head)))
    args.command = command
    if not args.every:
        second.error("the following arguments are required: --every")


def main(args) -> int:
    from edgeauto.fleet.schedule import Layout

    if args.schedule_command == "add":
        _parse_add(args)
    layout = Layout.for_user(args.root)
    handler = {"add": _add, "list": _list, "remove": _remove, "run": _run}
    return handler[args.schedule_command](args, layout)


def _add(args, layout) -> int:
    from edgeauto.fleet.history import default_path
    from edgeauto.fleet.schedule import Schedule, format_duration, install, parse_duration

    command = list(args.command)
    _validate_command(args.name, command)
    sched = Schedule(
        name=args.name,
        every=parse_duration(args.every, "--every"),
        jitter=parse_duration(args.jitter, "--jitter"),
        max_wait=parse_duration(args.max_wait, "--max-wait"),
        command=command,
        lock=args.lock,
        cwd=os.getcwd(),
        history=str((args.history or default_path()).absolute()),
        backend=args.backend or "",
    )
    written = install(sched, layout, replace=args.replace)
    print(
        f"schedule {sched.name}: every {format_duration(sched.every)}"
        f" (jitter {format_duration(sched.jitter)}) via {sched.backend}: edgeauto "
        + " ".join(command)
    )
    for path in written:
        print(f"  wrote {path}")
    if not layout.activates:
        print(f"  (under --root {layout.root}: nothing activated)")
    print(f"  runs are recorded in {sched.history}")
    return 0


def _validate_command(name: str, command: list[str]) -> None:
    """The command is parsed now, with edgeauto's own parser, so a typo fails at ``add``
    rather than at 3 a.m. in a journal nobody reads."""
    from edgeauto.cli import build_parser
    from edgeauto.fleet.schedule import ScheduleError

    if not command:
        raise ScheduleError(
            f"schedule {name}: give the command after --, e.g. `edgeauto schedule add {name} "
            "--every 1h -- run -i inventory.yml site.yml`"
        )
    if command[0] not in RUNNABLE:
        raise ScheduleError(
            f"schedule {name}: the command after -- must be one of {', '.join(RUNNABLE)}, "
            f"found {command[0]!r}"
        )
    try:
        build_parser().parse_args(command)
    except SystemExit:
        raise ScheduleError(
            f"schedule {name}: `edgeauto {' '.join(command)}` is not a valid command line "
            "(argparse's message above)"
        ) from None


def _list(args, layout) -> int:
    from edgeauto.fleet.schedule import format_duration, load_all, timer_state

    schedules = load_all(layout)
    if args.json:
        rows = [{**s.__dict__, "state": timer_state(s, layout)} for s in schedules]
        print(json.dumps({"schema_version": 1, "schedules": rows}, indent=2))
        return 0
    if not schedules:
        print("no schedules installed")
        return 0
    from edgeauto.output.history_view import table

    rows = [
        [s.name, format_duration(s.every), format_duration(s.jitter), s.backend,
         timer_state(s, layout), "edgeauto " + " ".join(s.command)]
        for s in schedules
    ]  # fmt: skip
    print(table(["NAME", "EVERY", "JITTER", "BACKEND", "STATE", "COMMAND"], rows))
    return 0


def _remove(args, layout) -> int:
    from edgeauto.fleet.schedule import remove

    for path in remove(args.name, layout):
        print(f"removed {path}")
    return 0


def _run(args, layout) -> int:
    """The wrapper, now: the same lock, cwd and history as a timer-started run."""
    import subprocess

    from edgeauto.fleet.schedule import find

    sched = find(layout, args.name)
    wrapper = layout.here(layout.target_state_dir()) / f"{sched.name}.sh"
    env = {**os.environ, "EDGEAUTO_NO_JITTER": "1"}
    sys.stdout.flush()
    return subprocess.run([str(wrapper)], env=env, check=False).returncode
