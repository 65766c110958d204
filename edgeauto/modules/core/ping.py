"""``ping``: check that the target can run an edgeauto script (shell + temp dir), returns pong."""

from __future__ import annotations

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.spec import ModuleSpec, Option


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

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return ShellCall("ea_ping", [str(args.get("data", "pong"))], files=["ping.sh"])


MODULE = PingModule()
