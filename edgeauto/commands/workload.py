"""``edgeauto workload plan|apply|rollback|status``: container workloads on the fleet.

Each subcommand lives in its own module ``edgeauto.commands.workload_<name>`` exposing
``register(subparsers)`` (the same contract as the top-level commands), so placement and
rollouts grow in separate files; a subcommand whose module is not in this checkout is left
out of the parser rather than breaking ``edgeauto --help``.
"""

from __future__ import annotations

import importlib

SUBCOMMANDS = ("plan", "apply", "rollback", "status")


def register(sub) -> None:
    parser = sub.add_parser(
        "workload",
        help="place, deploy, update and roll back container workloads",
        description="Container workloads on the fleet: placement by resources and labels, "
        "rolling updates with canary and automatic rollback, status.",
    )
    workload_sub = parser.add_subparsers(
        dest="workload_command", metavar="SUBCOMMAND", required=True
    )
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"edgeauto.commands.workload_{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"edgeauto.commands.workload_{name}":
                continue
            raise
        module.register(workload_sub)
