"""The controller half of the OVS modules without a host: Ansible's raw ``set`` strings, map
parsing of ``ovs-vsctl get`` output, the one-transaction ``commands`` result, and argument
errors at playbook validation (no templating involved)."""

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.edge._ovs import ovs_result, parse_set
from edgeauto.modules.edge.openvswitch_db import parse_map
from edgeauto.modules.registry import get_module


def test_raw_set_is_split_like_ansibles_run_command():
    assert parse_set("Interface vx0 type=vxlan options:remote_ip=192.0.2.1", "set", None) == (
        "Interface",
        "vx0",
        ["type=vxlan", "options:remote_ip=192.0.2.1"],
    )
    assert parse_set("set bridge br0 'external_ids:desc=a b'", "set", None) == (
        "bridge",
        "br0",
        ["external_ids:desc=a b"],
    )
    assert parse_set("Interface eth6", "set", None) is None  # Ansible's own no-op example


@pytest.mark.parametrize(
    "text", ["Interface", "bridge br0 datapath_type", "bridge br0 =x", "a b 'c"]
)
def test_raw_set_errors_name_the_bad_part(text):
    with pytest.raises(ModuleArgumentError, match="set"):
        parse_set(text, "set", None)


def test_map_output_parses_quotes_commas_and_escapes():
    text = '{a="x, y", b=1, "c-d"="say \\"hi\\"", e=""}'
    assert parse_map(text) == {"a": "x, y", "b": "1", "c-d": 'say "hi"', "e": ""}
    assert parse_map("{}") == {}


def test_commands_are_one_transaction_with_the_socket_and_timeout():
    record = {
        "status": "changed",
        "fields": {"commands": "add-br\tbr0\nset\tBridge\tbr0\tfail_mode=secure\n"},
    }
    out = ovs_result(record, 7, "unix:/opt/s.sock")
    assert out["commands"] == [
        "ovs-vsctl -t 7 --db=unix:/opt/s.sock add-br br0 -- set Bridge br0 fail_mode=secure"
    ]
    assert ovs_result({"status": "ok", "fields": {}}, 5, None)["commands"] == []


@pytest.mark.parametrize(
    "name, args, message",
    [
        (
            "openvswitch_bridge",
            {"bridge": "b", "parent": "p", "vlan": 3, "fail_mode": "secure"},
            "not to the fake bridge",
        ),
        ("openvswitch_bridge", {"bridge": "b", "timeout": 0}, "must be positive"),
        (
            "openvswitch_port",
            {"bridge": "b", "port": "p", "trunks": [1, 5000]},
            "between 0 and 4095",
        ),
        (
            "openvswitch_port",
            {"bridge": "b", "port": "p", "options": {"a=b": 1}},
            "may not contain",
        ),
        (
            "openvswitch_db",
            {"table": "t", "record": "r", "col": "c", "value": "a\tb"},
            "without TABs",
        ),
    ],
)
def test_bad_arguments_fail_at_validation(name, args, message):
    with pytest.raises(ModuleArgumentError, match=message):
        get_module(name).validate(args)


def test_templated_arguments_wait_for_the_host():
    module = get_module("openvswitch_port")
    assert module.validate({"bridge": "b", "port": "p", "tag": "{{ vlan }}"})["tag"] == "{{ vlan }}"


def test_collection_names_reach_the_same_module():
    for short in ("openvswitch_bridge", "openvswitch_port", "openvswitch_db"):
        module = get_module(short)
        assert get_module(f"openvswitch.openvswitch.{short}") is module
        assert get_module(f"community.network.{short}") is module
