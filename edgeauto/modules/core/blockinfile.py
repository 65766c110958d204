"""``blockinfile``: insert/update/remove a block of lines between marker lines.

Ansible's algorithm in awk on the target (remote/blockinfile.sh): the last BEGIN and END marker
lines delimit the old block; without both, the block goes after/before the last line matching
insertafter/insertbefore (Python regex translated to POSIX ERE, as lineinfile), or at EOF/BOF.
A pattern ERE cannot express (``(?m)``, look-around …) is matched by perl, with Ansible's rule
for the MULTILINE flag: one search of the whole file instead of line by line.
The controller builds the exact block lines (markers + block + final newline) as a payload.
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, home_path, payload_ref
from edgeauto.modules.core._common import (
    BACKUP,
    COMMON_FILE_OPTIONS,
    EDITED_PATH,
    NEWLINE_SENTINEL,
    VALIDATE,
    check_validate,
    mode_arg,
    owner_group,
    text,
)
from edgeauto.modules.core._files import edit_finish
from edgeauto.modules.core._perlre import translate_patterns
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="blockinfile",
    short_description="Insert/update/remove a text block surrounded by marker lines",
    description=(
        "Works like ansible.builtin.blockinfile. insertafter/insertbefore regexps are Python "
        "syntax translated to POSIX ERE (as lineinfile), or matched by perl on the target when "
        "ERE cannot express them ((?m) multi-line search, look-around)."
    ),
    options={
        "path": EDITED_PATH,
        "state": Option(
            default="present", choices=("absent", "present"), description="Block present or absent."
        ),
        "marker": Option(
            default="# {mark} ANSIBLE MANAGED BLOCK",
            description="Marker line template; {mark} becomes marker_begin/marker_end.",
        ),
        "block": Option(
            default="", aliases=("content",), description="The lines to put between the markers."
        ),
        "insertafter": Option(description="EOF or a regex: insert after its last match."),
        "insertbefore": Option(description="BOF or a regex: insert before its last match."),
        "create": Option(type="bool", default=False, description="Create the file if missing."),
        "backup": BACKUP,
        "validate": VALIDATE,
        "marker_begin": Option(default="BEGIN", description="Replaces {mark} in the first marker."),
        "marker_end": Option(default="END", description="Replaces {mark} in the last marker."),
        "append_newline": Option(
            type="bool", default=False, description="Blank line after the block."
        ),
        "prepend_newline": Option(
            type="bool", default=False, description="Blank line before the block."
        ),
        **COMMON_FILE_OPTIONS,
    },
    mutually_exclusive=(("insertbefore", "insertafter"),),
    supports_diff=True,
    returns={
        "msg": "Block inserted / Block removed / File created / ''",
        "backup_file": "Backup path.",
    },
    examples=(
        "- blockinfile:\n    path: /etc/ssh/sshd_config\n    block: |\n      Match User deploy\n"
        "        PasswordAuthentication no\n"
    ),
)

EA_BLOCKINFILE = ShellFunction(
    "ea_blockinfile",
    "blockinfile.sh",
    needs=("fileattrs.sh", "filestat.sh", "fileedit.sh", "perlre.sh"),
    params="path state block marker0 marker1 where insre flags mode owner group validate perl",
    defaults={"state": "present", "where": "eof", "flags": "-"},
)


def _marker(template: str, mark: str, pos: Position | None) -> str:
    line = template.replace("{mark}", mark)
    if "\n" in line or "\r" in line:
        raise ModuleArgumentError("argument 'marker': a marker must be a single line", pos)
    return line


class BlockinfileModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_BLOCKINFILE,)
    converged_in = "tests/shell/test_files_converge.py: converge + end state vs ansible-core"

    def check_args(self, args: dict, pos: Position | None) -> None:
        check_validate(args, pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        marker = str(args.get("marker") or "# {mark} ANSIBLE MANAGED BLOCK")
        m0 = _marker(marker, str(args.get("marker_begin", "BEGIN")), ctx.pos)
        m1 = _marker(marker, str(args.get("marker_end", "END")), ctx.pos)
        state = args.get("state") or "present"
        block = text(args.get("block"))
        payloads = {}
        if state == "present" and block:
            if not block.endswith("\n"):
                block += "\n"
            payloads["block"] = f"{m0}\n{block}{m1}\n".encode("utf-8", errors="surrogateescape")
        ia, ib = args.get("insertafter"), args.get("insertbefore")
        if ia is None and ib is None:
            ia = "EOF"
        where, insre, perl = ("after", "", "") if ia is not None else ("before", "", "")
        pattern = str(ia if ia is not None else ib)
        multiline = False
        # Ansible: insertafter=BOF is a regex; insertbefore=EOF too; the anchors as given
        if (ia, ib) in (("EOF", None), (None, "BOF")):
            where = "eof" if ia == "EOF" else "bof"
        else:
            what = "insertafter" if ia is not None else "insertbefore"
            found, perl = translate_patterns({what: pattern}, ctx.pos, NEWLINE_SENTINEL)
            insre = found[what]
            multiline = bool(re.compile(pattern.encode()).flags & re.MULTILINE)
        flags = (
            "".join(
                letter
                for letter, on in (
                    ("c", args.get("create")),
                    ("b", args.get("backup")),
                    ("p", args.get("prepend_newline")),
                    ("a", args.get("append_newline")),
                    ("m", multiline),  # Python's MULTILINE: one search of the whole file
                )
                if on
            )
            or "-"
        )
        return EA_BLOCKINFILE.call(
            payloads=payloads,
            path=home_path(str(args["path"])),
            state=state,
            block=payload_ref("block") if payloads else "",
            marker0=m0,
            marker1=m1,
            where=where,
            insre=insre,
            flags=flags,
            mode=mode_arg(args.get("mode"), ctx.pos),
            validate=text(args.get("validate")),
            perl=perl,
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return edit_finish(record)


MODULE = BlockinfileModule()
