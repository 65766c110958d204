"""``ini_file`` (community.general.ini_file): set or remove options and sections in INI files.

community.general's algorithm, line by line in awk on the target (remote/ini_file.sh): the
options before the first header live in a hidden first section; an option line matches with
optional leading blanks, ``=`` or end of line after the name, and — with
``modify_inactive_option`` — a leading ``#``/``;`` comment (that line is then activated);
``exclusive`` removes the other occurrences; new options go after the section's last line that
is not blank or a comment; a missing section is appended. Option names are literal strings
(no regexps), compared case-sensitively like the collection.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, payload_ref
from edgeauto.modules.core._common import BACKUP, COMMON_FILE_OPTIONS, mode_arg, owner_group, text
from edgeauto.modules.core._files import edit_finish
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="ini_file",
    short_description="Tweak settings in INI files",
    description=(
        "Works like community.general.ini_file (no Python on the target). section_has_values "
        "is not supported."
    ),
    aliases=("community.general.ini_file", "community.general.files.ini_file"),
    oracle=None,  # a community.general module: ansible-core's docs do not have it
    options={
        "path": Option(type="path", required=True, aliases=("dest",), description="INI file."),
        "section": Option(description="Section name; none = options before the first section."),
        "option": Option(description="Option name; none with state=absent removes the section."),
        "value": Option(description="The option's value."),
        "values": Option(
            type="list", elements="str", description="Several values (repeated option)."
        ),
        "backup": BACKUP,
        "state": Option(
            default="present", choices=("absent", "present"), description="Present or absent."
        ),
        "exclusive": Option(
            type="bool", default=True, description="Remove other occurrences of the option."
        ),
        "no_extra_spaces": Option(
            type="bool", default=False, description="Write option=value without spaces."
        ),
        "ignore_spaces": Option(
            type="bool", default=False, description="Spacing-only differences are no change."
        ),
        "allow_no_value": Option(
            type="bool", default=False, description="Options without '=' and value."
        ),
        "modify_inactive_option": Option(
            type="bool", default=True, description="Replace a commented-out #option=value line."
        ),
        "create": Option(type="bool", default=True, description="Create the file if missing."),
        "follow": Option(type="bool", default=False, description="Edit a symlink's target."),
        **COMMON_FILE_OPTIONS,
    },
    mutually_exclusive=(("value", "values"),),
    supports_diff=True,
    returns={
        "msg": "OK / option changed / option added / section and option added / ...",
        "path": "The file.",
        "backup_file": "Backup path, when one was made.",
    },
    examples=(
        "- community.general.ini_file:\n    path: /etc/app.ini\n    section: main\n"
        "    option: port\n    value: '8080'\n"
    ),
)

EA_INI_FILE = ShellFunction(
    "ea_ini_file",
    "ini_file.sh",
    needs=("fileattrs.sh", "filestat.sh", "fileedit.sh"),
    params="path section option values state flags mode owner group",
    defaults={"state": "present", "flags": "-"},
)


class IniFileModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_INI_FILE,)
    converged_in = "tests/shell/test_files_converge.py: converge + end state vs community.general"

    def check_args(self, args: dict, pos: Position | None) -> None:
        state = args.get("state") or "present"
        if (
            state == "present"
            and not args.get("allow_no_value")
            and args.get("value") is None
            and not args.get("values")
        ):
            raise ModuleArgumentError(
                "Parameter 'value(s)' must be defined if state=present and allow_no_value=False.",
                pos,
            )
        for key in ("section", "option", "value"):
            if "\n" in text(args.get(key)):
                raise ModuleArgumentError(f"argument '{key}': must be a single line", pos)
        if any("\n" in str(v) for v in args.get("values") or []):
            raise ModuleArgumentError("argument 'values': each value must be a single line", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        if args.get("value") is not None:
            values = [str(args["value"])]
        else:
            values = [str(v) for v in args.get("values") or [] if v is not None]
        unique: list[str] = []
        for value in values:
            if value not in unique:
                unique.append(value)
        payloads = {}
        if unique:
            payloads["values"] = "".join(f"{v}\n" for v in unique).encode(
                "utf-8", errors="surrogateescape"
            )
        flags = "".join(
            letter
            for letter, on in (
                ("x", args.get("exclusive", True)),
                ("n", args.get("no_extra_spaces")),
                ("v", args.get("allow_no_value")),
                ("c", args.get("create", True)),
                ("b", args.get("backup")),
                ("i", args.get("ignore_spaces")),
                ("m", args.get("modify_inactive_option", True)),
                ("f", args.get("follow")),
            )
            if on
        )
        return EA_INI_FILE.call(
            payloads=payloads,
            path=str(args["path"]),
            section=text(args.get("section")),
            option=text(args.get("option")),
            values=payload_ref("values") if payloads else "",
            state=args.get("state") or "present",
            flags=flags or "-",
            mode=mode_arg(args.get("mode"), ctx.pos),
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = edit_finish(record)
        # the collection never adds the attributes sentence to msg
        suffix = " and ownership, perms or SE linux context changed"
        msg = out.get("msg") or ""
        if msg.endswith(suffix):
            out["msg"] = msg[: -len(suffix)]
        elif msg == suffix.removeprefix(" and "):
            out["msg"] = "OK"
        return out


MODULE = IniFileModule()
