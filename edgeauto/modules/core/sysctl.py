"""``sysctl`` (ansible.posix.sysctl): a kernel parameter in a sysctl file, optionally live.

The file is converged atomically with ansible.posix's rewrite rules (lines stripped, the key's
first occurrence replaced, duplicates dropped). ``sysctl_set`` sets the live value with
``sysctl -w`` and ``reload`` runs ``sysctl -p FILE`` after a change; a host whose /proc/sys is
read-only (a container) fails those with a message saying so, and ``reload: false`` with
``sysctl_set: false`` manages the file alone.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._common import COMMON_FILE_OPTIONS, mode_arg, owner_group
from edgeauto.modules.core._sys import letters, sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="sysctl",
    short_description="Manage entries in sysctl.conf",
    description=(
        "Works like ansible.posix.sysctl. Needs the target's sysctl (procps or BusyBox). On a "
        "host whose /proc/sys is read-only, sysctl_set/reload fail naming the reason."
    ),
    aliases=("ansible.posix.sysctl",),
    oracle=None,  # ansible.posix collection, not in ansible-core
    options={
        "name": Option(required=True, aliases=("key",), description="The sysctl key."),
        "value": Option(aliases=("val",), description="Desired value (booleans become 1/0)."),
        "state": Option(default="present", choices=("present", "absent")),
        "ignoreerrors": Option(type="bool", default=False, description="sysctl -e."),
        "reload": Option(type="bool", default=True, description="sysctl -p FILE after a change."),
        "sysctl_file": Option(type="path", default="/etc/sysctl.conf"),
        "sysctl_set": Option(
            type="bool", default=False, description="Compare and set the live value."
        ),
        **COMMON_FILE_OPTIONS,
    },
    required_if=(("state", "present", ("value",)),),
    supports_diff=True,
    examples="- ansible.posix.sysctl:\n    name: vm.swappiness\n    value: '5'\n",
)

EA_SYSCTL = ShellFunction(
    "ea_sysctl",
    "sysctl.sh",
    needs=("fileattrs.sh",),
    params="name value state flags file mode owner group",
    defaults={"state": "present", "flags": "-", "file": "/etc/sysctl.conf"},
)

_TRUE = {"y", "yes", "on", "1", "true", "t", "1.0"}
_FALSE = {"n", "no", "off", "0", "false", "f", "0.0"}


def sysctl_value(value) -> str:
    """ansible.posix's value parsing: booleans (and yes/no/on/off...) become 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    if text.lower() in _TRUE:
        return "1"
    if text.lower() in _FALSE:
        return "0"
    return text.strip()


class SysctlModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_SYSCTL,)
    converged_in = "tests/integration/modules/test_sys_lab.py: changes /etc on a lab host"

    def check_args(self, args: dict, pos: Position | None) -> None:
        name = str(args.get("name") or "").strip()
        if not name:
            raise ModuleArgumentError("name cannot be blank", pos)
        if any(c.isspace() for c in name) or "=" in name:
            raise ModuleArgumentError(f"argument 'name': not a sysctl key: {name!r}", pos)
        value = args.get("value")
        if args.get("state") == "present" and (value is None or sysctl_value(value) == ""):
            raise ModuleArgumentError("value cannot be blank", pos)
        if value is not None and "\n" in str(value):
            raise ModuleArgumentError("argument 'value': a sysctl value is one line", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        state = args.get("state") or "present"
        return EA_SYSCTL.call(
            name=str(args["name"]).strip(),
            value=sysctl_value(args.get("value")) if state == "present" else "",
            state=state,
            flags=letters(
                r=args.get("reload", True),
                s=args.get("sysctl_set"),
                i=args.get("ignoreerrors"),
            ),
            file=str(args.get("sysctl_file") or "/etc/sysctl.conf"),
            mode=mode_arg(args.get("mode"), ctx.pos),
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        for key in [k for k in out if k.startswith(("bd_", "ad_"))]:
            del out[key]
        return out


MODULE = SysctlModule()
