"""Transports against the lab's hosts: a Debian host with systemd/OpenSSH/sudo and a BusyBox
host with dropbear and /bin/sh only. Connection variables come from the lab's generated
inventory, rendered like the engine does (edgeauto.transport.hostvars)."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from edgeauto.inventory import load_inventory
from edgeauto.transport.factory import become_from_vars, make_transport
from edgeauto.transport.hostvars import connection_vars
from edgeauto.transport.options import TransportOptions

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def inventory(lab_inventory):
    return load_inventory([str(lab_inventory)])


@pytest.fixture
def options():
    control = tempfile.mkdtemp(prefix="eacm")
    yield TransportOptions(control_dir=control, connect_timeout=20)
    shutil.rmtree(control, ignore_errors=True)


@pytest.fixture
def connect(inventory, options):
    made = []

    def factory(host: str, **override):
        hv = {**connection_vars(inventory, host), **override}
        t = make_transport(hv, options=options)
        made.append(t)
        t.connect(20)
        return t, hv

    yield factory
    for t in made:
        if hasattr(t, "stop_master"):
            t.stop_master()
        t.close()


@pytest.mark.parametrize("kind", ["ssh", "paramiko"])
def test_script_runs_on_the_busybox_host_with_only_sh(busybox_host, connect, kind):
    t, _ = connect(busybox_host.name, ansible_connection=kind)
    r = t.run_script(b"echo $0; command -v bash || echo no-bash; exit 7\n", timeout=30)
    assert r.rc == 7 and r.stdout.splitlines()[-1] == b"no-bash"
    assert t.round_trips == 1


@pytest.mark.parametrize("kind", ["ssh", "paramiko"])
def test_tester_becomes_root_with_sudo_on_the_debian_host(debian_host, connect, kind):
    alias = f"{debian_host.name}-tester"
    t, hv = connect(alias, ansible_connection=kind)
    assert t.run_script(b"id -un\n", timeout=30).stdout == b"tester\n"
    r = t.run_script(b"id -u\n", timeout=30, become=become_from_vars(hv))
    assert r.stdout == b"0\n"


def test_many_scripts_share_one_ssh_connection_on_a_lab_host(debian_host, connect):
    t, _ = connect(debian_host.name)
    # sh's parent is the per-connection sshd process: one parent = one SSH connection
    parents = {t.run_script(b"echo $PPID\n", timeout=30).stdout for _ in range(3)}
    assert t.round_trips == 3 and t.master_alive()
    assert len(parents) == 1
