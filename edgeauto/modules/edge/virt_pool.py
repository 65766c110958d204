"""``virt_pool`` (community.libvirt.virt_pool): a libvirt storage pool driven with ``virsh``
on the target (remote/virt_pool.sh). Defined from XML only when the definition differs (see
edgeauto/modules/edge/_libvirt.py), so check mode predicts the real run; build, start, stop,
delete and undefine are idempotent."""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.edge._libvirt import (
    AUTOSTART_OPTION,
    URI_OPTION,
    XML_OPTION,
    LibvirtObjectModule,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

COMMANDS = (
    "define",
    "build",
    "create",
    "start",
    "stop",
    "destroy",
    "delete",
    "undefine",
    "get_xml",
    "list_pools",
    "facts",
    "info",
    "status",
    "refresh",
)
MODES = ("new", "repair", "resize", "no_overwrite", "overwrite", "normal", "zeroed")
BUILD_MODES = {"new": "", "no_overwrite": "--no-overwrite", "overwrite": "--overwrite"}

SPEC = ModuleSpec(
    name="virt_pool",
    short_description="Manage libvirt storage pools",
    description=(
        "Works like community.libvirt.virt_pool, with virsh on the target instead of "
        "libvirt-python. Not native: command facts (use info), build modes repair/resize and "
        "delete mode zeroed (virsh has no such option)."
    ),
    aliases=("community.libvirt.virt_pool",),
    oracle=None,  # community.libvirt collection, not in ansible-core
    options={
        "name": Option(aliases=("pool",), description="The pool (or from the XML)."),
        "state": Option(
            choices=("active", "inactive", "present", "absent", "undefined", "deleted")
        ),
        "command": Option(choices=COMMANDS),
        "autostart": AUTOSTART_OPTION,
        "uri": URI_OPTION,
        "xml": XML_OPTION,
        "mode": Option(choices=MODES, description="build: new/no_overwrite/overwrite."),
    },
    supports_diff=True,
    examples=(
        "- community.libvirt.virt_pool:\n"
        "    command: define\n"
        "    name: images\n"
        "    xml: \"{{ lookup('template', 'pool.xml.j2') }}\"\n"
        "- community.libvirt.virt_pool:\n"
        "    command: build\n"
        "    name: images\n"
        "- community.libvirt.virt_pool:\n"
        "    name: images\n"
        "    state: active\n"
        "    autostart: true\n"
    ),
)

EA_VIRT_POOL = ShellFunction(
    "ea_virt_pool",
    "virt_pool.sh",
    needs=("fileattrs.sh", "libvirt.sh"),
    params="uri name command state autostart xml leaves hash key flags mode",
    defaults={"uri": "qemu:///system", "flags": "-"},
)

POOL_COLUMNS = (
    "autostart",
    "persistent",
    "state",
    "type",
    "path",
    "uuid",
    "size_total",
    "size_used",
    "size_available",
    "volume_count",
)


class VirtPoolModule(LibvirtObjectModule):
    spec = SPEC
    shell_functions = (EA_VIRT_POOL,)
    kind = "pool"
    root_tag = "pool"
    word = "storage pool"
    host_commands = ("list_pools", "info")
    list_field = "list_pools"
    table_fields = {"pools": POOL_COLUMNS}
    refused = {"facts": "not supported by the native virt_pool module: use command info"}

    def check_args(self, args: dict, pos: Position | None) -> None:
        super().check_args(args, pos)
        mode = args.get("mode")
        if mode and (args.get("command") == "build" and mode not in BUILD_MODES):
            raise ModuleArgumentError(
                f"argument 'mode': build mode {mode} is not supported by virsh "
                f"(expected one of {', '.join(BUILD_MODES)})",
                pos,
            )
        deleting = args.get("command") == "delete" or args.get("state") == "deleted"
        if mode == "zeroed" and deleting:
            raise ModuleArgumentError(
                "argument 'mode': zeroed delete is not supported by virsh (use normal)", pos
            )

    def extra_args(self, args: dict, pos: Position | None) -> dict[str, str]:
        mode = args.get("mode") or ""
        return {"mode": BUILD_MODES.get(mode, "") if args.get("command") == "build" else ""}

    def finish(self, record: dict, args: dict, ctx) -> dict:
        out = super().finish(record, args, ctx)
        for row in (out.get("pools") or {}).values():
            if str(row.get("volume_count", "")).isdigit():
                row["volume_count"] = int(row["volume_count"])
        return out


MODULE = VirtPoolModule()
