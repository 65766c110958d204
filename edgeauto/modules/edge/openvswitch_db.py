"""``openvswitch_db`` (openvswitch.openvswitch.openvswitch_db): one column, or one key of a map
column, of one OVSDB record: set (present), removed (absent) or read.

Values are compared by ``ovs-vsctl find`` with the column's own type (``tag: 10`` equals
``10``, ``trunks: 20,10`` equals ``[10, 20]``), where Ansible compares the printed strings.
``state: read`` reports ``changed: false`` (Ansible reports true because it ran a command).
"""

from __future__ import annotations

import json

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.edge._ovs import (
    COMMON_OVS_OPTIONS,
    OvsModule,
    collection_aliases,
    word,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="openvswitch_db",
    short_description="Configure open vswitch database",
    description=(
        "Works like openvswitch.openvswitch.openvswitch_db through ovs-vsctl on the target (no "
        "Python). state=read returns output and value with changed=false. See "
        "docs/modules/ovs.md."
    ),
    aliases=collection_aliases("openvswitch_db"),
    oracle=None,  # openvswitch.openvswitch collection, not in ansible-core
    options={
        "state": Option(default="present", choices=("present", "absent", "read")),
        "table": Option(required=True, description="The table (Bridge, Port, Open_vSwitch…)."),
        "record": Option(required=True, description="The record (a name, a UUID or '.')."),
        "col": Option(required=True, description="The column."),
        "key": Option(description="The key, when the column is a map."),
        "value": Option(description="The wanted value (OVSDB syntax, as ovs-vsctl set takes)."),
        **COMMON_OVS_OPTIONS,
    },
    supports_diff=True,
    returns={
        "commands": "the ovs-vsctl command run",
        "output": "state=read: {key or col: value}",
    },
    examples=(
        "- openvswitch.openvswitch.openvswitch_db:\n"
        "    table: open_vswitch\n    record: .\n    col: other_config\n"
        "    key: max-idle\n    value: 50000\n"
    ),
)

EA_OVS_DB = ShellFunction(
    "ea_openvswitch_db",
    "openvswitch_db.sh",
    needs=("ovs.sh",),
    params="timeout socket state table record col key value",
    defaults={"timeout": "5", "state": "present"},
)


def db_value(value) -> str:
    """Ansible's value normalisation: YAML booleans become OVSDB's true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = "" if value is None else str(value)
    return text.lower() if text in ("True", "False") else text


def unquote(token: str) -> str:
    """An OVSDB string atom as ovs-vsctl prints it: bare, or a quoted string with escapes."""
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == '"':
        try:
            return json.loads(token)
        except ValueError:
            return token[1:-1]
    return token


def parse_map(text: str) -> dict[str, str]:
    """``{a="x", b=1}`` as ovs-vsctl prints a map, to a dict of strings (quotes removed)."""
    inner = text.strip()[1:-1]
    out: dict[str, str] = {}
    key, buf, quote, escape = None, "", False, False
    for ch in inner + ",":
        if escape:
            buf, escape = buf + ch, False
        elif ch == "\\" and quote:
            buf, escape = buf + ch, True
        elif ch == '"':
            quote = not quote
            buf += ch
        elif ch == "=" and not quote and key is None:
            key, buf = unquote(buf), ""
        elif ch == "," and not quote:
            if key is not None:
                out[key] = unquote(buf)
            key, buf = None, ""
        else:
            buf += ch
    return out


class OpenvswitchDbModule(OvsModule):
    spec = SPEC
    shell_functions = (EA_OVS_DB,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        for name in ("table", "record", "col"):
            word(args.get(name), name, pos)
        if args.get("key") is not None:
            word(args["key"], "key", pos)
        value = db_value(args.get("value"))
        word(value, "value", pos, empty=True)
        if args.get("state", "present") == "present" and not value:
            raise ModuleArgumentError("missing required argument value for state: present", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_OVS_DB.call(
            **self.connection(args),
            state=args.get("state") or "present",
            table=args["table"],
            record=args["record"],
            col=args["col"],
            key=args.get("key") or "",
            value=db_value(args.get("value")),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = super().finish(record, args, ctx)
        if out.get("failed"):
            out.pop("value", None)
            return out
        value = out.get("value", "")
        if args.get("state") == "read":
            name = args.get("key") or args["col"]
            text = value.strip()
            if text.startswith("{") and not args.get("key"):
                out["output"] = parse_map(text)
            else:
                out["output"] = {name: unquote(text)}
        return out


MODULE = OpenvswitchDbModule()
