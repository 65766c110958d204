"""libvirt inventory against the real libvirt library.

libvirt's built-in ``test://`` driver runs in-process: ``test:///default`` is its stock
one-domain hypervisor and ``test:///ABS/PATH/node.xml`` loads our own node description with
several domains in several states. Everything below goes through the real libvirt-python
bindings and libvirt's RPC client (for the unreachable-hypervisor cases), nothing is mocked.
"""

from __future__ import annotations

import os
import socket
import sys
import threading

import pytest

libvirt = pytest.importorskip("libvirt", reason="libvirt-python is not installed")

from edgeauto.errors import InventoryError  # noqa: E402
from edgeauto.inventory.libvirt import (  # noqa: E402
    EDGEAUTO_XMLNS,
    libvirt_inventory,
    options_from_config,
)
from edgeauto.inventory.model import Inventory  # noqa: E402
from edgeauto.yamlsrc import load_yaml_text  # noqa: E402


def node_uri(fixtures, name: str) -> str:
    return f"test://{fixtures / name}"


@pytest.fixture
def two_sites(libvirt_fixtures):
    return libvirt_inventory(
        [
            {"uri": node_uri(libvirt_fixtures, "edge-node.xml"), "name": "kvm-paris"},
            {"uri": node_uri(libvirt_fixtures, "lyon-node.xml"), "name": "kvm-lyon"},
        ]
    )


def test_default_test_driver_domain_becomes_a_host_with_its_lease_address():
    inv = libvirt_inventory("test:///default")
    assert list(inv.hosts) == ["test"]
    hv = inv.host_vars("test")
    assert hv["libvirt_state"] == "running"
    assert hv["libvirt_vcpus"] == 2
    assert hv["libvirt_memory_mb"] == 2048
    assert hv["libvirt_max_memory_mb"] == 8192
    assert hv["ansible_host"] == "192.168.122.3"
    assert hv["libvirt_address_source"] == "lease"
    assert "state-running" in inv.group_names("test")


def test_node_xml_domains_are_grouped_by_hypervisor_state_and_labels(libvirt_fixtures):
    inv = libvirt_inventory(
        [{"uri": node_uri(libvirt_fixtures, "edge-node.xml"), "name": "kvm-paris"}]
    )
    assert sorted(inv.hosts) == ["cam-paris-2", "db-lyon-1", "gw-paris-1"]
    assert sorted(inv.group_hosts("hypervisor-kvm-paris")) == sorted(inv.hosts)
    assert inv.group_hosts("state-running") == ["gw-paris-1"]
    assert inv.group_hosts("state-paused") == ["cam-paris-2"]
    assert inv.group_hosts("state-shutoff") == ["db-lyon-1"]
    assert sorted(inv.group_hosts("meta-site_paris")) == ["cam-paris-2", "gw-paris-1"]
    assert inv.group_hosts("meta-role_gateway") == ["gw-paris-1"]
    gw = inv.host_vars("gw-paris-1")
    assert gw["libvirt_metadata"] == {"site": "paris", "role": "gateway"}
    assert gw["libvirt_title"] == "Paris edge gateway"
    assert gw["libvirt_uuid"] == "5b3c7a1e-6f1d-4c9a-9a51-0c1f2a3b4c01"


def test_shut_off_domain_is_listed_without_ansible_host(libvirt_fixtures):
    inv = libvirt_inventory(node_uri(libvirt_fixtures, "edge-node.xml"))
    db = inv.host_vars("db-lyon-1")
    assert "ansible_host" not in db
    assert db["libvirt_addresses"] == []
    assert db["libvirt_memory_mb"] == 2048 and db["libvirt_vcpus"] == 4


def test_foreign_metadata_namespace_is_kept_in_vars_but_makes_no_groups(libvirt_fixtures):
    inv = libvirt_inventory(node_uri(libvirt_fixtures, "edge-node.xml"))
    gw = inv.host_vars("gw-paris-1")
    assert gw["libvirt_metadata_other"] == {"https://example.org/backup": {"policy": "daily"}}
    assert not any("policy" in g for g in inv.groups)


def test_label_attributes_work_like_label_elements_and_odd_characters_are_replaced(two_sites):
    assert two_sites.group_hosts("meta-role_sensor_hub") == ["sensor-lyon-7"]
    assert two_sites.host_vars("sensor-lyon-7")["libvirt_metadata"]["role"] == "sensor hub"


def test_same_domain_name_on_two_hypervisors_falls_back_to_uuid_host_names(two_sites):
    paris_gw = "5b3c7a1e-6f1d-4c9a-9a51-0c1f2a3b4c01"
    lyon_copy = "7c1d2e3f-0000-4000-8000-00000000a001"
    assert "gw-paris-1" not in two_sites.hosts
    assert sorted(two_sites.group_hosts("gw-paris-1")) == sorted([paris_gw, lyon_copy])
    assert two_sites.host_vars(lyon_copy)["libvirt_hypervisor"] == "kvm-lyon"
    assert two_sites.group_hosts("hypervisor-kvm-lyon") == [lyon_copy, "sensor-lyon-7"]


def test_inventory_hostname_uuid_names_hosts_by_uuid_and_adds_a_name_group(libvirt_fixtures):
    inv = libvirt_inventory(node_uri(libvirt_fixtures, "edge-node.xml"), inventory_hostname="uuid")
    assert "5b3c7a1e-6f1d-4c9a-9a51-0c1f2a3b4c02" in inv.hosts
    assert inv.group_hosts("cam-paris-2") == ["5b3c7a1e-6f1d-4c9a-9a51-0c1f2a3b4c02"]


def test_hypervisor_name_defaults_to_the_drivers_hostname(libvirt_fixtures):
    inv = libvirt_inventory(node_uri(libvirt_fixtures, "edge-node.xml"))
    conn = libvirt.open("test:///default")
    try:
        expected = conn.getHostname()
    finally:
        conn.close()
    assert inv.host_vars("gw-paris-1")["libvirt_hypervisor"] == expected


def test_unreachable_hypervisor_is_a_warning_and_other_hosts_still_load(
    libvirt_fixtures, closed_port
):
    dead = f"qemu+tcp://127.0.0.1:{closed_port}/system"
    inv = libvirt_inventory([node_uri(libvirt_fixtures, "edge-node.xml"), dead])
    assert "gw-paris-1" in inv.hosts
    assert len(inv.warnings) == 1
    warning = inv.warnings[0]
    assert dead in warning and "Connection refused" in warning


def test_fail_on_errors_makes_an_unreachable_hypervisor_fatal(libvirt_fixtures, closed_port):
    dead = f"qemu+tcp://127.0.0.1:{closed_port}/system"
    with pytest.raises(InventoryError) as err:
        libvirt_inventory([node_uri(libvirt_fixtures, "edge-node.xml"), dead], fail_on_errors=True)
    assert dead in str(err.value)
    assert "fail_on_errors" in str(err.value)


def test_password_in_a_uri_never_reaches_the_warning(closed_port):
    uri = f"qemu+tcp://ops:s3cret-pw@127.0.0.1:{closed_port}/system"
    inv = libvirt_inventory(uri)
    assert inv.warnings
    assert "s3cret-pw" not in inv.warnings[0]
    assert "ops:***@127.0.0.1" in inv.warnings[0]


@pytest.fixture
def silent_tcp_server():
    """A loopback server that accepts connections and never says a word (a hung hypervisor)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    accepted = []
    stop = threading.Event()

    def accept_loop():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_hypervisor_that_never_answers_is_abandoned_after_the_timeout(
    libvirt_fixtures, silent_tcp_server
):
    hung = f"qemu+tcp://127.0.0.1:{silent_tcp_server}/system"
    inv = libvirt_inventory([node_uri(libvirt_fixtures, "edge-node.xml"), hung], timeout=1)
    assert "gw-paris-1" in inv.hosts
    assert any(hung in w and "no answer within 1 s" in w for w in inv.warnings)


def test_libvirt_inventory_merges_with_a_static_inventory_and_group_vars(libvirt_fixtures):
    static = Inventory()
    static.add_host("gw-paris-1", "gateways", vars={"ansible_user": "edge"})
    static.add_group("meta-site_paris", vars={"ntp_server": "10.0.0.1"})
    static.reconcile()
    dynamic = libvirt_inventory(node_uri(libvirt_fixtures, "edge-node.xml"))
    static.merge(dynamic)
    hv = static.host_vars("gw-paris-1")
    assert hv["ansible_user"] == "edge"  # from the static file
    assert hv["ansible_host"] == "192.168.50.101"  # from libvirt
    assert hv["ntp_server"] == "10.0.0.1"  # group var on a dynamic group
    assert "gateways" in static.group_names("gw-paris-1")
    assert "cam-paris-2" in static.group_hosts("meta-site_paris")


def test_yaml_option_errors_point_at_file_line_and_column():
    config = load_yaml_text("plugin: libvirt\nuri: test:///default\ntimout: 5\n", "kvm.yml")
    with pytest.raises(InventoryError) as err:
        options_from_config(config, "kvm.yml")
    assert str(err.value).startswith("kvm.yml:3:1: unknown libvirt inventory option 'timout'")
    assert "did you mean 'timeout'?" in str(err.value)


def test_yaml_without_any_uri_is_rejected_with_an_example():
    config = load_yaml_text("plugin: libvirt\n", "kvm.yml")
    with pytest.raises(InventoryError, match=r"kvm.yml:1:1: .*needs 'uri' or 'uris'"):
        options_from_config(config, "kvm.yml")


def test_yaml_wrong_types_and_values_are_explained():
    bad_type = load_yaml_text("plugin: libvirt\nuris: qemu:///system\n", "kvm.yml")
    with pytest.raises(InventoryError, match=r"kvm.yml:2:7: option 'uris' must be a list"):
        options_from_config(bad_type, "kvm.yml")
    bad_source = load_yaml_text(
        "plugin: libvirt\nuri: qemu:///system\naddress_sources: [lease, agnet]\n", "kvm.yml"
    )
    with pytest.raises(InventoryError, match=r"unknown address source 'agnet'.*did you mean"):
        options_from_config(bad_source, "kvm.yml")
    bad_entry = load_yaml_text("plugin: libvirt\nuris:\n  - {url: qemu:///system}\n", "kvm.yml")
    with pytest.raises(InventoryError, match=r"kvm.yml:3:5: each 'uris' entry"):
        options_from_config(bad_entry, "kvm.yml")


def test_address_sources_limit_where_addresses_come_from(libvirt_fixtures):
    inv = libvirt_inventory(node_uri(libvirt_fixtures, "edge-node.xml"), address_sources=["agent"])
    assert inv.host_vars("gw-paris-1")["libvirt_address_source"] == "agent"


def test_missing_libvirt_python_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "libvirt", None)  # makes `import libvirt` fail
    with pytest.raises(InventoryError, match=r"install edgeauto\[dynamic\]"):
        libvirt_inventory("test:///default")


LIBVIRTD_SOCKET = "/run/libvirt/libvirt-sock"


@pytest.mark.skipif(
    not os.path.exists(LIBVIRTD_SOCKET),
    reason=f"no libvirtd running on this machine ({LIBVIRTD_SOCKET} absent); "
    "start it (libvirtd -d) to test qemu:///system",
)
def test_real_qemu_system_connection_lists_its_domains():
    try:  # checked again now: a daemon of another process may have gone since collection
        conn = libvirt.open("qemu:///system")
    except libvirt.libvirtError as exc:
        pytest.skip(f"no libvirtd answers on {LIBVIRTD_SOCKET} now: {exc}")
    try:
        expected = sorted(d.name() for d in conn.listAllDomains())
    finally:
        conn.close()
    inv = libvirt_inventory("qemu:///system")
    names = sorted(inv.host_vars(h)["libvirt_name"] for h in inv.hosts)
    assert names == expected


def test_labels_set_through_the_metadata_api_become_groups():
    """``virsh metadata … --set`` calls virDomainSetMetadata; test:///default keeps that
    state in-process while a connection stays open."""
    conn = libvirt.open("test:///default")
    try:
        dom = conn.lookupByName("test")
        dom.setMetadata(
            libvirt.VIR_DOMAIN_METADATA_ELEMENT,
            '<labels site="oslo"><role>router</role></labels>',
            "edgeauto",
            EDGEAUTO_XMLNS,
            libvirt.VIR_DOMAIN_AFFECT_LIVE,
        )
        inv = libvirt_inventory("test:///default")
        assert inv.host_vars("test")["libvirt_metadata"] == {"site": "oslo", "role": "router"}
        assert {"meta-site_oslo", "meta-role_router"} <= set(inv.group_names("test"))
    finally:
        dom.setMetadata(
            libvirt.VIR_DOMAIN_METADATA_ELEMENT,
            None,
            None,
            EDGEAUTO_XMLNS,
            libvirt.VIR_DOMAIN_AFFECT_LIVE,
        )
        conn.close()


def test_several_hung_hypervisors_share_one_deadline(libvirt_fixtures, silent_tcp_server):
    hung = [f"qemu+tcp://127.0.0.1:{silent_tcp_server}/system?name={i}" for i in range(3)]
    inv = libvirt_inventory([node_uri(libvirt_fixtures, "edge-node.xml"), *hung], timeout=1)
    assert "gw-paris-1" in inv.hosts
    assert len([w for w in inv.warnings if "no answer within 1 s" in w]) == 3


def test_readonly_connections_still_list_domains_and_lease_addresses(libvirt_fixtures):
    inv = libvirt_inventory(
        node_uri(libvirt_fixtures, "edge-node.xml"), readonly=True, address_sources=["lease"]
    )
    assert inv.host_vars("gw-paris-1")["ansible_host"] == "192.168.50.101"


@pytest.mark.parametrize(
    "text,message",
    [
        ("plugin: openstack\nuri: test:///default\n", "1:1: plugin 'openstack' is not the libvirt"),
        ("plugin: libvirt\nuri: test:///default\ntimeout: 0\n", "3:1: timeout must be > 0"),
        (
            "plugin: libvirt\nuri: test:///default\nreadonly: 1\n",
            "3:1: option 'readonly' must be true or false",
        ),
    ],
)
def test_option_checks_shared_with_openstack_name_the_position(text, message):
    with pytest.raises(InventoryError, match=f"^kvm.yml:{message}"):
        options_from_config(load_yaml_text(text, "kvm.yml"), "kvm.yml")
