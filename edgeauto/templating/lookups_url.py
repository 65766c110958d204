"""The HTTP side of the ``url`` lookup: one GET with :mod:`urllib`, options as Ansible's
``open_url`` takes them (certificates, proxies, basic auth, redirects, headers, timeout).

Kept apart from :mod:`.lookups_more` because it is the only lookup that talks to the network.
Errors name the URL with any password in it masked, like Ansible's ``mask_url``.
"""

from __future__ import annotations

import base64
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from edgeauto.errors import TemplateError


def mask_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}:********@{netloc}"))


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y", "t")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """``follow_redirects: none``/``no``: a redirect is returned as an HTTP error."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


class _SafeRedirect(urllib.request.HTTPRedirectHandler):
    """``follow_redirects: safe``: only GET/HEAD redirects are followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        if req.get_method() not in ("GET", "HEAD"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _context(opts: dict) -> ssl.SSLContext:
    if not _truthy(opts["validate_certs"]):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    return ssl.create_default_context(cafile=opts["ca_path"] or None)


def fetch(url: str, opts: dict) -> str:
    """The decoded body of ``GET url`` (UTF-8, undecodable bytes replaced)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ftp", "file"):
        raise TemplateError(f"url lookup: failed lookup url for {mask_url(url)}: unknown scheme")
    username, password = opts["username"], opts["password"]
    if parts.username and username is None:
        username, password = urllib.parse.unquote(parts.username), parts.password
        url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    handlers: list[Any] = [urllib.request.HTTPSHandler(context=_context(opts))]
    if not _truthy(opts["use_proxy"]):
        handlers.append(urllib.request.ProxyHandler({}))
    follow = str(opts["follow_redirects"] or "urllib2").lower()
    if follow in ("none", "no", "false"):
        handlers.append(_NoRedirect())
    elif follow == "safe":
        handlers.append(_SafeRedirect())
    headers = {str(k): str(v) for k, v in dict(opts["headers"] or {}).items()}
    headers.setdefault("User-Agent", str(opts["http_agent"]))
    if _truthy(opts["force"]):
        headers["Cache-Control"] = "no-cache"
    if username is not None:
        if _truthy(opts["force_basic_auth"]):
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        else:  # sent only when the server asks for it (401 challenge), as urllib2 did
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            mgr.add_password(None, url, str(username), str(password or ""))
            handlers.append(urllib.request.HTTPBasicAuthHandler(mgr))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, method="GET")
    hidden = {str(h).lower() for h in opts["unredirected_headers"] or []}
    for name, value in headers.items():
        if name.lower() in hidden:
            request.add_unredirected_header(name, value)
        else:
            request.add_header(name, value)
    try:
        timeout = float(opts["timeout"])
    except (TypeError, ValueError):
        raise TemplateError(
            f"url lookup: timeout must be a number, found {opts['timeout']!r}"
        ) from None
    shown = mask_url(url if parts.password is None else urllib.parse.urlunsplit(parts))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise TemplateError(
            f"url lookup: received HTTP error for {shown}: HTTP Error {exc.code}: {exc.reason}"
        ) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            raise TemplateError(
                f"url lookup: error validating the server's certificate for {shown}: {reason}",
                hint="validate_certs=false skips the check (only for hosts you trust)",
            ) from None
        raise TemplateError(f"url lookup: failed lookup url for {shown}: {reason}") from None
    except (ConnectionError, TimeoutError, OSError) as exc:
        raise TemplateError(f"url lookup: error connecting to {shown}: {exc}") from None
