"""iptables' rule words equal ansible-core's construct_rule for the same arguments (the
result's ``rule`` string and the -C/-A/-D commands depend on that order)."""

import pytest

from edgeauto.modules.core.iptables import SPEC, construct_rule

ansible_iptables = pytest.importorskip("ansible.modules.iptables")

CASES = [
    {"chain": "INPUT", "protocol": "tcp", "destination_port": "22", "jump": "ACCEPT"},
    {"chain": "INPUT", "source": "!10.0.0.0/8", "ctstate": ["NEW", "ESTABLISHED"], "jump": "DROP"},
    {"chain": "INPUT", "match": ["state"], "ctstate": ["RELATED"], "jump": "ACCEPT"},
    {"chain": "INPUT", "protocol": "tcp", "destination_ports": ["80", "443:445"], "jump": "ACCEPT"},
    {"chain": "FORWARD", "in_interface": "eth0", "out_interface": "!eth1", "comment": "a b"},
    {
        "chain": "INPUT",
        "protocol": "tcp",
        "syn": "negate",
        "tcp_flags": {"flags": ["ALL"], "flags_set": ["ACK", "SYN"]},
    },
    {"chain": "INPUT", "src_range": "10.0.0.1-10.0.0.9", "jump": "ACCEPT"},
    {"chain": "INPUT", "match": ["iprange"], "dst_range": "10.0.0.1-10.0.0.9"},
    {"chain": "INPUT", "match_set": "admins", "match_set_flags": "src", "jump": "ACCEPT"},
    {
        "chain": "INPUT",
        "limit": "5/min",
        "limit_burst": "10",
        "jump": "LOG",
        "log_prefix": "x: ",
        "log_level": "info",
    },
    {"chain": "OUTPUT", "uid_owner": "1000", "gid_owner": "!100", "jump": "DROP"},
    {
        "chain": "INPUT",
        "protocol": "icmp",
        "icmp_type": "echo-request",
        "reject_with": "icmp-host-prohibited",
    },
    {
        "chain": "PREROUTING",
        "table": "nat",
        "protocol": "tcp",
        "destination_port": "80",
        "jump": "DNAT",
        "to_destination": "10.0.0.2:8080",
    },
    {
        "chain": "POSTROUTING",
        "table": "nat",
        "out_interface": "eth0",
        "jump": "MASQUERADE",
        "to_ports": "1024-2048",
    },
    {"chain": "PREROUTING", "table": "mangle", "set_dscp_mark": "8", "jump": "DSCP"},
    {
        "chain": "INPUT",
        "fragment": "1",
        "set_counters": "1 2",
        "source_port": "53",
        "goto": "other",
    },
]


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_rule_words_match_ansible(case):
    args = SPEC.validate(case, final=True)
    full = {name: args.get(name) for name in SPEC.options}
    assert construct_rule(args) == ansible_iptables.construct_rule(full)
