"""Source kinds: several -i merged, comma lists, directories, scripts, plugin dispatch."""

from __future__ import annotations

import stat

import pytest

from edgeauto.errors import InventoryError
from edgeauto.inventory import Inventory, load_inventory, register_source
from edgeauto.inventory import sources as sources_mod

from .conftest import CASES, EXAMPLE


def test_several_sources_are_merged_and_later_sources_win_for_host_vars():
    inv = load_inventory([str(CASES / "merge/one/hosts.ini"), str(CASES / "merge/two/hosts.yml")])
    assert list(inv.hosts) == ["n1", "n2", "n3"]
    assert inv.host_vars("n2")["src"] == "two"
    assert inv.host_vars("n1")["hv_two"] is True  # host_vars beside the second source
    assert inv.host_vars("n1")["gv_shared"] == "two"  # group_vars of later source win
    assert inv.group_names("n1") == ["edge", "other"]


def test_comma_list_puts_hosts_in_ungrouped_with_ports():
    inv = load_inventory(["h1,h2:2222, 192.0.2.4,"])
    assert list(inv.hosts) == ["h1", "h2", "192.0.2.4"]
    assert inv.hosts["h2"].vars["ansible_port"] == 2222
    assert inv.groups_map()["ungrouped"] == ["h1", "h2", "192.0.2.4"]


def test_single_host_with_trailing_comma_is_a_comma_list():
    inv = load_inventory(["edge1,"])
    assert list(inv.hosts) == ["edge1"]


def test_directory_source_loads_every_file_in_name_order_and_skips_ignored():
    inv = load_inventory([str(CASES / "dirsource")])
    assert list(inv.hosts) == ["r1", "r2", "s1"]
    assert "r9" not in inv.hosts and "hidden" not in inv.groups
    assert inv.host_vars("r1")["vendor"] == "acme"
    assert inv.host_vars("s1")["ports"] == 48


def test_missing_source_is_an_error_naming_it(tmp_path):
    with pytest.raises(InventoryError, match="inventory source not found") as info:
        load_inventory([str(tmp_path / "nope.yml")])
    assert str(tmp_path / "nope.yml") in str(info.value)


def test_executable_script_source_reads_ansible_inventory_json(tmp_path):
    script = tmp_path / "inv.sh"
    script.write_text(
        "#!/bin/sh\n"
        "cat <<'JSON'\n"
        '{"edge": {"hosts": ["e1", "e2"], "vars": {"site": "x"}, "children": ["kids"]},\n'
        ' "kids": {"hosts": ["k1"]},\n'
        ' "_meta": {"hostvars": {"e1": {"ansible_host": "192.0.2.1"}}}}\n'
        "JSON\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    inv = load_inventory([str(script)])
    assert inv.groups_map()["edge"] == ["e1", "e2", "k1"]
    assert inv.host_vars("e1")["ansible_host"] == "192.0.2.1"
    assert inv.host_vars("k1")["site"] == "x"


def test_executable_data_file_without_shebang_is_read_as_data_not_run(tmp_path):
    data = tmp_path / "hosts.yml"  # e.g. on a share where every file is 0755
    data.write_text("g:\n  hosts:\n    h1:\n")
    data.chmod(0o755)
    assert list(load_inventory([str(data)]).hosts) == ["h1"]


def test_non_utf8_inventory_is_a_clear_error(tmp_path):
    bad = tmp_path / "hosts"
    bad.write_bytes(b"[g]\nh\xff\n")
    with pytest.raises(InventoryError, match="not UTF-8 text"):
        load_inventory([str(bad)])


def test_failing_script_reports_its_exit_status(tmp_path):
    script = tmp_path / "inv.sh"
    script.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    script.chmod(0o755)
    with pytest.raises(InventoryError, match="exited with 3: boom"):
        load_inventory([str(script)])


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the source registry so tests do not leak kinds into each other."""
    monkeypatch.setattr(sources_mod, "_REGISTRY", dict(sources_mod._REGISTRY))
    return sources_mod._REGISTRY


def test_registered_source_kind_is_used_when_it_accepts_the_source(registry):
    def populate(inv: Inventory, source: str) -> None:
        inv.add_host("from-" + source.split("://")[1], "fake")

    register_source("fake", lambda s: s.startswith("fake://"), populate)
    inv = load_inventory(["fake://node1"])
    assert inv.groups_map()["fake"] == ["from-node1"]
    assert inv.host_vars("from-node1")["inventory_file"] == "fake://node1"


def test_plugin_yaml_file_dispatches_to_the_kind_of_that_name(tmp_path, registry):
    seen = []

    def populate(inv: Inventory, source: str) -> None:
        seen.append(source)
        inv.add_host("vm1", "cloud")

    register_source("mycloud", lambda s: False, populate)
    conf = tmp_path / "cloud.yml"
    conf.write_text("plugin: acme.collection.mycloud\nregion: x\n")
    inv = load_inventory([str(conf)])
    assert seen == [str(conf)] and inv.groups_map()["cloud"] == ["vm1"]


def test_inventory_merge_combines_hosts_groups_and_vars():
    a = load_inventory([str(CASES / "merge/one/hosts.ini")])
    b = load_inventory([str(CASES / "merge/two/hosts.yml")])
    a.merge(b)
    assert list(a.hosts) == ["n1", "n2", "n3"]
    assert a.host_vars("n2")["src"] == "two"
    assert a.groups_map()["other"] == ["n1"]


def test_add_child_refuses_a_cycle():
    inv = Inventory()
    inv.add_group("a")
    inv.add_group("b", parent="a")
    with pytest.raises(InventoryError, match="loop"):
        inv.add_child("b", "a")


def test_two_inventories_can_be_loaded_independently_in_one_process():
    first = load_inventory([str(EXAMPLE)])
    second = load_inventory(["only,"])
    assert "only" not in first.hosts and list(second.hosts) == ["only"]


def test_hosts_and_groups_added_at_run_time_are_visible_without_explicit_reconcile():
    """What add_host / group_by do during a play: queries see the implicit rules applied."""
    inv = load_inventory([str(EXAMPLE)])
    inv.add_host("new-dev", vars={"ansible_host": "192.0.2.77"})
    assert "new-dev" in [h.name for h in inv.select("all")]
    assert inv.group_names("new-dev") == ["ungrouped"]
    inv.add_host("new-dev", "by_os_alpine")
    assert inv.groups_map()["by_os_alpine"] == ["new-dev"]
    assert inv.group_names("new-dev") == ["by_os_alpine"]
    assert [h.name for h in inv.select("by_os_*")] == ["new-dev"]


def test_kind_prefix_hands_the_whole_string_to_that_kind(registry):
    seen = []
    register_source("cloudy", lambda s: False, lambda inv, s: seen.append(s))
    load_inventory(["cloudy:region-1"])
    assert seen == ["cloudy:region-1"]


@pytest.mark.parametrize("name", ["clouds.yaml", "clouds.yml", "secure.yaml"])
def test_directory_source_skips_openstacksdk_config_files(tmp_path, name):
    (tmp_path / name).write_text("clouds:\n  edge:\n    auth:\n      password: s3cret\n")
    (tmp_path / "hosts.ini").write_text("[gateways]\ngw1\n")
    inv = load_inventory([str(tmp_path)])
    assert list(inv.hosts) == ["gw1"]
    assert "clouds" not in inv.groups


def test_source_warning_is_kept_once_and_logged_like_ansible(registry, caplog):
    def populate(inv, source):
        inv.add_host("h1")
        inv.warn("hypervisor kvm2 skipped: connection refused")
        inv.warn("hypervisor kvm2 skipped: connection refused")

    register_source("warny", lambda s: False, populate)
    inv = load_inventory(["warny:x"])
    assert inv.warnings == ["hypervisor kvm2 skipped: connection refused"]
    assert inv.dynamic_warnings is inv.warnings  # the dynamic sources' first name for it
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert logged == ["[WARNING]: hypervisor kvm2 skipped: connection refused"]


def test_merge_keeps_the_warnings_of_both_inventories():
    first, second = Inventory(), Inventory()
    first.warn("cloud a failed")
    second.warn("cloud b failed")
    second.warn("cloud a failed")
    first.merge(second)
    assert first.warnings == ["cloud a failed", "cloud b failed"]
