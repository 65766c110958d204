"""``edgeauto workload plan -i INV SPEC…``: which host gets which workload, and why not.

The specs are validated first (every problem, file:line); then each host's ``edgeauto_hw``
facts are read in one round trip (hosts whose inventory gives ``edgeauto_hw`` are a
simulated fleet and are not contacted) and the workloads are placed in the order given.
Nothing is changed on any host. Exit codes: 0 planned, 1 bad spec or inventory, 4 some
host unreachable (it is listed as excluded with the reason), 5 bad options.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    from edgeauto.commands.argtypes import positive_int
    from edgeauto.commands.facts import add_connection_arguments
    from edgeauto.commands.inventory import add_inventory_arguments

    parser = subparsers.add_parser(
        "plan",
        help="show which host gets which workload and why the others do not",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("specs", nargs="+", metavar="SPEC", type=Path, help="workload YAML/JSON")
    add_inventory_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the plan as one JSON document")
    parser.add_argument("--html", metavar="FILE", type=Path, help="also write the plan as HTML")
    add_connection_arguments(parser)
    parser.add_argument(
        "-f", "--forks", type=positive_int, default=10, help="hosts in parallel (default 10)"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from edgeauto.commands.facts import transport_options
    from edgeauto.commands.inventory import inventory_sources, vault_from_args
    from edgeauto.errors import EXIT_BAD_OPTIONS, EXIT_HOST_UNREACHABLE, EXIT_OK
    from edgeauto.fleet.hwfacts import gather_hw
    from edgeauto.fleet.placement import host_views, place
    from edgeauto.fleet.spec import load_workloads
    from edgeauto.inventory import load_inventory

    if not inventory_sources(args):
        print("ERROR: no inventory given (use -i SOURCE)", file=sys.stderr)
        return EXIT_BAD_OPTIONS
    workloads = load_workloads(list(args.specs))  # all specs valid before any host is asked
    vault = vault_from_args(args)
    inventory = load_inventory(inventory_sources(args), playbook_dir=args.playbook_dir, vault=vault)
    names = [h.name for h in inventory.select("all", args.limit)]
    if not names:
        print(
            f"[WARNING]: no hosts matched --limit {args.limit!r}"
            if args.limit
            else "[WARNING]: the inventory has no hosts",
            file=sys.stderr,
        )
    options = transport_options(args)
    facts = gather_hw(
        inventory,
        names,
        options,
        vault=vault,
        forks=args.forks,
        timeout=args.command_timeout,
        connection=args.connection,
    )
    plan = place(workloads, host_views(inventory, facts, names))
    if args.html:
        from edgeauto.fleet.plan_html import render_html
        from edgeauto.fsutil import atomic_write

        atomic_write(args.html, render_html(plan))
    if args.json:
        print(json.dumps(plan.to_json(), indent=2, sort_keys=True))
    else:
        from edgeauto.fleet.plan_text import render_text

        sys.stdout.write(render_text(plan))
        if args.html:
            print(f"plan page: {args.html}")
    unreachable = any(h.unreachable is not None for h in plan.hosts)
    return EXIT_HOST_UNREACHABLE if unreachable else EXIT_OK
