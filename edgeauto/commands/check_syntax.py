"""``edgeauto check-syntax PLAYBOOK``: find every problem in a playbook without running it.

Like ``ansible-playbook --syntax-check`` but deeper: besides YAML and keywords it checks
module names and arguments, files that copy/template need, handler names, Jinja2 syntax and
variables used in static places. No host is contacted. Prints one ``file:line:col: …`` line
per problem and exits 1 if there is any, 0 otherwise.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check-syntax",
        aliases=["check_syntax"],
        help="validate playbooks without contacting any host",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("playbooks", nargs="+", metavar="PLAYBOOK")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print problems as JSON (file, line, col, message, hint) for editors and CI",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="an unknown module in a file reached only by include_tasks/include_role is an "
        "error too (default: a warning, and an error only if the task runs)",
    )
    add_playbook_arguments(parser)
    parser.set_defaults(func=run)


def add_extra_vars_argument(parser) -> None:
    """-e/--extra-vars, the same for every command that takes variables (run, adhoc, check-syntax)."""
    parser.add_argument(
        "-e",
        "--extra-vars",
        action="append",
        default=[],
        metavar="VARS",
        help="key=value pairs, a YAML/JSON mapping, or @file (repeatable)",
    )


def add_playbook_arguments(parser, *, inventory: bool = True) -> None:
    """-e/--roles-path/-i options shared with commands that load playbooks.

    ``inventory=False`` for ``run``, which brings its own -i/--limit/vault options.
    """
    from edgeauto.commands.inventory import add_inventory_arguments

    add_extra_vars_argument(parser)
    parser.add_argument(
        "--roles-path",
        action="append",
        default=[],
        metavar="DIR",
        help="extra role search directories (colon lists allowed; also EDGEAUTO_ROLES_PATH)",
    )
    if inventory:
        add_inventory_arguments(parser)


def extra_vars_from_args(values: list[str]) -> dict:
    """Ansible's -e forms: ``k=v k2=v2``, ``{"json": 1}`` / YAML, ``@file.yml``."""
    from edgeauto.errors import ParseError, Position
    from edgeauto.playbook.splitter import parse_kv
    from edgeauto.yamlsrc import load_yaml, load_yaml_text

    out: dict = {}
    for value in values:
        text = value.strip()
        if text.startswith("@"):
            data = load_yaml(text[1:])
        elif text.startswith(("{", "[")):
            data = load_yaml_text(text, "<extra vars>")
        else:
            data = parse_kv(text)
            if "_raw_params" in data:
                raise ParseError(
                    f"-e expects key=value pairs, a mapping or @file, found {value!r}",
                    Position("<extra vars>"),
                )
        if not isinstance(data, dict):
            raise ParseError(
                f"-e expects a mapping of variables, found {type(data).__name__}",
                Position(text[1:] if text.startswith("@") else "<extra vars>"),
            )
        out.update(data)
    return out


def roles_path_from_args(values: list[str]) -> list[str]:
    return [p for value in values for p in value.split(":") if p]


def run(args) -> int:
    from pathlib import Path

    from edgeauto.commands.inventory import inventory_sources, vault_from_args
    from edgeauto.errors import EXIT_ERROR
    from edgeauto.playbook import check_playbook

    extra_vars = extra_vars_from_args(args.extra_vars)
    vault = vault_from_args(args)  # vaulted vars_files and inventory vars are checked too
    inventory = None
    sources = inventory_sources(args)  # -i/--openstack/--libvirt, else $EDGEAUTO_INVENTORY
    if sources:
        from edgeauto.inventory import load_inventory

        inventory = load_inventory(
            sources, playbook_dir=str(Path(args.playbooks[0]).parent), vault=vault
        )
    failed = 0
    report = []
    for path in args.playbooks:
        playbook, problems = check_playbook(
            path,
            roles_path=roles_path_from_args(args.roles_path),
            extra_vars=extra_vars,
            inventory=inventory,
            vault=vault,
            strict=args.strict,
        )
        failed += bool(problems)
        warnings = list(getattr(playbook, "warnings", []))
        if args.json:
            report.append(
                {
                    "playbook": path,
                    "problems": [_as_json(p) for p in problems],
                    "warnings": [_as_json(w) for w in warnings],
                }
            )
            continue
        for warning in warnings:
            print(f"[WARNING]: {warning}", file=sys.stderr)
        if problems:
            for problem in problems:
                print(str(problem), file=sys.stderr)
            print(f"{path}: {len(problems)} problem(s) found", file=sys.stderr)
        else:
            print(f"playbook: {path}")
    if args.json:
        import json

        print(json.dumps(report, indent=2))
    return EXIT_ERROR if failed else 0


def _as_json(problem) -> dict:
    pos = problem.pos
    return {
        "file": pos.file if pos else None,
        "line": pos.line if pos else None,
        "col": pos.col if pos else None,
        "message": problem.message,
        "hint": problem.hint,
    }
