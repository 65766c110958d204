"""``edgeauto run PLAYBOOK…`` — ansible-playbook's command line on edgeauto's engine.

Exit codes: 0 ok, 1 error (parse/validation/usage), 2 a host failed, 4 a host was unreachable
(none failed), 99 interrupted (SIGINT/SIGTERM), 250 unexpected error.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from edgeauto.commands.argtypes import positive_int
from edgeauto.commands.check_syntax import add_playbook_arguments
from edgeauto.commands.history_hook import (
    add_history_options,
    add_retry_failed_option,
    apply_retry_failed,
    playbook_key,
    recorder,
    require_playbooks,
)
from edgeauto.errors import EXIT_INTERRUPTED, EdgeautoError


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``run`` and ``adhoc`` (inventory, connection, become, vault).

    -e/--extra-vars comes from ``check_syntax.add_extra_vars_argument``, shared by all three.
    """
    parser.add_argument(
        "-i",
        "--inventory",
        action="append",
        default=[],
        metavar="SOURCE",
        help="inventory file, directory, host list (a,b,) or dynamic source; repeatable",
    )
    parser.add_argument(
        "-l",
        "--limit",
        action="append",
        default=None,
        metavar="SUBSET",
        help="further limit selected hosts to a pattern (@file reads a retry file)",
    )
    parser.add_argument(
        "-f", "--forks", type=positive_int, default=50, help="hosts run in parallel (default 50)"
    )
    parser.add_argument("-u", "--user", dest="remote_user", help="connect as this user")
    parser.add_argument("-c", "--connection", help="connection type (ssh, paramiko, local, docker)")
    parser.add_argument(
        "-k", "--ask-pass", action="store_true", help="ask for the connection password"
    )
    parser.add_argument(
        "-K", "--ask-become-pass", action="store_true", help="ask for the become password"
    )
    parser.add_argument(
        "-b", "--become", action="store_true", default=None, help="run with become (sudo)"
    )
    parser.add_argument("--become-user", help="become this user (default root)")
    parser.add_argument("--become-method", choices=("sudo", "su", "doas"))
    parser.add_argument("--private-key", "--key-file", dest="private_key_file")
    parser.add_argument(
        "-T",
        "--timeout",
        type=float,
        default=10.0,
        help="connection timeout in seconds (default 10)",
    )
    parser.add_argument(
        "--task-timeout",
        type=float,
        default=600.0,
        help="bound on one script (segment) run in seconds (default 600)",
    )
    from edgeauto.commands.vault import add_vault_options

    add_vault_options(parser)
    parser.add_argument(
        "-C", "--check", action="store_true", help="predict changes, change nothing"
    )
    parser.add_argument("-D", "--diff", action="store_true", help="show differences in files")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="-v results, -vv task paths, -vvv round trips, -vvvv scripts",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document (for CI)")
    parser.add_argument(
        "--retry-unreachable",
        type=int,
        default=0,
        metavar="N",
        help="reconnect up to N times with backoff before a host is unreachable",
    )
    parser.add_argument(
        "--max-fail",
        metavar="N|P%",
        help="stop when more than N hosts (or P%% of hosts) failed, across batches",
    )
    add_history_options(parser)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run playbooks (like ansible-playbook)",
        description="Run Ansible-syntax playbooks: each host's tasks go as one sh script over "
        "one SSH session. Exit codes: 0 ok, 1 error, 2 failed hosts, 4 unreachable hosts, "
        "99 interrupted.",
    )
    parser.add_argument("playbooks", nargs="*", metavar="PLAYBOOK")
    add_common_options(parser)
    add_playbook_arguments(parser, inventory=False)
    parser.add_argument("-t", "--tags", action="append", default=[])
    parser.add_argument("--skip-tags", action="append", default=[])
    parser.add_argument("--start-at-task")
    parser.add_argument(
        "--step", action="store_true", help="confirm each task before running it (y/n/c)"
    )
    parser.add_argument(
        "--report",
        metavar="FILE.html",
        help="also write a self-contained HTML report of the run (docs/report.md); the "
        "history keeps it too",
    )
    add_retry_failed_option(parser)
    parser.add_argument("--list-hosts", action="store_true")
    parser.add_argument("--list-tasks", action="store_true")
    parser.add_argument("--list-tags", action="store_true")
    parser.add_argument("--syntax-check", action="store_true")
    parser.add_argument("--force-handlers", action="store_true")
    parser.add_argument(
        "--flush-cache", action="store_true", help="clear the fact cache of every host in the run"
    )
    parser.add_argument(
        "--no-retry-file",
        action="store_true",
        help="do not write PLAYBOOK.retry (written only with retry_files_enabled in ansible.cfg)",
    )
    parser.add_argument(
        "--no-pending-handlers",
        action="store_true",
        help="do not record unrun handler notifications on hosts",
    )
    parser.set_defaults(func=main)


def _limit(values):
    """``-l`` values (repeatable) as terms, ``@file`` read now: a missing file is an error
    before anything else happens (inventory's one rule for limit files)."""
    if not values:
        return None
    from edgeauto.inventory.patterns import limit_terms

    return [term for value in values for term in limit_terms(value)]


def build_options(args):
    """argparse namespace -> RunOptions (prompts for -k/-K/-J here, never on a command line)."""
    import getpass

    from edgeauto.commands.vault import secrets_from_args
    from edgeauto.config import active
    from edgeauto.config.apply import transport_settings
    from edgeauto.planner.options import RunOptions
    from edgeauto.planner.run import parse_extra_vars

    cfg = active()
    become_password = getpass.getpass("BECOME password: ") if args.ask_become_pass else None
    conn_password = getpass.getpass("SSH password: ") if args.ask_pass else None
    roles_path = []
    for value in getattr(args, "roles_path", []) or []:
        roles_path.extend(p for p in value.split(os.pathsep) if p)
    return RunOptions(
        inventory_sources=list(args.inventory),
        limit=_limit(args.limit),
        tags=list(getattr(args, "tags", []) or []),
        skip_tags=list(getattr(args, "skip_tags", []) or []),
        check=args.check,
        diff=args.diff,
        extra_vars=parse_extra_vars(args.extra_vars),
        forks=max(1, args.forks),
        connect_timeout=args.timeout,
        task_timeout=args.task_timeout,
        start_at_task=getattr(args, "start_at_task", None),
        step=getattr(args, "step", False),
        verbosity=args.verbose,
        become=args.become,
        become_user=args.become_user,
        become_method=args.become_method,
        become_password=become_password,
        connection_password=conn_password,
        remote_user=args.remote_user,
        private_key_file=args.private_key_file,
        connection=args.connection,
        roles_path=roles_path,
        vault_secrets=secrets_from_args(args),  # -J prompts here, never on a command line
        retry_unreachable=max(0, args.retry_unreachable),
        max_fail=args.max_fail,
        force_handlers=getattr(args, "force_handlers", False),
        flush_cache=getattr(args, "flush_cache", False),
        write_retry_file=cfg.get("retry_files_enabled") and not getattr(args, "no_retry_file", 0),
        retry_file=_retry_file(cfg, args),
        pending_handlers=not getattr(args, "no_pending_handlers", False),
        transport_options=transport_settings(cfg),
    )


def _retry_file(cfg, args):
    """``retry_files_save_path``/<playbook name>.retry, else beside the playbook (None)."""
    from pathlib import Path

    where, playbooks = cfg.get("retry_files_save_path"), getattr(args, "playbooks", None)
    if not where or not playbooks:
        return None
    return Path(where) / Path(playbooks[0]).with_suffix(".retry").name


def make_reporter(args):
    """The output the user asked for, plus the HTML report and the history recorder (last:
    it keeps the finished report page with the run)."""
    from edgeauto.output.reporter import MultiReporter

    reporters = [_output_reporter(args)]
    if getattr(args, "report", None):
        from edgeauto.output.report_html import HtmlReportReporter

        reporters.append(HtmlReportReporter(args.report))
    history = recorder(
        args,
        kind="playbook",
        what=getattr(args, "history_what", None) or " ".join(args.playbooks),
        playbook=playbook_key(args.playbooks),
        report=reporters[-1] if len(reporters) > 1 else None,
    )
    if history is not None:
        reporters.append(history)
    return reporters[0] if len(reporters) == 1 else MultiReporter(*reporters)


def _output_reporter(args):
    if args.json:  # only what the chosen reporter needs is imported (start-up time)
        from edgeauto.output.jsonout import JsonReporter

        return JsonReporter(sys.stdout)
    from edgeauto.output.console import ConsoleReporter, make_console

    return ConsoleReporter(verbosity=args.verbose, diff=args.diff, console=make_console())


def install_signal_handlers(run):
    """First SIGINT/SIGTERM: stop at the next task boundary and report; second: abort now."""
    seen = {"count": 0}

    def handler(signum, frame):
        seen["count"] += 1
        if seen["count"] == 1:
            print(
                "\n[edgeauto] stopping: running scripts are cut, nothing new starts; the recap "
                "lists what did not run (interrupt again to abort at once)",
                file=sys.stderr,
            )
            run.cancel()
        else:
            print("[edgeauto] aborted", file=sys.stderr)
            sys.stdout.flush()
            os._exit(EXIT_INTERRUPTED)

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread (tests)
            pass
    return previous


def main(args) -> int:
    from edgeauto.planner.listing import list_hosts, list_tags, list_tasks
    from edgeauto.planner.run import Run

    if args.retry_failed and not apply_retry_failed(args):
        return 0
    require_playbooks(args)
    options = build_options(args)
    reporter = make_reporter(args)
    run = Run(args.playbooks, options, reporter)
    try:
        run.load()  # every playbook validated before anything runs; raises ValidationError
    except EdgeautoError as exc:
        if not args.json:
            raise
        import json

        problems = [str(p) for p in getattr(exc, "problems", [])] or [str(exc)]
        from edgeauto.output.jsonout import SCHEMA_VERSION

        doc = {"schema_version": SCHEMA_VERSION, "exit_code": exc.exit_code, "errors": problems}
        print(json.dumps({**doc, "plays": []}, indent=2))
        return exc.exit_code
    if args.syntax_check:
        for path in args.playbooks:
            print(f"playbook: {path}")
        return 0
    if args.list_hosts or args.list_tasks or args.list_tags:
        if args.list_hosts:
            print(list_hosts(run))
        if args.list_tasks:
            print(list_tasks(run))
        if args.list_tags:
            print(list_tags(run))
        return 0
    if options.step:
        from edgeauto.planner.step import require_terminal

        require_terminal()  # before anything runs: the questions need a person
    previous = install_signal_handlers(run)
    try:
        result = run.execute()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    return result.exit_code
