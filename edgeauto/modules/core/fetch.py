"""``fetch``: copy a target file to the controller (ansible.builtin.fetch).

The target sends the file's base64 only when its sha1 differs from the controller's copy; the
controller checks the sha1 of what arrived (``validate_checksum``) and writes it atomically
(temp file next to the destination, then rename). Destination layout as Ansible:
``dest/<inventory_hostname>/<src>``, or with ``flat`` ``dest`` itself (``dest/`` + basename).
Check mode skips the task, as ansible-playbook does ("check mode not (yet) supported").
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.fsutil import atomic_write
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag
from edgeauto.modules.core._files import decode_base64
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="fetch",
    short_description="Fetch files from remote nodes",
    description=(
        "Works like ansible.builtin.fetch (files only, as Ansible). The controller-side write "
        "is atomic; unchanged files are not transferred."
    ),
    options={
        "src": Option(required=True, description="The file on the target."),
        "dest": Option(required=True, description="Controller directory (or file with flat=true)."),
        "fail_on_missing": Option(
            type="bool", default=True, description="Fail when src is missing or a directory."
        ),
        "validate_checksum": Option(
            type="bool", default=True, description="Verify the sha1 of what arrived."
        ),
        "flat": Option(
            type="bool",
            default=False,
            description="Write to dest itself (dest/ + basename) instead of dest/<host>/<src>.",
        ),
    },
    returns={
        "dest": "Controller path written.",
        "checksum": "sha1 of the controller file.",
        "remote_checksum": "sha1 of the target file.",
        "md5sum": "md5 of the controller file.",
        "file": "The target file.",
    },
    examples="- fetch:\n    src: /etc/hostname\n    dest: fetched/\n",
)

EA_FETCH = ShellFunction(
    "ea_fetch",
    "fetch.sh",
    needs=("filestat.sh",),
    params="src localsum fail_on_missing",
    defaults={"fail_on_missing": "1"},
)


def _sha1(path: str) -> str | None:
    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _md5(path: str) -> str | None:
    try:
        return hashlib.md5(Path(path).read_bytes(), usedforsecurity=False).hexdigest()
    except (OSError, ValueError):
        return None


def local_dest(args: dict, ctx: CompileContext, source: str, pos: Position | None) -> str:
    """Where the controller writes the file (Ansible's layout; relative = playbook dir)."""
    dest = str(args["dest"])
    base = ctx.task_vars.get("playbook_dir") or os.getcwd()
    if args.get("flat"):
        if os.path.isdir(dest) and not dest.endswith(os.sep):
            raise ModuleArgumentError(
                "dest is an existing directory, use a trailing slash if you want to fetch src "
                "into that directory",
                pos,
            )
        if dest.endswith(os.sep):
            dest = os.path.join(dest, os.path.basename(source))
            if os.path.isdir(dest):
                raise ModuleArgumentError(
                    f"calculated dest '{dest}' is an existing directory, use another path that "
                    "does not point to an existing directory",
                    pos,
                )
        if not dest.startswith("/"):
            dest = os.path.join(base, dest)
    else:
        host = ctx.task_vars.get("inventory_hostname") or ctx.host
        dest = f"{os.path.join(base, os.path.expanduser(dest))}/{host}/{source}"
    return os.path.normpath(dest)


class FetchModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_FETCH,)
    invalidates = None
    converged_in = "tests/shell/test_files_converge.py: fetches into a controller directory"

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        src = str(args["src"])
        localsum = ""
        if not src.startswith("~"):  # else the target's home decides the local path
            localsum = _sha1(local_dest(args, ctx, src, ctx.pos)) or ""
        return EA_FETCH.call(
            src=src, localsum=localsum, fail_on_missing=flag(args.get("fail_on_missing", True))
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if out.get("skipped"):
            out.pop("file", None)
            return out
        source = out.pop("file", str(args["src"]))
        content = out.pop("content", None)
        remote = out.pop("remote_checksum", None)
        if out.get("failed"):
            out["changed"] = False
            return out
        if out.pop("ignored", None):
            out["changed"] = False
            if "directory" not in out.get("msg", ""):
                out["file"] = source
            return out
        try:
            dest = local_dest(args, ctx, source, ctx.pos)
        except ModuleArgumentError as exc:
            return {"changed": False, "failed": True, "msg": exc.message}
        local = _sha1(dest)
        if content is not None and remote != local:
            data = decode_base64(content)
            new = hashlib.sha1(data).hexdigest()
            if args.get("validate_checksum", True) and new != remote:
                return {
                    "changed": False,
                    "failed": True,
                    "msg": "checksum mismatch",
                    "file": source,
                    "dest": dest,
                    "md5sum": None,
                    "remote_md5sum": None,
                    "checksum": new,
                    "remote_checksum": remote,
                }
            atomic_write(dest, data, prefix=".edgeauto.fetch.")
            out.update(
                changed=True,
                md5sum=_md5(dest),
                dest=dest,
                remote_md5sum=None,
                checksum=new,
                remote_checksum=remote,
            )
            return out
        out.update(changed=False, md5sum=_md5(dest), file=source, dest=dest, checksum=local)
        return out


MODULE = FetchModule()
