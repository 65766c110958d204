"""Dynamic sources through ``load_inventory`` (``-i`` files and prefixes) and the CLI,
merged with static inventories and group_vars. OpenStack runs against the FAKE OpenStack
API: recorded responses; libvirt against libvirt's real test driver."""

from __future__ import annotations

import json
import os

import pytest

pytest.importorskip("openstack", reason="openstacksdk is not installed")
pytest.importorskip("libvirt", reason="libvirt-python is not installed")

from edgeauto.cli import main  # noqa: E402
from edgeauto.errors import InventoryError  # noqa: E402
from edgeauto.inventory import load_inventory  # noqa: E402

from .fake_openstack_api import FakeOpenStack  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]


@pytest.fixture
def site(tmp_path, monkeypatch, cache_dir):
    """An inventory directory (openstack.yml, static hosts, group_vars) and, outside it as
    inventory directories should keep it, the clouds.yaml."""
    for key in list(os.environ):
        if key.startswith("OS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with FakeOpenStack() as cloud:
        inv = tmp_path / "inventory"
        inv.mkdir()
        cloud.clouds_yaml(tmp_path / "clouds.yaml", {"edge": {"region_name": "RegionOne"}})
        (inv / "openstack.yml").write_text(
            "plugin: openstack.cloud.openstack\n"
            "clouds_yaml_path: [../clouds.yaml]\n"
            "only_clouds: [edge]\n"
        )
        (inv / "group_vars").mkdir()
        (inv / "group_vars" / "meta-role_gateway.yml").write_text("firewall: nftables\n")
        (inv / "static.ini").write_text("[gateways]\ngw-paris-1 ansible_user=edge\n")
        yield cloud, inv


def test_openstack_yml_loads_through_load_inventory_with_group_vars(site):
    _, inv_dir = site
    inv = load_inventory([str(inv_dir / "openstack.yml")])
    hv = inv.host_vars("gw-paris-1")
    assert hv["ansible_host"] == "203.0.113.11"
    assert hv["firewall"] == "nftables"  # group_vars/ beside the plugin file
    assert hv["inventory_file"] == str(inv_dir / "openstack.yml")


def test_directory_with_static_and_openstack_sources_merges_both(site):
    _, inv_dir = site
    inv = load_inventory([str(inv_dir)])
    assert "gateways" in inv.group_names("gw-paris-1")
    hv = inv.host_vars("gw-paris-1")
    assert hv["ansible_user"] == "edge" and hv["ansible_host"] == "203.0.113.11"
    assert [h.name for h in inv.select("gateways:&meta-site_paris")] == ["gw-paris-1"]


def test_openstack_prefix_source_selects_one_cloud(site, monkeypatch):
    _, inv_dir = site
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(inv_dir.parent / "clouds.yaml"))
    inv = load_inventory(["openstack:edge"])
    assert "edge_RegionOne" in inv.groups


def test_cli_lists_openstack_hosts_as_ansible_inventory_json(site, capsys):
    _, inv_dir = site
    assert main(["inventory", "-i", str(inv_dir / "openstack.yml"), "--list"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "gw-paris-1" in data["meta-site_paris"]["hosts"]
    assert data["_meta"]["hostvars"]["gw-paris-1"]["ansible_host"] == "203.0.113.11"


def test_cli_reports_an_auth_failure_in_one_line_without_traceback(site, capsys):
    cloud, inv_dir = site
    cloud.users["edge-ops"] = "rotated-password"
    assert main(["inventory", "-i", str(inv_dir / "openstack.yml"), "--list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ERROR: {inv_dir / 'openstack.yml'}:1:1: OpenStack cloud 'edge'")
    assert "authentication failed (HTTP 401)" in err
    assert "Traceback" not in err and "correct horse" not in err


def test_libvirt_yml_with_community_plugin_name_loads(libvirt_fixtures, tmp_path):
    path = tmp_path / "kvm.yml"
    path.write_text(
        "plugin: community.libvirt.libvirt\n"
        f"uris:\n  - uri: test://{libvirt_fixtures / 'edge-node.xml'}\n    name: kvm-paris\n"
    )
    inv = load_inventory([str(path)])
    assert inv.group_hosts("hypervisor-kvm-paris") == ["cam-paris-2", "db-lyon-1", "gw-paris-1"]


def test_libvirt_prefix_source_takes_a_uri():
    inv = load_inventory(["libvirt:test:///default"])
    assert inv.host_vars("test")["ansible_host"] == "192.168.122.3"


def test_libvirt_yml_errors_carry_the_file_position(tmp_path):
    path = tmp_path / "kvm.yml"
    path.write_text("plugin: libvirt\nuri: test:///default\ninventory_hostname: mac\n")
    with pytest.raises(InventoryError, match=r"kvm.yml:3:1: inventory_hostname must be"):
        load_inventory([str(path)])


def test_cli_shows_libvirt_graph_and_warns_about_a_dead_hypervisor(
    libvirt_fixtures, tmp_path, closed_port, capsys, caplog
):
    path = tmp_path / "kvm.yml"
    path.write_text(
        "plugin: libvirt\nuris:\n"
        f"  - test://{libvirt_fixtures / 'edge-node.xml'}\n"
        f"  - qemu+tcp://127.0.0.1:{closed_port}/system\n"
    )
    assert main(["inventory", "-i", str(path), "--graph", "state-running"]) == 0
    captured = capsys.readouterr()
    assert "gw-paris-1" in captured.out
    # stderr via logging (pytest's log capture stands in for the console handler here)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(f"127.0.0.1:{closed_port}" in w and "skipped" in w for w in warnings)


def test_clouds_yaml_inside_an_inventory_directory_is_not_read_as_an_inventory(site):
    cloud, inv_dir = site
    cloud.clouds_yaml(inv_dir / "clouds.yaml", {"edge": {"region_name": "RegionOne"}})
    (inv_dir / "openstack.yml").write_text(
        "plugin: openstack.cloud.openstack\nclouds_yaml_path: [clouds.yaml]\nonly_clouds: [edge]\n"
    )
    inv = load_inventory([str(inv_dir)])
    assert inv.host_vars("gw-paris-1")["ansible_host"] == "203.0.113.11"
    assert "clouds" not in inv.groups and inv.sources == [str(inv_dir)]


@pytest.mark.parametrize("flag", [["--openstack", "edge"], ["--openstack=edge"], ["--openstack"]])
def test_openstack_flag_adds_the_clouds_like_the_prefix_source(site, monkeypatch, capsys, flag):
    _, inv_dir = site
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(inv_dir.parent / "clouds.yaml"))
    assert main(["inventory", *flag, "--list"]) == 0
    by_flag = json.loads(capsys.readouterr().out)
    assert main(["inventory", "-i", "openstack:edge", "--list"]) == 0
    assert by_flag == json.loads(capsys.readouterr().out)
    assert "gw-paris-1" in by_flag["edge_RegionOne"]["hosts"]


def test_source_flags_and_i_keep_the_order_they_were_typed_in():
    from edgeauto.cli import build_parser

    args = build_parser().parse_args(
        ["inventory", "--libvirt", "test:///default", "-i", "hosts.ini", "--openstack", "--list"]
    )
    assert args.inventory == ["libvirt:test:///default", "hosts.ini", "openstack:"]


def test_repeated_libvirt_flags_merge_every_hypervisor(libvirt_fixtures, capsys):
    node = f"test://{libvirt_fixtures / 'edge-node.xml'}"
    args = ["inventory", "--libvirt", "test:///default", "--libvirt", node, "--list"]
    assert main(args) == 0
    hostvars = json.loads(capsys.readouterr().out)["_meta"]["hostvars"]
    assert {"test", "gw-paris-1", "db-lyon-1"} <= set(hostvars)


def test_cli_prints_a_dead_hypervisor_warning_once_on_stderr(libvirt_fixtures, closed_port):
    """A real process: what a user sees on the terminal, not what pytest captured."""
    import subprocess
    import sys

    dead = f"qemu+tcp://127.0.0.1:{closed_port}/system"
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto.cli", "inventory", "--libvirt", "test:///default"]
        + ["--libvirt", dead, "--graph"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "test" in proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.startswith("[WARNING]:")]
    assert len(lines) == 1 and f"libvirt hypervisor {dead} skipped" in lines[0], proc.stderr
