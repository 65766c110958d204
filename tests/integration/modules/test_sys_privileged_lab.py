"""iptables on a lab host with its own network namespace (the privileged host): never the
controller's firewall. Ordinary debian lab hosts share the controller's netns, so they are
not used here."""

from __future__ import annotations

import os

import pytest
from sys_play import converge, play

from edgeauto.errors import ValidationError

pytestmark = [pytest.mark.lab, pytest.mark.privileged]


def test_privileged_host_has_its_own_network_namespace(privileged_host):
    netns = privileged_host.run("readlink /proc/self/ns/net", check=True).stdout.strip()
    assert netns != os.readlink("/proc/self/ns/net")
    assert privileged_host.run("command -v iptables", check=True).stdout


def test_sysctl_sets_a_per_netns_key_live_on_the_host_with_its_own_netns(
    tmp_path, lab_inventory, privileged_host
):
    # net.ipv4.ip_default_ttl belongs to the host's own network namespace: the controller's
    # kernel settings are never touched (global keys like vm.* are not used here)
    host = privileged_host
    before = host.run("sysctl -n net.ipv4.ip_default_ttl", check=True).stdout.strip()
    f = "/etc/sysctl.d/92-ea.conf"
    tasks = [
        {
            "sysctl": {
                "name": "net.ipv4.ip_default_ttl",
                "value": "77",
                "sysctl_file": f,
                "sysctl_set": True,
            }
        }
    ]
    try:
        converge(tmp_path, lab_inventory, host, tasks, changes=[True])
        assert host.run("sysctl -n net.ipv4.ip_default_ttl", check=True).stdout.strip() == "77"
        assert host.run(f"cat {f}", check=True).stdout == "net.ipv4.ip_default_ttl=77\n"
    finally:
        host.run(f"rm -f {f}; sysctl -w net.ipv4.ip_default_ttl={before}")


def controller_rules() -> str:
    """The controller's own firewall (read only), to prove the tests never touch it."""
    import shutil
    import subprocess

    if not shutil.which("iptables-save"):
        return ""
    proc = subprocess.run(
        ["iptables-save"], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    return "\n".join(line for line in proc.stdout.splitlines() if not line.startswith(("#", ":")))


def test_iptables_chain_rules_policy_flush_in_the_hosts_own_netns(
    tmp_path, lab_inventory, privileged_host
):
    host = privileged_host
    before = controller_rules()
    chain = {"chain": "EA-TEST", "chain_management": True}
    ssh_rule = {
        "chain": "EA-TEST",
        "protocol": "tcp",
        "destination_port": "2222",
        "ctstate": ["NEW"],
        "jump": "ACCEPT",
        "comment": "ea ssh",
    }
    tasks = [
        {"ansible.builtin.iptables": chain},
        {"iptables": ssh_rule},
        {
            "iptables": {
                "chain": "EA-TEST",
                "source": "!10.9.0.0/16",
                "jump": "RETURN",
                "action": "insert",
                "rule_num": "1",
            }
        },
        {
            "iptables": {
                "chain": "EA-TEST",
                "protocol": "udp",
                "destination_ports": ["5000", "5002:5004"],
                "jump": "DROP",
            }
        },
        {"iptables": {"table": "mangle", "chain": "FORWARD", "policy": "DROP"}},
    ]
    try:
        first = converge(tmp_path, lab_inventory, host, tasks, changes=[True] * 5)
        rules = host.run("iptables -S EA-TEST", check=True).stdout.splitlines()
        assert rules == [
            "-N EA-TEST",
            "-A EA-TEST ! -s 10.9.0.0/16 -j RETURN",
            '-A EA-TEST -p tcp -m tcp --dport 2222 -m conntrack --ctstate NEW -m comment --comment "ea ssh" -j ACCEPT',
            "-A EA-TEST -p udp -m multiport --dports 5000,5002:5004 -j DROP",
        ], rules
        assert (
            first[1]["rule"]
            == "-p tcp -j ACCEPT --destination-port 2222 -m conntrack --ctstate NEW -m comment --comment ea ssh"
        )
        assert "policy DROP" in host.run("iptables -t mangle -L FORWARD", check=True).stdout
        # both families, removal, flush, chain deletion
        six = [
            {
                "iptables": {
                    "chain": "INPUT",
                    "protocol": "tcp",
                    "destination_port": "2229",
                    "jump": "DROP",
                    "ip_version": "both",
                }
            }
        ]
        converge(tmp_path, lab_inventory, host, six, changes=[True])
        assert "--dport 2229" in host.run("ip6tables -S INPUT", check=True).stdout
        gone = [
            {"iptables": {**six[0]["iptables"], "state": "absent"}},
            {"iptables": {**ssh_rule, "state": "absent"}},
        ]
        converge(tmp_path, lab_inventory, host, gone, changes=[True, True])
        assert "2222" not in host.run("iptables -S EA-TEST", check=True).stdout
        code, results, _ = play(
            tmp_path, lab_inventory, host, [{"iptables": {"chain": "EA-TEST", "flush": True}}]
        )
        assert code == 0 and results[0]["changed"]
        assert host.run("iptables -S EA-TEST", check=True).stdout.splitlines() == ["-N EA-TEST"]
        converge(
            tmp_path,
            lab_inventory,
            host,
            [{"iptables": {**chain, "state": "absent"}}],
            changes=[True],
        )
        assert host.run("iptables -S EA-TEST").returncode != 0
    finally:
        host.run(
            "iptables -t mangle -P FORWARD ACCEPT; iptables -D INPUT -p tcp --dport 2229 -j DROP;"
            " ip6tables -D INPUT -p tcp --dport 2229 -j DROP; iptables -F EA-TEST; iptables -X EA-TEST"
        )
    assert controller_rules() == before


def test_iptables_bad_arguments_are_refused_before_anything_runs(
    tmp_path, lab_inventory, privileged_host
):
    tasks = [{"iptables": {"chain": "INPUT", "table": "filtre", "jump": "ACCEPT"}}]
    with pytest.raises(ValidationError, match="table"):
        play(tmp_path, lab_inventory, privileged_host, tasks)
