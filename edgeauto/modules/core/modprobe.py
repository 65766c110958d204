"""``modprobe`` (community.general.modprobe): a kernel module now and at boot.

``persistent`` converges /etc/modules-load.d/NAME.conf and /etc/modprobe.d/NAME.conf with
community.general's rules (other files' matching lines are commented out). The files are
converged before the live part, so on a host that cannot load modules — a container, no
/lib/modules for the running kernel — they are still right and the task fails with the
reason ("cannot load kernel module X: /lib/modules/<ver> is missing …").
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._sys import sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="modprobe",
    short_description="Load or unload kernel modules",
    description="Works like community.general.modprobe (needs kmod's modprobe to load).",
    aliases=("community.general.modprobe", "community.general.system.modprobe"),
    oracle=None,  # community.general collection, not in ansible-core
    options={
        "name": Option(required=True, description="Kernel module name."),
        "state": Option(default="present", choices=("absent", "present")),
        "params": Option(default="", description="Module parameters (k=v k2=v2)."),
        "persistent": Option(
            default="disabled",
            choices=("disabled", "present", "absent"),
            description="Load at boot (modules-load.d + modprobe.d) or not; disabled: leave.",
        ),
    },
    returns={"name": "Module name.", "params": "Its parameters.", "state": "Wanted state."},
    examples="- community.general.modprobe:\n    name: dummy\n    params: numdummies=2\n",
)

EA_MODPROBE = ShellFunction(
    "ea_modprobe",
    "modprobe.sh",
    needs=("fileattrs.sh",),
    params="name state params persistent",
    defaults={"state": "present", "persistent": "disabled"},
)

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_PARAM = re.compile(r"^\w+=\S+$")


class ModprobeModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_MODPROBE,)
    converged_in = "tests/integration/modules/test_sys_lab.py: /etc of a lab host"

    def check_args(self, args: dict, pos: Position | None) -> None:
        if not _NAME.match(str(args.get("name") or "")):
            raise ModuleArgumentError(f"argument 'name': not a module name: {args['name']!r}", pos)
        params = str(args.get("params") or "")
        if "\n" in params or any(c in params for c in "'\"\\`$;|&<>"):
            raise ModuleArgumentError("argument 'params': plain k=v words only", pos)
        bad = [p for p in params.split() if not _PARAM.match(p)]
        if bad and args.get("persistent") == "present":
            raise ModuleArgumentError(
                f"argument 'params': {bad[0]!r} is not key=value (modprobe.d options)", pos
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_MODPROBE.call(
            name=str(args["name"]),
            state=args.get("state") or "present",
            params=" ".join(str(args.get("params") or "").split()),
            persistent=args.get("persistent") or "disabled",
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        out["params"] = str(args.get("params") or "")
        return out


MODULE = ModprobeModule()
