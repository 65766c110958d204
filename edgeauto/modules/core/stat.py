"""``stat``: a path's facts (ansible.builtin.stat) without Python on the target.

One ``stat -c`` call (GNU or BusyBox) gives the raw numbers; the controller derives Ansible's
keys from them (``_files.parse_stat_line``). The checksum uses whichever digest tool the target
has; mime data needs file(1) and attributes lsattr, else Ansible's 'unknown' / empty values.
"""

from __future__ import annotations

from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    home_path,
    standard_result,
)
from edgeauto.modules.core._common import flag
from edgeauto.modules.core._files import (
    CHECKSUM_ALGORITHM,
    access_keys,
    attribute_keys,
    mime_keys,
    parse_stat_line,
    stat_module_dict,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="stat",
    short_description="Retrieve file or file system status",
    description=(
        "Works like ansible.builtin.stat: the same keys in `stat`. Needs only stat(1) (GNU or "
        "BusyBox); checksums use <alg>sum, busybox or openssl; mimetype/charset need file(1) "
        "and attributes lsattr (else 'unknown' and empty, as Ansible without those tools)."
    ),
    options={
        "path": Option(
            type="path", required=True, aliases=("dest", "name"), description="Path to examine."
        ),
        "follow": Option(type="bool", default=False, description="Follow symlinks."),
        "get_checksum": Option(
            type="bool", default=True, description="Checksum of a readable regular file."
        ),
        "checksum_algorithm": CHECKSUM_ALGORITHM,
        "get_mime": Option(
            type="bool",
            default=True,
            aliases=("mime", "mime_type", "mime-type"),
            description="mimetype and charset from file(1).",
        ),
        "get_attributes": Option(
            type="bool",
            default=True,
            aliases=("attr", "attributes"),
            description="attributes/attr_flags/version from lsattr.",
        ),
    },
    returns={"stat": "exists, path, mode, isdir, isreg, islnk, uid, gid, size, times, ..."},
    examples="- stat:\n    path: /etc/foo.conf\n  register: st\n",
)

EA_STAT = ShellFunction(
    "ea_stat",
    "stat.sh",
    needs=("filestat.sh",),
    params="path follow checksum mime attributes",
    defaults={"follow": "0", "checksum": "sha1", "mime": "1", "attributes": "1"},
)


_FIELDS = (
    "path",
    "exists",
    "st",
    "access",
    "lnk_target",
    "lnk_source",
    "checksum",
    "mime",
    "lsattr",
)


def stat_result(fields: dict, follow: bool) -> dict:
    """The ``stat`` dict from the fields ``ea_stat`` emitted."""
    if fields.get("exists") != "1":
        return {"exists": False}
    raw = parse_stat_line(fields["st"])
    out = stat_module_dict(raw, fields.get("path", ""))
    out.update(access_keys(fields.get("access", "")))
    if out["islnk"]:
        out["lnk_source"] = fields.get("lnk_source", "")
        out["lnk_target"] = fields.get("lnk_target", "")
    for key in ("pw_name", "gr_name"):
        if raw[key] is not None:
            out[key] = raw[key]
    if "checksum" in fields:
        out["checksum"] = fields["checksum"]
    return out


class StatModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_STAT,)
    invalidates = None
    converged_in = "tests/shell/test_files_converge.py: read-only; compared key by key with os.stat"

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return EA_STAT.call(
            path=home_path(str(args["path"])),
            follow=flag(args.get("follow")),
            checksum=str(args.get("checksum_algorithm") or "sha1")
            if args.get("get_checksum", True)
            else "",
            mime=flag(args.get("get_mime", True)),
            attributes=flag(args.get("get_attributes", True)),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        fields = dict(record.get("fields", {}))
        out = standard_result(record)
        for key in _FIELDS:
            out.pop(key, None)
        if out.get("failed"):
            return out
        result = stat_result(fields, bool(args.get("follow")))
        if result["exists"]:
            if args.get("get_mime", True):
                result.update(mime_keys(fields.get("mime")))
            if args.get("get_attributes", True):
                result.update(attribute_keys(fields.get("lsattr")))
        out["stat"] = result
        return out


MODULE = StatModule()
