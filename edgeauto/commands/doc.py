"""``edgeauto doc MODULE`` / ``edgeauto doc -l``: module documentation from each ModuleSpec;
``edgeauto doc -t keyword NAME``: playbook keywords edgeauto adds or reads differently.

The spec a module validates against is the same object its documentation is rendered from,
so the docs can never disagree with what the validator accepts.
"""

from __future__ import annotations

import json
import textwrap

_INDENT = "        "


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "doc",
        help="show module documentation (like ansible-doc)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("modules", nargs="*", metavar="MODULE", help="module name or FQCN")
    parser.add_argument("-l", "--list", action="store_true", help="list all modules")
    parser.add_argument("-j", "--json", action="store_true", help="print the spec as JSON")
    parser.add_argument(
        "-t",
        "--type",
        choices=("module", "keyword"),
        default="module",
        help="what to document: modules (default) or playbook keywords (as ansible-doc -t)",
    )
    parser.set_defaults(func=run)


def _wrap(text: str, indent: str = _INDENT) -> list[str]:
    out: list[str] = []
    for para in str(text).strip().split("\n\n"):
        out += textwrap.wrap(
            " ".join(para.split()), 92, initial_indent=indent, subsequent_indent=indent
        ) or [""]
    return out


def render_module(module) -> str:
    """Plain-text page for one module (ansible-doc's layout: '=' marks required options)."""
    spec = module.spec
    lines = [f"> {spec.name.upper()}    (ansible.builtin.{spec.name})", ""]
    lines += _wrap(spec.short_description, "  ")
    if spec.description:
        lines += [""] + _wrap(spec.description, "  ")
    lines += ["", "OPTIONS (= is mandatory):", ""]
    if spec.free_form:
        lines += [
            f"  The free-form text (`{spec.name}: text`) goes to option '{spec.free_form}'.",
            "",
        ]
    if spec.accepts_any_args:
        lines += ["  Accepts any key=value: each key is a name, each value its value.", ""]
    for name in sorted(spec.options):
        opt = spec.options[name]
        lines.append(f"{'=' if opt.required else '-'} {name}")
        if opt.description:
            lines += _wrap(opt.description)
        facts = [f"type: {opt.type}" + (f" (elements: {opt.elements})" if opt.elements else "")]
        if opt.default is not None:
            facts.append(f"default: {opt.default!r}")
        if opt.choices:
            facts.append("choices: " + ", ".join(map(str, opt.choices)))
        if opt.aliases:
            facts.append("aliases: " + ", ".join(opt.aliases))
        if opt.no_log:
            facts.append("secret: never shown in output or logs")
        lines += [_INDENT + f for f in facts] + [""]
    rules = [
        ("mutually exclusive", spec.mutually_exclusive),
        ("one of required", spec.required_one_of),
        ("required together", spec.required_together),
    ]
    for label, groups in rules:
        for group in groups:
            lines.append(f"  {label}: {', '.join(group)}")
    for key, value, needed in spec.required_if:
        lines.append(f"  {key}={value} requires: {', '.join(needed)}")
    lines += [
        "",
        "ATTRIBUTES:",
        f"  runs on: {getattr(module, 'runs_on', 'remote')}",
        f"  check mode: {'supported' if spec.supports_check_mode else 'not supported'}",
        f"  diff mode: {'supported' if spec.supports_diff else 'not supported'}",
        f"  platforms: {', '.join(spec.platforms)}",
        "",
        "NAMES: " + ", ".join(spec.names()),
    ]
    if spec.examples:
        lines += ["", "EXAMPLES:", "", textwrap.indent(spec.examples.strip("\n"), "  ")]
    if spec.returns:
        lines += ["", "RETURN VALUES:"]
        for key in sorted(spec.returns):
            lines.append(f"- {key}")
            lines += _wrap(spec.returns[key])
    return "\n".join(lines).rstrip() + "\n"


def spec_as_json(module) -> dict:
    spec = module.spec
    return {
        "name": spec.name,
        "short_description": spec.short_description,
        "description": spec.description,
        "runs_on": getattr(module, "runs_on", "remote"),
        "names": spec.names(),
        "free_form": spec.free_form,
        "supports_check_mode": spec.supports_check_mode,
        "supports_diff": spec.supports_diff,
        "options": {
            name: {
                "type": o.type,
                "required": o.required,
                "default": o.default,
                "choices": list(o.choices) if o.choices else None,
                "aliases": list(o.aliases),
                "elements": o.elements,
                "no_log": o.no_log,
                "description": o.description,
            }
            for name, o in sorted(spec.options.items())
        },
        "returns": spec.returns,
    }


def run(args) -> int:
    from edgeauto.errors import EXIT_BAD_OPTIONS, EdgeautoError, did_you_mean
    from edgeauto.modules.registry import all_modules, get_module, module_names
    from edgeauto.playbook.actions import without_builtin_prefix

    if args.type == "keyword":
        return _keywords(args)
    if args.list:
        modules = {**documented_actions(), **all_modules()}
        width = max((len(n) for n in modules), default=0)
        for name in sorted(modules):
            print(f"{name.ljust(width)}  {modules[name].spec.short_description}")
        return 0
    if not args.modules:
        print("usage: edgeauto doc MODULE… | edgeauto doc -l")
        return EXIT_BAD_OPTIONS
    pages = []
    for name in args.modules:
        module = get_module(name) or documented_actions().get(without_builtin_prefix(name))
        if module is None:
            raise EdgeautoError(
                f"no module named '{name}'", hint=did_you_mean(name, module_names())
            )
        pages.append(spec_as_json(module) if args.json else render_module(module))
    return _print_pages(pages, args.json)


def render_keyword(doc) -> str:
    lines = [f"> {doc.name.upper()}    (playbook keyword: {', '.join(doc.applies_to)})", ""]
    lines += _wrap(doc.summary, "  ") + [""]
    for paragraph in doc.description.split("\n\n"):
        lines += _wrap(paragraph, "  ") + [""]
    lines += ["ANSIBLE:"] + _wrap(doc.ansible, "  ")
    if doc.examples:
        lines += ["", "EXAMPLES:", "", textwrap.indent(doc.examples.strip("\n"), "  ")]
    return "\n".join(lines).rstrip() + "\n"


def _keywords(args) -> int:
    from dataclasses import asdict

    from edgeauto.errors import EXIT_BAD_OPTIONS, EdgeautoError, did_you_mean
    from edgeauto.playbook.keyword_docs import KEYWORDS

    if args.list:
        for name in sorted(KEYWORDS):
            print(f"{name}  {KEYWORDS[name].summary}")
        return 0
    if not args.modules:
        print("usage: edgeauto doc -t keyword KEYWORD… | edgeauto doc -t keyword -l")
        return EXIT_BAD_OPTIONS
    pages = []
    for name in args.modules:
        doc = KEYWORDS.get(name)
        if doc is None:
            raise EdgeautoError(
                f"no edgeauto notes on keyword '{name}' (documented: {', '.join(KEYWORDS)}); "
                "Ansible's keywords are described at docs.ansible.com",
                hint=did_you_mean(name, KEYWORDS),
            )
        pages.append(asdict(doc) if args.json else render_keyword(doc))
    return _print_pages(pages, args.json)


def _print_pages(pages: list, as_json: bool) -> int:
    if as_json:
        print(json.dumps(pages if len(pages) > 1 else pages[0], indent=2, default=str))
    else:
        print("\n".join(pages), end="")
    return 0


class _ActionDoc:
    """A controller action the executor implements (no module file): its spec, for doc."""

    def __init__(self, spec) -> None:
        self.spec = spec


def documented_actions() -> dict:
    """include_vars, group_by, add_host … : actions with a spec but no module class."""
    from edgeauto.modules.spec import ModuleSpec, Option
    from edgeauto.playbook.actions import control_specs

    out = {name: _ActionDoc(spec) for name, spec in control_specs().items()}
    add_host = ModuleSpec(
        "add_host",
        "Add a host (and its variables) to the in-memory inventory for later plays",
        options={
            "name": Option(required=True, aliases=("host", "hostname"), description="The host."),
            "groups": Option(
                type="list", aliases=("group", "groupname"), description="Its groups."
            ),
        },
        description="Any other argument becomes a host variable of the new host.",
    )
    out.setdefault("add_host", _ActionDoc(add_host))
    return out
