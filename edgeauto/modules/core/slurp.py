"""``slurp``: a target file's content, base64-encoded (ansible.builtin.slurp).

The target encodes with base64(1), BusyBox, openssl or (last resort) od+awk; the controller
re-joins wrapped lines so ``content`` is one base64 string like Ansible's.
"""

from __future__ import annotations

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._files import decode_base64
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="slurp",
    short_description="Slurps a file from remote nodes",
    description="Works like ansible.builtin.slurp: content is the file's base64.",
    options={
        "src": Option(
            type="path", required=True, aliases=("path",), description="The file on the target."
        ),
    },
    returns={
        "content": "Base64 of the file's bytes.",
        "encoding": "Always 'base64'.",
        "source": "The file read.",
    },
    examples="- slurp:\n    src: /proc/mounts\n  register: mounts\n",
)

EA_SLURP = ShellFunction("ea_slurp", "slurp.sh", needs=("filestat.sh",), params="src")


class SlurpModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_SLURP,)
    invalidates = None
    converged_in = "tests/shell/test_files_converge.py: read-only; bytes compared with the file"

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return EA_SLURP.call(src=str(args["src"]))

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if out.get("failed"):
            out.pop("content", None)
            out.pop("source", None)
            return out
        try:
            data = decode_base64(out.get("content", ""))
        except ValueError as exc:
            return {"changed": False, "failed": True, "msg": str(exc)}
        import base64

        out["content"] = base64.b64encode(data).decode()
        out["encoding"] = "base64"
        return out


MODULE = SlurpModule()
