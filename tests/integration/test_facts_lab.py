"""Facts from lab hosts: Debian without Python (systemd) and BusyBox (no coreutils, no ip?)."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from edgeauto.facts.gather import gather
from edgeauto.inventory import load_inventory
from edgeauto.transport.factory import make_transport
from edgeauto.transport.hostvars import connection_vars
from edgeauto.transport.options import TransportOptions

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def facts_of(lab_inventory):
    inventory = load_inventory([str(lab_inventory)])
    control = tempfile.mkdtemp(prefix="eacm")
    options = TransportOptions(control_dir=control, connect_timeout=20)
    cache: dict[str, tuple] = {}

    def get(host: str, paths=()):
        key = (host, tuple(paths))
        if key not in cache:
            t = make_transport(connection_vars(inventory, host), options=options)
            try:
                t.connect(20)
                facts, sums = gather(t, "all", paths, timeout=60)
                cache[key] = (facts, sums, t.round_trips)
            finally:
                t.stop_master()
        return cache[key]

    yield get
    shutil.rmtree(control, ignore_errors=True)


def test_debian_lab_host_facts(debian_host, facts_of):
    facts, sums, trips = facts_of(debian_host.name, ["/etc/os-release", "/etc/nothing-here"])
    assert trips == 1
    assert facts["distribution"] == "Debian" and facts["os_family"] == "Debian"
    assert facts["distribution_major_version"] == "12"
    assert facts["distribution_release"] == "bookworm"
    assert facts["pkg_mgr"] == "apt"
    assert facts["hostname"] == debian_host.name or facts["hostname"]
    if debian_host.systemd:
        assert facts["service_mgr"] == "systemd"
        assert facts["virtualization_type"] == "systemd-nspawn"
        assert facts["virtualization_role"] == "guest"
    assert "python" not in facts  # the lab's Debian hosts have no Python: no python fact
    assert len(sums["/etc/os-release"]) == 40 and sums["/etc/nothing-here"] is None


def test_busybox_lab_host_facts(busybox_host, facts_of):
    facts, sums, trips = facts_of(busybox_host.name, ["/bin/busybox"])
    assert trips == 1
    assert facts["system"] == "Linux" and facts["machine"]
    assert facts["processor_vcpus"] >= 1 and facts["memtotal_mb"] > 0
    assert facts["edgeauto_hw"]["arch_family"] in ("amd64", "arm64", "armhf")
    assert "python" not in facts
    assert facts["user_id"] == "root"
    assert len(sums["/bin/busybox"] or "") == 40
