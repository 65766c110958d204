"""``pam_limits`` (community.general.pam_limits): one limit line of limits.conf.

community.general's matching (domain, type and item of a 4-field line), ``use_max``/``use_min``
and value checks, in awk on the target; other lines are kept as they are; the file is written
atomically and only when it changes.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._sys import letters, sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

ITEMS = (
    "core", "data", "fsize", "memlock", "nofile", "rss", "stack", "cpu", "nproc", "as",
    "maxlogins", "maxsyslogins", "priority", "locks", "sigpending", "msgqueue", "nice",
    "rtprio", "chroot",
)  # fmt: skip

SPEC = ModuleSpec(
    name="pam_limits",
    short_description="Modify Linux PAM limits",
    description="Works like community.general.pam_limits (limits.conf(5)).",
    aliases=("community.general.pam_limits", "community.general.system.pam_limits"),
    oracle=None,  # community.general collection, not in ansible-core
    options={
        "domain": Option(required=True, description="User, @group, wildcard or UID/GID range."),
        "limit_type": Option(required=True, choices=("hard", "soft", "-")),
        "limit_item": Option(required=True, choices=ITEMS),
        "value": Option(required=True, description="unlimited/infinity/-1 or a number."),
        "use_max": Option(type="bool", default=False, description="Keep the larger value."),
        "use_min": Option(type="bool", default=False, description="Keep the smaller value."),
        "backup": Option(type="bool", default=False, description="Timestamped copy first."),
        "dest": Option(default="/etc/security/limits.conf", description="The limits file."),
        "comment": Option(default="", description="Comment on the written line."),
        "create": Option(type="bool", default=True, description="Create dest if missing."),
    },
    mutually_exclusive=(("use_max", "use_min"),),
    supports_diff=True,
    returns={"msg": "The line as it is now.", "backup_file": "Backup path (backup=true)."},
    examples=(
        "- community.general.pam_limits:\n    domain: joe\n    limit_type: soft\n"
        "    limit_item: nofile\n    value: 64000\n"
    ),
)

EA_PAM_LIMITS = ShellFunction(
    "ea_pam_limits",
    "pam_limits.sh",
    needs=("fileattrs.sh",),
    params="domain type item value flags dest comment",
    defaults={"flags": "c", "dest": "/etc/security/limits.conf"},
)


def check_value(item: str, value: str) -> str | None:
    """community.general's value rule; the message when ``value`` is invalid."""
    if item in ("nice", "priority"):
        try:
            if -20 <= int(value) <= 19:
                return None
        except ValueError:
            pass
        return (
            f"Value of {value!r} for item {item!r} is invalid. Value must be a number in the "
            "range -20 to 19 inclusive. Refer to the limits.conf(5) manual pages for more details."
        )
    if value in ("unlimited", "infinity", "-1") or value.isdigit():
        return None
    return (
        f"Value of {value!r} for item {item!r} is invalid. Value must either be 'unlimited', "
        "'infinity' or -1, all of which indicate no limit, or a limit of 0 or larger. Refer to "
        "the limits.conf(5) manual pages for more details."
    )


class PamLimitsModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_PAM_LIMITS,)
    converged_in = "tests/integration/modules/test_sys_lab.py: changes /etc on a lab host"

    def check_args(self, args: dict, pos: Position | None) -> None:
        if args.get("use_max") and args.get("use_min"):
            raise ModuleArgumentError("Cannot use use_min and use_max at the same time.", pos)
        problem = check_value(str(args.get("limit_item")), str(args.get("value")))
        if problem:
            raise ModuleArgumentError(problem, pos)
        for key in ("domain", "comment"):
            if any(c in str(args.get(key) or "") for c in "\n\t"):
                raise ModuleArgumentError(f"argument '{key}': no tabs or newlines", pos)
        if not str(args.get("domain") or "").strip() or " " in str(args["domain"]):
            raise ModuleArgumentError("argument 'domain': one word (user, @group, *)", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_PAM_LIMITS.call(
            domain=str(args["domain"]),
            type=str(args["limit_type"]),
            item=str(args["limit_item"]),
            value=str(args["value"]),
            flags=letters(
                x=args.get("use_max"),
                n=args.get("use_min"),
                b=args.get("backup"),
                c=args.get("create", True),
            ),
            dest=str(args.get("dest") or "/etc/security/limits.conf"),
            comment=str(args.get("comment") or ""),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return sys_result(record)


MODULE = PamLimitsModule()
