"""``edgeauto inventory``: show an inventory the way ``ansible-inventory`` does.

``--list`` (JSON, or YAML with ``--yaml``), ``--host H`` (one host's variables),
``--graph [GROUP]`` (tree, ``--vars`` adds variables). Several ``-i`` (and ``--openstack``,
``--libvirt``) are merged in order; without any, ``$EDGEAUTO_INVENTORY`` or
``$ANSIBLE_INVENTORY`` names the sources. ``--limit`` restricts the hosts shown. The output shape is checked against ansible-inventory
by differential tests, so scripts written for one work with the other.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "inventory",
        help="show hosts, groups and variables (ansible-inventory compatible)",
        description=__doc__.split("\n\n")[0],
    )
    add_inventory_arguments(parser)
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--list", action="store_true", help="print all groups and host vars")
    action.add_argument("--host", metavar="HOST", help="print the variables of one host")
    action.add_argument(
        "--graph",
        nargs="?",
        const="all",
        metavar="GROUP",
        help="draw the group tree from GROUP (default all)",
    )
    parser.add_argument("--yaml", "-y", action="store_true", help="YAML instead of JSON")
    parser.add_argument("--vars", action="store_true", help="with --graph: show variables")
    parser.add_argument(
        "--export", action="store_true", help="show vars where they are defined, not merged"
    )
    parser.add_argument("--output", metavar="FILE", help="write the result to FILE")
    parser.add_argument("pattern", nargs="?", help="group for --graph (like ansible-inventory)")
    parser.set_defaults(func=run)


def add_inventory_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every command that reads an inventory shares (-i, --limit, vault, playbook dir)."""
    parser.add_argument(
        "-i",
        "--inventory",
        action="append",
        dest="inventory",
        metavar="SOURCE",
        help="inventory file, directory, 'host1,host2,' list or 'KIND:ARG' such as "
        "'vagrant:DIR' (repeatable; default: $EDGEAUTO_INVENTORY, else $ANSIBLE_INVENTORY)",
    )
    parser.add_argument(
        "--openstack",
        action=_append_source("openstack"),
        dest="inventory",
        nargs="?",
        const="",
        metavar="CLOUD",
        help="add the servers of this clouds.yaml cloud (all clouds without CLOUD); "
        "same as -i openstack:CLOUD",
    )
    parser.add_argument(
        "--libvirt",
        action=_append_source("libvirt"),
        dest="inventory",
        metavar="URI",
        help="add the domains of this libvirt hypervisor (repeatable); same as -i libvirt:URI",
    )
    parser.add_argument("-l", "--limit", metavar="PATTERN", help="restrict to these hosts")
    from edgeauto.commands.vault import add_vault_options

    add_vault_options(parser)
    parser.add_argument(
        "--playbook-dir",
        metavar="DIR",
        help="also load group_vars/ and host_vars/ beside this playbook directory",
    )


def _append_source(kind: str) -> type[argparse.Action]:
    """An argparse action adding ``KIND:VALUE`` to the -i list, so the flags and -i keep the
    order they were typed in (sources merge in that order, later wins)."""

    class AppendSource(argparse.Action):
        def __call__(self, parser, namespace, values, option_string=None):
            sources = list(getattr(namespace, self.dest, None) or [])
            sources.append(f"{kind}:{values or ''}")
            setattr(namespace, self.dest, sources)

    return AppendSource


def inventory_sources(args) -> list[str]:
    """The -i/--openstack/--libvirt sources, else those named by $EDGEAUTO_INVENTORY or
    $ANSIBLE_INVENTORY (empty when none is set)."""
    from edgeauto.inventory.sources import default_sources

    return list(getattr(args, "inventory", None) or []) or default_sources()[0]


def vault_from_args(args):
    """The vault secrets the command line (or $ANSIBLE_VAULT_*) gives, or None."""
    from edgeauto.commands.vault import secrets_from_args

    return secrets_from_args(args) or None


def run(args) -> int:
    from edgeauto.errors import EXIT_BAD_OPTIONS, InventoryError
    from edgeauto.inventory import load_inventory, render

    if not (args.list or args.host or args.graph):
        print("ERROR: one of --list, --host or --graph is required", file=sys.stderr)
        return EXIT_BAD_OPTIONS
    if not inventory_sources(args):
        print(
            "ERROR: no inventory given (use -i SOURCE or set EDGEAUTO_INVENTORY)", file=sys.stderr
        )
        return EXIT_BAD_OPTIONS
    inventory = load_inventory(
        args.inventory, playbook_dir=args.playbook_dir, vault=vault_from_args(args)
    )
    dump = render.dump_yaml if args.yaml else render.dump_json
    if args.host:
        hosts = inventory.select(args.host)
        if len(hosts) != 1:
            raise InventoryError(
                f"--host needs exactly one host; '{args.host}' matches {len(hosts)}"
            )
        text = dump(render.host_view(inventory, hosts[0].name, args.export))
    elif args.graph:
        group = args.pattern if args.graph == "all" and args.pattern else args.graph
        # like ansible-inventory, --graph draws the whole tree and ignores --limit
        if group not in inventory.groups:
            from edgeauto.errors import did_you_mean

            raise InventoryError(
                f"--graph needs a group name, '{group}' is not a group",
                hint=did_you_mean(group, inventory.groups),
            )
        text = "\n".join(render.graph_lines(inventory, group, args.vars))
    else:
        available = [h.name for h in inventory.select("all", args.limit)]
        builder = render.list_yaml if args.yaml else render.list_json
        text = dump(builder(inventory, available, args.export))
    if args.output:
        from edgeauto.fsutil import atomic_write

        atomic_write(args.output, text + "\n")
    else:
        print(text.rstrip("\n"))
    return 0
