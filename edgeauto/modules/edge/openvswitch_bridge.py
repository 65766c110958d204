"""``openvswitch_bridge`` (openvswitch.openvswitch.openvswitch_bridge): an OVS bridge or fake
VLAN bridge, with fail_mode, external_ids, Ansible's raw ``set`` and two additions,
``datapath_type`` and ``other_config``.

Every setting is converged on an existing bridge too (Ansible applies ``set`` only when it
creates the bridge). A bridge created without ``datapath_type`` on a host whose kernel has no
openvswitch module gets ``netdev``: the kernel datapath cannot work there and ``add-br`` would
fail (edge boxes and containers often lack the module).
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
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
    name="openvswitch_bridge",
    short_description="Manage Open vSwitch bridges",
    description=(
        "Works like openvswitch.openvswitch.openvswitch_bridge through ovs-vsctl on the target "
        "(no Python). Additions: datapath_type (netdev chosen when creating a bridge on a host "
        "without the openvswitch kernel module), other_config, and set/fail_mode/external_ids "
        "converged on existing bridges. See docs/modules/ovs.md."
    ),
    aliases=collection_aliases("openvswitch_bridge"),
    oracle=None,  # openvswitch.openvswitch collection, not in ansible-core
    options={
        "bridge": Option(required=True, description="Name of the bridge or fake bridge."),
        "parent": Option(description="Parent bridge of the fake bridge to manage."),
        "vlan": Option(type="int", description="VLAN id of the fake bridge (0-4095)."),
        "state": Option(default="present", choices=("present", "absent")),
        "external_ids": Option(
            type="dict", description="external-ids to set (a key with a null value is removed)."
        ),
        "fail_mode": Option(description="secure or standalone (default: leave as it is)."),
        "set": Option(description="Raw 'TABLE RECORD COL[:KEY]=VALUE ...' of ovs-vsctl set."),
        "datapath_type": Option(
            description=(
                "edgeauto: netdev (userspace) or system (kernel). Default: leave as it is; a "
                "new bridge gets netdev when the kernel has no openvswitch module."
            )
        ),
        "other_config": Option(
            type="dict", description="edgeauto: other_config keys (null value = remove)."
        ),
        **COMMON_OVS_OPTIONS,
    },
    returns={"commands": "the ovs-vsctl command run (one transaction)", "datapath_type": "str"},
    examples=(
        "- openvswitch.openvswitch.openvswitch_bridge:\n"
        "    bridge: br-int\n    fail_mode: secure\n    datapath_type: netdev\n"
        "    external_ids: {bridge-id: br-int}\n"
    ),
)

EA_OVS_BRIDGE = ShellFunction(
    "ea_openvswitch_bridge",
    "openvswitch_bridge.sh",
    needs=("ovs.sh",),
    params="timeout socket bridge state parent create plan datapath",
    defaults={"timeout": "5", "state": "present"},
)

FAIL_MODES = ("secure", "standalone")


class OpenvswitchBridgeModule(OvsModule):
    spec = SPEC
    shell_functions = (EA_OVS_BRIDGE,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        word(args.get("bridge"), "bridge", pos)
        if args.get("parent") is not None:
            word(args["parent"], "parent", pos)
            if vlan_tag(args.get("vlan"), "vlan", pos) is None:
                raise ModuleArgumentError("parent is set: argument 'vlan' is required", pos)
            for name in ("datapath_type", "other_config", "fail_mode"):
                if args.get(name) is not None:
                    raise ModuleArgumentError(
                        f"argument '{name}' applies to a real bridge, not to the fake bridge "
                        f"{args['bridge']} (parent {args['parent']}): set it on the parent",
                        pos,
                    )
        elif args.get("vlan") is not None:
            raise ModuleArgumentError("argument 'vlan' needs 'parent' (a fake VLAN bridge)", pos)
        mode = args.get("fail_mode")
        if mode is not None and str(mode).strip() not in FAIL_MODES:
            raise ModuleArgumentError(
                f"argument 'fail_mode' must be one of {', '.join(FAIL_MODES)}, found {mode!r}", pos
            )
        datapath = args.get("datapath_type")
        if datapath is not None:
            word(datapath, "datapath_type", pos)
        if args.get("set") is not None:
            parse_set(args["set"], "set", pos)
        map_items(args.get("external_ids"), "external_ids", pos)
        map_items(args.get("other_config"), "other_config", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        br = args["bridge"]
        parent = args.get("parent")
        vlan = vlan_tag(args.get("vlan"), "vlan", ctx.pos)
        plan = Plan(line("add-br", br, *([parent, vlan or "0"] if parent else [])))
        if parent:
            plan.holds("Port", br, f"tag={vlan}", on_create=False)
        if args.get("datapath_type"):
            plan.holds("Bridge", br, f"datapath_type={args['datapath_type']}")
        if args.get("fail_mode"):
            plan.holds("Bridge", br, f"fail_mode={args['fail_mode'].strip()}")
        for key, value in map_items(args.get("external_ids"), "external_ids", ctx.pos):
            plan.bridge_external_id(br, key, value)
        for key, value in map_items(args.get("other_config"), "other_config", ctx.pos):
            if value is None:
                plan.gone("Bridge", br, "other_config", key)
            else:
                plan.holds("Bridge", br, f"other_config:{key}={quoted(value)}")
        raw = parse_set(args["set"], "set", ctx.pos) if args.get("set") else None
        if raw:
            plan.holds(raw[0], raw[1], *raw[2])
        user_dp = args.get("datapath_type") or (
            raw and any(a.startswith("datapath_type=") for a in raw[2])
        )
        return EA_OVS_BRIDGE.call(
            **self.connection(args),
            bridge=br,
            state=args.get("state") or "present",
            parent=parent or "",
            **plan.params(),
            datapath="" if (parent or user_dp) else "auto",
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = super().finish(record, args, ctx)
        auto = out.pop("datapath_auto", None)
        if "datapath_type" in out:
            out["datapath_type"] = out["datapath_type"].strip('"')
        elif auto:
            out["datapath_type"] = auto
        return out


MODULE = OpenvswitchBridgeModule()
