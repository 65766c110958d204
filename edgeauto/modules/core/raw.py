"""``raw``: run a command line on the target the plainest way there is.

Ansible's raw exists for targets that cannot run modules (no Python). Every edgeauto module
already runs without Python; raw is still the one that needs nothing but ``sh``: its function
file uses no helper beyond the framing prelude and no tool but the shell that runs the text.
Check mode skips it (as Ansible does) unless the task says ``check_mode: false``.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._common import text
from edgeauto.modules.core._xfer import command_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_RAW = ShellFunction("ea_raw", "raw.sh", params="executable command")


class RawModule(RemoteModule):
    spec = ModuleSpec(
        name="raw",
        short_description="Run a command line on the target with nothing but its shell",
        description=(
            "The text runs as `EXECUTABLE -c TEXT` (default: the login shell, $SHELL, else "
            "/bin/sh). stdout/stderr are kept byte-exact (no trailing newline stripped). "
            "Skipped in check mode unless the task has check_mode: false."
        ),
        options={
            "free_form": Option(
                required=True, aliases=("_raw_params",), description="The command line."
            ),
            "executable": Option(description="Shell to run the text with (absolute path)."),
        },
        free_form="free_form",
        supports_check_mode=False,
        returns={"rc": "Exit code.", "stdout": "Standard output.", "stderr": "Standard error."},
        examples="- raw: opkg update && opkg install python3-light\n",
    )
    invalidates = "all"
    shell_functions = (EA_RAW,)
    converged_in = "tests/shell/test_xfer_converge.py: a command has no converged state; real/check runs under dash+busybox and on lab hosts"

    def check_args(self, args: dict, pos: Position | None) -> None:
        if not str(args.get("free_form") or "").strip():
            raise ModuleArgumentError("raw needs a command line", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_RAW.call(executable=text(args.get("executable")), command=args["free_form"])

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = command_result(record)
        if out.get("skipped"):
            return {"changed": False, "skipped": True}
        if "rc" in out and out["rc"] != 0:
            out["failed"] = True
            out["msg"] = "non-zero return code"
        return out


MODULE = RawModule()
