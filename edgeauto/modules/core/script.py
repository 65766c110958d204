"""``script``: run a controller-side script on the target.

The script's bytes travel as a payload inside the host's one script (no separate upload round
trip), land in the run's private temp directory, are made executable and run there with the
rest of the command line, exactly as Ansible's script action builds it: the first word (the
local path) is replaced by the remote path and the remainder is passed to the shell as written.
``creates``/``removes`` are plain existence tests (no globs), like Ansible's.
"""

from __future__ import annotations

import os
import shlex

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, payload_ref
from edgeauto.modules.core._common import text
from edgeauto.modules.core._xfer import command_result, static_check
from edgeauto.modules.core.copy import read_source
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_SCRIPT = ShellFunction(
    "ea_script", "script.sh", params="script name rest creates removes chdir executable guarded"
)


class ScriptModule(RemoteModule):
    spec = ModuleSpec(
        name="script",
        short_description="Send a local script to the target and run it",
        description=(
            "The first word of the command line is a file on the controller (role files/, "
            "then the playbook directory); it is sent inside the host's script and run with "
            "the remaining words. Check mode: decided by creates/removes when given, "
            "otherwise skipped (as Ansible does)."
        ),
        options={
            "free_form": Option(description="Path of the local script followed by arguments."),
            "cmd": Option(aliases=("_raw_params",), description="Same as free_form."),
            "creates": Option(description="A path; if it exists the script is not run."),
            "removes": Option(description="A path; if it does not exist the script is not run."),
            "chdir": Option(description="Absolute directory to run the script in."),
            "executable": Option(description="Program to run the script with (e.g. python3)."),
            "decrypt": Option(type="bool", default=True, description="Decrypt vault files."),
        },
        free_form="cmd",
        returns={"rc": "Exit code.", "stdout": "Standard output.", "stderr": "Standard error."},
        examples="- script: files/setup.sh --now\n  args:\n    creates: /etc/app/ready\n",
    )
    invalidates = "all"
    shell_functions = (EA_SCRIPT,)
    converged_in = "tests/shell/test_xfer_converge.py: a script has no converged state; creates/removes/check runs under dash+busybox and on lab hosts"

    def _command_line(self, args: dict) -> str:
        return str(args.get("cmd") or args.get("free_form") or "").strip()

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)
        return out

    def check_args(self, args: dict, pos: Position | None) -> None:
        if not self._command_line(args):
            raise ModuleArgumentError(
                "one of the following is required: _raw_params, cmd (the path of a local script)",
                pos,
            )
        chdir = args.get("chdir")
        if chdir and not str(chdir).startswith("/"):
            raise ModuleArgumentError(
                f"chdir {chdir} must be an absolute path for a Unix-aware remote node", pos
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        line = self._command_line(args)
        try:
            first = shlex.split(line)[0]
        except (ValueError, IndexError) as exc:
            raise ModuleArgumentError(
                f"cannot split the command line {line!r}: {exc}", ctx.pos
            ) from None
        path = ctx.locate("files", first)
        data = read_source(path, args, ctx)
        rest = _after_first_word(line, first)
        guarded = bool(args.get("creates") or args.get("removes"))
        return EA_SCRIPT.call(
            payloads={"script": data},
            script=payload_ref("script"),
            name=os.path.basename(str(path)),
            rest=rest,
            creates=text(args.get("creates")),
            removes=text(args.get("removes")),
            chdir=text(args.get("chdir")),
            executable=text(args.get("executable")),
            guarded="1" if guarded else "0",
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = command_result(record)
        if out.get("skipped"):
            return {"changed": False, "skipped": True, "msg": out.get("msg", "")}
        if "rc" in out and out["rc"] != 0:
            out["failed"] = True
            out["msg"] = "non-zero return code"
        if ctx.check_mode and "rc" not in out and not out.get("failed"):
            return {"changed": True}
        return out


def _after_first_word(line: str, first: str) -> str:
    """The command line after the script's own word, as written (quotes and $VARs kept)."""
    if line.startswith(first):
        return line[len(first) :]
    if line[:1] in "'\"" and line[1:].startswith(first + line[0]):
        return line[len(first) + 2 :]
    return " " + shlex.join(shlex.split(line)[1:])


MODULE = ScriptModule()
