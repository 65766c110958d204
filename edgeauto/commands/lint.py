"""``edgeauto lint [PATH…]``: rules about playbooks and roles that load but will hurt later.

Exit codes as ansible-lint: 0 no findings, 2 findings (after --fix: findings that remain),
1 a path or option that cannot be used. ``.ansible-lint`` / ``.edgeauto-lint.yml`` in the
current directory may hold ``skip_list`` and ``warn_list`` (findings of warn_list rules are
printed but do not fail).
"""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_FINDINGS = 2
CONFIG_FILES = (".edgeauto-lint.yml", ".ansible-lint", ".ansible-lint.yml")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check playbooks and roles against best-practice rules",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default .)")
    parser.add_argument(
        "-x",
        "--skip",
        action="append",
        default=[],
        metavar="RULE",
        help="rule id to skip (repeatable, comma lists allowed)",
    )
    parser.add_argument(
        "-t",
        "--only",
        action="append",
        default=[],
        metavar="RULE",
        help="run only these rule ids (repeatable)",
    )
    parser.add_argument("--fix", action="store_true", help="rewrite what a rule can fix safely")
    parser.add_argument("-f", "--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument("-L", "--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument(
        "-i",
        "--inventory",
        action="append",
        default=[],
        metavar="INVENTORY",
        help="inventory for rules about target hosts (python-required)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from edgeauto.lint import lint_paths
    from edgeauto.lint.fix import apply_fixes
    from edgeauto.lint.report import as_json, as_sarif, as_text
    from edgeauto.lint.rules import all_rules

    if args.list_rules:
        for rule in all_rules().values():
            print(f"{rule.id:24} {rule.summary}{'  (fixable)' if rule.fixable else ''}")
        return 0
    config = _config()
    known = set(all_rules())  # ansible-lint configs name rules we do not have: not an error
    skip = tuple(_ids(args.skip) + [r for r in config.get("skip_list", []) if r in known])
    warn = set(config.get("warn_list", []))
    inventory = _inventory(args.inventory)
    paths = args.paths or ["."]
    findings = lint_paths(paths, skip=skip, only=tuple(_ids(args.only)), inventory=inventory)
    if args.fix:
        fixed = apply_fixes(findings)
        if fixed:
            print(f"fixed {len(fixed)} finding(s)", file=sys.stderr)
            findings = lint_paths(
                paths, skip=skip, only=tuple(_ids(args.only)), inventory=inventory
            )
    render = {"text": as_text, "json": as_json, "sarif": as_sarif}[args.format]
    print(render(findings))
    failing = [f for f in findings if f.rule not in warn]
    return EXIT_FINDINGS if failing else 0


def _ids(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _config() -> dict:
    from edgeauto.errors import EdgeautoError
    from edgeauto.yamlsrc import load_yaml, to_plain

    for name in CONFIG_FILES:
        if Path(name).is_file():
            data = to_plain(load_yaml(name)) or {}
            if not isinstance(data, dict):
                raise EdgeautoError(f"{name}: expected a mapping with skip_list/warn_list")
            return {k: [str(v) for v in data.get(k) or []] for k in ("skip_list", "warn_list")}
    return {}


def _inventory(sources: list[str]):
    if not sources:
        return None
    from edgeauto.inventory import load_inventory

    return load_inventory(sources)
