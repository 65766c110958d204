"""``tempfile``: create a temporary file or directory (ansible.builtin.tempfile).

Like Python's mkstemp/mkdtemp on the target, in sh: prefix + 8 random characters + suffix,
created exclusively; file mode 0600, directory 0700; ``path`` is absolute. Ansible's module does
not support check mode: the task is skipped there, as ansible-playbook skips it.
"""

from __future__ import annotations

import os

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import text
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="tempfile",
    short_description="Creates temporary files and directories",
    description="Works like ansible.builtin.tempfile (no Python on the target).",
    options={
        "state": Option(
            default="file", choices=("file", "directory"), description="File or directory."
        ),
        "path": Option(type="path", description="Directory to create it in (default: TMPDIR)."),
        "prefix": Option(default="ansible.", description="Name prefix."),
        "suffix": Option(default="", description="Name suffix."),
    },
    supports_check_mode=False,
    returns={"path": "Path of the created file or directory."},
    examples="- tempfile:\n    state: directory\n    suffix: build\n  register: build_dir\n",
)

EA_TEMPFILE = ShellFunction(
    "ea_tempfile",
    "tempfile.sh",
    needs=("filestat.sh", "fileattrs.sh"),
    params="state dir prefix suffix",
    defaults={"state": "file", "prefix": "ansible."},
)


class TempfileModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_TEMPFILE,)
    converged_in = "tests/shell/test_files_converge.py: creates a new name each run, as Ansible"

    def check_args(self, args: dict, pos: Position | None) -> None:
        for key in ("prefix", "suffix"):
            value = text(args.get(key))
            if value and value != os.path.basename(value):
                raise ModuleArgumentError(
                    f"{key} must be a valid file name component, got {value!r}", pos
                )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_TEMPFILE.call(
            state=args.get("state") or "file",
            dir=text(args.get("path")),
            prefix=text(args.get("prefix", "ansible.")),
            suffix=text(args.get("suffix")),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        # Ansible adds the new path's state/mode/owner/group/uid/gid/size to any result with a
        # ``path`` (its ansible-core tempfile target asserts ``.state == 'file'``).
        from edgeauto.modules.core.file import file_finish

        out = standard_result(record)
        file_finish(out, record)
        return out


MODULE = TempfileModule()
