"""``edgeauto config dump|list|view`` — what ``ansible-config`` shows, for edgeauto's settings.

``dump`` prints every setting as ``NAME(origin) = value`` (``--only-changed``: those a file or
the environment set); ``list`` describes each supported setting (INI key, environment
variables, default, what it does here); ``view`` prints the configuration files in use.
"""

from __future__ import annotations

import json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "config",
        help="show the configuration (like ansible-config)",
        description="Show the configuration read from ansible.cfg, edgeauto.cfg and ANSIBLE_* "
        "variables (first ansible.cfg found: $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, "
        "/etc/ansible/ansible.cfg; edgeauto.cfg overrides it).",
    )
    parser.add_argument("action", choices=("dump", "list", "view"))
    parser.add_argument(
        "--only-changed", "--changed-only", action="store_true", help="dump: only non-defaults"
    )
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.set_defaults(func=main)


def main(args) -> int:
    from edgeauto.config import SETTINGS, active

    cfg = active()
    if args.action == "view":
        for path in (cfg.ansible_cfg, cfg.edgeauto_cfg):
            if path is not None:
                print(f"# {path}\n{path.read_text()}")
        if cfg.ansible_cfg is None and cfg.edgeauto_cfg is None:
            print("# no ansible.cfg or edgeauto.cfg found: built-in defaults")
        return 0
    settings = cfg.changed() if args.only_changed else list(SETTINGS)
    if args.action == "list":
        rows = [_describe(s) for s in settings]
        if args.format == "json":
            print(json.dumps(rows, indent=2, default=str))
        elif args.format == "markdown":
            print(markdown_table(settings), end="")
        else:
            for row in rows:
                print(
                    f"{row['name']}: [{row['section']}] {row['key']}, env {row['env']}, "
                    f"default {row['default']!r}\n    {row['description']}"
                )
        return 0
    if args.format == "json":
        data = [
            {"name": s.ansible_name, "key": s.name, "value": cfg.get(s.name),
             "origin": cfg.origins[s.name]}
            for s in settings
        ]  # fmt: skip
        print(json.dumps(data, indent=2, default=str))
        return 0
    for s in settings:
        print(f"{s.ansible_name}({cfg.origins[s.name]}) = {_show(cfg.get(s.name))}")
    return 0


def markdown_table(settings) -> str:
    """The settings table of docs/config.md (``edgeauto config list --format markdown``)."""
    lines = ["| section | key | environment | default | in edgeauto |", "|---|---|---|---|---|"]
    for s in settings:
        default = _show(s.default).replace("|", "\\|")
        env = ", ".join(f"`{e}`" for e in s.env)
        lines.append(f"| {s.section} | `{s.name}` | {env} | `{default}` | {s.what} |")
    return "\n".join(lines) + "\n"


def _describe(setting) -> dict:
    return {
        "name": setting.ansible_name,
        "section": setting.section,
        "key": setting.name,
        "env": ", ".join(setting.env),
        "type": setting.type,
        "default": setting.default,
        "description": setting.what,
    }


def _show(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return str(value)
