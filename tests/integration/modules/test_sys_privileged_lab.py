"""iptables on a lab host with its own network namespace (the privileged host): never the
controller's firewall. Ordinary debian lab hosts share the controller's netns, so they are
not used here."""

from __future__ import annotations

import os

import pytest
from sys_play import converge

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
