"""Command line entry point: ``edgeauto <command> …``.

Each command lives in its own module under :mod:`edgeauto.commands` exposing
``register(subparsers)``, which adds its parser and sets ``func`` to a callable taking the
parsed args and returning an exit code. Heavy imports happen inside those callables so
``edgeauto --help`` stays fast. Errors from the :mod:`edgeauto.errors` family are printed
without a traceback; anything else is a bug, reported in one line with exit code 250.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from edgeauto import ANSIBLE_CORE_COMPAT, __version__
from edgeauto.errors import EXIT_INTERRUPTED, EdgeautoError

COMMANDS = (
    "run",
    "adhoc",
    "check_syntax",
    "inventory",
    "vault",
    "doc",
    "facts",
    "lab",
    "lint",
    "config",
    "completion",
    "test",
    "galaxy",
    "workload",
    "history",
    "schedule",
    "demo",
)


def build_parser(cfg=None, command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; ``cfg`` (ansible.cfg & co) replaces option defaults.

    ``command`` (the first word of argv): when it names a command module, only that command's
    parser is built — importing and building all sixteen is ~20 ms of every run's fixed
    cost. Anything else (help, a typo, an alias) gets the whole parser and its messages.
    """
    names = COMMANDS
    if command is not None:
        if command.replace("-", "_") not in COMMANDS:
            return build_parser(cfg)
        names = (command.replace("-", "_"),)
    parser = argparse.ArgumentParser(
        prog="edgeauto",
        description="Agentless, Ansible-compatible automation for edge fleets: each host's "
        "tasks run as one sh script over one SSH session.",
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, default=cfg, help="show versions and exit"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in names:
        try:
            module = importlib.import_module(f"edgeauto.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"edgeauto.commands.{name}":
                continue  # command not built yet in this checkout
            raise
        module.register(sub)
    if command is not None and command not in sub.choices:
        return build_parser(cfg)
    if cfg is not None:
        from edgeauto.config.apply import apply_to_parser

        for each in sub.choices.values():
            apply_to_parser(each, cfg)
    return parser


class _Version(argparse.Action):
    """``--version`` printed as written (argparse's own action re-wraps the lines)."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text(self.default))
        parser.exit()


def version_text(cfg=None) -> str:
    """Like ``ansible-playbook --version``: what we are compatible with and which config
    files this invocation reads, so a bug report carries both."""
    import os
    from importlib import metadata

    try:
        oracle = metadata.version("ansible-core") + " installed (module fallback available)"
    except metadata.PackageNotFoundError:
        oracle = "not installed (module fallback off; pip install edgeauto[ansible])"
    lines = [
        f"edgeauto {__version__}",
        f"  compatible with ansible-core {ANSIBLE_CORE_COMPAT} (playbooks, module arguments, "
        "ansible.cfg)",
        f"  config file = {getattr(cfg, 'ansible_cfg', None) or 'None'}",
        f"  edgeauto config file = {getattr(cfg, 'edgeauto_cfg', None) or 'None'}",
        f"  ansible-core = {oracle}",
        f"  python version = {sys.version.split()[0]} ({sys.executable})",
        f"  executable location = {os.path.abspath(sys.argv[0]) if sys.argv[0] else 'edgeauto'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from edgeauto.config import load_config, set_active

    try:
        cfg = load_config()
    except EdgeautoError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return exc.exit_code
    set_active(cfg)
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(cfg, words[0] if words else None)
    args = parser.parse_args(argv)
    args.command_line = list(sys.argv[1:] if argv is None else argv)  # for the run history
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    from edgeauto.config.apply import apply_to_process
    from edgeauto.output.masking import masked_stdio

    apply_to_process(cfg)
    with masked_stdio():
        return _dispatch(args)


def _dispatch(args) -> int:
    try:
        return int(args.func(args) or 0)
    except EdgeautoError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `edgeauto inventory --list | head`: the reader left; stop quietly like other CLIs.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug: say so in one line, like ansible (250)
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    """An error no user input explains: one line that says it is ours, asks for a report,
    and exits 250 as ansible does; ``EDGEAUTO_DEBUG=1`` prints the traceback too."""
    import os
    import traceback

    from edgeauto.errors import InternalError

    print(f"ERROR! unexpected {InternalError.of(exc).message}", file=sys.stderr)
    print(
        "  please report it with the command line (EDGEAUTO_DEBUG=1 shows the traceback)",
        file=sys.stderr,
    )
    if os.environ.get("EDGEAUTO_DEBUG"):
        traceback.print_exception(exc, file=sys.stderr)
    return InternalError.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
