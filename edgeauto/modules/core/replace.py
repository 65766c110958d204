"""``replace``: replace every match of a regexp in a file (ansible.builtin.replace).

Python's ``re.subn(regexp, replace, section)`` (MULTILINE) is done by ``sed -E`` on the target,
line by line, in the C locale, when POSIX ERE can express it (docs/modules/files.md): the regexp
is translated like lineinfile's; replacement templates ``\\1``..``\\9``, ``\\g<N>``, ``\\n``,
``\\t``, ``\\\\``. ``after``/``before`` select the section as Ansible does (first match of after,
last match of before, or the first before after after); a leading ``^`` there means the file's
start (Ansible compiles them without MULTILINE).

What ERE cannot express (look-around, lazy quantifiers, ``\\b``, named groups, inline flags,
patterns spanning lines, anchors inside after/before, group 10 and up) runs Ansible's own
algorithm with perl instead (``ea_replace_perl``, :mod:`~edgeauto.modules.core._perlre`); a
host without perl fails the task naming the construct.
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, home_path
from edgeauto.modules.core._common import (
    BACKUP,
    COMMON_FILE_OPTIONS,
    EDITED_PATH,
    VALIDATE,
    PythonOnlyRegex,
    check_python_regex,
    check_validate,
    flag,
    mode_arg,
    owner_group,
    python_re_to_ere,
    text,
)
from edgeauto.modules.core._files import edit_finish
from edgeauto.modules.core._perlre import perl_template, python_re_to_perl
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="replace",
    short_description="Replace all instances of a pattern within a file",
    description=(
        "Works like ansible.builtin.replace with sed -E on the target: Python regexps are "
        "translated to POSIX ERE; matches never span a line break."
    ),
    options={
        "path": EDITED_PATH,
        "regexp": Option(required=True, description="Python-style regex (translated to ERE)."),
        "replace": Option(default="", description="Replacement; \\1 and \\g<1> refer to groups."),
        "after": Option(description="Only replace after the first match of this regex."),
        "before": Option(description="Only replace before the last match of this regex."),
        "backup": BACKUP,
        "validate": VALIDATE,
        "encoding": Option(
            default="utf-8", description="File encoding (ASCII-compatible encodings only)."
        ),
        **COMMON_FILE_OPTIONS,
    },
    supports_diff=True,
    returns={"msg": "'N replacements made' or ''", "backup_file": "Backup path.", "rc": "0"},
    examples="- replace:\n    path: /etc/hosts\n    regexp: '(\\s+)old\\.host(\\s+.*)?$'\n    replace: '\\1new.host\\2'\n",
)

EA_REPLACE = ShellFunction(
    "ea_replace",
    "replace.sh",
    needs=("fileattrs.sh", "filestat.sh", "fileedit.sh"),
    params="path sedre sedrepl after before anchors backup validate mode owner group tail",
    defaults={"anchors": "-", "backup": "0"},
)
EA_REPLACE_PERL = ShellFunction(
    "ea_replace_perl",
    "replace.sh",
    needs=("fileattrs.sh", "filestat.sh", "fileedit.sh", "perlre.sh"),
    params="path perlre template section secgroup why backup validate mode owner group",
    defaults={"backup": "0", "secgroup": "0"},
)

_ESCAPES = {"n": "\\\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "\\": "\\\\"}


def repl_to_sed(template: str, groups: int, pos: Position | None) -> str:
    """A Python ``re.sub`` template → a sed replacement (delimiter \\001)."""
    out: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        if c == "\\" and i + 1 < len(template):
            n = template[i + 1]
            named = re.match(r"g<([^>]*)>", template[i + 1 :])
            ref = None
            if n.isdigit():
                digits = re.match(r"\d{1,2}", template[i + 1 :]).group(0)
                ref, i = int(digits), i + 1 + len(digits)
            elif named:
                if not named.group(1).isdigit():
                    raise PythonOnlyRegex(
                        "named group references are not supported", pos, "\\g<name>"
                    )
                ref, i = int(named.group(1)), i + 1 + named.end()
            elif n in _ESCAPES:
                out.append(_ESCAPES[n])
                i += 2
                continue
            elif n.isascii() and n.isalpha():
                raise ModuleArgumentError(f"argument 'replace': bad escape \\{n}", pos)
            else:
                out.append("\\\\" + ("\\&" if n == "&" else n))
                i += 2
                continue
            if ref > groups:
                raise ModuleArgumentError(f"argument 'replace': invalid group reference {ref}", pos)
            if ref > 9:
                raise PythonOnlyRegex("sed has only \\1 to \\9", pos, f"the group reference {ref}")
            out.append("&" if ref == 0 else f"\\{ref}")
            continue
        out.append({"&": "\\&", "\n": "\\\n"}.get(c, c))
        i += 1
    return "".join(out)


def _has_anchor(pattern: str) -> bool:
    """True if a Python pattern uses ^ or $ anywhere (parsed, so [^x] does not count)."""
    from re import _constants, _parser  # type: ignore[attr-defined]

    def walk(items) -> bool:
        for op, arg in items:
            if op is _constants.AT and arg in (
                _constants.AT_BEGINNING,
                _constants.AT_END,
                _constants.AT_BEGINNING_STRING,
                _constants.AT_END_STRING,
            ):
                return True
            for sub in arg if isinstance(arg, list | tuple) else ():
                if isinstance(sub, _parser.SubPattern) and walk(sub):
                    return True
                if isinstance(sub, list | tuple):
                    for s in sub:
                        if isinstance(s, _parser.SubPattern) and walk(s):
                            return True
        return False

    return walk(_parser.parse(pattern))


def _section_re(value: str, what: str, pos: Position | None) -> tuple[str, bool]:
    """after/before → (ERE, anchored at the file start)."""
    anchored = value.startswith("^")
    body = value[1:] if anchored else value
    python_re_to_ere(value, pos, what)  # the translator's refusals and syntax check first
    if _has_anchor(body):
        raise PythonOnlyRegex(
            f"argument '{what}': only a leading ^ is supported by sed", pos, f"an anchor in {what}"
        )
    ere = ("^" if anchored else "") + python_re_to_ere(body, pos, what)
    _refuse_newline(ere, value, what, pos)
    return ere, anchored


def _refuse_newline(ere: str, pattern: str, what: str, pos: Position | None) -> None:
    if "\n" in ere or "\x01" in ere or "\x02" in ere or "\x03" in ere:
        raise PythonOnlyRegex(
            f"argument '{what}': {pattern!r} names a newline (or a control byte \\x01-\\x03); "
            "matches are made line by line by sed",
            pos,
            f"argument '{what}': the newline in {pattern!r}",
        )


class ReplaceModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_REPLACE, EA_REPLACE_PERL)
    converged_in = "tests/shell/test_files_converge.py: converge + end state vs ansible-core"

    def check_args(self, args: dict, pos: Position | None) -> None:
        check_validate(args, pos)
        encoding = str(args.get("encoding") or "utf-8").lower().replace("_", "-")
        if encoding.startswith(("utf-16", "utf-32", "utf16", "utf32")):
            raise ModuleArgumentError(
                f"argument 'encoding': {args['encoding']} is not ASCII-compatible; the target "
                "edits bytes with sed",
                pos,
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        check_python_regex(str(args["regexp"]), ctx.pos, "regexp")
        try:  # Python parses the template before it scans: a bad one fails on any file
            re.compile(str(args["regexp"]), re.MULTILINE).subn(text(args.get("replace")), "")
        except re.error as exc:
            raise ModuleArgumentError(
                f"Unable to process replace due to error: {exc}", ctx.pos
            ) from None
        try:
            return self._sed_call(args, ctx)
        except PythonOnlyRegex as exc:
            return self._perl_call(args, ctx, exc.construct)

    def _perl_call(self, args: dict, ctx: CompileContext, why: str) -> ShellCall:
        regexp = str(args["regexp"])
        after, before = args.get("after"), args.get("before")
        section = secgroup = ""
        if after or before:
            section = ansible_section_pattern(after, before)
            secgroup = str(re.compile(section, re.DOTALL).groupindex["subsection"])
            section = python_re_to_perl(section, ctx.pos, "after" if after else "before")
        if "\x01" in text(args.get("replace")):
            raise ModuleArgumentError(
                "argument 'replace': the byte \\x01 is not supported", ctx.pos
            )
        return EA_REPLACE_PERL.call(
            path=home_path(str(args["path"])),
            perlre=python_re_to_perl(regexp, ctx.pos, "regexp"),
            template=perl_template(
                text(args.get("replace")), re.compile(regexp), ctx.pos, "replace"
            ),
            section=section,
            secgroup=secgroup or "0",
            why=why,
            backup=flag(args.get("backup")),
            validate=text(args.get("validate")),
            mode=mode_arg(args.get("mode"), ctx.pos),
            **owner_group(args),
        )

    def _sed_call(self, args: dict, ctx: CompileContext) -> ShellCall:
        regexp = str(args["regexp"])
        ere = python_re_to_ere(regexp, ctx.pos, "regexp")
        _refuse_newline(ere, regexp, "regexp", ctx.pos)
        replacement = repl_to_sed(text(args.get("replace")), re.compile(regexp).groups, ctx.pos)
        if "\x01" in replacement:
            raise ModuleArgumentError(
                "argument 'replace': the byte \\x01 is not supported", ctx.pos
            )
        after = before = ""
        anchors = ""
        if args.get("after"):
            after, anchored = _section_re(str(args["after"]), "after", ctx.pos)
            anchors += "a" if anchored else ""
        if args.get("before"):
            before, anchored = _section_re(str(args["before"]), "before", ctx.pos)
            anchors += "b" if anchored else ""
        # Python's MULTILINE ^/$ also match after a final newline (an empty last line), where
        # sed sees no line: the target appends this expansion there
        empty = re.compile(regexp, re.MULTILINE).match("\n", 1)
        tail = ""
        if empty is not None:
            anchors += "t"
            tail = empty.expand(text(args.get("replace")))
        return EA_REPLACE.call(
            path=home_path(str(args["path"])),
            tail=tail,
            sedre=ere,
            sedrepl=replacement,
            after=after,
            before=before,
            anchors=anchors or "-",
            backup=flag(args.get("backup")),
            validate=text(args.get("validate")),
            mode=mode_arg(args.get("mode"), ctx.pos),
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = edit_finish(record)
        if out.pop("nomatch", None):
            pattern = ansible_section_pattern(args.get("after"), args.get("before"))
            out["msg"] = f"Pattern for before/after params did not match the given file: {pattern}"
        return out


def ansible_section_pattern(after, before) -> str:
    """The pattern Ansible's replace selects its section with (compiled with DOTALL)."""
    if after and before:
        return f"{after}(?P<subsection>.*?){before}"
    if after:
        return f"{after}(?P<subsection>.*)"
    return f"(?P<subsection>.*){before}"


MODULE = ReplaceModule()
