"""``iptables``: one rule, a policy, a flush or a user chain, iptables and/or ip6tables.

The rule specification is built here with ansible.builtin.iptables' option order (so the
result's ``rule`` string is the same); the target checks it with ``iptables -C`` and appends,
inserts or deletes it only when needed, so runs are idempotent.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._common import text
from edgeauto.modules.core._sys import letters, sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

_STR = (
    "chain rule_num protocol wait source to_source destination to_destination jump gateway "
    "log_prefix goto in_interface out_interface fragment set_counters source_port "
    "destination_port to_ports set_dscp_mark set_dscp_mark_class comment src_range dst_range "
    "match_set limit limit_burst uid_owner gid_owner reject_with icmp_type"
).split()
LOG_LEVELS = tuple("01234567") + (
    "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
)  # fmt: skip

SPEC = ModuleSpec(
    name="iptables",
    short_description="Modify iptables rules",
    description="Works like ansible.builtin.iptables (needs iptables/ip6tables on the target).",
    options={
        **{name: Option() for name in _STR},
        "table": Option(default="filter", choices=("filter", "nat", "mangle", "raw", "security")),
        "state": Option(default="present", choices=("absent", "present")),
        "action": Option(default="append", choices=("append", "insert")),
        "ip_version": Option(default="ipv4", choices=("ipv4", "ipv6", "both")),
        "match": Option(type="list", elements="str", default=[]),
        "tcp_flags": Option(type="dict", description="{flags: [...], flags_set: [...]}"),
        "log_level": Option(choices=LOG_LEVELS),
        "destination_ports": Option(type="list", elements="str", default=[]),
        "ctstate": Option(type="list", elements="str", default=[]),
        "match_set_flags": Option(
            choices=("src", "dst", "src,dst", "dst,src", "src,src", "dst,dst")
        ),
        "syn": Option(default="ignore", choices=("ignore", "match", "negate")),
        "flush": Option(type="bool", default=False),
        "policy": Option(choices=("ACCEPT", "DROP", "QUEUE", "RETURN")),
        "chain_management": Option(type="bool", default=False),
        "numeric": Option(type="bool", default=False),
    },
    mutually_exclusive=(("set_dscp_mark", "set_dscp_mark_class"), ("flush", "policy")),
    required_if=(("jump", "TEE", ("gateway",)), ("jump", "tee", ("gateway",))),
    returns={"rule": "The rule specification.", "chain": "", "table": "", "state": ""},
    examples=(
        "- iptables:\n    chain: INPUT\n    protocol: tcp\n    destination_port: '22'\n"
        "    ctstate: [NEW]\n    jump: ACCEPT\n"
    ),
)

EA_IPTABLES = ShellFunction(
    "ea_iptables",
    "iptables.sh",
    params="op table chain rulenum wait policy flags bins",
    rest="rule",
    defaults={"op": "rule", "table": "filter", "flags": "-", "bins": "iptables"},
)

ICMP_FLAG = {"ipv4": ["--icmp-type"], "ipv6": ["--icmpv6-type"], "both": ["--icmp-type"]}


def construct_rule(p: dict) -> list[str]:
    """The rule's words in ansible.builtin.iptables' order (a leading ! negates a value)."""
    rule: list[str] = []
    match = list(p.get("match") or [])

    def param(value, flag):
        if value is None:
            return
        value = str(value)
        rule.extend(["!", flag, value[1:]] if value.startswith("!") else [flag, value])

    def use(value, match_name):
        if value:
            rule.extend(["-m", match_name])

    def flagged(value, flag, negatable):
        if value == "match":
            rule.append(flag)
        elif negatable and value == "negate":
            rule.extend(["!", flag])

    def csv(values, flag):
        if values:
            rule.extend([flag, ",".join(values)])

    param(p.get("protocol"), "-p")
    param(p.get("source"), "-s")
    param(p.get("destination"), "-d")
    for m in match:
        param(m, "-m")
    tcp = p.get("tcp_flags") or {}
    if tcp.get("flags") and tcp.get("flags_set"):
        rule.extend(["--tcp-flags", ",".join(tcp["flags"]), ",".join(tcp["flags_set"])])
    jump = p.get("jump")
    param(jump, "-j")
    if jump and jump.lower() == "tee":
        param(p.get("gateway"), "--gateway")
    param(p.get("log_prefix"), "--log-prefix")
    param(p.get("log_level"), "--log-level")
    param(p.get("to_destination"), "--to-destination")
    use(p.get("destination_ports"), "multiport")
    csv(p.get("destination_ports"), "--dports")
    param(p.get("to_source"), "--to-source")
    param(p.get("goto"), "-g")
    param(p.get("in_interface"), "-i")
    param(p.get("out_interface"), "-o")
    param(p.get("fragment"), "-f")
    param(p.get("set_counters"), "-c")
    param(p.get("source_port"), "--source-port")
    param(p.get("destination_port"), "--destination-port")
    param(p.get("to_ports"), "--to-ports")
    param(p.get("set_dscp_mark"), "--set-dscp")
    if p.get("set_dscp_mark") and (jump or "").lower() != "dscp":
        rule.extend(["-j", "DSCP"])
    param(p.get("set_dscp_mark_class"), "--set-dscp-class")
    if p.get("set_dscp_mark_class") and (jump or "").lower() != "dscp":
        rule.extend(["-j", "DSCP"])
    flagged(p.get("syn"), "--syn", True)
    ctstate = p.get("ctstate") or []
    if "conntrack" in match:
        csv(ctstate, "--ctstate")
    elif "state" in match:
        csv(ctstate, "--state")
    elif ctstate:
        rule.extend(["-m", "conntrack"])
        csv(ctstate, "--ctstate")
    if "iprange" not in match:
        use(p.get("src_range") or p.get("dst_range"), "iprange")
    param(p.get("src_range"), "--src-range")
    param(p.get("dst_range"), "--dst-range")
    if "set" not in match:
        use(p.get("match_set"), "set")
    if "set" in match or p.get("match_set"):
        param(p.get("match_set"), "--match-set")
        if p.get("match_set_flags"):
            rule.append(p["match_set_flags"])
    use(p.get("limit") or p.get("limit_burst"), "limit")
    param(p.get("limit"), "--limit")
    param(p.get("limit_burst"), "--limit-burst")
    for key, flag in (("uid_owner", "--uid-owner"), ("gid_owner", "--gid-owner")):
        use(p.get(key), "owner")
        flagged(p.get(key), flag, True)
        param(p.get(key), flag)
    if jump is None:
        if p.get("reject_with"):
            rule.extend(["-j", "REJECT"])
        for key in ("set_dscp_mark_class", "set_dscp_mark"):
            if p.get(key):
                rule.extend(["-j", "DSCP"])
    param(p.get("reject_with"), "--reject-with")
    if p.get("icmp_type") is not None:
        param(p.get("icmp_type"), ICMP_FLAG[p.get("ip_version") or "ipv4"][0])
    use(p.get("comment"), "comment")
    param(p.get("comment"), "--comment")
    return rule


class IptablesModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_IPTABLES,)
    invalidates = None
    converged_in = (
        "tests/integration/modules/test_sys_privileged_lab.py: needs a host with its own "
        "network namespace (never the controller's firewall)"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        if not args.get("flush") and not args.get("chain"):
            raise ModuleArgumentError("flush=False requires argument(s): chain", pos)
        for key in ("set_dscp_mark", "set_dscp_mark_class"):
            if args.get(key) and not args.get("jump"):
                raise ModuleArgumentError(f"missing parameter(s) required by '{key}': jump", pos)
        if (args.get("log_prefix") or args.get("log_level")) and args.get("jump") not in (
            None,
            "LOG",
        ):
            raise ModuleArgumentError(
                "Logging options can only be used with the LOG jump target.", pos
            )
        for word in construct_rule(args):
            if "\n" in word:
                raise ModuleArgumentError("iptables arguments cannot contain newlines", pos)

    def _ops(self, args: dict) -> tuple[str, list[str], str]:
        rule = construct_rule(args)
        if args.get("flush"):
            op = "flush"
        elif args.get("policy"):
            op = "policy"
        elif not rule:
            op = "chain"
        else:
            op = "rule"
        return op, rule, " ".join(rule)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        op, rule, _ = self._ops(args)
        if (
            op == "rule"
            and (args.get("log_prefix") or args.get("log_level"))
            and not args.get("jump")
        ):
            rule = construct_rule({**args, "jump": "LOG"})  # Ansible's default jump for logging
        version = args.get("ip_version") or "ipv4"
        bins = {"ipv4": "iptables", "ipv6": "ip6tables", "both": "iptables ip6tables"}[version]
        return EA_IPTABLES.call(
            op=op,
            table=args.get("table") or "filter",
            chain=text(args.get("chain")),
            rulenum=text(args.get("rule_num")),
            wait=text(args.get("wait")),
            policy=text(args.get("policy")),
            flags=letters(
                a=args.get("state") == "absent",
                i=args.get("action") == "insert",
                m=args.get("chain_management"),
                n=args.get("numeric"),
            ),
            bins=bins,
            rule=rule,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        _, _, rule = self._ops(args)
        out.update(
            ip_version=args.get("ip_version") or "ipv4",
            table=args.get("table") or "filter",
            chain=args.get("chain"),
            flush=bool(args.get("flush")),
            rule=rule,
            state=args.get("state") or "present",
            chain_management=bool(args.get("chain_management")),
            wait=args.get("wait"),
        )
        return out


MODULE = IptablesModule()
