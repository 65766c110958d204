"""``assemble``: build a file from the fragments in a directory (ansible.builtin.assemble).

remote_src=true (default): the target concatenates its fragments (bytewise name order, regexp
on names via grep -E, ignore_hidden), with Ansible's newline and delimiter rules. remote_src=
false: the controller assembles its own directory (role files/ first; vault files decrypted)
and the content travels like copy's. Either way the target installs it atomically only when
the sha1 differs, after validate, with a backup when asked.
"""

from __future__ import annotations

import codecs
import os
import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, payload_ref
from edgeauto.modules.core._common import (
    BACKUP,
    COMMON_FILE_OPTIONS,
    VALIDATE,
    check_validate,
    mode_arg,
    owner_group,
    python_re_to_ere,
    text,
)
from edgeauto.modules.core._files import edit_finish
from edgeauto.modules.core.copy import read_source
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="assemble",
    short_description="Assemble configuration files from fragments",
    description=(
        "Works like ansible.builtin.assemble. regexp (on fragment names) is Python syntax "
        "translated to POSIX ERE for remote_src=true, matched by Python otherwise."
    ),
    options={
        "src": Option(type="path", required=True, description="Directory of fragments."),
        "dest": Option(type="path", required=True, description="File to write."),
        "backup": BACKUP,
        "delimiter": Option(description="Written between fragments (escapes like \\n decoded)."),
        "remote_src": Option(
            type="bool", default=True, description="src is on the target (false: controller)."
        ),
        "regexp": Option(description="Only fragments whose name matches (re.search)."),
        "ignore_hidden": Option(type="bool", default=False, description="Skip dot files."),
        "validate": VALIDATE,
        "decrypt": Option(
            type="bool", default=True, description="Decrypt vault-encrypted local fragments."
        ),
        **COMMON_FILE_OPTIONS,
    },
    supports_diff=True,
    returns={
        "checksum": "sha1 of the assembled content.",
        "md5sum": "md5 of it.",
        "dest": "The file written.",
        "backup_file": "Backup path, when one was made.",
        "msg": "OK",
    },
    examples="- assemble:\n    src: /etc/someapp/fragments\n    dest: /etc/someapp/someapp.conf\n",
)

EA_ASSEMBLE = ShellFunction(
    "ea_assemble",
    "assemble.sh",
    needs=("fileattrs.sh", "filestat.sh", "fileedit.sh"),
    params="src dest content delim regexp flags validate mode owner group",
    defaults={"flags": "-"},
)


def delimiter_bytes(delimiter: str | None) -> bytes:
    """Ansible decodes escapes (codecs.escape_decode) and ends the delimiter with a newline."""
    if not delimiter:
        return b""
    data = codecs.escape_decode(delimiter.encode("utf-8", errors="surrogateescape"))[0]
    return data if data.endswith(b"\n") else data + b"\n"


def assemble_local(directory, delim: bytes, regexp, ignore_hidden: bool, read) -> bytes:
    """The controller side of remote_src=false, with the same rules as the target's."""
    out = bytearray()
    first, add_newline = True, False
    for name in sorted(os.listdir(directory)):
        if regexp is not None and not regexp.search(name):
            continue
        fragment = os.path.join(directory, name)
        if not os.path.isfile(fragment) or (ignore_hidden and name.startswith(".")):
            continue
        data = read(fragment)
        if add_newline:
            out += b"\n"
        if not first:
            out += delim
        out += data
        first = False
        add_newline = not data.endswith(b"\n")
    return bytes(out)


class AssembleModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_ASSEMBLE,)
    converged_in = "tests/shell/test_files_converge.py: converge + content vs ansible-core"

    def check_args(self, args: dict, pos: Position | None) -> None:
        check_validate(args, pos)
        if args.get("regexp") is not None:
            try:
                re.compile(args["regexp"])
            except re.error as exc:
                raise ModuleArgumentError(
                    f'Invalid Regexp ({exc}) in "{args["regexp"]}"', pos
                ) from None

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        from pathlib import Path

        self.check_args(args, ctx.pos)
        delim = delimiter_bytes(args.get("delimiter"))
        payloads: dict[str, bytes] = {}
        if delim:
            payloads["delim"] = delim
        flags = (
            "".join(
                letter
                for letter, on in (("h", args.get("ignore_hidden")), ("b", args.get("backup")))
                if on
            )
            or "-"
        )
        common = {
            "dest": str(args["dest"]),
            "flags": flags,
            "validate": text(args.get("validate")),
            "mode": mode_arg(args.get("mode"), ctx.pos),
            **owner_group(args),
        }
        if args.get("remote_src", True):
            regexp = ""
            if args.get("regexp") is not None:
                regexp = python_re_to_ere(str(args["regexp"]), ctx.pos, "regexp")
            return EA_ASSEMBLE.call(
                payloads=payloads,
                src=str(args["src"]),
                delim=payload_ref("delim") if delim else "",
                regexp=regexp,
                **common,
            )
        directory = ctx.locate("files", str(args["src"]))
        if not directory.is_dir():
            raise ModuleArgumentError(f"Source ({directory}) is not a directory", ctx.pos)
        compiled = re.compile(args["regexp"]) if args.get("regexp") is not None else None
        content = assemble_local(
            directory,
            delim,
            compiled,
            bool(args.get("ignore_hidden")),
            lambda path: read_source(Path(path), args, ctx),
        )
        return EA_ASSEMBLE.call(
            payloads={"content": content}, content=payload_ref("content"), **common
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = edit_finish(record)
        if not out.get("failed"):
            out["msg"] = "OK"
        out.setdefault("src", str(args["src"]))
        return out


MODULE = AssembleModule()
