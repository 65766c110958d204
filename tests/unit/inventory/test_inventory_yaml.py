"""YAML inventories: accepted shapes and errors that point at file:line:col."""

from __future__ import annotations

import pytest

from edgeauto.errors import InventoryError, ParseError
from edgeauto.inventory import load_inventory

from .conftest import CASES


def _load(text: str, tmp_path, name="hosts.yml"):
    path = tmp_path / name
    path.write_text(text)
    return load_inventory([str(path)]), str(path)


def test_nested_children_hosts_and_vars_build_the_group_tree():
    inv = load_inventory([str(CASES / "yaml_shapes/inventory.yml")])
    assert inv.groups["region"].children == ["site_a", "site_b"]
    assert inv.groups_map()["region"] == ["a1", "a2", "a3", "b1"]
    assert inv.group_names("b1") == ["deep1", "deep2", "deep3", "region", "role_x", "site_b"]


def test_host_with_no_value_and_string_hosts_entry_are_accepted(tmp_path):
    inv, _ = _load("g:\n  hosts:\n    h1:\nk:\n  hosts: h2\n", tmp_path)
    assert inv.groups["g"].hosts == ["h1"] and inv.groups["k"].hosts == ["h2"]


def test_host_directly_under_all_is_ungrouped(tmp_path):
    inv, _ = _load("all:\n  hosts:\n    lone:\n", tmp_path)
    assert inv.groups_map()["ungrouped"] == ["lone"]
    assert inv.group_names("lone") == ["ungrouped"]


def test_a_host_in_a_real_group_leaves_ungrouped(tmp_path):
    inv, _ = _load(
        "all:\n  hosts:\n    h:\n  children:\n    g:\n      hosts:\n        h:\n", tmp_path
    )
    assert inv.groups_map()["ungrouped"] == []


def test_host_port_suffix_sets_ansible_port(tmp_path):
    inv, _ = _load("g:\n  hosts:\n    'edge[1:2]:2222':\n", tmp_path)
    assert [inv.hosts[h].vars["ansible_port"] for h in ("edge1", "edge2")] == [2222, 2222]


def test_json_file_is_read_as_a_yaml_inventory(tmp_path):
    inv, _ = _load('{"g": {"hosts": {"h": {"x": 1}}}}', tmp_path, "inv.json")
    assert inv.hosts["h"].vars["x"] == 1


ERRORS = [
    ("", "empty", 0),
    ("- a\n- b\n", "must be a mapping of group names, found a list", 1),
    ("g:\n  - h1\n", "group 'g' must be a mapping", 1),
    ("g:\n  hosts:\n    - h1\n", "'hosts' of group 'g' must be a mapping", 2),
    ("g:\n  hsots:\n    h1:\n", "unexpected key 'hsots' in group 'g'", 2),
    ("g:\n  hosts:\n    h1: [1]\n", "host 'h1' must map to its variables", 3),
    ("g:\n  hosts:\n    12:\n", "host name must be a string", 3),
    ("g:\n  hosts:\n    e[3:1]x:\n", "begin <= end", 3),
    ("g:\n  hosts:\n    h: {a: 1\n", "YAML syntax error", None),
    ("g:\n  hosts:\n    h:\n    h:\n", "duplicate key 'h'", 4),
    ("a:\n  children:\n    b:\n      children:\n        a:\n", "loop", None),
]


@pytest.mark.parametrize("text,message,line", ERRORS)
def test_bad_yaml_inventory_is_reported_with_position(text, message, line, tmp_path):
    path = tmp_path / "hosts.yml"
    path.write_text(text)
    with pytest.raises((InventoryError, ParseError), match=message) as info:
        load_inventory([str(path)])
    if line:
        assert str(info.value).startswith(f"{path}:{line}:")
    else:
        assert str(info.value).startswith(str(path)) or "loop" in str(info.value)


def test_yaml_without_extension_is_detected_by_content(tmp_path):
    inv, _ = _load("g:\n  hosts:\n    h1:\n", tmp_path, "inventory")
    assert inv.groups["g"].hosts == ["h1"]


def test_ini_without_extension_is_detected_by_content(tmp_path):
    inv, _ = _load("[g]\nh1 x=1\n", tmp_path, "inventory")
    assert inv.hosts["h1"].vars["x"] == 1


def test_unknown_plugin_file_names_the_known_plugins(tmp_path):
    path = tmp_path / "cloud.yml"
    path.write_text("plugin: opnestack\n")
    with pytest.raises(InventoryError, match="unknown inventory plugin 'opnestack'") as info:
        load_inventory([str(path)])
    assert str(info.value).startswith(f"{path}:1:")
    assert "did you mean 'openstack'" in str(info.value)
