"""``mount`` (ansible.posix.mount): an fstab entry and the live mount of one mount point.

The fstab is edited with ansible.posix's line rules (fields escaped ``\\040``, a 4- or 5-field
entry rewritten in full, swap entries told apart by their source) and written atomically; the
live state comes from /proc/self/mountinfo. Mounts are made with explicit ``-t``/``-o``
arguments (no ``-T``), so BusyBox mount works too. A failed mount restores the old fstab and
removes the directories it created; a container that refuses mount(2) is named as the reason.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._sys import letters, sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

STATES = (
    "absent", "absent_from_fstab", "absent_mount", "mounted", "present", "unmounted",
    "remounted", "ephemeral",
)  # fmt: skip

SPEC = ModuleSpec(
    name="mount",
    short_description="Control active and configured mount points",
    description="Works like ansible.posix.mount on Linux (util-linux or BusyBox mount).",
    aliases=("ansible.posix.mount",),
    oracle=None,  # ansible.posix collection, not in ansible-core
    options={
        "path": Option(type="path", required=True, aliases=("name",), description="Mount point."),
        "src": Option(type="path", description="Device (or NFS volume...) to mount."),
        "fstype": Option(description="Filesystem type."),
        "opts": Option(description="Mount options (fstab(5))."),
        "opts_no_log": Option(type="bool", default=False, description="Do not log opts."),
        "dump": Option(default="0"),
        "passno": Option(default="0"),
        "state": Option(required=True, choices=STATES),
        "fstab": Option(description="File to use instead of /etc/fstab."),
        "boot": Option(type="bool", default=True, description="false adds noauto."),
        "backup": Option(type="bool", default=False, description="Copy the fstab first."),
    },
    required_if=(
        ("state", "mounted", ("src", "fstype")),
        ("state", "present", ("src", "fstype")),
        ("state", "ephemeral", ("src", "fstype")),
    ),
    supports_diff=True,
    returns={k: f"The {k} used." for k in ("name", "src", "fstype", "opts", "dump", "passno")}
    | {"fstab": "The fstab file.", "boot": "yes/no", "backup_file": "Backup ('' if none)."},
    examples=(
        "- ansible.posix.mount:\n    path: /mnt/data\n    src: tmpfs\n    fstype: tmpfs\n"
        "    opts: size=16m\n    state: mounted\n"
    ),
)

EA_MOUNT = ShellFunction(
    "ea_mount",
    "mount.sh",
    needs=("fileattrs.sh",),
    params="path src fstype opts dump passno state fstab flags epath esrc efstype eopts",
    defaults={"fstab": "/etc/fstab", "flags": "-", "opts": "defaults"},
)


def fstab_escape(value: str) -> str:
    """fstab(5) field escapes, as ansible.posix writes them."""
    return value.replace("\\", "\\134").replace(" ", "\\040").replace("&", "\\046")


class MountModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_MOUNT,)
    converged_in = "tests/integration/modules/test_sys_lab.py: mounts on lab hosts"

    def check_args(self, args: dict, pos: Position | None) -> None:
        for key in ("path", "src", "fstype", "opts", "dump", "passno", "fstab"):
            if any(c in str(args.get(key) or "") for c in "\n\t"):
                raise ModuleArgumentError(f"argument '{key}': no tabs or newlines", pos)

    def _fields(self, args: dict) -> dict:
        opts = args.get("opts") or "defaults"
        boot = "yes"
        if not args.get("boot", True) and "noauto" not in opts.split(","):
            boot = "no"
            opts = opts + ",noauto"
        elif not args.get("boot", True):
            boot = "no"
        return {
            "name": str(args["path"]),
            "src": args.get("src"),
            "fstype": args.get("fstype"),
            "opts": opts,
            "dump": str(args.get("dump") if args.get("dump") is not None else "0"),
            "passno": str(args.get("passno") if args.get("passno") is not None else "0"),
            "fstab": args.get("fstab") or "/etc/fstab",
            "boot": boot,
        }

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        f = self._fields(args)
        src, fstype = f["src"] or "", f["fstype"] or ""
        return EA_MOUNT.call(
            path=f["name"],
            src=src,
            fstype=fstype,
            opts=f["opts"],
            dump=f["dump"],
            passno=f["passno"],
            state=args["state"],
            fstab=f["fstab"],
            flags=letters(b=args.get("backup"), o=args.get("opts") is not None),
            epath=fstab_escape(f["name"]),
            esrc=fstab_escape(src),
            efstype=fstab_escape(fstype),
            eopts=fstab_escape(f["opts"]),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        backup = out.pop("backup_file", "")
        if out.get("failed"):
            return out
        fields = self._fields(args)
        for key in ("src", "fstype"):
            if fields[key] is None:
                del fields[key]
        out.update(fields)
        out["backup_file"] = backup
        if args.get("opts_no_log") and args.get("opts"):
            out["opts"] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"  # as Ansible masks it
        return out


MODULE = MountModule()
