"""``get_url``: download a URL to a file on the target.

The target fetches it itself (curl, GNU wget or BusyBox wget): the bytes never pass through
the controller. Idempotent like Ansible's: an existing ``dest`` is kept when ``force`` is
false and it matches ``checksum`` (or no checksum is given); otherwise the download lands in
a temp file, is verified against ``checksum`` and replaces ``dest`` atomically only when its
content differs. Check mode downloads into the run's private temp directory, so it predicts
the real run exactly (Ansible's HEAD request cannot compare contents).
"""

from __future__ import annotations

import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import COMMON_FILE_OPTIONS, flag, mode_arg, owner_group, text
from edgeauto.modules.core._xfer import DIGESTS, request_headers, static_check
from edgeauto.modules.core.file import file_finish
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_GET_URL = ShellFunction(
    "ea_get_url",
    "get_url.sh",
    needs=("fileattrs.sh", "http.sh"),
    params="url dest algo checksum sumurl force mode owner group backup tmpdest timeout validate",
    rest="headers",
    defaults={"validate": "1", "timeout": "10", "force": "0", "backup": "0"},
)

_ACCEPTED = "Accepted for compatibility; not used by the clients on the target."


def parse_checksum(value: str, pos: Position | None) -> tuple[str, str, str]:
    """``algo:hex`` or ``algo:url`` → (algo, hex, url)."""
    if not value:
        return "", "", ""
    if ":" not in value:
        raise ModuleArgumentError(
            "The checksum parameter has to be in format <algorithm>:<checksum>", pos
        )
    algo, rest = value.split(":", 1)
    algo = algo.strip().lower()
    if algo not in DIGESTS:
        raise ModuleArgumentError(
            f"checksum algorithm {algo!r} is not supported here: one of {', '.join(DIGESTS)}", pos
        )
    if re.match(r"(https?|ftp|file)://", rest.strip()):
        return algo, "", rest.strip()
    digest = re.sub(r"\W+", "", rest).lower()
    if not digest or not re.fullmatch(r"[0-9a-f]+", digest):
        raise ModuleArgumentError("The checksum format is invalid", pos)
    return algo, digest, ""


class GetUrlModule(RemoteModule):
    spec = ModuleSpec(
        name="get_url",
        short_description="Download a file from HTTP, HTTPS or FTP to the target",
        options={
            "url": Option(required=True, description="URL to download (http, https, ftp)."),
            "dest": Option(type="path", required=True, description="File or directory."),
            "checksum": Option(default="", description="algo:hex or algo:URL of a sums file."),
            "force": Option(
                type="bool", default=False, description="Download even if dest exists."
            ),
            "backup": Option(type="bool", default=False, description="Back up a replaced file."),
            "tmp_dest": Option(type="path", description="Directory for the download."),
            "headers": Option(type="dict", description="Request headers."),
            "timeout": Option(type="int", default=10, description="Seconds for the request."),
            "validate_certs": Option(type="bool", default=True, description="Verify TLS."),
            "url_username": Option(aliases=("username",), description="Basic auth user."),
            "url_password": Option(
                aliases=("password",), no_log=True, description="Basic auth password."
            ),
            "force_basic_auth": Option(
                type="bool", default=False, description="Basic auth is always sent up front."
            ),
            "http_agent": Option(default="ansible-httpget", description="User-Agent header."),
            "use_proxy": Option(type="bool", default=True, description="Clients use *_proxy."),
            "decompress": Option(type="bool", default=True, description=_ACCEPTED),
            "use_netrc": Option(type="bool", default=True, description=_ACCEPTED),
            "use_gssapi": Option(type="bool", default=False, description=_ACCEPTED),
            "client_cert": Option(type="path", description=_ACCEPTED),
            "client_key": Option(type="path", description=_ACCEPTED),
            "ciphers": Option(type="list", elements="str", description=_ACCEPTED),
            "unredirected_headers": Option(
                type="list", elements="str", default=[], description=_ACCEPTED
            ),
            **COMMON_FILE_OPTIONS,
        },
        returns={
            "dest": "The file written.",
            "status_code": "HTTP status.",
            "checksum_src": "sha1 of the download.",
            "checksum_dest": "sha1 of dest before.",
            "md5sum": "md5 of dest.",
            "elapsed": "Seconds the download took.",
        },
        examples="- get_url:\n    url: https://example.com/app.tar.gz\n    dest: /opt/app.tar.gz\n"
        "    checksum: sha256:https://example.com/SHA256SUMS\n",
    )
    shell_functions = (EA_GET_URL,)
    converged_in = "tests/shell/test_xfer_converge.py: needs an HTTP server (127.0.0.1); also on debian (curl) and busybox (wget) lab hosts"

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)
        return out

    def check_args(self, args: dict, pos: Position | None) -> None:
        parse_checksum(str(args.get("checksum") or ""), pos)
        mode_arg(args.get("mode"), pos)
        try:
            request_headers(args)
        except ValueError as exc:
            raise ModuleArgumentError(str(exc), pos) from None

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        algo, digest, sumurl = parse_checksum(str(args.get("checksum") or ""), ctx.pos)
        return EA_GET_URL.call(
            url=str(args["url"]),
            dest=str(args["dest"]),
            algo=algo,
            checksum=digest,
            sumurl=sumurl,
            force=flag(args.get("force")),
            mode=mode_arg(args.get("mode"), ctx.pos),
            backup=flag(args.get("backup")),
            tmpdest=text(args.get("tmp_dest")),
            timeout=str(args.get("timeout", 10)),
            validate=flag(args.get("validate_certs", True)),
            headers=request_headers(args),
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        out.pop("http_head", None)
        file_finish(out, record)
        for key in ("status_code", "elapsed"):
            if str(out.get(key, "")).isdigit():
                out[key] = int(out[key])
        if out.get("msg") == "file already exists" and out.get("changed"):
            out["msg"] = "file already exists but file attributes changed"
        out.setdefault("elapsed", 0)
        if out.get("md5sum") == "":
            out["md5sum"] = None
        return out


MODULE = GetUrlModule()
