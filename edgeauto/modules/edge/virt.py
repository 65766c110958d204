"""``virt`` (community.libvirt.virt): a libvirt domain driven with ``virsh`` on the target.

No Python and no libvirt-python on the target: the shell side (remote/virt.sh) runs virsh.
The XML is checked here (well-formed, a <domain> with a <name>) so a broken template fails
with file:line before anything runs; whether an existing domain must be re-defined is decided
on the target without defining anything, so check mode predicts the real run (see
edgeauto/modules/edge/_libvirt.py for how).
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, ShellCall, standard_result
from edgeauto.modules.core._sys import letters
from edgeauto.modules.edge._libvirt import (
    AUTOSTART_OPTION,
    URI_OPTION,
    XML_OPTION,
    DesiredXML,
    LibvirtModule,
    lines,
    require_name,
    table,
    tristate,
    xml_call_args,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

VM_COMMANDS = (
    "create",
    "define",
    "destroy",
    "get_xml",
    "pause",
    "shutdown",
    "status",
    "start",
    "stop",
    "undefine",
    "unpause",
    "uuid",
)
HOST_COMMANDS = ("freemem", "info", "list_vms", "nodeinfo", "virttype")
UNDEFINE_FLAGS = {
    "managed_save": "--managed-save",
    "snapshots_metadata": "--snapshots-metadata",
    "nvram": "--nvram",
    "keep_nvram": "--keep-nvram",
    "checkpoints_metadata": "--checkpoints-metadata",
    "delete_volumes": "--remove-all-storage",
}
MUTATE_FLAGS = ("ADD_UUID", "ADD_MAC_ADDRESSES", "ADD_MAC_ADDRESSES_FUZZY")

SPEC = ModuleSpec(
    name="virt",
    short_description="Manages virtual machines supported by libvirt",
    description=(
        "Works like community.libvirt.virt, with virsh on the target instead of "
        "libvirt-python. A domain is re-defined only when its definition differs "
        "(docs/modules/libvirt.md says how that is decided); state and the commands that "
        "change something are idempotent."
    ),
    aliases=("community.libvirt.virt",),
    oracle=None,  # community.libvirt collection, not in ansible-core
    options={
        "name": Option(aliases=("guest",), description="The domain (from the XML on define)."),
        "state": Option(choices=("destroyed", "paused", "running", "shutdown")),
        "command": Option(choices=tuple(sorted(VM_COMMANDS + HOST_COMMANDS))),
        "autostart": AUTOSTART_OPTION,
        "uri": URI_OPTION,
        "xml": XML_OPTION,
        "force": Option(type="bool", description="undefine: destroy a running domain first."),
        "flags": Option(
            type="list",
            elements="str",
            choices=tuple(UNDEFINE_FLAGS),
            description="undefine: what else to remove (nvram, managed_save, ...).",
        ),
        "mutate_flags": Option(
            type="list",
            elements="str",
            default=["ADD_UUID"],
            choices=MUTATE_FLAGS,
            description="ADD_UUID keeps an existing domain's uuid when the XML has none.",
        ),
    },
    supports_diff=True,
    examples=(
        "- community.libvirt.virt:\n"
        "    command: define\n"
        "    xml: \"{{ lookup('template', 'vm.xml.j2') }}\"\n"
        "    autostart: true\n"
        "- community.libvirt.virt:\n"
        "    name: vm1\n"
        "    state: running\n"
    ),
)

EA_VIRT = ShellFunction(
    "ea_virt",
    "virt.sh",
    needs=("fileattrs.sh", "libvirt.sh"),
    params="uri name command state autostart xml leaves hash key flags undefine",
    defaults={"uri": "qemu:///system", "flags": "-"},
)

INFO_KEYS = ("state", "maxMem", "memory", "nrVirtCpu", "cpuTime", "autostart")
NODEINFO_KEYS = {
    "CPU model": "cpumodel",
    "Memory size": "phymemory",
    "CPU(s)": "cpus",
    "CPU frequency": "cpumhz",
    "NUMA cell(s)": "numanodes",
    "CPU socket(s)": "sockets",
    "Core(s) per socket": "cpucores",
    "Thread(s) per core": "cputhreads",
}


class VirtModule(LibvirtModule):
    spec = SPEC
    shell_functions = (EA_VIRT,)

    def desired(self, args: dict, pos: Position | None) -> DesiredXML | None:
        if not args.get("xml"):
            return None
        return DesiredXML(str(args["xml"]), "domain", pos)

    def check_args(self, args: dict, pos: Position | None) -> None:
        command, state = args.get("command"), args.get("state")
        if state and command and command != "list_vms":
            raise ModuleArgumentError(
                "parameters are mutually exclusive: state|command (except command=list_vms)",
                pos,
            )
        if not (state or command or args.get("autostart") is not None or args.get("xml")):
            raise ModuleArgumentError("expected state or command parameter to be specified", pos)
        if command == "define" and not args.get("xml"):
            raise ModuleArgumentError("command define requires the xml argument", pos)
        unsupported = set(args.get("mutate_flags") or ()) - {"ADD_UUID"}
        if unsupported:
            raise ModuleArgumentError(
                f"argument 'mutate_flags': {', '.join(sorted(unsupported))} is not supported "
                "by the native virt module (give the MAC addresses in the XML)",
                pos,
            )
        desired = self.desired(args, pos)
        if command not in HOST_COMMANDS and desired is None:
            require_name(args, command, pos, "domain")

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        command = args.get("command") or ""
        uri = str(args.get("uri") or "qemu:///system")
        desired = self.desired(args, ctx.pos)
        name = desired.name if desired else str(args.get("name") or "").strip()
        xml = xml_call_args(desired, uri, "dom", name)
        add_uuid = "ADD_UUID" in (args.get("mutate_flags") or ())
        return EA_VIRT.call(
            uri=uri,
            name=name if command not in HOST_COMMANDS else "",
            command=command,
            state=args.get("state") or "",
            autostart=tristate(args.get("autostart")),
            flags=letters(
                u=bool(desired and (desired.has_uuid or not add_uuid)), f=args.get("force")
            ),
            undefine=" ".join(UNDEFINE_FLAGS[f] for f in args.get("flags") or ()),
            payloads=xml["payloads"],
            **xml["args"],
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        desired = self.desired(args, None) if args.get("xml") else None
        name = str(args.get("name") or "").strip()
        if desired and name and name != desired.name:
            out.setdefault("warnings", []).append("'xml' is given - ignoring 'name'")
        if "list_vms" in out:
            out["list_vms"] = lines(out["list_vms"])
        if "info" in out:
            out["info"] = {
                vm: {
                    **row,
                    "nrVirtCpu": int(row.get("nrVirtCpu") or 0),
                    "autostart": int(row.get("autostart") or 0),
                }
                for vm, row in table(out["info"], INFO_KEYS).items()
            }
        if "nodeinfo" in out:
            out["nodeinfo"] = nodeinfo(out["nodeinfo"])
        if "freemem" in out and str(out["freemem"]).isdigit():
            out["freemem"] = int(out["freemem"])
        return out


def nodeinfo(text: str) -> dict[str, str]:
    """``virsh nodeinfo`` → community.libvirt's nodeinfo keys (memory in KiB, as a string)."""
    out: dict[str, str] = {}
    for line in lines(text):
        key, _, value = line.partition(":")
        if key.strip() in NODEINFO_KEYS:
            out[NODEINFO_KEYS[key.strip()]] = value.strip().split(" ")[0]
    return out


MODULE = VirtModule()
