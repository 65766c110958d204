"""What ``edgeauto workload apply|rollback|status`` share: engine options, loading the
inventory, and printing a rollout's outcome."""

from __future__ import annotations

import json
import sys


def add_engine_arguments(parser) -> None:
    from edgeauto.commands.argtypes import positive_int
    from edgeauto.commands.inventory import add_inventory_arguments

    add_inventory_arguments(parser)
    parser.add_argument(
        "-f", "--forks", type=positive_int, default=10, help="hosts in parallel (default 10)"
    )
    parser.add_argument("-T", "--timeout", type=float, default=10.0, help="connect timeout (s)")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")


def engine_options(args) -> dict:
    return {"forks": args.forks, "connect_timeout": args.timeout}


def load(args):
    """The inventory of ``-i``; hosts are checked against ``--limit`` by the engine."""
    from edgeauto.commands.inventory import inventory_sources, vault_from_args
    from edgeauto.inventory import load_inventory

    return load_inventory(
        inventory_sources(args), playbook_dir=args.playbook_dir, vault=vault_from_args(args)
    )


def limit_of(args) -> list[str] | None:
    return [args.limit] if args.limit else None


def echo(args):
    """Progress lines go to stderr with --json (stdout stays one document)."""
    stream = sys.stderr if args.json else sys.stdout
    return lambda line: print(line, file=stream, flush=True)


def print_rollout(result, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), indent=2, sort_keys=True, default=str))
        return
    for w in result.workloads:
        print(f"\n{w.name} {w.version}")
        for host, o in sorted(w.outcomes.items()):
            extra = f" ({o.detail})" if o.detail and o.status != "updated" else ""
            health = f" health={o.health}" if o.health else ""
            print(f"  {host:<22} {o.status:<12} {o.version}{health}{extra}")
        for host, why in sorted(w.excluded.items()):
            print(f"  {host:<22} {'excluded':<12} {why}")
        if w.stopped:
            print(f"  stopped: {w.stopped}")
    for host, why in sorted(result.unreachable.items()):
        print(f"UNREACHABLE {host}: {why}")
    services = result.catalog.get("services") or {}
    if services:
        print("\ncatalog:")
        for name, endpoints in services.items():
            eps = ", ".join(f"{e['address']}:{e['port']} ({e['health']})" for e in endpoints)
            print(f"  {name}: {eps}")
    if result.timeline:
        print(f"\ntimeline: {result.timeline[0]}")
