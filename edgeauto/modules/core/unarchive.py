"""``unarchive``: unpack a tar or zip archive into a directory on the target.

A controller-side ``src`` travels as a payload inside the host's one script; ``remote_src``
names a file on the target or a URL it downloads itself. The target unpacks into the run's
private temp directory, compares member by member with ``dest`` (type, link target, content,
mtime and — unless ``mode`` is given — permissions: the differences ``tar --diff`` reports
for Ansible) and installs only when something differs. So check mode is exact, the second
run changes nothing, and BusyBox tar/unzip are enough.
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    payload_ref,
    standard_result,
)
from edgeauto.modules.core._common import COMMON_FILE_OPTIONS, flag, mode_arg, owner_group, text
from edgeauto.modules.core._xfer import static_check
from edgeauto.modules.core.copy import read_source
from edgeauto.modules.core.file import file_finish
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_UNARCHIVE = ShellFunction(
    "ea_unarchive",
    "unarchive.sh",
    needs=("fileattrs.sh", "http.sh"),
    params="src origin dest creates remote timeout validate exclude include keep_newer list "
    "mode owner group compare_mode",
    rest="extra",
    defaults={"timeout": "10", "validate": "1", "compare_mode": "1"},
)

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class UnarchiveModule(RemoteModule):
    spec = ModuleSpec(
        name="unarchive",
        short_description="Unpack a tar or zip archive into a directory",
        options={
            "src": Option(type="path", required=True, description="The archive."),
            "dest": Option(type="path", required=True, description="Existing directory."),
            "remote_src": Option(type="bool", default=False, description="src is on the target."),
            "copy": Option(type="bool", default=True, description="Deprecated: not remote_src."),
            "creates": Option(type="path", description="Skip when this path exists."),
            "list_files": Option(type="bool", default=False, description="Return the members."),
            "exclude": Option(type="list", elements="str", default=[], description="Globs."),
            "include": Option(type="list", elements="str", default=[], description="Globs."),
            "keep_newer": Option(type="bool", default=False, description="Keep newer files."),
            "extra_opts": Option(
                type="list", elements="str", default=[], description="Options for tar/unzip."
            ),
            "validate_certs": Option(type="bool", default=True, description="For a URL src."),
            "decrypt": Option(type="bool", default=True, description="Decrypt vault files."),
            "io_buffer_size": Option(type="int", default=65536, description="Accepted; unused."),
            **COMMON_FILE_OPTIONS,
        },
        mutually_exclusive=(("include", "exclude"),),
        returns={
            "dest": "The directory.",
            "src": "The archive.",
            "handler": "TarArchive, TgzArchive, TarBzipArchive, TarXzArchive, ZipArchive.",
            "files": "Member names (list_files).",
        },
        examples="- unarchive:\n    src: app-1.2.tar.gz\n    dest: /opt/app\n"
        "    exclude: ['*.md']\n",
    )
    shell_functions = (EA_UNARCHIVE,)
    converged_in = "tests/shell/test_xfer_converge.py: archives built by the test, under dash+busybox; also debian and busybox lab hosts"

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)
        return out

    @staticmethod
    def _remote(args: dict) -> bool:
        if args.get("remote_src"):
            return True
        return args.get("copy") is False

    def check_args(self, args: dict, pos: Position | None) -> None:
        src = str(args.get("src") or "")
        if _URL.match(src) and not self._remote(args):
            raise ModuleArgumentError(
                f"Unsupported option, an URI src ({src}) is only supported when remote_src is True",
                pos,
            )
        mode_arg(args.get("mode"), pos)
        for pattern in (args.get("exclude") or []) + (args.get("include") or []):
            if "\n" in str(pattern):
                raise ModuleArgumentError("exclude/include patterns may not hold newlines", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        src = str(args["src"])
        payloads = {}
        if self._remote(args):
            where = src
        else:
            payloads["archive"] = read_source(ctx.locate("files", src), args, ctx)
            where = payload_ref("archive")
        mode = mode_arg(args.get("mode"), ctx.pos)
        return EA_UNARCHIVE.call(
            payloads=payloads,
            src=where,
            origin=src,
            dest=str(args["dest"]),
            creates=text(args.get("creates")),
            remote=flag(self._remote(args)),
            validate=flag(args.get("validate_certs", True)),
            exclude="\n".join(str(p) for p in args.get("exclude") or []),
            include="\n".join(str(p) for p in args.get("include") or []),
            keep_newer=flag(args.get("keep_newer")),
            list=flag(args.get("list_files")),
            mode=mode,
            compare_mode="0" if mode else "1",
            extra=[str(o) for o in args.get("extra_opts") or []],
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if out.get("skipped"):
            return {"changed": False, "skipped": True, "msg": out.get("msg", "")}
        file_finish(out, record)
        out.pop("differs", None)
        if "files" in out:
            out["files"] = [f for f in str(out["files"]).splitlines() if f]
        elif args.get("list_files") and not out.get("failed"):
            out["files"] = []
        if "unpack_err" in out:
            out["extract_results"] = {"err": out.pop("unpack_err"), "rc": 1}
        return out


MODULE = UnarchiveModule()
