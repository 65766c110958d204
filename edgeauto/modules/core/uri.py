"""``uri``: an HTTP request made from the target (or, with ``delegate_to: localhost``, from
the controller: the engine then runs the same shell function through the local transport).

The body is encoded here (``json``, ``form-urlencoded``, ``raw``) and travels as a payload;
the target's client (curl, GNU wget, BusyBox wget — GET/POST only) sends it. The response's
status line and headers come back raw and are shaped here like Ansible's result: ``status``,
``url``, ``redirected``, ``content_type``, every header under its lower-case name with ``-``
as ``_``, ``json`` for JSON bodies, ``content`` with ``return_content``.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    payload_ref,
    standard_result,
)
from edgeauto.modules.core._common import COMMON_FILE_OPTIONS, flag, mode_arg, owner_group, text
from edgeauto.modules.core._xfer import parse_head, request_headers, static_check
from edgeauto.modules.core.file import file_finish
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_URI = ShellFunction(
    "ea_uri",
    "uri.sh",
    needs=("fileattrs.sh", "http.sh"),
    params="url method body dest creates removes timeout validate follow statuses keep "
    "mode owner group",
    rest="headers",
    defaults={"method": "GET", "timeout": "30", "validate": "1", "follow": "safe"},
)

_ACCEPTED = "Accepted for compatibility; not used by the clients on the target."
_FOLLOW = {"yes": "all", "no": "none", "urllib2": "all"}


def _is_json(content_type: str) -> bool:
    sub = content_type.split(";", 1)[0].strip().lower().partition("/")[2]
    sub = sub.partition("+")[2] or sub
    return sub in ("json", "javascript", "x-javascript", "x-json", "ld+json")


class UriModule(RemoteModule):
    spec = ModuleSpec(
        name="uri",
        short_description="Send an HTTP request and report the response",
        options={
            "url": Option(required=True, description="The URL."),
            "method": Option(default="GET", description="HTTP method (upper case)."),
            "body": Option(type="raw", description="Request body (see body_format)."),
            "body_format": Option(
                default="raw",
                choices=("form-urlencoded", "json", "raw", "form-multipart"),
                description="How a dict/list body is encoded (form-multipart: not supported).",
            ),
            "src": Option(type="path", description="File whose content is the body."),
            "remote_src": Option(type="bool", default=False, description="src is on the target."),
            "headers": Option(type="dict", default={}, description="Request headers."),
            "status_code": Option(
                type="list", elements="int", default=[200], description="Accepted statuses."
            ),
            "return_content": Option(type="bool", default=False, description="Return the body."),
            "dest": Option(type="path", description="Write the response body to this file."),
            "creates": Option(type="path", description="Skip when this path exists."),
            "removes": Option(type="path", description="Skip when this path does not exist."),
            "timeout": Option(type="int", default=30, description="Seconds for the request."),
            "validate_certs": Option(type="bool", default=True, description="Verify TLS."),
            "follow_redirects": Option(
                default="safe",
                choices=("all", "no", "none", "safe", "urllib2", "yes"),
                description="Which redirects to follow.",
            ),
            "url_username": Option(aliases=("user",), description="Basic auth user."),
            "url_password": Option(
                aliases=("password",), no_log=True, description="Basic auth password."
            ),
            "force_basic_auth": Option(
                type="bool", default=False, description="Basic auth is always sent up front."
            ),
            "http_agent": Option(default="ansible-httpget", description="User-Agent header."),
            "force": Option(type="bool", default=False, description=_ACCEPTED),
            "use_proxy": Option(type="bool", default=True, description="Clients use *_proxy."),
            "decompress": Option(type="bool", default=True, description=_ACCEPTED),
            "use_netrc": Option(type="bool", default=True, description=_ACCEPTED),
            "use_gssapi": Option(type="bool", default=False, description=_ACCEPTED),
            "unix_socket": Option(type="path", description=_ACCEPTED),
            "ca_path": Option(type="path", description=_ACCEPTED),
            "client_cert": Option(type="path", description=_ACCEPTED),
            "client_key": Option(type="path", description=_ACCEPTED),
            "ciphers": Option(type="list", elements="str", description=_ACCEPTED),
            "unredirected_headers": Option(
                type="list", elements="str", default=[], description=_ACCEPTED
            ),
            **COMMON_FILE_OPTIONS,
        },
        mutually_exclusive=(("body", "src"),),
        supports_check_mode=False,
        returns={
            "status": "HTTP status.",
            "url": "The final URL.",
            "redirected": "Whether a redirect was followed.",
            "content": "The body (return_content).",
            "json": "The body parsed, for JSON responses.",
            "content_type": "Content-Type of the response.",
            "<header>": "Each response header, lower-case, '-' as '_'.",
        },
        examples="- uri:\n    url: http://127.0.0.1:8080/api/reload\n    method: POST\n"
        "    body_format: json\n    body: {force: true}\n    status_code: [200, 202]\n",
    )
    shell_functions = (EA_URI,)
    invalidates = "paths"
    converged_in = "tests/shell/test_xfer_converge.py: needs an HTTP server (127.0.0.1); also delegate_to localhost and the busybox lab host"

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)
        return out

    def check_args(self, args: dict, pos: Position | None) -> None:
        method = str(args.get("method") or "GET")
        if not method.isalpha() or not method.isupper():
            raise ModuleArgumentError(
                "Parameter 'method' needs to be a single word in uppercase, like GET or POST.",
                pos,
            )
        if args.get("body_format") == "form-multipart":
            raise ModuleArgumentError(
                "body_format form-multipart is not supported by edgeauto's uri", pos
            )
        mode_arg(args.get("mode"), pos)
        try:
            request_headers(args)
        except ValueError as exc:
            raise ModuleArgumentError(str(exc), pos) from None

    def _body(self, args: dict, ctx: CompileContext) -> tuple[bytes | None, str | None]:
        """The body bytes and the Content-Type it implies (None = leave the header alone)."""
        fmt = args.get("body_format", "raw")
        body = args.get("body")
        if args.get("src") and not args.get("remote_src"):
            return ctx.locate("files", str(args["src"])).read_bytes(), None
        if body is None:
            return None, None
        if fmt == "json":
            data = body if isinstance(body, str) else json.dumps(body)
            return data.encode(), "application/json"
        if fmt == "form-urlencoded":
            if isinstance(body, str):
                return body.encode(), "application/x-www-form-urlencoded"
            try:
                pairs = body.items() if isinstance(body, dict) else body
                data = urlencode([(k, v) for k, v in pairs], doseq=True)
            except (TypeError, ValueError) as exc:
                raise ModuleArgumentError(
                    f"failed to parse body as form_urlencoded: {exc}", ctx.pos
                ) from None
            return data.encode(), "application/x-www-form-urlencoded"
        return (body if isinstance(body, str) else json.dumps(body)).encode(), None

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        data, ctype = self._body(args, ctx)
        headers = request_headers(args)
        if ctype and not any(h.lower().startswith("content-type:") for h in headers):
            headers.append(f"Content-Type: {ctype}")
        payloads, body = {}, ""
        if data is not None:
            payloads["body"] = data
            body = payload_ref("body")
        elif args.get("src") and args.get("remote_src"):
            body = str(args["src"])
        follow = str(args.get("follow_redirects") or "safe")
        return EA_URI.call(
            payloads=payloads,
            url=str(args["url"]),
            method=str(args.get("method") or "GET"),
            body=body,
            dest=text(args.get("dest")),
            creates=text(args.get("creates")),
            removes=text(args.get("removes")),
            timeout=str(args.get("timeout", 30)),
            validate=flag(args.get("validate_certs", True)),
            follow=_FOLLOW.get(follow, follow),
            statuses=" ".join(str(s) for s in args.get("status_code") or [200]),
            keep="0" if args.get("dest") else "1",
            mode=mode_arg(args.get("mode"), ctx.pos),
            headers=headers,
            **owner_group(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if out.get("skipped"):
            return {"changed": False, "skipped": True, "msg": out.get("msg", "")}
        if "skip_stdout" in out:
            return {"changed": False, "stdout": out["skip_stdout"]}
        head = out.pop("http_head", None)
        body = out.pop("http_body", None)
        final_url = out.pop("http_url", None)
        file_finish(out, record)
        out["elapsed"] = int(out.get("elapsed") or 0)
        if head is None:  # no response at all
            out["status"] = -1
            out["url"] = args["url"]
            return out
        url, status, headers, redirects = parse_head(head, str(args["url"]))
        url = final_url or url
        for name, value in headers.items():
            out[name.replace("-", "_")] = value
        if "location" in out:
            from urllib.parse import urljoin

            out["location"] = urljoin(str(args["url"]), out["location"])
        content_type = headers.get("content-type", "application/octet-stream")
        out.update(
            status=status,
            url=url,
            redirected=url != str(args["url"]) or redirects > 0,
            content_type=content_type,
            cookies={},
            cookies_string="",
        )
        out.setdefault("content_length", headers.get("content-length"))
        if body is not None and _is_json(content_type):
            try:
                out["json"] = json.loads(body)
            except ValueError:
                pass
        accepted = args.get("status_code") or [200]
        length = headers.get("content-length", "unknown")
        if status not in accepted:
            reason = head.replace("\r", "").split("\n")
            reason = [r for r in reason if r.startswith("HTTP/")][-1:] or [""]
            phrase = reason[0].split(" ", 2)[2] if reason[0].count(" ") >= 2 else ""
            out["failed"] = True
            out["msg"] = (
                f"Status code was {status} and not {accepted}: HTTP Error {status}: {phrase}"
            )
        else:
            out["msg"] = f"OK ({length} bytes)"
            out.setdefault("changed", False)
        if args.get("return_content") and body is not None:
            out["content"] = body
        if not out.get("content_length"):
            out.pop("content_length", None)
        return out


MODULE = UriModule()
