"""Variables: precedence layers, group_vars/host_vars shapes, vault files, magic values."""

from __future__ import annotations

import pytest

from edgeauto.errors import InventoryError, VaultError
from edgeauto.inventory import load_inventory

from .conftest import CASES, EXAMPLE

PRECEDENCE = CASES / "precedence"


@pytest.fixture(scope="module")
def prec():
    return load_inventory([str(PRECEDENCE / "hosts.yml")], playbook_dir=PRECEDENCE / "playbook")


WINNERS = [
    # host, variable, expected winner and why
    ("h1", "v", "inline-h1"),  # inline host var beats every group layer
    ("h2", "v", "play-h2"),  # playbook host_vars beat inventory host_vars and inline host
    ("h3", "v", "dir-z_shallow"),  # inventory group_vars/<group> beat group_vars/all dirs
    ("h3", "s", "shallow"),  # same depth: name order, z_shallow after a_shallow
    ("h2", "p", "high"),  # same depth: higher ansible_group_priority wins
    ("h2", "w", "play-web"),  # playbook group_vars beat inventory group_vars
    ("h3", "t", "dir-top"),
    ("h1", "only_inline_all", 1),
    ("h1", "only_dir_all", 1),
    ("h1", "pb_all", 1),
]


@pytest.mark.parametrize("host,var,expected", WINNERS)
def test_variable_precedence_picks_the_documented_winner(prec, host, var, expected):
    assert prec.host_vars(host)[var] == expected


def test_group_vars_all_dir_beats_inline_group_vars(tmp_path):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/all.yml").write_text("x: dir-all\n")
    (tmp_path / "hosts.yml").write_text("g:\n  vars: {x: inline-g}\n  hosts: {h: }\n")
    assert load_inventory([str(tmp_path / "hosts.yml")]).host_vars("h")["x"] == "dir-all"


def test_deeper_group_beats_its_parent_for_inline_vars(prec):
    assert prec.host_vars("h2")["v"] != "inline-top"
    inv = load_inventory([str(PRECEDENCE / "hosts.yml")])
    assert inv.host_vars("h3")["v"] == "dir-z_shallow"
    assert inv.depth("web") == 2 and inv.depth("top") == 1


@pytest.mark.parametrize("host", ["h1", "h2", "h3"])
def test_merged_host_vars_agree_with_ansible_variable_manager(prec, host, ansible_manager):
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.manager import VariableManager

    manager = ansible_manager([PRECEDENCE / "hosts.yml"])
    loader = DataLoader()
    loader.set_basedir(str(PRECEDENCE / "playbook"))
    vm = VariableManager(loader=loader, inventory=manager)
    theirs = vm.get_vars(host=manager.get_host(host), include_hostvars=False)
    ours = prec.host_vars(host)
    for key, value in ours.items():
        if key in ("inventory_file", "inventory_dir"):
            continue
        assert theirs[key] == value, key


VARS_SHAPES = [
    ("file .yml", "group_vars/servers.yaml", "servers", "hugepages", 512),
    ("dir of files", "group_vars/all/", "all", "dns_servers", ["192.0.2.53"]),
    ("later file in dir wins", "group_vars/all/", "all", "log_level", "warning"),
    (".json", "group_vars/lyon.json", "lyon", "uplink", "lte"),
    ("no extension", "group_vars/gateways", "gateways", "wan_interface", "eth0"),
    ("dir with main.yml", "group_vars/devices/", "devices", "containers", []),
]


@pytest.mark.parametrize("why,path,group,key,value", VARS_SHAPES)
def test_group_vars_are_read_in_every_supported_shape(why, path, group, key, value):
    inv = load_inventory([str(EXAMPLE)])
    assert inv.group_vars(group)[key] == value


def test_host_vars_file_overrides_group_vars_dir():
    inv = load_inventory([str(EXAMPLE)])
    assert inv.host_vars("dev-berlin-a")["update_channel"] == "pinned"
    assert inv.host_vars("dev-lyon-01")["update_channel"] == "beta"
    assert inv.host_vars("dev-berlin-b")["update_channel"] == "stable"


def test_vars_dir_only_loads_first_of_name_and_extensions(tmp_path):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/g").write_text("a: plain\n")
    (tmp_path / "group_vars/g.yml").write_text("a: yml\nb: 1\n")
    (tmp_path / "hosts.ini").write_text("[g]\nh\n")
    inv = load_inventory([str(tmp_path / "hosts.ini")])
    assert inv.group_vars("g") == {"a": "plain"}


def test_vars_dir_skips_hidden_backup_and_unknown_extension_files(tmp_path):
    d = tmp_path / "group_vars/g"
    d.mkdir(parents=True)
    (d / "a.yml").write_text("x: a\n")
    (d / ".hidden.yml").write_text("x: hidden\n")
    (d / "b.yml~").write_text("x: backup\n")
    (d / "c.txt").write_text("x: text\n")
    (d / "sub").mkdir()
    (d / "sub/z.yml").write_text("y: nested\n")
    (tmp_path / "hosts.ini").write_text("[g]\nh\n")
    inv = load_inventory([str(tmp_path / "hosts.ini")])
    assert inv.group_vars("g") == {"x": "a", "y": "nested"}


def test_vars_file_that_is_not_a_mapping_is_an_error_with_position(tmp_path):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/g.yml").write_text("- just\n- a list\n")
    (tmp_path / "hosts.ini").write_text("[g]\nh\n")
    with pytest.raises(InventoryError, match="must hold a mapping") as info:
        load_inventory([str(tmp_path / "hosts.ini")])
    assert str(info.value).startswith(str(tmp_path / "group_vars/g.yml") + ":1")


VAULT_FILE = """$ANSIBLE_VAULT;1.1;AES256
00
"""


def test_vault_encrypted_vars_file_without_password_asks_for_one(tmp_path):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/g.yml").write_text(VAULT_FILE)
    (tmp_path / "hosts.ini").write_text("[g]\nh\n")
    with pytest.raises(VaultError, match="no vault password"):
        load_inventory([str(tmp_path / "hosts.ini")])


def test_vault_encrypted_vars_file_is_decrypted_with_the_password(tmp_path):
    vault = pytest.importorskip("edgeauto.templating.vault")
    secrets = vault.VaultSecrets.from_password("s3cret")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/g.yml").write_text(vault.encrypt("token: abc\n", secrets))
    (tmp_path / "hosts.ini").write_text("[g]\nh\n")
    inv = load_inventory([str(tmp_path / "hosts.ini")], vault=secrets)
    assert inv.host_vars("h")["token"] == "abc"


def test_inline_vault_value_stays_encrypted_until_used(tmp_path):
    vault = pytest.importorskip("edgeauto.templating.vault")
    secrets = vault.VaultSecrets.from_password("s3cret")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars/g.yml").write_text(
        vault.encrypt_string_yaml("hunter2", secrets, "db_password")
    )
    (tmp_path / "hosts.ini").write_text("[g]\nh\n")
    value = load_inventory([str(tmp_path / "hosts.ini")]).host_vars("h")["db_password"]
    assert isinstance(value, vault.EncryptedString)
    assert "hunter2" not in str(value) and value.decrypt(secrets) == "hunter2"


def test_inventory_file_and_dir_record_the_first_source_of_each_host():
    one = CASES / "merge/one/hosts.ini"
    two = CASES / "merge/two/hosts.yml"
    inv = load_inventory([str(one), str(two)])
    assert inv.host_vars("n1")["inventory_file"] == str(one)
    assert inv.host_vars("n3")["inventory_file"] == str(two)
    assert inv.host_vars("n3")["inventory_dir"] == str(two.parent)


def test_magic_group_names_and_groups_map():
    inv = load_inventory([str(EXAMPLE)])
    assert inv.group_names("gw-lyon-01") == ["gateways", "lyon", "sites"]
    groups = inv.groups_map()
    assert groups["lyon"] == [
        "gw-lyon-01",
        "srv-lyon-01",
        "dev-lyon-01",
        "dev-lyon-03",
        "dev-lyon-05",
    ]
    assert groups["ungrouped"] == [] and len(groups["all"]) == len(inv.hosts)


def test_playbook_vars_can_be_loaded_after_the_inventory():
    inv = load_inventory([str(PRECEDENCE / "hosts.yml")])
    assert inv.host_vars("h2")["v"] == "dir-h2"
    inv.load_playbook_vars(PRECEDENCE / "playbook")
    assert inv.host_vars("h2")["v"] == "play-h2"
