"""Helpers shared by the xfer group (raw, script, wait_for, get_url, uri, unarchive, reboot).

Not a module (the registry skips ``_*`` files): result shaping for modules that run a user
command (rc/stdout/stderr like Ansible's low-level execute), and the controller-side loop that
modules needing the connection itself (``wait_for_connection``, ``reboot``) share.
"""

from __future__ import annotations

from edgeauto.modules.base import standard_result


def command_result(record: dict, *, strip: bool = False) -> dict:
    """``rc``/``stdout``/``stderr`` (+ ``_lines``) of a command a shell function ran.

    The function reports the command's output as ``cmd_stdout``/``cmd_stderr`` fields, so the
    function's own stray output never mixes in. Ansible's raw/script do not strip trailing
    newlines (``strip=False``).
    """
    fields = record.get("fields", {})
    out = standard_result(record)
    ran = "cmd_stdout" in fields
    for key in ("stdout", "stderr"):
        value = out.pop(f"cmd_{key}", None)
        if value is None:
            continue
        if strip:
            value = value.rstrip("\r\n")
        out[key] = value
        out[f"{key}_lines"] = value.splitlines()
    if ran:
        out["changed"] = True
    if not out.get("msg") and "msg" in out:
        del out["msg"]
    return out


def static_check(module, args: dict, pos, final: bool) -> None:
    """Run ``module.check_args`` at playbook validation too when no argument is templated,
    so a bad combination is refused before anything runs on any host."""
    from edgeauto.modules.spec import is_templated

    if not final and not is_templated(args):
        module.check_args(args, pos)


def round_trip(link, calls, timeout: float | None) -> list[dict]:
    """Run shell calls on the host through ``link`` (a ``uses_connection`` module's
    ``ctx.connection``) as one script; their parsed records, in order.

    Raises ``ConnectionFailed`` when the host cannot be reached, ``RemoteProtocolError`` when
    what came back is not our framing. A record that never arrived is ``{"status": "not_run"}``.
    """
    from edgeauto.remote.builder import TaskInvocation, build_script, new_nonce
    from edgeauto.remote.framing import parse_run

    nonce = new_nonce()
    ids = [f"t{n}" for n in range(len(calls))]
    script = build_script(
        [TaskInvocation(i, call) for i, call in zip(ids, calls, strict=True)], nonce=nonce
    )
    result = link.transport.run_script(script, timeout=timeout, become=link.become)
    parsed = parse_run(result.stdout, nonce, ids)
    by_id = {r.task_id: r.as_dict() for r in parsed.records}
    return [by_id.get(i, {"status": "not_run", "fields": {}}) for i in ids]


def reset(link) -> None:
    """Drop the connection for real (Ansible's ``connection.reset()``): a multiplexing
    master that outlived sshd or a reboot would otherwise answer for a host that is gone."""
    try:
        link.transport.stop_master()
    except Exception:  # noqa: BLE001 - nothing to stop is fine
        pass
    link.transport.close()


def ping_once(link, connect_timeout: float) -> None:
    """A fresh connection and one ping round trip; raises when the host does not answer."""
    from edgeauto.modules.core.ping import EA_PING

    reset(link)
    link.transport.connect(connect_timeout)
    (record,) = round_trip(link, [EA_PING.call(data="pong")], timeout=connect_timeout + 30)
    if record.get("fields", {}).get("ping") != "pong":
        raise RuntimeError("ping test failed")


# ---------------------------------------------------------------- HTTP (get_url, uri)

DIGESTS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")


def request_headers(args: dict) -> list[str]:
    """The ``Name: value`` request headers of a get_url/uri task: ``headers``, the
    ``http_agent`` and, with ``url_username``, basic auth (sent up front: the clients on the
    target cannot answer a 401 challenge the way urllib does)."""
    import base64

    out = [f"{k}: {v}" for k, v in (args.get("headers") or {}).items() if v is not None]
    names = {h.split(":", 1)[0].strip().lower() for h in out}
    if args.get("http_agent") and "user-agent" not in names:
        out.append(f"User-Agent: {args['http_agent']}")
    if args.get("url_username") is not None and "authorization" not in names:
        pair = f"{args['url_username']}:{args.get('url_password') or ''}".encode()
        out.append("Authorization: Basic " + base64.b64encode(pair).decode())
    for header in out:
        if "\n" in header or "\r" in header:
            raise ValueError(f"a request header may not hold a newline: {header!r}")
    return out


def parse_head(text: str, url: str) -> tuple[str, int, dict[str, str], int]:
    """The header blocks a client wrote (one per hop): (final url, status, the last response's
    headers with lower-case names, how many redirects were followed)."""
    from urllib.parse import urljoin

    blocks: list[tuple[int, dict[str, str]]] = []
    for line in text.replace("\r", "").splitlines():
        if line.startswith("HTTP/"):
            parts = line.split()
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
            blocks.append((status, {}))
        elif ":" in line and blocks:
            name, value = line.split(":", 1)
            blocks[-1][1][name.strip().lower()] = value.strip()
    final = url
    for status, headers in blocks[:-1]:
        if 300 <= status < 400 and "location" in headers:
            final = urljoin(final, headers["location"])
    status, headers = blocks[-1] if blocks else (-1, {})
    redirects = sum(1 for s, _ in blocks[:-1] if 300 <= s < 400)
    return final, status, headers, redirects
