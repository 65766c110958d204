"""``lineinfile``: ensure a single line is in a file (or absent), Ansible's matching rules.

The matching algorithm (regexp → search_string → exact line; insertafter/insertbefore anchors;
firstmatch; backrefs) runs in awk on the target. Python regular expressions are translated to
POSIX ERE on the controller (``\\d``, ``\\s``, ``\\w``, ``(?:``); constructs with no ERE
equivalent (look-around, lazy quantifiers, ``\\b``, backreferences) are matched by perl instead
(:mod:`~edgeauto.modules.core._perlre`), and a host without perl fails the task naming the
construct, instead of silently matching differently.
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    home_path,
    standard_result,
)
from edgeauto.modules.core._common import (
    BACKUP,
    COMMON_FILE_OPTIONS,
    EDITED_PATH,
    NEWLINE_SENTINEL,
    VALIDATE,
    check_validate,
    mode_arg,
    owner_group,
    python_template_to_sed,
    text,
)
from edgeauto.modules.core._perlre import perl_template, translate_patterns
from edgeauto.modules.core.file import file_finish
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="lineinfile",
    short_description="Ensure a particular line is in a file, or replace a line using a regexp",
    description=(
        "Works like ansible.builtin.lineinfile. Regular expressions are Python syntax translated "
        "to POSIX ERE for the target (\\d \\s \\w (?:...) work); look-around, lazy quantifiers, "
        "\\b and named groups are refused with an error. Needs only sh, awk, grep and sed."
    ),
    options={
        "path": EDITED_PATH,
        "state": Option(
            default="present", choices=("absent", "present"), description="Line present or absent."
        ),
        "regexp": Option(
            aliases=("regex",), description="Python-style regex (translated to POSIX ERE)."
        ),
        "search_string": Option(description="Literal string to look for in each line."),
        "line": Option(aliases=("value",), description="The line to insert/replace."),
        "insertafter": Option(
            description="EOF, BOF or a regex: insert after its last (or first) match."
        ),
        "insertbefore": Option(
            description="BOF or a regex: insert before its last (or first) match."
        ),
        "backrefs": Option(
            type="bool",
            default=False,
            description="Expand \\1 in line from regexp; do nothing if no match.",
        ),
        "create": Option(
            type="bool", default=False, description="Create the file if it is missing."
        ),
        "backup": BACKUP,
        "firstmatch": Option(
            type="bool",
            default=False,
            description="Use the first match of insertafter/insertbefore/regexp.",
        ),
        "validate": VALIDATE,
        **COMMON_FILE_OPTIONS,
    },
    mutually_exclusive=(
        ("insertbefore", "insertafter"),
        ("regexp", "search_string"),
        ("backrefs", "search_string"),
    ),
    supports_diff=True,
    returns={
        "msg": "line added / line replaced / N line(s) removed",
        "backup": "Backup file path or ''.",
        "found": "Lines removed (state=absent).",
    },
    examples="- lineinfile:\n    path: /etc/ssh/sshd_config\n    regexp: '^#?PermitRootLogin'\n    line: PermitRootLogin no\n",
)

EA_LINEINFILE = ShellFunction(
    "ea_lineinfile",
    "lineinfile.sh",
    needs=("fileattrs.sh", "perlre.sh"),
    params=(
        "path state flags regexp search line insertafter insertbefore insre mode owner group"
        " validate sedre sedrepl perl"
    ),
    defaults={"state": "present", "flags": "-"},
)

_ATTR_MSG = "ownership, perms or SE linux context changed"


class LineinfileModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_LINEINFILE,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        if args.get("state", "present") == "present":
            if args.get("backrefs") and args.get("regexp") is None:
                raise ModuleArgumentError("regexp is required with backrefs=true", pos)
            if args.get("line") is None:
                raise ModuleArgumentError("line is required with state=present", pos)
        elif (
            args.get("regexp") is None
            and args.get("search_string") is None
            and args.get("line") is None
        ):
            raise ModuleArgumentError(
                "one of line, search_string, or regexp is required with state=absent", pos
            )
        check_validate(args, pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        state = args.get("state") or "present"
        regexp = args.get("regexp")
        search = args.get("search_string")
        ia, ib = args.get("insertafter"), args.get("insertbefore")
        if state == "present" and ia is None and ib is None:
            ia = "EOF"
        anchor = None
        if ia not in (None, "BOF", "EOF"):
            anchor = ("insertafter", ia)
        elif ib not in (None, "BOF"):
            anchor = ("insertbefore", ib)
        patterns = {"regexp": regexp, **dict([anchor] if anchor else [])}
        translated, perl = translate_patterns(patterns, ctx.pos, NEWLINE_SENTINEL)
        insre = translated[anchor[0]] if anchor else ""
        flags = (
            "".join(
                letter
                for letter, on in (
                    ("r", regexp is not None),
                    ("s", search is not None),
                    ("c", args.get("create")),
                    ("b", args.get("backup")),
                    ("k", args.get("backrefs")),
                    ("f", args.get("firstmatch")),
                )
                if on
            )
            or "-"
        )
        ere = translated["regexp"]
        sedre = sedrepl = ""
        if args.get("backrefs") and state == "present" and perl:
            sedrepl = perl_template(str(args["line"]), re.compile(regexp), ctx.pos, "line")
        elif args.get("backrefs") and state == "present":
            sedre = ere or "^"  # sed treats an empty regex as "the previous one"
            sedrepl = python_template_to_sed(str(args["line"]), ctx.pos)
            groups = re.compile(regexp).groups
            for ref in re.findall(r"\\(?:g<)?(\d+)", str(args["line"])):
                if int(ref) > groups:
                    raise ModuleArgumentError(
                        f"argument 'line': invalid group reference {ref} (regexp has {groups} group(s))",
                        ctx.pos,
                    )
        return EA_LINEINFILE.call(
            path=home_path(str(args["path"])),
            state=state,
            flags=flags,
            regexp=ere,
            search=text(search),
            line=text(args.get("line")),
            insertafter=text(ia),
            insertbefore=text(ib),
            insre=insre,
            mode=mode_arg(args.get("mode"), ctx.pos),
            validate=text(args.get("validate")),
            sedre=sedre,
            sedrepl=sedrepl,
            perl=perl,
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        attrs_changed = any(
            k.startswith(("bd_", "ad_")) and k not in ("bd_state", "ad_state") for k in out
        )
        content_diff = out.pop("diff", None)
        file_finish(out, record)
        if content_diff is not None:
            out["diff"] = content_diff
        if attrs_changed:
            msg = out.get("msg") or ""
            out["msg"] = f"{msg} and {_ATTR_MSG}" if msg else _ATTR_MSG
        out["backup"] = out.pop("backup_file", "")
        if "found" in out:
            out["found"] = int(out["found"])
        if "rc" in out and out.get("failed"):
            out["rc"] = int(out["rc"])
        if warning := _empty_pattern_warning(args):
            out.setdefault("warnings", []).append(warning)
        return out


def _empty_pattern_warning(args: dict) -> str | None:
    """Ansible's warning for an empty regexp/search_string (it matches every line)."""
    if "" not in (args.get("regexp"), args.get("search_string")):
        return None
    name = "regular expression" if args.get("regexp") == "" else "search string"
    msg = (
        f"The {name} is an empty string, which will match every line in the file. This may "
        "have unintended consequences, such as replacing the last line in the file rather "
        "than appending."
    )
    if args.get("regexp") == "":
        msg += (
            " If this is desired, use '^' to match every line in the file and avoid this warning."
        )
    return msg


MODULE = LineinfileModule()
