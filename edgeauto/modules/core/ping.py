"""``ping``: check that the target can run an edgeauto script (shell + temp dir), returns pong."""

from __future__ import annotations

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_PING = ShellFunction("ea_ping", "ping.sh", params="data")


class PingModule(RemoteModule):
    spec = ModuleSpec(
        name="ping",
        short_description="Try to run a script on the target and return pong",
        options={
            "data": Option(
                default="pong", description="Value to return; 'crash' makes the task fail."
            )
        },
        returns={"ping": "The data value."},
        examples="- ping:\n",
    )
    shell_functions = (EA_PING,)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return EA_PING.call(data=str(args.get("data", "pong")))


MODULE = PingModule()
