"""OpenStack inventory, end to end through openstacksdk, against the FAKE OpenStack API:
recorded responses (``fake_openstack_api.py``): a local HTTP server replaying recorded
Keystone v3 / Nova / Glance bodies, since a whole cloud cannot run here.

Everything on our side is real: clouds.yaml parsing, keystoneauth password auth and
version discovery, Nova pagination via ``servers_links``, microversion negotiation, HTTP
timeouts and the JSON cache on disk.
"""

from __future__ import annotations

import json
import stat
import sys

import pytest

pytest.importorskip("openstack", reason="openstacksdk is not installed")

from edgeauto.errors import InventoryError  # noqa: E402
from edgeauto.inventory.openstack import openstack_inventory, options_from_config  # noqa: E402
from edgeauto.yamlsrc import load_yaml_text  # noqa: E402

from .fake_openstack_api import FakeOpenStack  # noqa: E402

# openstacksdk warns about its own internals (deprecated influxdb, service_type…)
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]

PARIS = ["cam-paris-2", "cam-paris-3", "gw-paris-1", "gw-paris-2"]
WORKERS = ["b0000002-0000-4000-8000-000000000002", "b0000002-0000-4000-8000-000000000003"]


@pytest.fixture
def isolated(tmp_path, monkeypatch, cache_dir):
    """No OS_* variables, no ~/.config/openstack or ./clouds.yaml of the real user."""
    for key in list(__import__("os").environ):
        if key.startswith("OS_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


@pytest.fixture
def cloud(isolated):
    with FakeOpenStack() as fake:
        yield fake


@pytest.fixture
def clouds_yaml(cloud, isolated):
    return cloud.clouds_yaml(
        isolated / "clouds.yaml", {"edge": {"regions": ["RegionOne", "RegionTwo"]}}
    )


def load(clouds_yaml, **options):
    return openstack_inventory(clouds_yaml_path=[str(clouds_yaml)], **options)


@pytest.fixture(scope="module")
def default_inv(tmp_path_factory):
    """One load with default options, shared by the tests that only read it (an SDK load
    costs ~1 s on a busy machine)."""
    tmp = tmp_path_factory.mktemp("openstack-shared")
    with pytest.MonkeyPatch.context() as mp:
        for key in list(__import__("os").environ):
            if key.startswith("OS_"):
                mp.delenv(key)
        mp.setenv("HOME", str(tmp))
        mp.setenv("XDG_CONFIG_HOME", str(tmp / ".config"))
        mp.setenv("EDGEAUTO_CACHE_DIR", str(tmp / "cache"))
        mp.chdir(tmp)
        with FakeOpenStack() as fake:
            path = fake.clouds_yaml(
                tmp / "clouds.yaml", {"edge": {"regions": ["RegionOne", "RegionTwo"]}}
            )
            yield load(path)


def test_servers_of_two_regions_become_hosts_in_ansible_style_groups(default_inv):
    inv = default_inv
    assert sorted(inv.hosts) == sorted([*PARIS, "db-lyon-1", *WORKERS])
    assert sorted(inv.group_hosts("edge")) == sorted(inv.hosts)
    assert sorted(inv.group_hosts("edge_RegionOne")) == PARIS
    assert inv.group_hosts("RegionTwo")[0] == "db-lyon-1"
    assert sorted(inv.group_hosts("paris-az2")) == ["cam-paris-3", "gw-paris-2"]
    assert inv.group_hosts("RegionOne_paris-az1") == ["gw-paris-1", "cam-paris-2"]
    assert inv.group_hosts("edge_RegionTwo_lyon-az1")[0] == "db-lyon-1"
    assert inv.group_hosts("flavor-m1.small") == ["gw-paris-1", "gw-paris-2"]
    assert inv.group_hosts("image-debian-12-generic") == ["gw-paris-1", "gw-paris-2", "db-lyon-1"]
    assert sorted(inv.group_hosts("meta-site_paris")) == PARIS
    assert inv.group_hosts("meta-role_db") == ["db-lyon-1"]
    assert inv.group_hosts("instance-a0000001-0000-4000-8000-000000000001") == ["gw-paris-1"]


def test_server_groups_and_metadata_group_keys_become_groups(default_inv):
    inv = default_inv
    assert inv.group_hosts("server_group-gw-anti-affinity") == ["gw-paris-1", "gw-paris-2"]
    assert inv.group_hosts("cameras") == ["cam-paris-2", "cam-paris-3"]  # groups: / group:
    assert inv.group_hosts("video") == ["cam-paris-2"]


def test_boot_from_volume_server_has_no_image_group(default_inv):
    inv = default_inv
    assert not any(g.startswith("image-") for g in inv.group_names("cam-paris-3"))
    assert inv.host_vars("cam-paris-3")["openstack"]["image"] == {}


def test_host_vars_carry_metadata_addresses_flavor_and_image(default_inv):
    server = default_inv.host_vars("gw-paris-1")["openstack"]
    assert server["metadata"] == {"site": "paris", "role": "gateway"}
    assert [a["addr"] for a in server["addresses"]["edge-net"]] == ["10.10.0.11", "203.0.113.11"]
    assert server["flavor"]["name"] == "m1.small" and server["flavor"]["ram"] == 2048
    assert server["image"]["name"] == "debian-12-generic"
    assert (server["public_v4"], server["private_v4"]) == ("203.0.113.11", "10.10.0.11")
    assert (server["cloud"], server["region"], server["az"]) == ("edge", "RegionOne", "paris-az1")


def test_nova_pagination_follows_servers_links_until_a_short_page(cloud, clouds_yaml):
    load(clouds_yaml)
    # RegionOne has 5 servers and Nova pages by 2: pages of 2, 2, 1.
    assert cloud.count("GET", "/RegionOne/compute/v2.1/servers/detail") == 3
    assert cloud.count("GET", "/RegionOne/compute/v2.1/servers/detail?limit=2&marker=") == 2
    assert cloud.count("GET", "/RegionTwo/compute/v2.1/servers/detail") == 2


def test_floating_ip_is_ansible_host_and_private_picks_the_fixed_address(clouds_yaml):
    assert load(clouds_yaml).host_vars("gw-paris-1")["ansible_host"] == "203.0.113.11"
    private = load(clouds_yaml, private=True)
    assert private.host_vars("gw-paris-1")["ansible_host"] == "10.10.0.11"


def test_floating_ip_known_only_to_neutron_is_used(default_inv):
    server = default_inv.host_vars("cam-paris-2")
    assert server["ansible_host"] == "203.0.113.12"
    assert server["openstack"]["public_v4"] == "203.0.113.12"
    assert server["openstack"]["private_v4"] == "10.10.0.12"


def test_fixed_address_on_an_external_network_counts_as_public(clouds_yaml):
    server = load(clouds_yaml).host_vars("cam-paris-3")
    assert server["ansible_host"] == "192.168.77.13"  # mgmt-net is router:external
    assert server["openstack"]["external_networks"] == ["mgmt-net"]
    assert server["openstack"]["private_v4"] == "10.10.0.13"
    assert server["openstack"]["public_v6"] == "2001:db8:10::13"
    assert load(clouds_yaml, private=True).host_vars("cam-paris-3")["ansible_host"] == "10.10.0.13"


def test_server_with_only_an_internal_fixed_address_is_reached_on_it(default_inv):
    assert default_inv.host_vars(WORKERS[0])["ansible_host"] == "10.20.0.31"


def test_neutron_lists_are_paginated_and_its_failure_falls_back_to_nova(cloud, clouds_yaml):
    load(clouds_yaml)
    # 4 floating IPs in RegionOne, Neutron pages by 2: pages of 2, 2, 0.
    assert cloud.count("GET", "/RegionOne/network/v2.0/floatingips") == 3
    cloud.failures["/network/"] = 500
    inv = load(clouds_yaml)
    assert inv.host_vars("cam-paris-2")["ansible_host"] == "10.10.0.12"
    assert any("Neutron not used" in w for w in inv.warnings)


def test_network_option_takes_the_address_from_that_network(clouds_yaml):
    inv = load(clouds_yaml, network="edge-net")
    assert inv.host_vars("cam-paris-3")["ansible_host"] == "10.10.0.13"
    assert inv.host_vars("gw-paris-1")["ansible_host"] == "203.0.113.11"
    inv = load(clouds_yaml, network="mgmt-net", show_all=True)
    assert inv.host_vars("cam-paris-3")["ansible_host"] == "192.168.77.13"
    assert "ansible_host" not in inv.host_vars("gw-paris-1")


def test_server_without_address_is_skipped_unless_show_all(clouds_yaml):
    assert "new-node" not in load(clouds_yaml).hosts
    inv = load(clouds_yaml, show_all=True)
    assert "new-node" in inv.hosts
    assert "ansible_host" not in inv.host_vars("new-node")
    assert inv.host_vars("new-node")["openstack"]["status"] == "BUILD"


def test_duplicate_server_names_fall_back_to_uuid_with_a_name_group(default_inv):
    inv = default_inv
    assert "worker" not in inv.hosts
    assert inv.group_hosts("worker") == WORKERS


def test_inventory_hostname_uuid_and_use_names(clouds_yaml):
    inv = load(clouds_yaml, inventory_hostname="uuid")
    assert inv.group_hosts("gw-paris-1") == ["a0000001-0000-4000-8000-000000000001"]
    named = load(clouds_yaml, use_names=True)
    assert named.host_vars("gw-paris-1")["ansible_host"] == "gw-paris-1"


def test_only_clouds_and_regions_select_what_is_queried(cloud, isolated):
    path = cloud.clouds_yaml(
        isolated / "clouds.yaml",
        {"edge": {"regions": ["RegionOne", "RegionTwo"]}, "lab": {"region_name": "RegionTwo"}},
    )
    inv = load(path, only_clouds=["lab"])
    assert "lab_RegionTwo" in inv.groups and "edge" not in inv.groups
    assert cloud.count("GET", "/RegionOne/") == 0
    inv = load(path, only_clouds=["edge"], regions=["RegionOne"])
    assert sorted(inv.hosts) == PARIS


def test_all_projects_asks_nova_for_all_tenants(cloud, clouds_yaml):
    load(clouds_yaml, all_projects=True)
    assert cloud.count("GET", "/servers/detail?all_tenants=") >= 2  # one per region
    assert cloud.count("GET", "/os-server-groups?all_projects=") >= 2


def test_legacy_groups_false_adds_hosts_without_groups(clouds_yaml):
    inv = load(clouds_yaml, legacy_groups=False)
    assert set(inv.groups) == {"all", "ungrouped"}
    assert "gw-paris-1" in inv.group_hosts("ungrouped")


def test_old_nova_without_embedded_flavors_gets_names_from_the_flavor_list(isolated):
    with FakeOpenStack() as old:
        old.nova_max_microversion = (2, 40)
        path = old.clouds_yaml(isolated / "clouds.yaml", {"old": {"region_name": "RegionOne"}})
        inv = load(path)
        assert old.count("GET", "/RegionOne/compute/v2.1/flavors/detail") == 1
    assert inv.group_hosts("flavor-m1.small") == ["gw-paris-1", "gw-paris-2"]
    assert inv.host_vars("gw-paris-1")["openstack"]["flavor"]["id"] == "2"


# ---- failures: clear messages, no tracebacks ---------------------------------------------------


def test_wrong_password_is_a_clear_error_that_never_shows_the_password(cloud, isolated):
    path = cloud.clouds_yaml(
        isolated / "clouds.yaml",
        {"edge": {"region_name": "RegionOne", "auth": {"password": "wrong-Secret-9"}}},
    )
    with pytest.raises(InventoryError) as err:
        load(path)
    text = str(err.value)
    assert "OpenStack cloud 'edge' region 'RegionOne': authentication failed (HTTP 401)" in text
    assert "wrong-Secret-9" not in text
    assert "no cloud could be read" in text


def test_failing_cloud_is_a_warning_when_another_cloud_works(cloud, isolated):
    path = cloud.clouds_yaml(
        isolated / "clouds.yaml",
        {
            "edge": {"region_name": "RegionOne"},
            "broken": {"region_name": "RegionTwo", "auth": {"password": "nope"}},
        },
    )
    inv = load(path)
    assert sorted(inv.hosts) == PARIS
    assert len(inv.warnings) == 1
    assert "OpenStack cloud 'broken'" in inv.warnings[0]
    assert "authentication failed" in inv.warnings[0]
    with pytest.raises(InventoryError, match="fail_on_errors is true"):
        load(path, fail_on_errors=True)


def test_unreachable_keystone_is_reported_with_its_url(cloud, isolated, closed_port):
    dead = f"http://127.0.0.1:{closed_port}/identity/v3"
    path = cloud.clouds_yaml(
        isolated / "clouds.yaml", {"edge": {"region_name": "RegionOne", "auth": {"auth_url": dead}}}
    )
    with pytest.raises(InventoryError) as err:
        load(path)
    assert "endpoint unreachable" in str(err.value)
    assert f"127.0.0.1:{closed_port}" in str(err.value)
    assert "Connection refused" in str(err.value)


def test_nova_that_does_not_answer_in_time_is_a_timeout_error(cloud, clouds_yaml):
    cloud.delays["/RegionOne/compute/v2.1/servers/detail"] = 3
    inv = load(clouds_yaml, timeout=1)
    assert "db-lyon-1" in inv.hosts and "gw-paris-1" not in inv.hosts
    assert any(
        "region 'RegionOne': no answer within 1 s" in w and "servers/detail" in w
        for w in inv.warnings
    )


def test_forbidden_server_groups_are_a_note_not_a_failure(cloud, clouds_yaml):
    cloud.failures["/os-server-groups"] = 403
    inv = load(clouds_yaml)
    assert "gw-paris-1" in inv.hosts
    assert not any(g.startswith("server_group-") for g in inv.groups)
    assert any("server groups unknown" in w for w in inv.warnings)


def test_unknown_cloud_name_is_rejected_with_a_suggestion(clouds_yaml):
    with pytest.raises(InventoryError, match=r"cloud 'egde' is not in clouds.yaml.*'edge'"):
        load(clouds_yaml, only_clouds=["egde"])


def test_missing_openstacksdk_gives_the_install_hint(clouds_yaml, monkeypatch):
    monkeypatch.setitem(sys.modules, "openstack", None)
    with pytest.raises(InventoryError, match=r"install edgeauto\[dynamic\]"):
        load(clouds_yaml)


# ---- cache --------------------------------------------------------------------------------------


def test_cache_serves_the_second_load_without_any_api_request(cloud, clouds_yaml, cache_dir):
    first = load(clouds_yaml, cache=True)
    calls = len(cloud.requests)
    second = load(clouds_yaml, cache=True)
    assert len(cloud.requests) == calls
    assert sorted(second.hosts) == sorted(first.hosts)
    assert second.host_vars("gw-paris-1") == first.host_vars("gw-paris-1")
    files = list(cache_dir.glob("openstack_*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    text = files[0].read_text()
    assert "correct horse" not in text and "X-Subject-Token" not in text
    assert not any(token in text for token in cloud.tokens)
    assert not list(cache_dir.glob(".tmp-*"))


def test_expired_cache_and_refresh_fetch_again(cloud, clouds_yaml, cache_dir):
    load(clouds_yaml, cache=True)
    path = next(cache_dir.glob("openstack_*.json"))
    data = json.loads(path.read_text())
    data["created"] -= 7200
    path.write_text(json.dumps(data))
    calls = len(cloud.requests)
    load(clouds_yaml, cache=True, cache_timeout=3600)
    assert len(cloud.requests) > calls
    calls = len(cloud.requests)
    openstack_inventory(clouds_yaml_path=[str(clouds_yaml)], cache=True, refresh=True)
    assert len(cloud.requests) > calls


def test_refresh_environment_variable_bypasses_a_fresh_cache(
    cloud, clouds_yaml, cache_dir, monkeypatch
):
    load(clouds_yaml, cache=True)
    calls = len(cloud.requests)
    monkeypatch.setenv("EDGEAUTO_INVENTORY_REFRESH", "1")
    load(clouds_yaml, cache=True)
    assert len(cloud.requests) > calls


def test_cache_is_not_written_when_a_cloud_failed(cloud, isolated, cache_dir):
    path = cloud.clouds_yaml(
        isolated / "clouds.yaml",
        {"edge": {"region_name": "RegionOne"}, "broken": {"auth": {"password": "x"}}},
    )
    load(path, cache=True)
    assert not list(cache_dir.glob("openstack_*.json"))


def test_cache_connection_option_chooses_the_directory(clouds_yaml, isolated):
    target = isolated / "my-cache"
    load(clouds_yaml, cache=True, cache_connection=str(target), cache_prefix="site_")
    assert len(list(target.glob("site_*.json"))) == 1


# ---- YAML options ---------------------------------------------------------------------------------


def test_yaml_option_errors_point_at_file_line_and_column():
    config = load_yaml_text("plugin: openstack\nonly_cloud: [edge]\n", "openstack.yml")
    with pytest.raises(InventoryError) as err:
        options_from_config(config, "openstack.yml")
    assert str(err.value).startswith("openstack.yml:2:1: unknown openstack inventory option")
    assert "did you mean 'only_clouds'?" in str(err.value)


def test_constructed_options_are_refused_with_an_explanation():
    config = load_yaml_text("plugin: openstack\nkeyed_groups: []\n", "openstack.yml")
    with pytest.raises(InventoryError, match=r"openstack.yml:2:1: option 'keyed_groups'"):
        options_from_config(config, "openstack.yml")


def test_wrong_option_types_and_missing_clouds_yaml_are_explained(tmp_path):
    config = load_yaml_text("plugin: openstack\nprivate: 'yes'\n", "openstack.yml")
    with pytest.raises(InventoryError, match=r"openstack.yml:2:10: option 'private' must be true"):
        options_from_config(config, "openstack.yml")
    yml = tmp_path / "openstack.yml"
    config = load_yaml_text("plugin: openstack\nclouds_yaml_path: [nowhere.yaml]\n", str(yml))
    with pytest.raises(InventoryError, match=r"openstack.yml:2:20: clouds.yaml file .* not exist"):
        options_from_config(config, str(yml))


def test_incomplete_cloud_entry_is_reported_not_silently_dropped(cloud, isolated):
    path = cloud.clouds_yaml(
        isolated / "clouds.yaml", {"edge": {"region_name": "RegionOne"}, "half": {}}
    )
    data = json.loads(path.read_text())
    del data["clouds"]["half"]["auth"]["auth_url"]
    path.write_text(json.dumps(data))
    inv = load(path)
    assert sorted(inv.hosts) == PARIS
    assert any("OpenStack cloud 'half'" in w and "auth_url" in w for w in inv.warnings), (
        inv.warnings
    )


def test_cloud_without_regions_gets_no_empty_region_groups():
    from edgeauto.inventory.openstack import group_names

    server = {"id": "x1", "name": "n", "cloud": "lab", "region": "", "az": "nova"}
    assert group_names(server) == ["lab", "instance-x1", "nova", "lab_nova"]
