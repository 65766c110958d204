"""Facts on real targets: the controller (local transport, checked against ansible's setup
module as oracle) and a throwaway sshd on loopback (same machine, over real SSH)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from edgeauto.facts.gather import gather
from edgeauto.transport.factory import make_transport
from edgeauto.transport.local import LocalTransport
from edgeauto.transport.options import TransportOptions

REPO = Path(__file__).resolve().parents[2]
ANSIBLE = Path(sys.executable).parent / "ansible"
ORACLE_KEYS = [
    "distribution",
    "distribution_version",
    "distribution_major_version",
    "distribution_release",
    "os_family",
    "system",
    "kernel",
    "architecture",
    "machine",
    "processor_vcpus",
    "processor_count",
    "processor_cores",
    "memtotal_mb",
    "hostname",
    "nodename",
    "machine_id",
    "pkg_mgr",
    "user_id",
    "user_uid",
    "user_dir",
    "all_ipv4_addresses",
    "interfaces",
]


@pytest.fixture(scope="module")
def local_facts():
    t = LocalTransport()
    facts, checksums = gather(t, "all", ["/etc/hostname", "/no/such/file"], timeout=60)
    return facts, checksums, t.round_trips


@pytest.fixture(scope="module")
def ansible_setup():
    if not ANSIBLE.exists():
        pytest.skip("ansible-core (test oracle) is not installed in this venv")
    env = {**os.environ, "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_NOCOLOR": "1"}
    out = subprocess.run(
        [str(ANSIBLE), "localhost", "-c", "local", "-m", "setup"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        timeout=300,
        check=True,
    ).stdout
    return json.loads(out[out.index("{") :])["ansible_facts"]


def test_facts_cost_exactly_one_round_trip(local_facts):
    assert local_facts[2] == 1


@pytest.mark.parametrize("key", ORACLE_KEYS)
def test_local_facts_match_ansible_setup(local_facts, ansible_setup, key):
    ours = local_facts[0][key]
    theirs = ansible_setup[f"ansible_{key}"]
    if key == "interfaces":
        ours, theirs = sorted(ours), sorted(theirs)
    assert ours == theirs


def test_default_ipv4_matches_ansible_where_the_host_has_a_route(local_facts, ansible_setup):
    theirs = ansible_setup["ansible_default_ipv4"]
    if not theirs:
        pytest.skip("no default IPv4 route on this machine")
    ours = local_facts[0]["default_ipv4"]
    for key in ("address", "interface", "gateway", "netmask", "network", "prefix", "macaddress"):
        assert ours[key] == theirs[key], key


def test_mounts_cover_the_same_real_filesystems_as_ansible(local_facts, ansible_setup):
    ours = {m["mount"]: m for m in local_facts[0]["mounts"]}
    theirs = {m["mount"]: m for m in ansible_setup["ansible_mounts"]}
    assert set(ours) <= set(theirs) | {"/"}
    root = ours["/"]
    assert root["device"] == theirs["/"]["device"] and root["fstype"] == theirs["/"]["fstype"]
    assert root["size_total"] > 0


def test_date_time_and_env_have_ansible_shapes(local_facts, ansible_setup):
    facts = local_facts[0]
    assert set(facts["date_time"]) == set(ansible_setup["ansible_date_time"])
    assert facts["env"]["PATH"]


def test_checksums_come_back_in_the_same_round_trip(local_facts):
    import hashlib

    _, checksums, _ = local_facts
    expected = hashlib.sha1(Path("/etc/hostname").read_bytes()).hexdigest()
    assert checksums == {"/etc/hostname": expected, "/no/such/file": None}


def test_min_subset_leaves_out_hardware_and_network():
    facts, _ = gather(LocalTransport(), "min", (), timeout=30)
    assert "distribution" in facts and "memtotal_mb" not in facts and "interfaces" not in facts


# -- over real SSH ---------------------------------------------------------------------------

needs_sshd = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/sbin/sshd") or not shutil.which("ssh"),
    reason="needs root, /usr/sbin/sshd and the ssh client to run a throwaway sshd",
)


@pytest.fixture(scope="module")
def sshd():
    from edgeauto.transport.testing_sshd import start_sshd

    server = start_sshd(port=2223)
    yield server
    server.stop()


@pytest.fixture
def ssh_options(sshd):
    control = tempfile.mkdtemp(prefix="eacm")
    yield TransportOptions(
        known_hosts_file=sshd.known_hosts, ssh_config_file="/dev/null", control_dir=control
    )
    shutil.rmtree(control, ignore_errors=True)


@needs_sshd
@pytest.mark.parametrize("kind", ["ssh", "paramiko"])
def test_facts_over_ssh_equal_local_facts_of_the_same_machine(sshd, ssh_options, local_facts, kind):
    t = make_transport(sshd.host_vars(ansible_connection=kind), options=ssh_options)
    try:
        t.connect(10)
        facts, checksums = gather(t, "all", ["/etc/hostname"], timeout=60)
        assert t.round_trips == 1
    finally:
        if hasattr(t, "stop_master"):
            t.stop_master()
        t.close()
    local = local_facts[0]
    for key in (
        "distribution",
        "distribution_version",
        "machine_id",
        "hostname",
        "processor_vcpus",
        "memtotal_mb",
        "pkg_mgr",
        "default_ipv4",
        "edgeauto_hw",
    ):
        assert facts[key] == local[key], key
    assert checksums == {"/etc/hostname": local_facts[1]["/etc/hostname"]}


@needs_sshd
def test_facts_command_prints_setup_style_output_and_exit_4_for_unreachable(sshd, tmp_path):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "all:\n  hosts:\n"
        f"    target:\n      ansible_host: {sshd.addr}\n      ansible_port: {sshd.port}\n"
        f"      ansible_user: root\n      ansible_ssh_private_key_file: {sshd.client_key}\n"
        f"      ansible_ssh_common_args: -F /dev/null -o UserKnownHostsFile={sshd.known_hosts}\n"
        "    gone:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n"
        "    ctl:\n      ansible_connection: local\n"
    )
    env = {**os.environ, "EDGEAUTO_FACT_CACHE": str(tmp_path / "facts.db")}
    cmd = [
        sys.executable,
        "-m",
        "edgeauto",
        "facts",
        "all",
        "-i",
        str(inventory),
        "--gather-subset",
        "min",
        "-T",
        "5",
    ]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 4, proc.stderr
    out = proc.stdout
    assert "target | SUCCESS => {" in out and "ctl | SUCCESS => {" in out
    assert "gone | UNREACHABLE! => {" in out and "refused" in out
    body = out[out.index("target | SUCCESS => ") + len("target | SUCCESS => ") :]
    body = body[: body.index("\n}") + 2]
    facts = json.loads(body)["ansible_facts"]
    assert facts["ansible_distribution"] and facts["ansible_machine_id"]
    cached = subprocess.run(
        [*cmd[:-4], "--cached", "--json", "-l", "target"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        timeout=120,
        cwd=REPO,
    )
    assert cached.returncode == 0, cached.stderr
    assert (
        json.loads(cached.stdout)["target"]["ansible_facts"]["ansible_machine_id"]
        == facts["ansible_machine_id"]
    )


@needs_sshd
def test_facts_with_sudo_password_see_root_only_files(sshd, ssh_options):
    import secrets

    from edgeauto.transport.base import BecomeSpec

    password = "pw-" + secrets.token_hex(6)
    user = sshd.add_user(password)
    t = make_transport(sshd.host_vars(user), options=ssh_options)
    try:
        _, plain = gather(t, "min", ["/etc/shadow"], timeout=60)
        facts, sums = gather(
            t, "min", ["/etc/shadow"], timeout=60, become=BecomeSpec(password=password)
        )
    finally:
        t.stop_master()
    assert plain == {"/etc/shadow": None}  # unreadable as the user
    assert len(sums["/etc/shadow"]) == 40 and facts["user_id"] == "root"
    assert t.round_trips == 2
