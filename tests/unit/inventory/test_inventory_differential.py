"""Differential tests: ``edgeauto inventory`` must print what ``ansible-inventory`` prints.

Each row runs both commands with the same arguments on the same inventory (our examples plus
odd cases: INI typing, nested YAML, merged sources, directories, precedence, comma lists)
and compares the parsed output (JSON/YAML) or the exact text (--graph).
"""

from __future__ import annotations

import json

import pytest
import yaml

from .conftest import CASES, EXAMPLE, REPO, needs_ansible

pytestmark = needs_ansible

ROWS = [
    ("example_list", [str(EXAMPLE), "--list"]),
    ("example_list_export", [str(EXAMPLE), "--list", "--export"]),
    ("example_list_limit", [str(EXAMPLE), "--list", "--limit", "lyon:&devices"]),
    ("example_host_with_host_vars", [str(EXAMPLE), "--host", "srv-berlin-01"]),
    ("example_host_range_member", [str(EXAMPLE), "--host", "dev-lyon-05"]),
    ("local_list", [str(REPO / "inventories/local.yml"), "--list"]),
    ("ini_typing_list", [str(CASES / "ini_typing/hosts"), "--list"]),
    ("ini_typing_export", [str(CASES / "ini_typing/hosts"), "--list", "--export"]),
    ("ini_typing_host", [str(CASES / "ini_typing/hosts"), "--host", "lonely"]),
    ("yaml_shapes_list", [str(CASES / "yaml_shapes/inventory.yml"), "--list"]),
    ("yaml_shapes_export", [str(CASES / "yaml_shapes/inventory.yml"), "--list", "--export"]),
    (
        "yaml_shapes_limit_subscript",
        [str(CASES / "yaml_shapes/inventory.yml"), "--list", "--limit", "region[1:2]:!a3"],
    ),
    ("dir_source_list", [str(CASES / "dirsource"), "--list"]),
    ("yaml_redefined_groups_list", [str(CASES / "yaml_redefine.yml"), "--list"]),
    ("yaml_redefined_groups_export", [str(CASES / "yaml_redefine.yml"), "--list", "--export"]),
    ("precedence_list", [str(CASES / "precedence/hosts.yml"), "--list"]),
    (
        "precedence_with_playbook_dir",
        [
            str(CASES / "precedence/hosts.yml"),
            "--playbook-dir",
            str(CASES / "precedence/playbook"),
            "--list",
        ],
    ),
    ("comma_list", ["h1,h2:2222, 192.0.2.4,", "--list"]),
    ("comma_list_keeps_brackets", ["web[1:2],x", "--list"]),
]


def _args(row):
    source, *rest = row
    return ["-i", source, *rest]


@pytest.mark.parametrize("name,row", ROWS, ids=[r[0] for r in ROWS])
def test_json_output_matches_ansible_inventory(name, row, ansible_inventory, edgeauto_inventory):
    ours = json.loads(edgeauto_inventory(*_args(row)))
    theirs = json.loads(ansible_inventory(*_args(row)))
    assert ours == theirs


def test_several_sources_merge_like_ansible_in_both_orders(ansible_inventory, edgeauto_inventory):
    one = str(CASES / "merge/one/hosts.ini")
    two = str(CASES / "merge/two/hosts.yml")
    for order in ([one, two], [two, one]):
        args = [a for src in order for a in ("-i", src)] + ["--list"]
        assert json.loads(edgeauto_inventory(*args)) == json.loads(ansible_inventory(*args))


YAML_ROWS = [
    ("example_yaml", [str(EXAMPLE), "--list", "--yaml"]),
    ("yaml_shapes_yaml", [str(CASES / "yaml_shapes/inventory.yml"), "--list", "--yaml"]),
    ("ini_typing_yaml_export", [str(CASES / "ini_typing/hosts"), "--list", "--yaml", "--export"]),
]


@pytest.mark.parametrize("name,row", YAML_ROWS, ids=[r[0] for r in YAML_ROWS])
def test_yaml_output_matches_ansible_inventory(name, row, ansible_inventory, edgeauto_inventory):
    ours = yaml.safe_load(edgeauto_inventory(*_args(row)))
    theirs = yaml.safe_load(ansible_inventory(*_args(row)))
    assert ours == theirs


GRAPH_ROWS = [
    ("example_graph", [str(EXAMPLE), "--graph"]),
    ("example_graph_vars", [str(EXAMPLE), "--graph", "--vars"]),
    ("example_graph_subgroup", [str(EXAMPLE), "--graph", "sites"]),
    ("yaml_shapes_graph_vars", [str(CASES / "yaml_shapes/inventory.yml"), "--graph", "--vars"]),
    ("ini_typing_graph_group", [str(CASES / "ini_typing/hosts"), "--graph", "prod"]),
    ("dir_source_graph", [str(CASES / "dirsource"), "--graph"]),
    ("yaml_redefined_graph_vars", [str(CASES / "yaml_redefine.yml"), "--graph", "--vars"]),
]


@pytest.mark.parametrize("name,row", GRAPH_ROWS, ids=[r[0] for r in GRAPH_ROWS])
def test_graph_text_matches_ansible_inventory(name, row, ansible_inventory, edgeauto_inventory):
    assert edgeauto_inventory(*_args(row)) == ansible_inventory(*_args(row))


def test_graph_positional_group_is_accepted_like_ansible(ansible_inventory, edgeauto_inventory):
    args = ["-i", str(EXAMPLE), "--graph", "--vars", "devices"]
    assert edgeauto_inventory(*args) == ansible_inventory(*args)


@pytest.fixture
def vaulted_inventory(tmp_path):
    """An inventory with a vault-encrypted group_vars file and an inline !vault value."""
    vault = pytest.importorskip("edgeauto.templating.vault")
    secrets = vault.VaultSecrets.from_password("pw")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "hosts.ini").write_text("[g]\nh\n")
    (tmp_path / "group_vars/all.yml").write_text(vault.encrypt("token: abc\n", secrets))
    (tmp_path / "group_vars/g.yml").write_text(
        vault.encrypt_string_yaml("hunter2", secrets, "db_password")
    )
    (tmp_path / "pass.txt").write_text("pw\n")
    return tmp_path


@pytest.mark.parametrize("view", [["--list"], ["--host", "h"], ["--list", "--export"]])
def test_vaulted_vars_print_like_ansible_inventory(
    view, vaulted_inventory, ansible_inventory, edgeauto_inventory
):
    args = [
        "-i",
        str(vaulted_inventory / "hosts.ini"),
        "--vault-password-file",
        str(vaulted_inventory / "pass.txt"),
        *view,
    ]
    ours = edgeauto_inventory(*args)
    assert json.loads(ours) == json.loads(ansible_inventory(*args))
    assert "hunter2" not in ours  # inline vault values stay ciphertext


def test_graph_vars_never_prints_vault_plaintext(vaulted_inventory, edgeauto_inventory):
    """Deliberate difference: ansible-inventory --graph --vars shows the decrypted value."""
    out = edgeauto_inventory(
        "-i",
        str(vaulted_inventory / "hosts.ini"),
        "--vault-password-file",
        str(vaulted_inventory / "pass.txt"),
        "--graph",
        "--vars",
    )
    assert "hunter2" not in out and "{db_password = <vaulted value>}" in out
