"""INI inventories: value typing, sections, ports, and error messages with file:line."""

from __future__ import annotations

import pytest

from edgeauto.errors import InventoryError
from edgeauto.inventory import Inventory, load_inventory
from edgeauto.inventory.ini import parse_value, populate_ini

from .conftest import CASES

VALUES = [
    ("1", 1),
    ("-3", -3),
    ("0x1f", 31),
    ("1.5", 1.5),
    ("True", True),
    ("yes", "yes"),
    ("no", "no"),
    ("None", None),
    ("'01'", "01"),
    ("[1, 2]", [1, 2]),
    ("(1, 2)", [1, 2]),
    ("{'k': 1}", {"k": 1}),
    ("a b c", "a b c"),
    ('"quoted string"', "quoted string"),
    ("{{ templated }}", "{{ templated }}"),
    ("1j", "1j"),
    ("...", "..."),
]


@pytest.mark.parametrize("text,expected", VALUES)
def test_ini_value_is_typed_like_ansible(text, expected):
    value = parse_value(text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text,expected", VALUES)
def test_ini_value_typing_agrees_with_ansible_plugin(text, expected):
    pytest.importorskip("ansible")
    from ansible.plugins.inventory.ini import InventoryModule

    plugin = InventoryModule()
    from ansible._internal._datatag._tags import Origin

    plugin._origin = Origin(path="/inventory/hosts.ini", line_num=1)
    theirs = plugin._parse_value(text)
    if isinstance(theirs, str):
        theirs = str(theirs)
    assert parse_value(text) == theirs


def _load(text: str, tmp_path, name="hosts.ini"):
    path = tmp_path / name
    path.write_text(text)
    return load_inventory([str(path)]), str(path)


def test_host_line_values_are_typed_and_quoted_values_keep_spaces(tmp_path):
    inv, _ = _load('h a=1 b=yes c="x y" d=[1,2]  # comment\n', tmp_path)
    host = inv.hosts["h"].vars
    assert (host["a"], host["b"], host["c"], host["d"]) == (1, "yes", "x y", [1, 2])


def test_vars_section_splits_at_the_first_equals_only(tmp_path):
    inv, _ = _load("[g]\nh\n[g:vars]\nk = a = b\nn=2\n", tmp_path)
    assert inv.groups["g"].vars == {"k": "a = b", "n": 2}


def test_port_syntax_and_ansible_port_var_both_set_the_port(tmp_path):
    inv, _ = _load("[g]\na:2222\nb ansible_port=2200\n", tmp_path)
    assert inv.hosts["a"].vars["ansible_port"] == 2222
    assert inv.hosts["b"].vars["ansible_port"] == 2200


def test_children_section_may_name_a_group_defined_later(tmp_path):
    inv, _ = _load("[parent:children]\nkid\n[kid]\nh1\n", tmp_path)
    assert inv.groups["parent"].children == ["kid"]
    assert inv.group_names("h1") == ["kid", "parent"]


def test_comments_with_hash_and_semicolon_are_skipped(tmp_path):
    inv, _ = _load("# one\n; two\n[g]\nh1  # trailing comment\n", tmp_path)
    assert "h1" in inv.hosts


def test_lines_before_any_section_are_ungrouped_hosts(tmp_path):
    inv, _ = _load("h0\n[g]\nh1\n", tmp_path)
    assert inv.groups_map()["ungrouped"] == ["h0"]


ERRORS = [
    ("[g:bogus]\nh\n", 1, "unknown type 'bogus'"),
    ("[g]\nh\n[parent:children]\nmissing\n", 4, "includes undefined group 'missing'"),
    ("[ghost:vars]\nx=1\n", 1, "undefined group 'ghost'"),
    ("[g]\nh\n[g:vars]\njust-a-word\n", 4, "expected key=value"),
    ("[g]\nh1 novalue\n", 2, "expected key=value after host 'h1'"),
    ("[g]\n\nh1 a='unterminated\n", 3, "cannot split host line"),
    ("[g]\nh[1:x]\n", 2, "two numbers or two letters"),
    ("[g]\nhost:\n", 2, "trailing ':'"),
    ("[bad group]\n", 1, "invalid section header"),
    ("[g:children]\nbad:name\n", 2, "expected a group name"),
    ("[a:children]\nb\n[b:children]\na\n[a]\n[b]\n", None, "loop"),
]


@pytest.mark.parametrize("text,line,message", ERRORS)
def test_bad_ini_is_reported_with_file_and_line(text, line, message, tmp_path):
    path = tmp_path / "hosts.ini"
    path.write_text(text)
    with pytest.raises(InventoryError, match=message) as info:
        load_inventory([str(path)])
    if line is not None:
        assert str(info.value).startswith(f"{path}:{line}: ")


def test_every_bad_ini_case_is_also_rejected_by_ansible(tmp_path, ansible_manager):
    """Our errors are not stricter than Ansible's ini plugin for these inputs."""
    from ansible.errors import AnsibleError
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import inventory_loader

    accepted = []
    for i, (text, _line, _msg) in enumerate(ERRORS):
        path = tmp_path / f"case{i}.ini"
        path.write_text(text)
        try:
            inventory_loader.get("ini").parse(InventoryData(), DataLoader(), str(path))
        except AnsibleError:
            continue
        accepted.append(text)
    assert accepted == []


def test_ini_typing_case_file_loads_all_groups():
    inv = load_inventory([str(CASES / "ini_typing/hosts")])
    assert set(inv.groups) >= {"web", "db", "prod", "staging", "later", "ipv6"}
    assert inv.hosts["[2001:db8::11]:2222".strip("[").split("]")[0]].vars["ansible_port"] == 2222


def test_populate_ini_can_be_used_directly_on_text():
    inv = Inventory()
    populate_ini(inv, "mem.ini", "[g]\nh x=1\n")
    assert inv.hosts["h"].vars["x"] == 1
