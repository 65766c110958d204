"""Lab fixtures: real SSH test hosts (overlay root filesystems + namespaces + own sshd).

One lab is brought up per test session (per xdist worker) the first time a test asks for it,
and torn down at the end of the session; the teardown fails the session if anything of the
lab (process, mount, cgroup, namespace) is left on the machine.

Fixtures
--------
``lab`` (session)
    :class:`edgeauto.lab.Lab` with 3 ``debian`` hosts (Debian 12, real systemd under
    systemd-nspawn, OpenSSH, sudo, no Python) and 1 ``busybox`` host (busybox applets +
    dropbear, /bin/sh only: no bash, no coreutils, no Python, no sudo). ``lab.hosts``,
    ``lab.ssh_config``, ``lab.inventory``, ``lab.add_host(...)``, ``lab.remove_host(name)``.
``lab_hosts`` (session)
    The list of those 4 :class:`edgeauto.lab.LabHost` objects.
``debian_host`` / ``busybox_host`` (session)
    The first host of each flavour. Shared by all tests of the session: do not leave
    changes behind that other tests would trip over — use ``fresh_host`` for that.
``lab_inventory`` (session)
    Path to the generated Ansible-compatible inventory YAML. Groups: ``debian``,
    ``busybox``, ``amd64``, ``systemd``, ``light`` (and ``python``, ``arm64`` … when such
    hosts exist), ``as_root`` (every host once, root login); ``as_tester`` holds
    ``<host>-tester`` aliases of every sudo-capable host (``ansible_user: tester``,
    ``ansible_become: true``). So ``all`` names each debian machine twice — target
    ``as_root`` (or a flavour group), not ``all``, unless you want both logins. Connection vars pin the host key:
    ``ansible_ssh_common_args`` = ``-o UserKnownHostsFile=… -o StrictHostKeyChecking=yes
    -o IdentitiesOnly=yes``; ``ansible_ssh_private_key_file`` is the lab's client key.
``fresh_host`` (function)
    A brand-new debian systemd host for one test (its own empty overlay; ~1-4 s to boot),
    removed after the test. Use it for tests that change the system.
``make_host`` (function)
    Factory: ``make_host(flavor="debian", systemd=True, with_python=False, arch=None)``
    returns a new host removed after the test. ``with_python=True`` gives a host
    ansible-core can drive (test oracle); the first call builds that base (~40 s, cached).
``privileged_host`` (session; part of every run, off with EDGEAUTO_LAB_PRIVILEGED=0)
    A debian systemd host with its own network namespace running its own dockerd (storage
    driver vfs, own docker0 + iptables inside its netns) and Open vSwitch (userspace
    ``netdev`` datapath). Reached over SSH through a ProxyCommand entering its netns
    (``host.run`` and the inventory handle that). Tests must be marked
    ``@pytest.mark.privileged``; they run in every run, CI included (the docker/OVS base is
    ~400 MB more; built once); ``EDGEAUTO_LAB_PRIVILEGED=0`` skips them.
``libvirt_host`` (session, with the ``privileged`` marker)
    A privileged debian host running libvirtd (qemu:///system, QEMU TCG: no KVM here).
``arm64_host`` (session, opt-in)
    A Debian arm64 host running under qemu-user (sshd as PID 1, no systemd). Tests using
    it must be marked ``@pytest.mark.arm64``; they run only with ``-m arm64`` or
    ``EDGEAUTO_LAB_ARM64=1`` (emulation is slow, the first base build ~2 min).

A host: ``name``, ``address``, ``port``, ``flavor``, ``arch``, ``mode`` ("systemd" or
"light"), ``key_file``, ``known_hosts``, ``ssh_config``; ``host.run(cmd, user="root",
input=None, timeout=120, check=False) -> subprocess.CompletedProcess`` runs over real SSH;
``host.ssh_argv(user)`` is the ssh command line. Users: ``root`` and ``tester`` (uid 1000,
passwordless sudo on debian hosts), both with the lab's client key.

The lab needs root, mmdebstrap and systemd-nspawn. Without them lab tests SKIP with the
reason — except in CI (``CI=true``), where they FAIL, so CI can never silently skip them.
Environment: ``EDGEAUTO_LAB_CACHE`` (base image cache, default ~/.cache/edgeauto/lab),
``EDGEAUTO_LAB_MIRROR`` (Debian mirror).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from edgeauto.lab import LabHost
from edgeauto.lab.testing import claim_test_lab, release_test_lab, require_lab

SESSION_DEBIAN_HOSTS = 3
SESSION_BUSYBOX_HOSTS = 1


OPT_IN = {
    "arm64": ("EDGEAUTO_LAB_ARM64", "an emulated arm64 lab host (slow: qemu-user)"),
    "vagrant": ("EDGEAUTO_LAB_VAGRANT", "the real Vagrant lab (slow: vagrant-libvirt, TCG)"),
}
# Part of every run (CI included) unless switched off with ENV=0: the edge stack (docker, OVS,
# libvirt) is what edgeauto exists for, so its tests are not optional (issue 11).
OPT_OUT = {
    "privileged": ("EDGEAUTO_LAB_PRIVILEGED", "a privileged lab host with docker, OVS or libvirt"),
}


def pytest_configure(config):
    for marker, (env, what) in OPT_IN.items():
        config.addinivalue_line(
            "markers", f"{marker}: needs {what}; opt in with -m {marker} or {env}=1"
        )
    for marker, (env, what) in OPT_OUT.items():
        config.addinivalue_line("markers", f"{marker}: needs {what}; switch off with {env}=0")


def pytest_collection_modifyitems(config, items):
    selected = config.getoption("-m") or ""
    for marker, (env, what) in OPT_IN.items():
        if marker in selected or os.environ.get(env) == "1":
            continue
        skip = pytest.mark.skip(reason=f"needs {what}: opt in with -m {marker} or {env}=1")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)
    for marker, (env, what) in OPT_OUT.items():
        if os.environ.get(env) != "0" or marker in selected:
            continue
        skip = pytest.mark.skip(reason=f"needs {what}: switched off by {env}=0")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def lab():
    require_lab()
    lab = claim_test_lab("pytest")
    namespaces: set[str] = set()
    try:
        # Remember the session's own hosts: hosts that make_host/fresh_host add later come
        # and go, and must never show up in lab_hosts.
        lab.session_hosts = lab.up(hosts=SESSION_DEBIAN_HOSTS, flavor="debian") + lab.up(
            hosts=SESSION_BUSYBOX_HOSTS, flavor="busybox"
        )
        namespaces = lab.namespaces()
        yield lab
    finally:
        lab.down()
        left = lab.leftovers(namespaces)
        release_test_lab(lab)
        assert not left, f"lab teardown left things behind: {left}"


@pytest.fixture(scope="session")
def lab_hosts(lab) -> list[LabHost]:
    return list(lab.session_hosts)


@pytest.fixture(scope="session")
def debian_host(lab_hosts) -> LabHost:
    return next(h for h in lab_hosts if h.flavor == "debian")


@pytest.fixture(scope="session")
def busybox_host(lab_hosts) -> LabHost:
    return next(h for h in lab_hosts if h.flavor == "busybox")


@pytest.fixture(scope="session")
def lab_inventory(lab) -> Path:
    return lab.inventory


@pytest.fixture
def make_host(lab):
    made: list[str] = []

    def factory(**kwargs) -> LabHost:
        started = time.monotonic()
        host = lab.add_host(**kwargs)
        made.append(host.name)
        print(f"lab: {host.name} ({host.mode}) ready in {time.monotonic() - started:.1f}s")
        return host

    yield factory
    for name in made:
        if any(h.name == name for h in lab.hosts):  # a test may have removed it already
            lab.remove_host(name)


@pytest.fixture
def fresh_host(make_host) -> LabHost:
    return make_host(flavor="debian", systemd=True)


@pytest.fixture(scope="session")
def privileged_host(lab) -> LabHost:
    host = lab.add_host(flavor="debian", capabilities=("docker", "ovs"))
    yield host
    lab.remove_host(host.name)


@pytest.fixture(scope="session")
def libvirt_host(lab) -> LabHost:
    host = lab.add_host(flavor="debian", capabilities=("libvirt",))
    yield host
    lab.remove_host(host.name)


@pytest.fixture(scope="session")
def arm64_host(lab) -> LabHost:
    host = lab.add_host(flavor="debian", arch="arm64", systemd=False)
    yield host
    lab.remove_host(host.name)


@pytest.fixture(scope="session")
def armhf_host(lab) -> LabHost:
    """A Debian armhf host under qemu-arm (opt-in with the ``arm64`` marker: same cost)."""
    host = lab.add_host(flavor="debian", arch="armhf", systemd=False)
    yield host
    lab.remove_host(host.name)
