"""``edgeauto workload status -i INV [NAME…]``: per host and workload the running version,
health, restart count, the previous version kept for rollback, and drift — from the host's
own record and, with ``--spec``, from what the spec wants. One round trip per host.
Exit codes: 0 no drift, 2 drift found, 4 a host unreachable.
"""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    from edgeauto.commands.workload_shared import add_engine_arguments

    parser = subparsers.add_parser(
        "status",
        help="version, health, restarts and drift of workloads (one round trip per host)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="workloads (default: all)")
    add_engine_arguments(parser)
    parser.add_argument(
        "--spec",
        action="append",
        type=Path,
        default=[],
        metavar="SPEC",
        help="also report drift from this spec file (repeatable)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    import json

    from edgeauto.commands import workload_shared as shared
    from edgeauto.fleet.rollout import RolloutOptions
    from edgeauto.fleet.spec import load_workloads
    from edgeauto.fleet.status import as_json, fleet_status

    specs = load_workloads(list(args.spec)) if args.spec else []
    options = RolloutOptions(limit=shared.limit_of(args), engine=shared.engine_options(args))
    rows, unreachable = fleet_status(shared.load(args), list(args.names), specs, options)
    drifted = any(r.drift for items in rows.values() for r in items)
    if args.json:
        print(json.dumps(as_json(rows, unreachable), indent=2, sort_keys=True))
    else:
        print(f"{'HOST':<22} {'WORKLOAD':<16} {'VERSION':<28} {'HEALTH':<10} RESTARTS  DRIFT")
        for host, items in rows.items():
            for r in items:
                restarts = "-" if r.restarts is None else str(r.restarts)
                print(
                    f"{host:<22} {r.workload:<16} {r.version or '-':<28} {r.health:<10} "
                    f"{restarts:<9} {'; '.join(r.drift) or '-'}"
                )
        for host, why in sorted(unreachable.items()):
            print(f"UNREACHABLE {host}: {why}")
    if unreachable:
        return 4
    return 2 if drifted else 0
