"""``group``: ensure a group exists with a given gid, or is absent (ansible.builtin.group).

Uses shadow's groupadd/groupmod/groupdel, else BusyBox addgroup/delgroup, else edits
/etc/group and /etc/gshadow directly (locked, atomic replace): the busybox lab host has no
account applets at all, and ``local: true`` always edits the files (Ansible uses libuser's
lgroupadd there; the effect on the local files is the same).
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag, text
from edgeauto.modules.core._users import account_name, int_field
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="group",
    short_description="Add or remove groups",
    description=(
        "Works like ansible.builtin.group: groupadd/groupmod/groupdel, BusyBox addgroup/"
        "delgroup, or locked atomic edits of /etc/group and /etc/gshadow when neither exists."
    ),
    options={
        "name": Option(required=True, description="Name of the group."),
        "state": Option(
            default="present", choices=("absent", "present"), description="Present or absent."
        ),
        "gid": Option(type="int", description="The group's gid."),
        "gid_min": Option(type="int", description="Lowest gid a new group may get."),
        "gid_max": Option(type="int", description="Highest gid a new group may get."),
        "system": Option(type="bool", default=False, description="Create a system group."),
        "local": Option(
            type="bool",
            default=False,
            description="Only the local /etc files (edited directly; NSS is not consulted).",
        ),
        "non_unique": Option(
            type="bool", default=False, description="Allow a gid another group has (with gid)."
        ),
        "force": Option(
            type="bool",
            default=False,
            description="Delete the group even if it is the primary group of a user.",
        ),
    },
    required_if=(("non_unique", True, ("gid",)),),
    returns={
        "gid": "The group's gid (when it exists afterwards).",
        "name": "The group name.",
        "state": "present or absent.",
        "system": "Whether the group is a system group (when it exists).",
    },
    examples="- group:\n    name: deploy\n    gid: 1500\n",
)

EA_GROUP = ShellFunction(
    "ea_group",
    "group.sh",
    needs=("fileattrs.sh", "accounts.sh"),
    params="name state gid system local non_unique force gid_min gid_max",
    defaults={"state": "present", "system": "0", "local": "0", "non_unique": "0", "force": "0"},
)


class GroupModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_GROUP,)
    invalidates = None
    converged_in = "tests/integration/modules/test_users_lab.py: changes /etc/group (root, lab)"

    def check_args(self, args: dict, pos: Position | None) -> None:
        account_name(args["name"], "name", pos)
        if args.get("force") and args.get("local"):
            raise ModuleArgumentError(
                "force is not a valid option for local, force=True and local=True are "
                "mutually exclusive",
                pos,
            )
        if args.get("local") and (
            args.get("gid_min") is not None or args.get("gid_max") is not None
        ):
            raise ModuleArgumentError("'gid_min' and 'gid_max' can not be used with 'local'", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_GROUP.call(
            name=str(args["name"]),
            state=args.get("state") or "present",
            gid=text(args.get("gid")),
            system=flag(args.get("system")),
            local=flag(args.get("local")),
            non_unique=flag(args.get("non_unique")),
            force=flag(args.get("force")),
            gid_min=text(args.get("gid_min")),
            gid_max=text(args.get("gid_max")),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        out["name"] = str(args["name"])
        out["state"] = args.get("state") or "present"
        if "gid" in out:
            int_field(out, "gid")
            out["system"] = bool(args.get("system"))
        if "rc" in out and not out.get("failed"):
            out.pop("rc")
        return out


MODULE = GroupModule()
