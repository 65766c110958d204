"""The real Vagrant lab, end to end: up → converge → converge again (changed=0) →
``playbooks/site.yml`` twice (changed=0 the second time) and what each guest got → down.

Opt-in (it takes many minutes: QEMU TCG guests on a shared 2-core machine): ``-m vagrant`` or
``EDGEAUTO_LAB_VAGRANT=1``. Nothing here is faked: vagrant 2.3 + vagrant-libvirt from Debian,
libvirtd started in the lab's own network namespace, the box built from the lab's Debian base,
edgeauto reaching the guests over SSH through ``ip netns exec`` with strict host key checking
against keys read from the guests' serial consoles. site.yml's packages come from the lab's
signed apt mirror, built from this machine's apt and served inside the namespace (fleet.yml
``mirror:``). All traffic stays inside that namespace; the test checks that the machine's own
network has no new address afterwards.

Phase times are printed (``-s``) and recorded in docs/vagrant.md; nothing asserts on them.
``EDGEAUTO_VAGRANT_KEEP=1`` leaves the lab up afterwards (to look at a failure; ``invoke
vagrant.down`` then); the teardown checks run only when the lab is taken down.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edgeauto.vagrantlab import daemons as dm
from tests.integration.site_results import STACK_PLAYS, changed_tasks, plays_of, run_site

REPO = Path(__file__).resolve().parents[2]
VAGRANT_DIR = REPO / "vagrant"
EDGEAUTO = [sys.executable, "-m", "edgeauto"]  # this checkout's edgeauto (cwd=REPO)
# TCG guests on a loaded machine can take more than the default 10 s to answer SSH, and one
# script (segment) of site.yml more than the default 600 s: apt installing docker, OVS or QEMU
# there takes tens of minutes (ca-certificates' postinst alone ~10 min under load 30-50).
SLOW_SSH = ("--timeout", "120", "--task-timeout", "7200")

pytestmark = [pytest.mark.vagrant, pytest.mark.slow]


def _edgeauto(*args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*EDGEAUTO, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def _root_addresses() -> set[str]:
    """Interfaces and addresses of the machine's own network namespace."""
    out = subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True, check=True)
    return {" ".join(line.split()[1:4]) for line in out.stdout.splitlines()}


def _recap(stdout: str) -> dict:
    """Per-host stats of an ``edgeauto run --json`` result."""
    data = json.loads(stdout)
    return data["stats"]


@pytest.fixture(scope="module")
def lab_deb(tmp_path_factory) -> Path:
    """A small real package for the guests (they have no route out): apt-get download tree."""
    where = tmp_path_factory.mktemp("debs")
    subprocess.run(["apt-get", "download", "tree"], cwd=where, check=True, capture_output=True)
    (deb,) = where.glob("tree_*.deb")
    os.chmod(where, 0o755)
    return deb


@pytest.fixture(scope="module")
def vagrant_lab():
    if shutil.which("vagrant") is None:
        subprocess.run([str(REPO / "scripts" / "setup-vagrant.sh")], check=True)
    from edgeauto.vagrantlab.lab import VagrantLab

    lab = VagrantLab(VAGRANT_DIR)
    timings = {}
    before = _root_addresses()
    started = time.monotonic()
    try:
        timings.update(lab.up().phases)
        timings["up_total"] = round(time.monotonic() - started, 1)
        yield lab, timings
    finally:
        if os.environ.get("EDGEAUTO_VAGRANT_KEEP") == "1":
            print("\nvagrant lab kept up (EDGEAUTO_VAGRANT_KEEP=1); timings (s):", timings)
        else:
            _down_and_check(lab, timings, before)


def _down_and_check(lab, timings: dict, before: set[str]) -> None:
    """down, then nothing of the lab is left: namespace, processes, daemons, mirror, addresses."""
    started = time.monotonic()
    problems = lab.down()
    timings["down"] = round(time.monotonic() - started, 1)
    print("\nvagrant lab timings (s):", json.dumps(timings))
    assert problems == []
    assert not dm.netns_exists(), f"network namespace {dm.NETNS} left behind"
    assert dm.pids_in_netns() == []
    assert lab.daemons.running() == {}
    assert lab.mirror_server.pid() is None
    assert _root_addresses() == before, "the lab left addresses in the root namespace"


def test_inventory_reaches_guests_through_the_netns_with_strict_host_keys(vagrant_lab):
    lab, _ = vagrant_lab
    proc = _edgeauto("inventory", "-i", "vagrant:vagrant", "--list")
    assert proc.returncode == 0, proc.stderr
    hostvars = json.loads(proc.stdout)["_meta"]["hostvars"]
    assert sorted(hostvars) == sorted(lab.machines())
    for name, hv in hostvars.items():
        args = hv["ansible_ssh_common_args"]
        assert f"ProxyCommand=ip netns exec {dm.NETNS} busybox nc %h %p" in args
        assert "StrictHostKeyChecking=yes" in args
        assert f"UserKnownHostsFile={lab.known_hosts()}" in args
        assert "ansible_host_key_checking" not in hv
        # the guest's address exists only inside the lab's namespace, not on this machine
        inside = ["ip", "netns", "exec", dm.NETNS, "ip", "-4", "-o", "addr"]
        subnet = hv["ansible_host"].rsplit(".", 1)[0] + "."
        assert subnet in subprocess.run(inside, capture_output=True, text=True).stdout
        outside = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True)
        assert subnet not in outside.stdout, name


def test_converge_then_converge_again_changes_nothing(vagrant_lab, lab_deb):
    _, timings = vagrant_lab
    playbook = str(VAGRANT_DIR / "converge.yml")
    args = (
        "run",
        "-i",
        "vagrant:vagrant",
        playbook,
        "-e",
        f"lab_deb={lab_deb}",
        "--json",
        *SLOW_SSH,
    )
    started = time.monotonic()
    first = _edgeauto(*args)
    timings["converge"] = round(time.monotonic() - started, 1)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    stats = _recap(first.stdout)
    assert all(s["changed"] > 0 and s["failed"] == 0 for s in stats.values()), stats
    started = time.monotonic()
    second = _edgeauto(*args)
    timings["converge_again"] = round(time.monotonic() - started, 1)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    again = _recap(second.stdout)
    assert all(s["changed"] == 0 and s["failed"] == 0 for s in again.values()), again


def test_site_playbook_provisions_each_guest_by_class_and_converges(vagrant_lab):
    """site.yml on the guests, packages from the lab mirror: the gateway gets docker + OVS, the
    server docker + OVS + KVM/libvirt, neither Kata (fleet.yml's edge_provision: nested KVM
    under TCG is not usable in practice); the second run changes nothing;
    vagrant/verify-site.yml then checks each part answers on the guests."""
    lab, timings = vagrant_lab
    started = time.monotonic()
    first = run_site("vagrant:vagrant", timeout=5400, extra=SLOW_SSH)
    timings["site"] = round(time.monotonic() - started, 1)
    expected = {
        "gateway": {"container engine", "Open vSwitch"},
        "server": {"container engine", "Open vSwitch", "KVM/libvirt host"},
    }
    assert sorted(first["stats"]) == sorted(expected)
    for host, stack in expected.items():
        assert plays_of(first, host) & STACK_PLAYS == stack, host
        assert first["stats"][host]["changed"] > 0
    started = time.monotonic()
    second = run_site("vagrant:vagrant", timeout=5400, extra=SLOW_SSH)
    timings["site_again"] = round(time.monotonic() - started, 1)
    changed = {h: s["changed"] for h, s in second["stats"].items()}
    assert changed == {"gateway": 0, "server": 0}, changed_tasks(second)
    started = time.monotonic()
    verify = run_site("vagrant:vagrant", "vagrant/verify-site.yml", timeout=1800, extra=SLOW_SSH)
    timings["verify_site"] = round(time.monotonic() - started, 1)
    assert all(s["changed"] == 0 for s in verify["stats"].values()), changed_tasks(verify)
    print("\nsite.yml on the Vagrant lab (s):", json.dumps(timings))
