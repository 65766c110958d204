"""``edgeauto workload rollback -i INV NAME``: every host in scope that runs workload NAME goes
back to the version it recorded as previous.

Hosts keep the previous version's docker arguments and spec record under
/var/lib/edgeauto/workloads/NAME/, so nothing but the call travels; the rolled-back version
must turn healthy within --healthy-deadline. Rolling back twice returns to where you were.
The service catalog follows. Exit codes: 0 ok, 2 a host failed, 4 unreachable.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    from edgeauto.commands.workload_shared import add_engine_arguments

    parser = subparsers.add_parser(
        "rollback",
        help="put the previous version of a workload back, from what each host recorded",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("name", metavar="NAME", help="the workload")
    add_engine_arguments(parser)
    parser.add_argument(
        "--healthy-deadline",
        type=float,
        default=300.0,
        help="seconds the previous version has to turn healthy (default 300)",
    )
    parser.add_argument(
        "--min-healthy-time",
        type=float,
        default=5.0,
        help="seconds it must then stay healthy (default 5)",
    )
    parser.add_argument(
        "--timeline", metavar="DIR", type=Path, help="write the rollback timeline here"
    )
    parser.add_argument("--history", metavar="PATH", type=Path, help="run history database")
    parser.add_argument("--no-history", action="store_true", help="do not record this rollback")
    parser.set_defaults(func=run)


def run(args) -> int:
    import sys

    from edgeauto.commands import workload_shared as shared
    from edgeauto.commands.workload_apply import default_timeline_dir
    from edgeauto.fleet.rollout import Rollout, RolloutOptions

    options = RolloutOptions(
        limit=shared.limit_of(args),
        timeline_dir=args.timeline or default_timeline_dir(),
        history=args.history,
        record_history=not args.no_history,
        argv=list(sys.argv[1:]),
        engine=shared.engine_options(args),
    )
    rollout = Rollout([], shared.load(args), options, echo=shared.echo(args))
    result = rollout.rollback(args.name, args.healthy_deadline, args.min_healthy_time)
    shared.print_rollout(result, args.json)
    return result.exit_code
