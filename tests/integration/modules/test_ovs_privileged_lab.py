"""openvswitch_bridge / openvswitch_port / openvswitch_db on the privileged lab host: real
ovsdb-server + ovs-vswitchd (userspace datapath only: this machine's kernel has no openvswitch
module) inside the host's own network namespace.

Each test: check mode predicts the real run and changes nothing in OVSDB, the real run makes
the change, the second run reports changed=0, and bad arguments are refused before anything
runs. Every test uses its own bridge names and removes them, so they share one host.
"""

from __future__ import annotations

import json

import pytest
from sys_play import play

from edgeauto.errors import ValidationError

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

BRIDGE_COLUMNS = "name,datapath_type,fail_mode,external_ids,other_config,ports"
PORT_COLUMNS = "name,tag,trunks,external_ids,interfaces"
IFACE_COLUMNS = "name,type,options"


def ovsdb(host) -> dict:
    """The OVSDB state the modules manage (bridges, ports, interfaces; no counters)."""
    out = {}
    for table, columns in (
        ("Bridge", BRIDGE_COLUMNS),
        ("Port", PORT_COLUMNS),
        ("Interface", IFACE_COLUMNS),
    ):
        proc = host.run(f"ovs-vsctl --format=json --columns={columns} list {table}", check=True)
        out[table] = sorted(map(json.dumps, json.loads(proc.stdout)["data"]))
    out["Open_vSwitch"] = host.run(
        "ovs-vsctl get Open_vSwitch . other_config", check=True
    ).stdout.strip()
    return out


def get(host, what: str) -> str:
    """``ovs-vsctl get`` output; a string is printed quoted only when it is not a plain word
    (``"vm-1"`` may come back bare), so scalar strings are compared without quotes."""
    return host.run(f"ovs-vsctl get {what}", check=True).stdout.strip()


def scalar(host, what: str) -> str:
    return get(host, what).strip('"')


def converge(tmp_path, inventory, host, tasks, changes):
    """check (OVSDB untouched) → real (changes as predicted) → real → check: nothing changes.
    Returns the first real run's results."""
    before = ovsdb(host)
    code, predicted, rec = play(tmp_path, inventory, host, tasks, check=True)
    assert code == 0, (predicted, rec.errors)
    assert ovsdb(host) == before, "check mode changed OVSDB"
    code, first, rec = play(tmp_path, inventory, host, tasks)
    assert code == 0, (first, rec.errors)
    assert [r["changed"] for r in first] == changes, first
    assert [r["changed"] for r in predicted] == changes, predicted
    assert [r.get("commands") for r in predicted] == [r.get("commands") for r in first]
    for check in (False, True):
        code, again, rec = play(tmp_path, inventory, host, tasks, check=check)
        assert code == 0, (again, rec.errors)
        assert [r["changed"] for r in again] == [False] * len(tasks), again
        assert all(r.get("commands", []) == [] for r in again), again
    return first


@pytest.fixture
def ovs_host(privileged_host):
    """The shared privileged host; removes the bridges a test made (names start with ea-)."""
    host = privileged_host
    yield host
    host.run(
        "for b in $(ovs-vsctl list-br); do case $b in ea-*) ovs-vsctl --if-exists del-br $b;; "
        "esac; done; ovs-vsctl --if-exists remove Open_vSwitch . other_config ea-test"
    )


def test_the_host_has_no_kernel_datapath_so_netdev_is_the_only_choice(ovs_host):
    assert ovs_host.run("test -d /sys/module/openvswitch").returncode != 0
    assert "netdev" in get(ovs_host, "Open_vSwitch . datapath_types")


def test_bridge_with_fail_mode_ids_and_auto_netdev_datapath(tmp_path, lab_inventory, ovs_host):
    host = ovs_host
    tasks = [
        {
            "openvswitch.openvswitch.openvswitch_bridge": {
                "bridge": "ea-br1",
                "fail_mode": "secure",
                "external_ids": {"bridge-id": "ea-br1", "desc": "edge, site 1"},
                "other_config": {"disable-in-band": True},
            }
        },
        {
            "community.network.openvswitch_bridge": {
                "bridge": "ea-v40",
                "parent": "ea-br1",
                "vlan": 40,
            }
        },
        {"openvswitch_bridge": {"bridge": "ea-br2", "set": "bridge ea-br2 datapath_type=netdev"}},
    ]
    first = converge(tmp_path, lab_inventory, host, tasks, changes=[True, True, True])
    assert first[0]["datapath_type"] == "netdev"  # chosen: no kernel module here
    assert first[0]["commands"][0].startswith("ovs-vsctl -t 5 add-br ea-br1 -- ")
    assert get(host, "Bridge ea-br1 datapath_type") == "netdev"
    assert get(host, "Bridge ea-br1 fail_mode") == "secure"
    assert scalar(host, "Bridge ea-br1 other_config:disable-in-band") == "true"
    ids = host.run("ovs-vsctl br-get-external-id ea-br1", check=True).stdout.split("\n")
    assert sorted(filter(None, ids)) == ["bridge-id=ea-br1", "desc=edge, site 1"]
    assert host.run("ovs-vsctl br-to-parent ea-v40", check=True).stdout.strip() == "ea-br1"
    assert host.run("ovs-vsctl br-to-vlan ea-v40", check=True).stdout.strip() == "40"
    assert get(host, "Bridge ea-br2 datapath_type") == "netdev"
    # the data path moves traffic: the bridge shows up in the userspace datapath
    assert "ea-br1" in host.run("ovs-appctl dpctl/show", check=True).stdout

    # change an existing bridge: fail_mode, one id removed, fake bridge moved to VLAN 41
    changed = [
        {
            "openvswitch_bridge": {
                "bridge": "ea-br1",
                "fail_mode": "standalone",
                "external_ids": {"desc": None},
            }
        },
        {"openvswitch_bridge": {"bridge": "ea-v40", "parent": "ea-br1", "vlan": 41}},
    ]
    converge(tmp_path, lab_inventory, host, changed, changes=[True, True])
    assert get(host, "Bridge ea-br1 fail_mode") == "standalone"
    assert host.run("ovs-vsctl br-get-external-id ea-br1 desc", check=True).stdout.strip() == ""
    assert host.run("ovs-vsctl br-to-vlan ea-v40", check=True).stdout.strip() == "41"

    gone = [
        {"openvswitch_bridge": {"bridge": "ea-v40", "state": "absent"}},
        {"openvswitch_bridge": {"bridge": "ea-br1", "state": "absent"}},
        {"openvswitch_bridge": {"bridge": "ea-br2", "state": "absent"}},
    ]
    converge(tmp_path, lab_inventory, host, gone, changes=[True, True, True])
    assert not {"ea-br1", "ea-br2", "ea-v40"} & set(
        host.run("ovs-vsctl list-br", check=True).stdout.split()
    )


def test_a_bridge_cannot_change_its_parent(tmp_path, lab_inventory, ovs_host):
    tasks = [
        {"openvswitch_bridge": {"bridge": "ea-p1"}},
        {"openvswitch_bridge": {"bridge": "ea-p1", "parent": "ea-p2", "vlan": 5}},
    ]
    code, results, _ = play(tmp_path, lab_inventory, ovs_host, tasks)
    assert code != 0
    assert "exists as a real bridge" in results[1]["msg"]


def test_ports_access_trunk_internal_vxlan_patch(tmp_path, lab_inventory, ovs_host):
    host = ovs_host
    bridge = {"openvswitch_bridge": {"bridge": "ea-pt"}}
    ports = [
        bridge,
        {
            "openvswitch.openvswitch.openvswitch_port": {
                "bridge": "ea-pt",
                "port": "ea-acc",
                "tag": "10",
                "set": ["Interface ea-acc type=internal"],
                "external_ids": {"iface-id": "vm-1"},
            }
        },
        {
            "openvswitch_port": {
                "bridge": "ea-pt",
                "port": "ea-trk",
                "trunks": [20, 10],
                "type": "internal",
            }
        },
        {
            "community.network.openvswitch_port": {
                "bridge": "ea-pt",
                "port": "ea-vx0",
                "set": ["Interface ea-vx0 type=vxlan options:remote_ip=192.0.2.10 options:key=7"],
            }
        },
        {
            "openvswitch_port": {
                "bridge": "ea-pt",
                "port": "ea-gre",
                "type": "gre",
                "options": {"remote_ip": "192.0.2.11"},
            }
        },
        {
            "openvswitch_port": {
                "bridge": "ea-pt",
                "port": "ea-pa",
                "type": "patch",
                "options": {"peer": "ea-pb"},
            }
        },
        {
            "openvswitch_port": {
                "bridge": "ea-pt",
                "port": "ea-pb",
                "type": "patch",
                "options": {"peer": "ea-pa"},
            }
        },
    ]
    first = converge(tmp_path, lab_inventory, host, ports, changes=[True] * len(ports))
    assert "add-port ea-pt ea-acc -- set Port ea-acc tag=10" in first[1]["commands"][0]
    assert get(host, "Port ea-acc tag") == "10"
    assert scalar(host, "Port ea-acc external_ids:iface-id") == "vm-1"
    assert get(host, "Interface ea-acc type") == "internal"
    assert get(host, "Port ea-trk trunks") == "[10, 20]"
    assert get(host, "Interface ea-vx0 type") == "vxlan"
    assert get(host, "Interface ea-vx0 options") == '{key="7", remote_ip="192.0.2.10"}'
    assert get(host, "Interface ea-gre type") == "gre"
    assert scalar(host, "Interface ea-pa options:peer") == "ea-pb"
    # OVS itself accepted the patch pair (no error on either interface)
    assert get(host, "Interface ea-pa error") == "[]"

    # converge existing ports: re-tag (Ansible's `set` would not), change trunks, drop an id
    changed = [
        {
            "openvswitch_port": {
                "bridge": "ea-pt",
                "port": "ea-acc",
                "tag": 20,
                "external_ids": {"iface-id": None},
            }
        },
        {"openvswitch_port": {"bridge": "ea-pt", "port": "ea-trk", "trunks": [30]}},
        {"openvswitch_port": {"bridge": "ea-pt", "port": "ea-gre", "state": "absent"}},
    ]
    converge(tmp_path, lab_inventory, host, changed, changes=[True, True, True])
    assert get(host, "Port ea-acc tag") == "20"
    assert get(host, "Port ea-acc external_ids") == "{}"
    assert get(host, "Port ea-trk trunks") == "[30]"
    assert "ea-gre" not in host.run("ovs-vsctl list-ports ea-pt", check=True).stdout.split()


def test_a_port_on_another_bridge_or_a_missing_bridge_fails_clearly(
    tmp_path, lab_inventory, ovs_host
):
    tasks = [
        {"openvswitch_bridge": {"bridge": "ea-o1"}},
        {"openvswitch_port": {"bridge": "ea-o1", "port": "ea-op", "type": "internal"}},
        {"openvswitch_port": {"bridge": "ea-o2", "port": "ea-op"}},
    ]
    code, results, _ = play(tmp_path, lab_inventory, ovs_host, tasks)
    assert code != 0 and "is on bridge ea-o1, not on ea-o2" in results[2]["msg"]
    tasks = [{"openvswitch_port": {"bridge": "ea-none", "port": "ea-x"}}]
    code, results, _ = play(tmp_path, lab_inventory, ovs_host, tasks)
    assert code != 0 and "bridge ea-none does not exist" in results[0]["msg"]
    # check mode: an earlier task would create the bridge, so the port is predicted, not failed
    code, results, _ = play(tmp_path, lab_inventory, ovs_host, tasks, check=True)
    assert code == 0 and results[0]["changed"] and "check mode" in results[0]["msg"]


def test_db_set_remove_and_read_a_column_and_a_map_key(tmp_path, lab_inventory, ovs_host):
    host = ovs_host
    tasks = [
        {"openvswitch_bridge": {"bridge": "ea-db"}},
        {"openvswitch_port": {"bridge": "ea-db", "port": "ea-dp", "type": "internal"}},
        {
            "openvswitch.openvswitch.openvswitch_db": {
                "table": "open_vswitch",
                "record": ".",
                "col": "other_config",
                "key": "ea-test",
                "value": 50000,
            }
        },
        {"openvswitch_db": {"table": "Port", "record": "ea-dp", "col": "tag", "value": 10}},
        {
            "openvswitch_db": {
                "table": "Bridge",
                "record": "ea-db",
                "col": "other_config",
                "key": "disable-in-band",
                "value": True,
            }
        },
    ]
    first = converge(tmp_path, lab_inventory, host, tasks, changes=[True] * 5)
    assert first[3]["diff"]["before"] == "Port ea-dp tag: []\n"
    assert first[3]["diff"]["after"] == "Port ea-dp tag: 10\n"
    assert scalar(host, "Open_vSwitch . other_config:ea-test") == "50000"
    assert get(host, "Port ea-dp tag") == "10"

    reads = [
        {"openvswitch_db": {"state": "read", "table": "Port", "record": "ea-dp", "col": "tag"}},
        {
            "openvswitch_db": {
                "state": "read",
                "table": "Bridge",
                "record": "ea-db",
                "col": "other_config",
            }
        },
        {
            "openvswitch_db": {
                "state": "read",
                "table": "interface",
                "record": "ea-dp",
                "col": "statistics",
                "key": "tx_packets",
            }
        },
    ]
    code, out, rec = play(tmp_path, lab_inventory, host, reads)
    assert code == 0, (out, rec.errors)
    assert [r["changed"] for r in out] == [False, False, False]
    assert out[0]["output"] == {"tag": "10"}
    assert out[1]["output"] == {"disable-in-band": "true"}
    assert out[2]["output"]["tx_packets"].isdigit()

    removals = [
        {
            "openvswitch_db": {
                "state": "absent",
                "table": "Open_vSwitch",
                "record": ".",
                "col": "other_config",
                "key": "ea-test",
            }
        },
        {"openvswitch_db": {"state": "absent", "table": "Port", "record": "ea-dp", "col": "tag"}},
        # a value that does not match: the key stays (remove KEY=VALUE semantics)
        {
            "openvswitch_db": {
                "state": "absent",
                "table": "Bridge",
                "record": "ea-db",
                "col": "other_config",
                "key": "disable-in-band",
                "value": "false",
            }
        },
    ]
    converge(tmp_path, lab_inventory, host, removals, changes=[True, True, False])
    assert get(host, "Port ea-dp tag") == "[]"
    assert scalar(host, "Bridge ea-db other_config:disable-in-band") == "true"


def test_a_map_column_needs_a_key(tmp_path, lab_inventory, ovs_host):
    tasks = [
        {"openvswitch_bridge": {"bridge": "ea-mk"}},
        {
            "openvswitch_db": {
                "table": "Bridge",
                "record": "ea-mk",
                "col": "other_config",
                "value": "x",
            }
        },
    ]
    code, results, _ = play(tmp_path, lab_inventory, ovs_host, tasks)
    assert code != 0 and "key for map type of column" in results[1]["msg"]


@pytest.mark.parametrize(
    "task, message",
    [
        ({"openvswitch_bridge": {"bridge": "ea-bad", "fail_mode": "closed"}}, "secure, standalone"),
        ({"openvswitch_bridge": {"bridge": "ea-bad", "vlan": 3}}, "needs 'parent'"),
        (
            {"openvswitch_bridge": {"bridge": "ea-bad", "set": "bridge ea-bad x"}},
            "is not COLUMN",
        ),
        (
            {"openvswitch_port": {"bridge": "ea-bad", "port": "p", "tag": 5000}},
            "between 0 and 4095",
        ),
        ({"openvswitch_port": {"bridge": "ea-bad", "port": "p", "vlan": 5}}, "no argument 'vlan'"),
        ({"openvswitch_db": {"table": "Port", "record": "p", "col": "tag"}}, "value for state"),
    ],
    ids=["fail_mode", "vlan_without_parent", "raw_set", "tag_range", "unknown", "db_value"],
)
def test_bad_arguments_are_refused_before_anything_runs(
    tmp_path, lab_inventory, ovs_host, task, message
):
    tasks = [{"openvswitch_bridge": {"bridge": "ea-marker"}}, task]
    with pytest.raises(ValidationError, match=message) as err:
        play(tmp_path, lab_inventory, ovs_host, tasks)
    assert "sys.yml:" in str(err.value)  # the task's file:line
    assert "ea-marker" not in ovs_host.run("ovs-vsctl list-br", check=True).stdout.split()


def test_the_shell_functions_run_under_busybox_sh_with_only_busybox_applets(ovs_host):
    """OVS runs on BusyBox systems too (OpenWrt): the same calls under `busybox sh` with a
    PATH of BusyBox applets plus ovs-vsctl alone converge, then report nothing to change."""
    from edgeauto.modules.base import CompileContext
    from edgeauto.modules.registry import get_module
    from edgeauto.remote.builder import TaskInvocation, build_script, new_nonce
    from edgeauto.remote.framing import parse_run

    host = ovs_host
    tasks = [
        (
            "openvswitch_bridge",
            {"bridge": "ea-bb", "fail_mode": "secure", "external_ids": {"a": "b"}},
        ),
        ("openvswitch_port", {"bridge": "ea-bb", "port": "ea-bbp", "tag": 10, "type": "internal"}),
        (
            "openvswitch_db",
            {"table": "Port", "record": "ea-bbp", "col": "trunks", "value": "10,20"},
        ),
    ]
    host.run(
        "rm -rf /tmp/ea-bbpath && mkdir /tmp/ea-bbpath && cd /tmp/ea-bbpath && "
        "for a in $(busybox --list); do ln -s /bin/busybox $a; done && "
        "ln -s $(command -v ovs-vsctl) ovs-vsctl",
        check=True,
    )

    def run_once() -> list[str]:
        nonce = new_nonce()
        calls = []
        for i, (name, args) in enumerate(tasks):
            module = get_module(name)
            call = module.compile(module.validate(args, final=True), CompileContext())
            calls.append(TaskInvocation(f"t{i}", call))
        script = build_script(calls, nonce=nonce)
        proc = host.run("PATH=/tmp/ea-bbpath /bin/busybox sh -s", input=script, check=True)
        out = parse_run(proc.stdout, nonce, [f"t{i}" for i in range(len(tasks))])
        return [r.status for r in out.records]

    try:
        assert run_once() == ["changed", "changed", "changed"]
        assert run_once() == ["ok", "ok", "ok"]
        assert get(host, "Port ea-bbp trunks") == "[10, 20]"
    finally:
        host.run("rm -rf /tmp/ea-bbpath")
