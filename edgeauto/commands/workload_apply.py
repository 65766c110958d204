"""``edgeauto workload apply -i INV SPEC…``: deploy or update workloads with a rolling update.

Canary host(s) first, then batches of ``update.max_parallel``; each host must turn healthy
within ``update.healthy_deadline`` and stay so for ``update.min_healthy_time``; a failed host
is put back to its previous version (``update.auto_revert``) and stops the rollout once the
failure budget is spent (``--on-failure rollback`` also rolls back every host it updated).
Unreachable hosts are skipped and reported. After the apply every host in scope has the
service catalog. Exit codes: 0 ok, 2 a host failed or the rollout stopped, 4 unreachable.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    from edgeauto.commands.workload_shared import add_engine_arguments

    parser = subparsers.add_parser(
        "apply",
        help="deploy or update workloads: canary, batches, health gates, automatic rollback",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("specs", nargs="+", type=Path, metavar="SPEC", help="workload spec files")
    add_engine_arguments(parser)
    parser.add_argument(
        "-C", "--check", action="store_true", help="predict what would change; change nothing"
    )
    parser.add_argument(
        "--on-failure",
        choices=("stop", "rollback"),
        default="stop",
        help="when the rollout stops on a failure: stop there (default), or also roll back "
        "every host this rollout updated",
    )
    parser.add_argument(
        "--promote",
        action="store_true",
        help="go on past a healthy canary even where update.auto_promote is false",
    )
    parser.add_argument(
        "--timeline",
        metavar="DIR",
        type=Path,
        help="write the rollout timeline (HTML, PNG) here (default: beside the run history)",
    )
    parser.add_argument("--history", metavar="PATH", type=Path, help="run history database")
    parser.add_argument("--no-history", action="store_true", help="do not record this apply")
    parser.set_defaults(func=run)


def default_timeline_dir() -> Path:
    """``rollouts/`` beside the run history: the user's state directory (XDG)."""
    import os

    try:
        from edgeauto.fleet.history import default_path
    except ImportError:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(state) / "edgeauto" / "rollouts"
    return default_path().parent / "rollouts"


def run(args) -> int:
    import sys

    from edgeauto.commands import workload_shared as shared
    from edgeauto.fleet.rollout import Rollout, RolloutOptions
    from edgeauto.fleet.spec import load_workloads

    workloads = load_workloads(list(args.specs))  # every spec validated before any host
    inventory = shared.load(args)
    options = RolloutOptions(
        check=args.check,
        limit=shared.limit_of(args),
        on_failure=args.on_failure,
        promote=args.promote,
        timeline_dir=args.timeline or default_timeline_dir(),
        history=args.history,
        record_history=not args.no_history,
        argv=list(sys.argv[1:]),
        engine=shared.engine_options(args),
    )
    result = Rollout(workloads, inventory, options, echo=shared.echo(args)).run()
    shared.print_rollout(result, args.json)
    return result.exit_code
