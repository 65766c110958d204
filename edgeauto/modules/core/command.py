"""``command`` and ``shell``: run a program on the target, guarded by ``creates``/``removes``.

Check mode predicts the outcome when ``creates``/``removes`` decide it; otherwise the task is
reported *changed* with ``might_change: true`` (the command is not run) rather than silently
skipped, so ``--check`` shows everything that would execute.
"""

from __future__ import annotations

import shlex

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import delta, flag, text
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

_COMMON = {
    "cmd": Option(aliases=("_raw_params",), description="The command line to run."),
    "free_form": Option(description="The command line (as free-form text after the module name)."),
    "chdir": Option(type="path", description="Change into this directory before running."),
    "creates": Option(type="path", description="A glob; if it matches, the command is not run."),
    "removes": Option(
        type="path", description="A glob; if nothing matches, the command is not run."
    ),
    "stdin": Option(description="Feed this text to the command's stdin."),
    "stdin_add_newline": Option(
        type="bool", default=True, description="Append a newline to stdin."
    ),
}

RETURNS = {
    "cmd": "The command that was run (a list for command, a string for shell).",
    "rc": "Exit code.",
    "stdout": "Standard output (trailing newlines removed).",
    "stderr": "Standard error (trailing newlines removed).",
    "start": "Start time.",
    "end": "End time.",
    "delta": "Duration.",
    "msg": "Why the command did not run / failed.",
}

COMMAND_SPEC = ModuleSpec(
    name="command",
    short_description="Run a program on the target without a shell",
    description=(
        "Runs argv directly (no pipes, redirects or globbing). The command line is split like "
        "a POSIX shell would split words; $VAR and a leading ~ are expanded from the target's "
        "environment when expand_argument_vars is true."
    ),
    options={
        **_COMMON,
        "argv": Option(type="list", elements="str", description="The command as a list of words."),
        "expand_argument_vars": Option(type="bool", default=True, description="Expand $VAR and ~."),
        "strip_empty_ends": Option(
            type="bool", default=True, description="Strip trailing newlines of stdout/stderr."
        ),
        "executable": Option(
            description="Accepted and ignored with a warning, as Ansible does (removed in 2.4)."
        ),
    },
    mutually_exclusive=(("cmd", "argv"),),
    free_form="cmd",
    returns=RETURNS,
    examples="- command: /usr/bin/make install\n  args:\n    chdir: /src/app\n    creates: /usr/local/bin/app\n",
)

SHELL_SPEC = ModuleSpec(
    name="shell",
    short_description="Run a command line through a shell on the target",
    description="Runs the text with `executable -c` (default /bin/sh): pipes and redirects work.",
    options={
        **_COMMON,
        "executable": Option(type="path", description="The shell to use (absolute path)."),
    },
    free_form="cmd",
    returns=RETURNS,
    examples="- shell: dmesg | tail -n 20 > /tmp/dmesg.txt\n  args:\n    creates: /tmp/dmesg.txt\n",
)

EA_COMMAND = ShellFunction(
    "ea_command",
    "command.sh",
    params="kind creates removes chdir executable expand strip",
    rest="words",
    defaults={"expand": "1", "strip": "1"},
)


class CommandModule(RemoteModule):
    """Both modules share one shell function; ``kind`` picks argv vs shell."""

    invalidates = "all"  # a command may change any file the facts round trip checksummed
    shell_functions = (EA_COMMAND,)

    def __init__(self, spec: ModuleSpec, kind: str):
        self.spec = spec
        self.kind = kind

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        if self.kind == "shell" and "expand_argument_vars" in args:
            # refused by Ansible's shell action plugin in these words (command has it)
            raise ModuleArgumentError(
                "Unsupported parameters for (shell) module: expand_argument_vars", pos
            )
        return super().validate(args, pos, final)

    def check_args(self, args: dict, pos: Position | None) -> None:
        cmd = args.get("cmd") or args.get("free_form")
        if not cmd and not args.get("argv"):
            raise ModuleArgumentError(
                f"no command given to '{self.spec.name}': "
                "one of the following is required: _raw_params, cmd, argv",
                pos,
            )

    def _words(self, args: dict, pos: Position | None) -> list[str]:
        if args.get("argv"):
            return [str(a) for a in args["argv"]]
        cmd = args.get("cmd") or args.get("free_form") or ""
        try:
            return shlex.split(cmd)
        except ValueError as exc:
            raise ModuleArgumentError(
                f"cannot split the command line {cmd!r}: {exc}", pos
            ) from None

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        if self.kind == "shell":
            words = [args.get("cmd") or args.get("free_form")]
            expand, strip, exe = "0", "1", text(args.get("executable"))
        else:
            words = self._words(args, ctx.pos)
            if not words:
                raise ModuleArgumentError("no command given to 'command'", ctx.pos)
            expand = flag(args.get("expand_argument_vars", True))
            strip = flag(args.get("strip_empty_ends", True))
            exe = ""
        payloads = {}
        stdin = None
        if args.get("stdin") is not None:
            data = str(args["stdin"])
            if args.get("stdin_add_newline", True):
                data += "\n"
            payloads["stdin"] = data.encode("utf-8", errors="surrogateescape")
            stdin = "stdin"
        return EA_COMMAND.call(
            payloads=payloads,
            stdin=stdin,
            kind=self.kind if self.kind == "shell" else "argv",
            creates=text(args.get("creates")),
            removes=text(args.get("removes")),
            chdir=text(args.get("chdir")),
            executable=exe,
            expand=expand,
            strip=strip,
            words=words,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        fields = record.get("fields", {})
        out = standard_result(record)
        strip = fields.get("strip") == "1"
        for key in ("stdout", "stderr"):
            value = fields.get(f"cmd_{key}", "")
            if strip:
                value = value.rstrip("\r\n")
            if f"cmd_{key}" in fields or key not in out or not out[key]:
                out[key] = value
                out[f"{key}_lines"] = value.splitlines()
            out.pop(f"cmd_{key}", None)
        if "skip_stdout" in fields:
            out["stdout"] = fields["skip_stdout"]
            out["stdout_lines"] = [out["stdout"]]
            out.pop("skip_stdout", None)
            out.update(start=None, end=None, delta=None)
        out.pop("strip", None)
        out.pop("stderr_detail", None)
        if self.kind == "shell":
            out["cmd"] = args.get("cmd") or args.get("free_form")
        else:
            try:
                out["cmd"] = self._words(args, ctx.pos)
            except ModuleArgumentError:
                out["cmd"] = args.get("cmd")
        if self.kind == "command" and args.get("executable"):
            out.setdefault("warnings", []).append(
                "As of Ansible 2.4, the parameter 'executable' is no longer supported with the "
                f"'command' module. Not using '{args['executable']}'."
            )
        if "rc" in fields:
            out["rc"] = int(fields["rc"])
        if "start" in fields and "end" in fields:
            out["delta"] = delta(fields["start"], fields["end"])
        if "start" in fields:  # the command ran: Ansible reports changed even when it failed
            out["changed"] = True
        if out.get("might_change"):
            out["might_change"] = True
        if out.get("msg") == "Error executing command.":
            out["changed"] = False
        return out


MODULES = [CommandModule(COMMAND_SPEC, "command"), CommandModule(SHELL_SPEC, "shell")]
