"""``edgeauto adhoc PATTERN -m MODULE -a ARGS`` — one task on many hosts, like ``ansible``.

The task becomes a one-task play run by the same engine as ``edgeauto run`` (same validation,
same one-script-per-host execution, same exit codes). Relative file paths (``copy src=``) are
resolved from the current directory, as ``ansible`` does.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from edgeauto.commands.check_syntax import add_extra_vars_argument
from edgeauto.commands.history_hook import recorder
from edgeauto.commands.run import add_common_options, build_options
from edgeauto.errors import EdgeautoError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "adhoc",
        help="run one module on matching hosts (like `ansible`)",
        description="Run one module on the hosts matching PATTERN. Exit codes: 0 ok, 1 error, "
        "2 failed hosts, 4 unreachable hosts.",
    )
    parser.add_argument("pattern", metavar="PATTERN")
    parser.add_argument("-m", "--module-name", default="command", help="module (default command)")
    parser.add_argument("-a", "--args", default="", help="module arguments (k=v or free form)")
    parser.add_argument("--one-line", "-o", action="store_true", help="one line per host")
    add_common_options(parser)
    add_extra_vars_argument(parser)
    parser.set_defaults(func=main)


def adhoc_playbook(pattern: str, module: str, args: str, become: bool | None) -> str:
    """The YAML text of the one-task play (JSON is valid YAML and quotes everything safely)."""
    from edgeauto.output.masking import mask_secret_options

    # the name is a label (history, errors): secret-named options masked in it
    name = f"{module} {mask_secret_options(args)}".strip()
    task: dict = {"name": name, module: args if args else None}
    play = {"hosts": pattern, "gather_facts": False, "tasks": [task]}
    if become:
        play["become"] = True
    return json.dumps([play], indent=2)


def main(args) -> int:
    from edgeauto.output.adhoc import AdhocReporter
    from edgeauto.output.jsonout import JsonReporter
    from edgeauto.output.masking import mask_secret_options
    from edgeauto.output.reporter import MultiReporter
    from edgeauto.planner.run import Run

    options = build_options(args)
    options.write_retry_file = False
    options.pending_handlers = False
    with tempfile.TemporaryDirectory(prefix="edgeauto-adhoc-") as tmp:
        path = Path(tmp) / "adhoc.yml"
        path.write_text(adhoc_playbook(args.pattern, args.module_name, args.args, args.become))
        reporter = JsonReporter() if args.json else AdhocReporter(args.one_line, args.verbose)
        what = f"{args.pattern} -m {args.module_name} {mask_secret_options(args.args)}".strip()
        history = recorder(args, kind="adhoc", what=what)
        if history is not None:
            reporter = MultiReporter(reporter, history)
        run = Run([path], options, reporter)
        try:
            run.load()
        except EdgeautoError as exc:
            # The one-task play is ours, not the user's: do not point at a temp file.
            message = re.sub(re.escape(str(path)) + r"(:\d+)*:?\s*", "", str(exc))
            raise EdgeautoError(f"{args.module_name} {args.args}: {message}".strip()) from None
        for playbook in run.playbooks:
            for play in playbook.plays:
                play.basedir = Path.cwd()
        return run.execute().exit_code
