"""The OVS proof (issue 11, item 4): through edgeauto modules on the privileged lab host, a
netdev bridge with access ports in VLANs 10 and 20 and a trunk; four network namespaces made
INSIDE the lab host (`ip netns add` there, veth pairs) hang off it. Traffic flows between two
ports of the same tag (ICMP with busybox ping, TCP with busybox httpd/wget) and is isolated
between tags; the trunk's tagging is shown by OVS's own trace of a flooded frame.

All addresses (10.200.77.0/24) live inside the lab host's own network namespace.

TCP on the userspace datapath: veth hands OVS frames whose TCP checksum is left to offload
(CHECKSUM_PARTIAL); OVS netdev forwards them unfixed and the receiver drops them, so TCP
hangs while ping works. virt-probe.md fixed it with `ethtool -K IF tx off`; the lab image
has no ethtool, and OVS's own `other_config:userspace-tso-enable=true` (+ a restart of
ovs-vswitchd) makes OVS honour the offload metadata instead — set here with openvswitch_db
and a handler, as the ovs role does on hosts without the kernel datapath.
"""

from __future__ import annotations

import re
import textwrap

import pytest
import yaml
from sys_play import Recorder

from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

NET = "10.200.77"
SPACES = (1, 2, 3, 4)  # ea-n1, ea-n2: VLAN 10; ea-n3: VLAN 20; ea-n4: trunk 10,20


def netns_task(i: int) -> dict:
    """One namespace with a veth pair: ea-i<i> inside (addressed), ea-o<i> outside (a port)."""
    script = (
        f"ip netns add ea-n{i} && ip -n ea-n{i} link set lo up && "
        f"ip link add ea-o{i} type veth peer name ea-i{i} && "
        f"ip link set ea-i{i} netns ea-n{i} && ip link set ea-o{i} up && "
        f"ip -n ea-n{i} addr add {NET}.{i}/24 dev ea-i{i} && ip -n ea-n{i} link set ea-i{i} up"
    )
    return {
        "name": f"namespace ea-n{i}",
        "shell": script,
        "args": {"creates": f"/run/netns/ea-n{i}"},
    }


PLAY = [
    {
        "hosts": "all",
        "gather_facts": False,
        "tasks": [
            *[netns_task(i) for i in SPACES],
            {
                "name": "TCP over veth on the userspace datapath",
                "openvswitch.openvswitch.openvswitch_db": {
                    "table": "Open_vSwitch",
                    "record": ".",
                    "col": "other_config",
                    "key": "userspace-tso-enable",
                    "value": True,
                },
                "notify": "restart openvswitch",
            },
            {"openvswitch.openvswitch.openvswitch_bridge": {"bridge": "ea-sw"}},
            *[
                {
                    "openvswitch.openvswitch.openvswitch_port": {
                        "bridge": "ea-sw",
                        "port": f"ea-o{i}",
                        "tag": tag,
                    }
                }
                for i, tag in ((1, 10), (2, 10), (3, 20))
            ],
            {"openvswitch_port": {"bridge": "ea-sw", "port": "ea-o4", "trunks": [10, 20]}},
        ],
        "handlers": [
            {
                "name": "restart openvswitch",
                "service": {"name": "openvswitch-switch", "state": "restarted"},
            }
        ],
    }
]


def run_play(tmp_path, inventory, host, check=False) -> tuple[int, list[dict]]:
    path = tmp_path / "ovs-proof.yml"
    path.write_text(textwrap.dedent(yaml.safe_dump(PLAY, sort_keys=False)))
    rec = Recorder()
    opts = RunOptions(inventory_sources=[str(inventory)], limit=[host.name], check=check)
    result = Run([path], opts, rec).execute()
    assert result.exit_code == 0, (rec.results, rec.errors)
    return result.exit_code, [r.result for r in rec.results if not r.hidden]


def ping(host, src: int, dst: int) -> bool:
    cmd = f"ip netns exec ea-n{src} busybox ping -c 2 -W 2 {NET}.{dst}"
    return host.run(cmd, timeout=60).returncode == 0


def wget(host, src: int, dst: int) -> str | None:
    cmd = f"ip netns exec ea-n{src} timeout 8 busybox wget -q -O - http://{NET}.{dst}:8080/"
    proc = host.run(cmd, timeout=60)
    return proc.stdout.strip() if proc.returncode == 0 else None


@pytest.fixture
def proof_host(privileged_host):
    host = privileged_host
    yield host
    host.run(
        "for i in 1 2 3 4; do for p in $(ip netns pids ea-n$i 2>/dev/null); do kill $p; done; "
        "ip netns del ea-n$i 2>/dev/null; ip link del ea-o$i 2>/dev/null; done; "
        "ovs-vsctl --if-exists del-br ea-sw; rm -rf /tmp/ea-www; "
        "ovs-vsctl --if-exists remove Open_vSwitch . other_config userspace-tso-enable "
        "&& systemctl restart openvswitch-switch",
        timeout=120,
    )


def test_vlan_tags_carry_and_isolate_traffic_between_netns_on_a_netdev_bridge(
    tmp_path, lab_inventory, proof_host
):
    host = proof_host
    _, predicted = run_play(tmp_path, lab_inventory, host, check=True)
    assert "ea-sw" not in host.run("ovs-vsctl list-br", check=True).stdout.split()
    assert host.run("test -e /run/netns/ea-n1").returncode != 0  # check mode made nothing
    _, first = run_play(tmp_path, lab_inventory, host)
    assert all(r["changed"] for r in first), first  # 4 namespaces, db, bridge, 4 ports, handler
    assert [r["changed"] for r in predicted] == [r["changed"] for r in first]
    _, again = run_play(tmp_path, lab_inventory, host)
    assert [r["changed"] for r in again] == [False] * (len(first) - 1), again  # no handler

    assert (
        host.run("ovs-vsctl get Bridge ea-sw datapath_type", check=True).stdout.strip() == "netdev"
    )
    assert "netdev@ovs-netdev" in host.run("ovs-appctl dpctl/show", check=True).stdout

    # ICMP: same tag flows, different tags are isolated
    assert ping(host, 1, 2)
    assert ping(host, 2, 1)
    assert not ping(host, 1, 3)
    assert not ping(host, 3, 2)

    # TCP: busybox httpd in ea-n2 (VLAN 10), clients in ea-n1 (VLAN 10) and ea-n3 (VLAN 20)
    host.run(
        "mkdir -p /tmp/ea-www && echo through-ovs-vlan-10 > /tmp/ea-www/index.html && "
        f"ip netns exec ea-n2 busybox httpd -p {NET}.2:8080 -h /tmp/ea-www",
        check=True,
    )
    assert wget(host, 1, 2) == "through-ovs-vlan-10"
    assert wget(host, 3, 2) is None

    # the switch learned each namespace's MAC in its own VLAN
    fdb = host.run("ovs-appctl fdb/show ea-sw", check=True).stdout
    vlans_seen = {line.split()[1] for line in fdb.splitlines()[1:] if line.split()}
    assert {"10"} <= vlans_seen, fdb

    # trunk: a broadcast from the VLAN 10 access port leaves the trunk tagged 10 and the
    # VLAN 20 port not at all (OVS's own trace of the datapath actions, not a wire capture)
    trace = host.run(
        "ovs-appctl ofproto/trace ea-sw in_port=ea-o1,dl_src=02:00:00:00:00:01,"
        "dl_dst=ff:ff:ff:ff:ff:ff,dl_type=0x0806",
        check=True,
    ).stdout
    actions = trace.strip().splitlines()[-1]
    assert actions.startswith("Datapath actions:"), trace
    out = outputs(actions, datapath_ports(host.run("ovs-appctl dpif/show", check=True).stdout))
    assert out.get("ea-o4") == "10", (actions, out)  # trunk: tagged 10
    assert out.get("ea-o2") == "", (actions, out)  # same-VLAN access port: untagged
    assert "ea-o3" not in out, (actions, out)  # VLAN 20: never reached


def datapath_ports(dpif_show: str) -> dict[str, str]:
    """``ovs-appctl dpif/show`` lines ``    NAME OFPORT/DPPORT: (type)`` → {dp port: name}."""
    found = {}
    for line in dpif_show.splitlines():
        m = re.match(r"\s+(\S+) \d+/(\d+):", line)
        if m:
            found[m.group(2)] = m.group(1)
    return found


def outputs(actions: str, names: dict[str, str]) -> dict[str, str]:
    """The ports a datapath action list outputs to, each with the VLAN tag the frame carries
    there ('' = untagged): push_vlan/pop_vlan change the tag of the outputs after them."""
    tag, out = "", {}
    for m in re.finditer(r"push_vlan\(vid=(\d+)[^)]*\)|pop_vlan|(?<![\w=])(\d+)(?![\w(])", actions):
        if m.group(0) == "pop_vlan":
            tag = ""
        elif m.group(1):
            tag = m.group(1)
        else:
            out[names.get(m.group(2), m.group(2))] = tag
    return out
