"""``copy``: put a controller file or inline content at a path on the target.

Content travels inside the script only when needed: if the facts round trip reported that the
destination already has the content's sha1 (``ctx.remote_checksums``), the payload is left out
and the shell function merely *verifies* the checksum and converges attributes. If the file
changed between the facts round trip and this script, the task fails with a clear message and
``resend: true`` — the executor re-runs the task with the content included (simplest correct
design: no stale write can happen, and the common converged case costs no content bytes).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    home_path,
    payload_ref,
    standard_result,
)
from edgeauto.modules.core._common import (
    COMMON_FILE_OPTIONS,
    INSTALL_OPTIONS,
    check_validate,
    flag,
    mode_arg,
    owner_group,
    text,
)
from edgeauto.modules.core._svc import early_check
from edgeauto.modules.core.file import file_finish
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

MAX_DIFF_BYTES = 104448  # Ansible's max_diff_size default

SPEC = ModuleSpec(
    name="copy",
    short_description="Copy a file or inline content to the target",
    description=(
        "Works like ansible.builtin.copy (files and directories, inline content, remote_src "
        "files). Unchanged files are not sent: the facts round trip already knows their sha1."
    ),
    options={
        "src": Option(
            type="path",
            description="Controller file (role files/, then playbook dir); with remote_src a target path.",
        ),
        "content": Option(
            type="raw",
            no_log=False,
            description="Inline content (lists/dicts are written as JSON).",
        ),
        "dest": Option(
            type="path", required=True, description="Target path; a trailing / means a directory."
        ),
        **INSTALL_OPTIONS,
        "directory_mode": Option(type="raw", description="Mode of directories created for dest/."),
        "remote_src": Option(
            type="bool", default=False, description="src is a path on the target."
        ),
        "local_follow": Option(
            type="bool", default=None, description="Follow symlinks in src (always true here)."
        ),
        "checksum": Option(description="Expected sha1 of src; the task fails if it differs."),
        "decrypt": Option(
            type="bool", default=True, description="Decrypt vault-encrypted source files."
        ),
        **COMMON_FILE_OPTIONS,
    },
    required_one_of=(("src", "content"),),
    mutually_exclusive=(("src", "content"),),
    supports_diff=True,
    returns={
        "dest": "Destination file path.",
        "src": "Source file (controller path).",
        "checksum": "sha1 of the content.",
        "backup_file": "Path of the backup, when one was made.",
        "mode": "Octal mode.",
        "owner": "Owner name.",
        "group": "Group name.",
        "size": "Size in bytes.",
        "state": "Kind of dest ('file').",
    },
    examples=(
        "- copy:\n    src: motd\n    dest: /etc/motd\n    mode: '0644'\n"
        "- copy:\n    content: 'ENABLED=1\\n'\n    dest: /etc/default/app\n    backup: true\n"
    ),
)

EA_COPY = ShellFunction(
    "ea_copy",
    "copy.sh",
    needs=("fileattrs.sh",),
    params=(
        "src dest checksum mode owner group backup force validate dirmode remote_src follow"
        " basename header"
    ),
    defaults={"backup": "0", "force": "1", "remote_src": "0", "follow": "0"},
)
EA_COPY_TREE = ShellFunction(
    "ea_copy_tree",
    "copy.sh",
    needs=("fileattrs.sh",),
    params="root dirmode mode owner group backup force",
    rest="entries",
    defaults={"backup": "0", "force": "1"},
)


def content_bytes(value) -> bytes:
    """Ansible writes dict/list content as JSON, everything else as text."""
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).encode("utf-8", errors="surrogateescape")


def read_source(path: Path, args: dict, ctx: CompileContext) -> bytes:
    """A controller file's bytes; vault-encrypted files are decrypted (``decrypt: true``)."""
    from edgeauto.templating.vault import decrypt, is_encrypted

    data = path.read_bytes()
    if args.get("decrypt", True) and is_encrypted(data):
        secrets = getattr(ctx.templar, "vault", None)
        if not secrets:
            raise ModuleArgumentError(
                f"{path} is vault-encrypted but no vault password was given", ctx.pos
            )
        data = decrypt(data, secrets, ctx.pos)
    return data


def known_on_target(checksums: dict, dest: str, basename: str, checksum: str) -> bool:
    """True if the facts round trip saw exactly this content where it will be written.

    ``dest`` itself, or — when ``dest`` exists but has no checksum (a directory) —
    ``dest/basename``; the shell function re-verifies either way.
    """
    if checksums.get(dest) == checksum:
        return True
    if basename and not dest.endswith("/") and dest in checksums and checksums[dest] is None:
        return checksums.get(f"{dest}/{basename}") == checksum
    return False


def final_dest(dest: str, basename: str) -> str:
    return dest + basename if dest.endswith("/") else dest


def copy_action_checks(args: dict, pos: Position | None) -> None:
    """What Ansible's copy action refuses before its module sees the arguments, in its order
    and words (the copy target asserts them): ``src: ''`` is no source (it named the
    playbook's own directory here before)."""
    src, content, dest = args.get("src"), args.get("content"), args.get("dest")
    if not src and content is None:
        problem = "src (or content) is required"
    elif not dest:
        problem = "dest is required"
    elif src and content is not None:
        problem = "src and content are mutually exclusive"
    elif content is not None and isinstance(dest, str) and dest.endswith("/"):
        problem = "can not use content with a dir as dest"
    else:
        return
    raise ModuleArgumentError(problem, pos)


class CopyModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_COPY, EA_COPY_TREE)
    shell_header = "dynamically generated"
    src_kind = "files"  # where a relative src is searched (template: "templates", never a tree)

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        if self.spec.name == "copy":
            copy_action_checks(args, pos)
        return early_check(self, args, pos, final)

    def check_args(self, args: dict, pos: Position | None) -> None:
        check_validate(args, pos)

    def checksum_paths(self, args: dict) -> list[str]:
        if args.get("remote_src"):
            return []
        base = os.path.basename(str(args.get("src") or "").rstrip("/"))
        dest = str(args["dest"])
        paths = [final_dest(dest, base)]
        if base and not dest.endswith("/"):
            paths.append(f"{dest}/{base}")  # in case dest is an existing directory
        return paths

    def source(self, args: dict, ctx: CompileContext) -> tuple[bytes, str, str, int | None]:
        """(content, basename, diff header, source mode) of what to write."""
        if args.get("content") is not None:
            return content_bytes(args["content"]), "", self.shell_header, None
        path = ctx.locate("files", str(args["src"]))
        data = read_source(path, args, ctx)
        return data, path.name, str(args["src"]), stat.S_IMODE(path.stat().st_mode)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        mode = mode_arg(args.get("mode"), ctx.pos)
        dirmode = mode_arg(args.get("directory_mode"), ctx.pos)
        if args.get("remote_src"):
            if not args.get("src"):
                raise ModuleArgumentError("remote_src requires src", ctx.pos)
            src = str(args["src"])
            basename = os.path.basename(src.rstrip("/"))
            return self._call(
                args, src=home_path(src), mode=mode, dirmode=dirmode, basename=basename, header=src
            )
        if (
            self.src_kind == "files"
            and args.get("content") is None
            and ctx.locate("files", str(args["src"])).is_dir()
        ):
            return self.compile_tree(args, ctx, mode, dirmode)
        data, basename, header, src_mode = self.source(args, ctx)
        if mode == "preserve":
            mode = format(src_mode or 0o644, "04o")
        checksum = hashlib.sha1(data).hexdigest()
        if args.get("checksum") and args["checksum"] != checksum:
            raise ModuleArgumentError(
                f"Copied file does not match the expected checksum: expected {args['checksum']}, got {checksum}",
                ctx.pos,
            )
        dest = final_dest(str(args["dest"]), basename)
        payloads = {}
        src_ref = ""
        if not known_on_target(ctx.remote_checksums, dest, basename, checksum):
            payloads["content"] = data
            src_ref = payload_ref("content")
        return self._call(
            args,
            payloads=payloads,
            src=src_ref,
            checksum=checksum,
            mode=mode,
            dirmode=dirmode,
            basename=basename,
            header=header,
        )

    def compile_tree(self, args: dict, ctx: CompileContext, mode: str, dirmode: str) -> ShellCall:
        """A directory src: ``dir/`` copies its contents into dest, ``dir`` the dir itself."""
        if mode == "preserve":
            raise ModuleArgumentError("mode=preserve is not supported for directories yet", ctx.pos)
        src_text = str(args["src"])
        top = ctx.locate("files", src_text)
        dest = str(args["dest"]).rstrip("/") or "/"
        root = dest if src_text.endswith("/") else f"{dest}/{top.name}"
        entries = ["d", "", "-", "-"]  # groups of four: the root itself, then its contents
        payloads: dict[str, bytes] = {}
        for current, dirs, files in os.walk(top, followlinks=True):
            dirs.sort()
            rel_dir = os.path.relpath(current, top)
            for name in dirs:
                entries += ["d", os.path.normpath(os.path.join(rel_dir, name)), "-", "-"]
            for name in sorted(files):
                rel = os.path.normpath(os.path.join(rel_dir, name))
                data = read_source(Path(current) / name, args, ctx)
                checksum = hashlib.sha1(data).hexdigest()
                ref = ""
                if ctx.remote_checksums.get(f"{root}/{rel}") != checksum:
                    key = f"f{len(payloads)}"
                    payloads[key] = data
                    ref = payload_ref(key)
                entries += ["f", rel, ref, checksum]
        return EA_COPY_TREE.call(
            payloads=payloads,
            root=root,
            dirmode=dirmode,
            mode=mode,
            backup=flag(args.get("backup")),
            force=flag(args.get("force", True)),
            entries=entries,
            **owner_group(args),
        )

    def _call(self, args: dict, payloads: dict | None = None, **computed: str) -> ShellCall:
        """``ea_copy`` with the arguments taken from the task plus those ``compile`` computed."""
        return EA_COPY.call(
            payloads=payloads,
            dest=home_path(str(args["dest"])),
            backup=flag(args.get("backup")),
            force=flag(args.get("force", True)),
            validate=text(args.get("validate")),
            remote_src=flag(args.get("remote_src")),
            follow=flag(args.get("follow")),
            **owner_group(args),
            **computed,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        file_finish(out, record)
        if out.get("resend") == "1":
            out["resend"] = True
        if args.get("src") is not None:
            out["src"] = str(args["src"])
        diff = out.get("diff")
        if isinstance(diff, dict):
            for side in ("before", "after"):
                value = diff.get(side, "")
                if "\0" in value or len(value) > MAX_DIFF_BYTES:
                    diff[side] = ""
                    diff[f"{side}_header"] = (
                        f"{diff.get(f'{side}_header', '')} (binary or too large, not shown)"
                    )
        return out


MODULE = CopyModule()


def read_text_file(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="surrogateescape")
