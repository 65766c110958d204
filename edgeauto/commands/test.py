"""``edgeauto test [ROLE|SCENARIO…]``: run role scenarios (molecule's, or tests/scenarios/)
on throwaway lab hosts: create → converge → idempotence → verify → destroy.

Exit codes: 0 every scenario passed, 2 a scenario failed, 1 nothing to run or a bad file.
Needs what the lab needs (root, systemd-nspawn, mmdebstrap; docs/lab.md).
"""

from __future__ import annotations

EXIT_FAILED = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run role scenarios (molecule-style) on throwaway lab hosts",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "paths", nargs="*", metavar="ROLE|SCENARIO", help="roles, scenario dirs (default roles/)"
    )
    parser.add_argument("--junit", metavar="FILE", help="write a junit XML report")
    parser.add_argument("--keep", action="store_true", help="leave the hosts up after a scenario")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="-v prints the runs")
    parser.set_defaults(func=_run)


def _run(args) -> int:
    from pathlib import Path

    from edgeauto.scenarios.discover import find_scenarios
    from edgeauto.scenarios.report import junit, summary
    from edgeauto.scenarios.runner import run_scenario

    scenarios = find_scenarios(args.paths)
    results = []
    for scenario in scenarios:
        platforms = ", ".join(p.name for p in scenario.platforms)
        print(f"SCENARIO [{scenario.name}] on {platforms} ({scenario.kind})", flush=True)
        results.append(run_scenario(scenario, verbosity=args.verbose, keep=args.keep))
    print()
    print(summary(results))
    if args.junit:
        junit(results, Path(args.junit))
    return 0 if all(r.ok for r in results) else EXIT_FAILED
