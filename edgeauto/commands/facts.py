"""``edgeauto facts PATTERN -i INV``: gather facts like ``ansible PATTERN -m setup``.

One round trip per host (all probes in one script), hosts in parallel (``-f``), results as
``host | SUCCESS => {json}`` (or one JSON document with ``--json``), stored in the fact cache
for later runs (without the target's environment unless ``--cache-env``). Unreachable hosts print ``UNREACHABLE!`` and make the exit code 4.
"""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    from edgeauto.commands.argtypes import positive_int
    from edgeauto.commands.inventory import add_inventory_arguments

    parser = subparsers.add_parser(
        "facts",
        help="gather facts from hosts (like ansible -m setup), one round trip per host",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("pattern", metavar="HOST_PATTERN", help="hosts or groups, e.g. 'edge:!lab'")
    add_inventory_arguments(parser)
    parser.add_argument(
        "--gather-subset",
        "--subset",
        default="all",
        help="comma list: all, min, hardware, network, virtual, !x (default all)",
    )
    parser.add_argument(
        "--checksum",
        action="append",
        default=[],
        metavar="PATH",
        help="also report the sha1 of PATH on each host (repeatable)",
    )
    add_connection_arguments(parser)
    parser.add_argument(
        "-f", "--forks", type=positive_int, default=5, help="hosts in parallel (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON document {host: result}")
    parser.add_argument(
        "--cached",
        action="store_true",
        help="use cached facts younger than fact_caching_timeout when present",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not store facts in the cache")
    parser.add_argument(
        "--cache-env",
        action="store_true",
        help="store the target's environment (ansible_env) in the cache too (default: left out)",
    )
    parser.add_argument("--fact-caching-timeout", type=float, default=None, metavar="SECONDS")
    parser.set_defaults(func=run)


def add_connection_arguments(parser) -> None:
    """How commands that only gather facts connect (``facts``, ``workload plan``)."""
    parser.add_argument("-c", "--connection", help="override ansible_connection")
    parser.add_argument("-u", "--user", help="connect as this user (ansible_user wins)")
    parser.add_argument("--private-key", "--key-file", dest="private_key_file", metavar="FILE")
    parser.add_argument("-k", "--ask-pass", action="store_true", help="ask for the SSH password")
    parser.add_argument("-T", "--timeout", type=float, default=10.0, help="connect timeout (s)")
    parser.add_argument(
        "--command-timeout",
        type=float,
        default=60.0,
        help="seconds the facts script may take per host (default 60)",
    )
    parser.add_argument("--ssh-common-args", default="", help="extra ssh args for every host")
    parser.add_argument("--ssh-extra-args", default="", help="extra ssh args for every host")


def transport_options(args):
    """The :class:`TransportOptions` of :func:`add_connection_arguments`' options."""
    import getpass
    import shlex

    from edgeauto.transport.options import TransportOptions

    return TransportOptions(
        connect_timeout=args.timeout,
        user=args.user,
        private_key_file=args.private_key_file,
        password=getpass.getpass("SSH password: ") if args.ask_pass else None,
        ssh_common_args=shlex.split(args.ssh_common_args),
        ssh_extra_args=shlex.split(args.ssh_extra_args),
    )


def run(args) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from edgeauto.commands.inventory import inventory_sources, vault_from_args
    from edgeauto.errors import EXIT_BAD_OPTIONS, EXIT_HOST_UNREACHABLE, EXIT_OK
    from edgeauto.facts.cache import DEFAULT_TIMEOUT, FactCache
    from edgeauto.facts.derive import setup_output
    from edgeauto.facts.gather import resolve_subset
    from edgeauto.inventory import load_inventory
    from edgeauto.transport.hostvars import connection_vars

    if not inventory_sources(args):  # -i, else $EDGEAUTO_INVENTORY / $ANSIBLE_INVENTORY
        print("ERROR: no inventory given (use -i SOURCE)", file=sys.stderr)
        return EXIT_BAD_OPTIONS
    resolve_subset(args.gather_subset)  # reject a bad subset before connecting anywhere
    vault = vault_from_args(args)
    inventory = load_inventory(args.inventory, playbook_dir=args.playbook_dir, vault=vault)
    hosts = [h.name for h in inventory.select(args.pattern, args.limit)]
    if not hosts:
        print(f"[WARNING]: no hosts matched '{args.pattern}'", file=sys.stderr)
        return EXIT_OK
    options = transport_options(args)
    timeout = args.fact_caching_timeout
    cache = (
        None
        if args.no_cache and not args.cached
        else FactCache(
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout, keep_env=args.cache_env
        )
    )
    host_vars = {h: connection_vars(inventory, h, vault) for h in hosts}
    if args.connection:
        for hv in host_vars.values():
            hv["ansible_connection"] = args.connection

    def one(host: str) -> tuple[str, str, dict]:
        return gather_one(host, host_vars[host], options, args, cache)

    with ThreadPoolExecutor(max_workers=max(1, args.forks)) as pool:
        results = list(pool.map(one, hosts))
    if cache is not None:
        cache.close()
    unreachable = False
    document = {}
    for host, status, payload in results:
        if status == "UNREACHABLE!":
            unreachable = True
            body = {"changed": False, "msg": payload["msg"], "unreachable": True}
        else:
            body = setup_output(payload["facts"])
            if payload.get("checksums"):
                body["checksums"] = payload["checksums"]
        if args.json:
            document[host] = body
        else:
            print(f"{host} | {status} => {json.dumps(body, indent=4, sort_keys=True, default=str)}")
    if args.json:
        print(json.dumps(document, indent=2, sort_keys=True, default=str))
    return EXIT_HOST_UNREACHABLE if unreachable else EXIT_OK


def gather_one(host: str, host_vars: dict, options, args, cache) -> tuple[str, str, dict]:
    """Gather (or read from the cache) one host; never raises for an unreachable host."""
    from edgeauto.errors import ConnectionFailed, RemoteProtocolError
    from edgeauto.facts.gather import gather
    from edgeauto.transport.factory import make_transport

    if args.cached and cache is not None and not args.checksum:
        cached = cache.get(host)
        if cached is not None:
            return host, "SUCCESS", {"facts": cached}
    transport = None
    try:
        transport = make_transport(host_vars, options=options)
        transport.connect(options.connect_timeout)
        facts, checksums = gather(
            transport, args.gather_subset, args.checksum, timeout=args.command_timeout
        )
    except (ConnectionFailed, RemoteProtocolError) as exc:
        return host, "UNREACHABLE!", {"msg": str(exc)}
    finally:
        if transport is not None:
            transport.close()
    if cache is not None and not args.no_cache:
        cache.put(host, facts)
    return host, "SUCCESS", {"facts": facts, "checksums": checksums}
