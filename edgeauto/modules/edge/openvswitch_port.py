"""``openvswitch_port`` (openvswitch.openvswitch.openvswitch_port): a port on an OVS bridge with
its VLAN tag, external_ids and Ansible's raw ``set`` strings, plus edgeauto's conveniences
``trunks``, ``type`` and ``options`` (the interface of the same name), which compile to the
same ``set`` forms Ansible users write (``Interface vx0 type=vxlan options:remote_ip=…``).

Every setting is converged on an existing port too (Ansible applies ``set`` only when it
creates the port, and cannot change the tag back once set).
"""

from __future__ import annotations

from edgeauto.errors import Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.edge._ovs import (
    COMMON_OVS_OPTIONS,
    OvsModule,
    Plan,
    collection_aliases,
    line,
    map_items,
    parse_set,
    quoted,
    vlan_tag,
    word,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="openvswitch_port",
    short_description="Manage Open vSwitch ports",
    description=(
        "Works like openvswitch.openvswitch.openvswitch_port through ovs-vsctl on the target "
        "(no Python). Additions: trunks, type and options (of the interface named like the "
        "port), and tag/set/external_ids converged on existing ports. See docs/modules/ovs.md."
    ),
    aliases=collection_aliases("openvswitch_port"),
    oracle=None,  # openvswitch.openvswitch collection, not in ansible-core
    options={
        "bridge": Option(required=True, description="Name of the bridge."),
        "port": Option(required=True, description="Name of the port on the bridge."),
        "tag": Option(description="VLAN tag of an access port (0-4095)."),
        "state": Option(default="present", choices=("present", "absent")),
        "external_ids": Option(
            type="dict",
            default={},
            description="external_ids of the port (a key with a null value is removed).",
        ),
        "set": Option(
            type="list",
            elements="str",
            description="Raw 'TABLE RECORD COL[:KEY]=VALUE ...' strings of ovs-vsctl set.",
        ),
        "trunks": Option(
            type="list",
            elements="int",
            description="edgeauto: VLANs a trunk port carries ([] = all, as OVS says).",
        ),
        "type": Option(
            description="edgeauto: interface type (internal, patch, vxlan, gre, geneve, system…)."
        ),
        "options": Option(
            type="dict",
            description="edgeauto: interface options (peer, remote_ip, key…; null = remove).",
        ),
        **COMMON_OVS_OPTIONS,
    },
    returns={"commands": "the ovs-vsctl command run (one transaction)"},
    examples=(
        "- openvswitch.openvswitch.openvswitch_port:\n"
        "    bridge: br0\n    port: vx0\n"
        "    set: ['Interface vx0 type=vxlan options:remote_ip=192.0.2.10']\n"
        "- openvswitch_port: {bridge: br0, port: vx1, type: vxlan, options: {remote_ip: 192.0.2.11}}\n"
    ),
)

EA_OVS_PORT = ShellFunction(
    "ea_openvswitch_port",
    "openvswitch_port.sh",
    needs=("ovs.sh",),
    params="timeout socket bridge port state create plan",
    defaults={"timeout": "5", "state": "present"},
)


def _vlans(values, pos: Position | None) -> list[str]:
    return [vlan_tag(v, "trunks", pos) or "0" for v in values]


class OpenvswitchPortModule(OvsModule):
    spec = SPEC
    shell_functions = (EA_OVS_PORT,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        word(args.get("bridge"), "bridge", pos)
        word(args.get("port"), "port", pos)
        vlan_tag(args.get("tag"), "tag", pos)
        _vlans(args.get("trunks") or [], pos)
        if args.get("type") is not None:
            word(args["type"], "type", pos)
        for text in args.get("set") or []:
            parse_set(text, "set", pos)
        map_items(args.get("external_ids"), "external_ids", pos)
        map_items(args.get("options"), "options", pos)

    def wishes(self, args: dict, pos: Position | None) -> list[tuple[str, str, list[str]]]:
        """(table, record, assignments) that must hold, in the order they are applied."""
        port = args["port"]
        out: list[tuple[str, str, list[str]]] = []
        tag = vlan_tag(args.get("tag"), "tag", pos)
        if tag is not None:
            out.append(("Port", port, [f"tag={tag}"]))
        if args.get("trunks") is not None:
            out.append(("Port", port, [f"trunks=[{','.join(_vlans(args['trunks'], pos))}]"]))
        iface = []
        if args.get("type"):
            iface.append(f"type={args['type']}")
        iface += [
            f"options:{k}={quoted(v)}"
            for k, v in map_items(args.get("options"), "options", pos)
            if v is not None
        ]
        if iface:
            out.append(("Interface", port, iface))
        for key, value in map_items(args.get("external_ids"), "external_ids", pos):
            if value is not None:
                out.append(("Port", port, [f"external_ids:{key}={quoted(value)}"]))
        for text in args.get("set") or []:
            raw = parse_set(text, "set", pos)
            if raw:
                out.append(raw)
        return out

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        port = args["port"]
        plan = Plan(line("add-port", args["bridge"], port))
        for table, record, assignments in self.wishes(args, ctx.pos):
            plan.holds(table, record, *assignments)
        for table, column in (("Port", "external_ids"), ("Interface", "options")):
            for key, value in map_items(args.get(column), column, ctx.pos):
                if value is None:
                    plan.gone(table, port, column, key)
        return EA_OVS_PORT.call(
            **self.connection(args),
            bridge=args["bridge"],
            port=port,
            state=args.get("state") or "present",
            **plan.params(),
        )


MODULE = OpenvswitchPortModule()
