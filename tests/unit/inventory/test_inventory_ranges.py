"""Host ranges and ports in host entries, against explicit expectations and Ansible's expander."""

from __future__ import annotations

import pytest

from edgeauto.errors import InventoryError, Position
from edgeauto.inventory.ranges import expand_host_pattern, expand_range, split_port

EXPANSIONS = [
    ("edge[01:03].example", ["edge01.example", "edge02.example", "edge03.example"]),
    ("edge[1:3]", ["edge1", "edge2", "edge3"]),
    ("edge[8:11]", ["edge8", "edge9", "edge10", "edge11"]),
    ("edge[001:003]", ["edge001", "edge002", "edge003"]),
    ("node-[a:c]", ["node-a", "node-b", "node-c"]),
    ("node-[x:B]", ["node-x", "node-y", "node-z", "node-A", "node-B"]),
    ("n[1:10:3]", ["n1", "n4", "n7", "n10"]),
    ("n[a:g:2]", ["na", "nc", "ne", "ng"]),
    ("n[:2]", ["n0", "n1", "n2"]),
    ("r[1:2]-u[a:b]", ["r1-ua", "r1-ub", "r2-ua", "r2-ub"]),
    ("plain.example", ["plain.example"]),
    ("[1:2].example", ["1.example", "2.example"]),
]


@pytest.mark.parametrize("text,expected", EXPANSIONS)
def test_range_expands_to_the_expected_host_names(text, expected):
    assert expand_range(text) == expected


@pytest.mark.parametrize("text,expected", EXPANSIONS)
def test_range_expansion_agrees_with_ansible(text, expected):
    pytest.importorskip("ansible")
    from ansible.plugins.inventory import expand_hostname_range

    theirs = expand_hostname_range(text) if "[" in text else [text]
    assert expand_range(text) == theirs


BAD_RANGES = [
    ("edge[1]", "must be begin:end"),
    ("edge[1:2:3:4]", "must be begin:end"),
    ("edge[1:]", "must specify an end"),
    ("edge[01:100]", "same length"),
    ("edge[c:a]", "begin <= end"),
    ("edge[9:2]", "begin <= end"),
    ("edge[a:5]", "two numbers or two letters"),
    ("edge[1:5:0]", "positive integer"),
    ("edge[1:5:x]", "positive integer"),
    ("edge[1:3", "no closing"),
]


@pytest.mark.parametrize("text,message", BAD_RANGES)
def test_bad_range_is_an_inventory_error_with_position(text, message):
    pos = Position("hosts.ini", 7)
    with pytest.raises(InventoryError, match=message) as info:
        expand_range(text, pos)
    assert str(info.value).startswith("hosts.ini:7: ")
    assert text in str(info.value)


PORTS = [
    ("host", ("host", None)),
    ("host:2222", ("host", 2222)),
    ("192.0.2.1:22", ("192.0.2.1", 22)),
    ("2001:db8::1", ("2001:db8::1", None)),
    ("[2001:db8::1]:2200", ("2001:db8::1", 2200)),
    ("edge[01:03]:2222", ("edge[01:03]", 2222)),
    ("edge[01:03]", ("edge[01:03]", None)),
]


@pytest.mark.parametrize("text,expected", PORTS)
def test_port_is_split_from_host_entries(text, expected):
    assert split_port(text) == expected


def test_ranged_entry_with_port_gives_every_host_the_port():
    assert expand_host_pattern("gw[1:2]:2200") == (["gw1", "gw2"], 2200)


@pytest.mark.parametrize(
    "name,text",
    [
        ("hosts.ini", "[edge]\nweb[1:2]:2222 ansible_port=22 role=gw\nlone:2200\n"),
        (
            "hosts.yml",
            "edge:\n  hosts:\n    web[1:2]:2222: {ansible_port: 22, role: gw}\n    lone:2200:\n",
        ),
    ],
)
def test_entry_port_is_overridden_by_an_explicit_ansible_port_like_ansible(
    tmp_path, ansible_manager, name, text
):
    from edgeauto.inventory import load_inventory

    path = tmp_path / name
    path.write_text(text)
    ours = load_inventory([str(path)])
    theirs = ansible_manager([path])
    for host in ("web1", "web2", "lone"):
        expected = theirs.get_host(host).get_vars()
        got = ours.host_vars(host)
        assert (got["ansible_port"], got.get("role")) == (
            expected["ansible_port"],
            expected.get("role"),
        )
    assert ours.host_vars("web1")["ansible_port"] == 22
    assert ours.host_vars("lone")["ansible_port"] == 2200
