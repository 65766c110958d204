"""``file``: make a path a file, directory, symlink, hard link, touched file, or absent.

Attributes (mode, owner, group) converge in the same call; ``recurse`` applies them below a
directory. SELinux and chattr attributes are accepted for playbook compatibility but ignored.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    home_path,
    standard_result,
)
from edgeauto.modules.core._common import COMMON_FILE_OPTIONS, flag, mode_arg, owner_group, text
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="file",
    short_description="Manage files, directories, links and their attributes",
    description=(
        "Works like ansible.builtin.file. SELinux contexts and chattr attributes are accepted "
        "but not managed."
    ),
    options={
        "path": Option(
            type="path", required=True, aliases=("dest", "name"), description="Path to manage."
        ),
        "state": Option(
            choices=("absent", "directory", "file", "hard", "link", "touch"),
            description="What the path should be. Default: keep its kind (file if absent).",
        ),
        "src": Option(type="path", description="Link target for state=link/hard."),
        "recurse": Option(
            type="bool",
            default=False,
            description="Apply attributes recursively (state=directory).",
        ),
        "force": Option(
            type="bool",
            default=False,
            description="Replace a file/empty dir with a link; link to a missing src.",
        ),
        "follow": Option(
            type="bool", default=True, description="Apply attributes to a symlink's target."
        ),
        "access_time": Option(description="For touch: now, preserve or a stamp."),
        "access_time_format": Option(
            default="%Y%m%d%H%M.%S", description="strftime format of access_time."
        ),
        "modification_time": Option(description="For touch: now, preserve or a stamp."),
        "modification_time_format": Option(
            default="%Y%m%d%H%M.%S", description="strftime format of modification_time."
        ),
        "_diff_peek": Option(
            type="bool",
            description="Internal (Ansible's action plugins peek with it): only report whether "
            "the file looks binary (appears_binary), change nothing.",
        ),
        **COMMON_FILE_OPTIONS,
    },
    # state=link without src is legal: it updates an existing link's attributes, and the
    # target fails "src is required for creating new symlinks" only if there is no link yet
    supports_diff=True,
    returns={
        "path": "The path (dest for touch/link/hard).",
        "state": "Kind of the path after the task.",
        "mode": "Octal mode, e.g. '0644'.",
        "owner": "Owner name.",
        "group": "Group name.",
        "uid": "Owner id.",
        "gid": "Group id.",
        "size": "Size in bytes.",
    },
    examples=(
        "- file:\n    path: /etc/app\n    state: directory\n    mode: '0755'\n"
        "- file:\n    src: /opt/app/current\n    dest: /usr/local/app\n    state: link\n"
    ),
)

EA_FILE_PEEK = ShellFunction("ea_file_peek", "file.sh", params="path")
EA_FILE = ShellFunction(
    "ea_file",
    "file.sh",
    needs=("fileattrs.sh",),
    params="path state mode owner group recurse force src follow atime mtime",
    defaults={"recurse": "0", "force": "0", "follow": "1"},
)


def _stamp(value: str | None, fmt: str, pos: Position | None, name: str) -> str:
    """now/preserve/'' pass through; a stamp is converted to touch -t's CCYYMMDDhhmm.SS."""
    if value in (None, "", "now", "preserve"):
        return value or ""
    from datetime import datetime

    try:
        return datetime.strptime(value, fmt).strftime("%Y%m%d%H%M.%S")
    except ValueError:
        raise ModuleArgumentError(
            f"argument '{name}': {value!r} does not match the format {fmt!r}", pos
        ) from None


class FileModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_FILE, EA_FILE_PEEK)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        if args.get("_diff_peek") is not None:  # ansible's file module short-circuits too
            return EA_FILE_PEEK.call(path=home_path(str(args["path"])))
        state = args.get("state")
        atime = _stamp(
            args.get("access_time"),
            args.get("access_time_format") or "%Y%m%d%H%M.%S",
            ctx.pos,
            "access_time",
        )
        mtime = _stamp(
            args.get("modification_time"),
            args.get("modification_time_format") or "%Y%m%d%H%M.%S",
            ctx.pos,
            "modification_time",
        )
        if args.get("src") and state not in (None, "link", "hard"):
            raise ModuleArgumentError(
                f"argument 'src' only applies to state=link or state=hard, found state={state}",
                ctx.pos,
            )
        # src without state: as Ansible, the path's own kind decides (a link stays a link,
        # anything else fails "src option requires state to be 'link' or 'hard'" on the target)
        return EA_FILE.call(
            path=home_path(str(args["path"])),
            state=text(state),
            mode=mode_arg(args.get("mode"), ctx.pos),
            recurse=flag(args.get("recurse")),
            force=flag(args.get("force")),
            src=text(args.get("src")),
            follow=flag(args.get("follow", True)),
            atime=atime,
            mtime=mtime,
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if "appears_binary" in out:
            out["appears_binary"] = out["appears_binary"] == "1"
            return out
        content = {k: out.pop(f"pc_{k}", None) for k in ("dirs", "files")}
        unknown_ids = [w for w in str(out.pop("id_warnings", "")).splitlines() if w]
        if unknown_ids:
            out["warnings"] = unknown_ids + out.get("warnings", [])
        file_finish(out, record)
        if content["dirs"] is not None and isinstance(out.get("diff"), dict):
            out["diff"]["before"]["path_content"] = {
                "directories": content["dirs"].splitlines(),
                "files": content["files"].splitlines(),
            }
        # as Ansible's file module: its diff (the path only when unchanged) in diff mode only
        if not ctx.diff:
            out.pop("diff", None)
        elif not out.get("failed") and "diff" not in out and out.get("path"):
            out["diff"] = {"before": {"path": out["path"]}, "after": {"path": out["path"]}}
        if out.get("state") in ("link", "hard") or args.get("state") in ("touch", "hard"):
            if "path" in out:
                out["dest"] = out.pop("path")
        return out


def file_finish(out: dict, record: dict) -> None:
    """Shared by file/copy/lineinfile: int keys, diff dicts from bd_*/ad_* fields."""
    for key in ("uid", "gid", "size"):
        if key in out and str(out[key]).lstrip("-").isdigit():
            out[key] = int(out[key])
    before = {k[3:]: out.pop(k) for k in list(out) if k.startswith("bd_")}
    after = {k[3:]: out.pop(k) for k in list(out) if k.startswith("ad_")}
    for side in (before, after):  # times as Ansible's diff has them: epoch floats
        for key in ("atime", "mtime"):
            if str(side.get(key, "")).isdigit():
                side[key] = float(side[key])
    if before.get("state") == "absent":  # attributes of a just-created path are not a change
        before = {"state": "absent"}
    if before.get("state") == after.get("state"):
        before.pop("state", None)
        after.pop("state", None)
    if (before or after) and "diff" not in out and out.get("changed"):
        path = out.get("path") or out.get("dest")
        out["diff"] = {"before": {"path": path, **before}, "after": {"path": path, **after}}


MODULE = FileModule()
