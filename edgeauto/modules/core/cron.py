"""``cron``: a job or variable in a user's crontab or a cron file, Ansible's format exactly.

Jobs live under a ``#Ansible: NAME`` marker line as ansible.builtin.cron writes them, so a
crontab edited by Ansible and by edgeauto stays one crontab. The job line is built here
(times, ``user`` for cron files, ``disabled`` as a leading ``#``); the target reads the crontab
(``crontab -l [-u USER]`` — also BusyBox's — or the cron file), edits it in awk with Ansible's
rules and installs it (``crontab FILE`` or an atomic write of the cron file).
"""

from __future__ import annotations

import posixpath

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._common import text
from edgeauto.modules.core._sys import letters, sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPECIALS = ("annually", "daily", "hourly", "monthly", "reboot", "weekly", "yearly")
TIMES = ("minute", "hour", "day", "month", "weekday")

SPEC = ModuleSpec(
    name="cron",
    short_description="Manage cron.d and crontab entries",
    description=(
        "Works like ansible.builtin.cron (same #Ansible: marker lines). Needs crontab on the "
        "target for user crontabs (cron, cronie or BusyBox); cron_file needs nothing."
    ),
    options={
        "name": Option(required=True, description="Description of the job (its marker)."),
        "user": Option(description="Whose crontab; required with cron_file."),
        "job": Option(aliases=("value",), description="The command (or the variable's value)."),
        "state": Option(default="present", choices=("absent", "present")),
        "cron_file": Option(type="path", description="A file in /etc/cron.d (or a path)."),
        "backup": Option(type="bool", default=False, description="Keep the old crontab."),
        "minute": Option(default="*"),
        "hour": Option(default="*"),
        "day": Option(default="*", aliases=("dom",)),
        "month": Option(default="*"),
        "weekday": Option(default="*", aliases=("dow",)),
        "special_time": Option(choices=SPECIALS, description="@reboot, @daily ..."),
        "disabled": Option(type="bool", default=False, description="Comment the job out."),
        "env": Option(type="bool", default=False, description="Manage a variable, not a job."),
        "insertafter": Option(description="New variable goes after this variable (env)."),
        "insertbefore": Option(description="New variable goes before this variable (env)."),
    },
    mutually_exclusive=(("insertafter", "insertbefore"),),
    supports_diff=True,
    returns={
        "jobs": "Names of the Ansible jobs in the crontab.",
        "envs": "Names of the variables in the crontab.",
        "backup_file": "The old crontab (backup=true, when changed).",
        "cron_file": "The cron_file argument.",
    },
    examples='- cron:\n    name: check dirs\n    minute: "0"\n    hour: "5,2"\n    job: ls -alh > /dev/null\n',
)

EA_CRON = ShellFunction(
    "ea_cron",
    "cron.sh",
    needs=("fileattrs.sh",),
    params="name job state flags user cronfile insertafter insertbefore",
    defaults={"state": "present", "flags": "-"},
)


def job_line(args: dict) -> str:
    """Ansible's crontab line for a job: times (or @special), the user in cron files, the job."""
    job = str(args["job"]).strip("\r\n")
    prefix = "#" if args.get("disabled") else ""
    user = f"{args['user']} " if args.get("cron_file") else ""
    if args.get("special_time"):
        return f"{prefix}@{args['special_time']} {user}{job}"
    times = " ".join(str(args.get(t) or "*") for t in TIMES)
    return f"{prefix}{times} {user}{job}"


class CronModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_CRON,)
    converged_in = "tests/integration/modules/test_sys_lab.py: crontabs of lab hosts"

    def check_args(self, args: dict, pos: Position | None) -> None:
        present = (args.get("state") or "present") == "present"
        if args.get("cron_file") == "/etc/crontab":
            raise ModuleArgumentError(
                "Will not manage /etc/crontab via cron_file, see documentation.", pos
            )
        if args.get("special_time") and any(str(args.get(t, "*")) != "*" for t in TIMES):
            raise ModuleArgumentError(
                "You cannot combine special_time with any of the time or day/date parameters.",
                pos,
            )
        if present:
            if args.get("cron_file") and not args.get("user"):
                raise ModuleArgumentError(
                    "To use cron_file=... parameter you must specify user=... as well", pos
                )
            if args.get("job") is None:
                raise ModuleArgumentError(
                    "You must specify 'job' to install a new cron job or variable", pos
                )
            if (args.get("insertafter") or args.get("insertbefore")) and not args.get("env"):
                raise ModuleArgumentError(
                    "Insertafter and insertbefore parameters are valid only with env=yes", pos
                )
        if args.get("env") and " " in str(args["name"]):
            raise ModuleArgumentError("Invalid name for environment variable", pos)
        if "\n" in str(args["name"]) or "\n" in str(args.get("job") or "").strip("\r\n"):
            raise ModuleArgumentError("name and job must be one line each", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        present = (args.get("state") or "present") == "present"
        cron_file = args.get("cron_file") or ""
        if cron_file and not posixpath.isabs(cron_file):
            cron_file = posixpath.join("/etc/cron.d", cron_file)
        if args.get("env"):
            job = f'{args["name"]}="{args["job"]}"' if present else ""
        else:
            job = job_line(args) if present else ""
        return EA_CRON.call(
            name=str(args["name"]),
            job=job,
            state="present" if present else "absent",
            flags=letters(e=args.get("env"), b=args.get("backup")),
            user=text(args.get("user")),
            cronfile=cron_file,
            insertafter=text(args.get("insertafter")),
            insertbefore=text(args.get("insertbefore")),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record, lists=("jobs", "envs"))
        if out.get("state") == "absent":  # a cron file's last job went with its file
            out.pop("jobs", None)
            out.pop("envs", None)
        if args.get("cron_file"):
            out["cron_file"] = args["cron_file"]
        return out


MODULE = CronModule()
