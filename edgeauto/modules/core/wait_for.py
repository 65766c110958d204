"""``wait_for``: wait on the target for a port, a file, a string, or a drained port.

The loop runs on the target inside the host's one script (a wait costs no extra round trip).
Port checks use what the target has: bash's ``/dev/tcp``, BusyBox ``nc -e true``, another
``nc -z``, or — for a local address with neither — the LISTEN entries of ``/proc/net/tcp``.
``drained`` reads ``/proc/net/tcp{,6}``. ``search_regex`` is translated to POSIX ERE for
``grep -E`` on the target (line by line); ``match_groups``/``match_groupdict`` are then
computed here from the matching line with Python's ``re``, so they are Python's.
"""

from __future__ import annotations

import ipaddress
import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import python_re_to_ere, text
from edgeauto.modules.core._xfer import static_check
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

# Linux TCP states as /proc/net/tcp writes them (include/net/tcp_states.h)
TCP_STATES = {
    "ESTABLISHED": "01",
    "SYN_SENT": "02",
    "SYN_RECV": "03",
    "FIN_WAIT1": "04",
    "FIN_WAIT2": "05",
    "TIME_WAIT": "06",
    "CLOSE": "07",
    "CLOSE_WAIT": "08",
    "LAST_ACK": "09",
    "LISTEN": "0A",
    "CLOSING": "0B",
}
DEFAULT_ACTIVE = ["ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "SYN_RECV", "SYN_SENT", "TIME_WAIT"]

EA_WAIT_FOR = ShellFunction(
    "ea_wait_for",
    "wait_for.sh",
    params="host port path state ere delay timeout sleep connect_timeout msg states excluded "
    "locals",
)


def proc_net_hex(address: str) -> list[str]:
    """How ``/proc/net/tcp{,6}`` spells an IP address (host byte order words), both ways an
    IPv4 address can appear (plain, and v4-mapped in tcp6)."""
    ip = ipaddress.ip_address(address)
    if ip.version == 4:
        v4 = ip.packed[::-1].hex().upper()
        mapped = "0000000000000000FFFF0000" + v4
        return [v4, mapped]
    words = [ip.packed[i : i + 4][::-1].hex().upper() for i in range(0, 16, 4)]
    return ["".join(words)]


_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def search_ere(regex: str, pos: Position | None) -> str:
    """search_regex as POSIX ERE for the target; named groups become plain groups there (the
    controller computes match_groupdict from the matching line with the original regex)."""
    return python_re_to_ere(_NAMED_GROUP.sub("(", regex), pos, what="search_regex")


def local_filter(host: str) -> str:
    """drained counts connections to these local addresses (hex, as /proc/net/tcp spells
    them); ``*`` = any: for 0.0.0.0/:: as Ansible, and for a name (not resolved here)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "*"
    if ip.is_unspecified:
        return "*"
    return " ".join(proc_net_hex(host))


class WaitForModule(RemoteModule):
    spec = ModuleSpec(
        name="wait_for",
        short_description="Wait for a port, a file or a string on the target",
        description=(
            "Polls every `sleep` seconds until the condition holds or `timeout` passes. "
            "Without port and path it only sleeps `timeout` seconds. Skipped in check mode "
            "(as Ansible: the module does not support it)."
        ),
        options={
            "host": Option(default="127.0.0.1", description="Address to check (from the target)."),
            "port": Option(type="int", description="TCP port to check."),
            "path": Option(type="path", description="File to check."),
            "state": Option(
                default="started",
                choices=("absent", "drained", "present", "started", "stopped"),
                description="started/present: open or existing; stopped/absent: closed or gone; "
                "drained: no active connections on the port.",
            ),
            "search_regex": Option(description="Regex the file or the port's data must match."),
            "delay": Option(type="int", default=0, description="Seconds to wait first."),
            "timeout": Option(type="int", default=300, description="Seconds to wait at most."),
            "sleep": Option(type="int", default=1, description="Seconds between checks."),
            "connect_timeout": Option(
                type="int", default=5, description="Seconds one connection attempt may take."
            ),
            "msg": Option(description="Message on timeout instead of the default."),
            "exclude_hosts": Option(
                type="list", elements="str", description="Remote addresses ignored by drained."
            ),
            "active_connection_states": Option(
                type="list",
                elements="str",
                default=list(DEFAULT_ACTIVE),
                description="TCP states that count as active for drained.",
            ),
        },
        supports_check_mode=False,
        returns={
            "elapsed": "Seconds waited.",
            "match_groups": "Groups of the search_regex match.",
            "match_groupdict": "Named groups of the search_regex match.",
        },
        examples="- wait_for: {port: 8080, delay: 2, timeout: 60}\n"
        "- wait_for: {path: /var/log/app.log, search_regex: 'started in (\\d+) ms'}\n",
    )
    shell_functions = (EA_WAIT_FOR,)
    invalidates = None
    converged_in = "tests/shell/test_xfer_converge.py: waiting changes nothing; every state runs under dash+busybox against 127.0.0.1, and on lab hosts"

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)
        return out

    def check_args(self, args: dict, pos: Position | None) -> None:
        state, path = args.get("state", "started"), args.get("path")
        if args.get("port") is not None and path:
            raise ModuleArgumentError(
                "port and path parameter can not both be passed to wait_for", pos
            )
        if path and state in ("stopped", "drained"):
            raise ModuleArgumentError(
                f"state={state} should only be used for checking a port in the wait_for module",
                pos,
            )
        if args.get("exclude_hosts") is not None and state != "drained":
            raise ModuleArgumentError("exclude_hosts should only be with state=drained", pos)
        for name in args.get("active_connection_states") or []:
            if str(name) not in TCP_STATES:
                raise ModuleArgumentError(f"unknown active_connection_state ({name}) defined", pos)
        for host in args.get("exclude_hosts") or []:
            try:
                ipaddress.ip_address(str(host))
            except ValueError:
                raise ModuleArgumentError(
                    f"exclude_hosts: {host!r} is not an IP address (names are not resolved)", pos
                ) from None
        if args.get("search_regex") is not None:
            try:
                re.compile(args["search_regex"])
            except re.error as exc:
                raise ModuleArgumentError(f"Invalid regular expression: {exc}", pos) from None
            search_ere(args["search_regex"], pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        regex = args.get("search_regex")
        excluded = []
        for host in args.get("exclude_hosts") or []:
            excluded += proc_net_hex(str(host))
        states = [TCP_STATES[s] for s in args.get("active_connection_states") or DEFAULT_ACTIVE]
        return EA_WAIT_FOR.call(
            host=str(args.get("host") or "127.0.0.1"),
            port=text(args.get("port")),
            path=text(args.get("path")),
            state=args.get("state", "started"),
            ere="" if regex is None else search_ere(regex, ctx.pos),
            delay=str(args.get("delay", 0)),
            timeout=str(args.get("timeout", 300)),
            sleep=str(args.get("sleep", 1)),
            connect_timeout=str(args.get("connect_timeout", 5)),
            msg=text(args.get("msg")),
            states=" ".join(states),
            excluded=" ".join(excluded),
            locals=local_filter(str(args.get("host") or "127.0.0.1")),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if out.get("skipped"):
            return {
                "changed": False,
                "skipped": True,
                "msg": "remote module (wait_for) does not support check mode",
            }
        line = out.pop("matched", None)
        out["elapsed"] = int(out.get("elapsed") or 0)
        if out.get("failed"):
            return out
        groups, named = (), {}
        regex = args.get("search_regex")
        if regex is not None and line is not None:
            match = re.compile(regex, re.MULTILINE).search(line)
            if match:
                groups, named = match.groups(), match.groupdict()
        out.update(
            state=args.get("state", "started"),
            port=args.get("port"),
            path=args.get("path"),
            search_regex=regex,
            match_groups=list(groups),
            match_groupdict=named,
        )
        out.pop("msg", None)
        return out


MODULE = WaitForModule()
