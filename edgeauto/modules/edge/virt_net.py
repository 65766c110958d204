"""``virt_net`` (community.libvirt.virt_net): a libvirt network driven with ``virsh`` on the
target (remote/virt_net.sh). Defined from XML only when the definition differs (see
edgeauto/modules/edge/_libvirt.py), so check mode predicts the real run; state changes are
idempotent."""

from __future__ import annotations

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
    "create",
    "start",
    "stop",
    "destroy",
    "undefine",
    "get_xml",
    "list_nets",
    "facts",
    "info",
    "status",
    "modify",
)

SPEC = ModuleSpec(
    name="virt_net",
    short_description="Manage libvirt network configuration",
    description=(
        "Works like community.libvirt.virt_net, with virsh on the target instead of "
        "libvirt-python. Not native: command facts (use info) and modify."
    ),
    aliases=("community.libvirt.virt_net",),
    oracle=None,  # community.libvirt collection, not in ansible-core
    options={
        "name": Option(aliases=("network",), description="The network (or from the XML)."),
        "state": Option(choices=("active", "inactive", "present", "absent")),
        "command": Option(choices=COMMANDS),
        "autostart": AUTOSTART_OPTION,
        "uri": URI_OPTION,
        "xml": XML_OPTION,
    },
    supports_diff=True,
    examples=(
        "- community.libvirt.virt_net:\n"
        "    name: lab\n"
        "    command: define\n"
        "    xml: \"{{ lookup('template', 'net.xml.j2') }}\"\n"
        "- community.libvirt.virt_net:\n"
        "    name: lab\n"
        "    state: active\n"
        "    autostart: true\n"
    ),
)

EA_VIRT_NET = ShellFunction(
    "ea_virt_net",
    "virt_net.sh",
    needs=("fileattrs.sh", "libvirt.sh"),
    params="uri name command state autostart xml leaves hash key flags",
    defaults={"uri": "qemu:///system", "flags": "-"},
)


class VirtNetModule(LibvirtObjectModule):
    spec = SPEC
    shell_functions = (EA_VIRT_NET,)
    kind = "net"
    root_tag = "network"
    word = "network"
    host_commands = ("list_nets", "info")
    list_field = "list_nets"
    table_fields = {"networks": ("autostart", "persistent", "state", "bridge", "uuid")}
    refused = {
        "facts": "not supported by the native virt_net module: use command info and register",
        "modify": "not supported by the native virt_net module: define the whole network XML",
    }


MODULE = VirtNetModule()
