"""The lab itself, over real SSH: isolation of hosts, flavours, pinned keys, clean teardown."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from edgeauto.lab import Lab
from edgeauto.lab.net import listening_addresses, ssh_banner
from edgeauto.lab.testing import claim_test_lab, release_test_lab, require_lab


def test_every_host_answers_with_its_own_hostname(lab_hosts):
    for host in lab_hosts:
        assert host.run("hostname", check=True).stdout.strip() == host.name


def test_root_and_tester_log_in_and_tester_becomes_root_with_sudo(debian_host):
    assert debian_host.run("id -un", check=True).stdout.strip() == "root"
    assert debian_host.run("id -un", user="tester", check=True).stdout.strip() == "tester"
    assert debian_host.run("sudo -n id -u", user="tester", check=True).stdout.strip() == "0"


def test_wrong_pinned_host_key_is_refused(debian_host, tmp_path):
    other = tmp_path / "other_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    pub = Path(f"{other}.pub").read_text().split()
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"{debian_host.address} {pub[0]} {pub[1]}\n")
    proc = subprocess.run(
        [*debian_host.ssh_argv(extra=["-o", f"UserKnownHostsFile={wrong}"]), "true"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 255
    assert "verification failed" in proc.stderr.lower() or "changed" in proc.stderr.lower()


def test_ssh_config_reaches_hosts_by_name_with_strict_checking(lab, debian_host):
    text = Path(lab.ssh_config).read_text()
    assert "StrictHostKeyChecking yes" in text
    assert "StrictHostKeyChecking no" not in text
    proc = subprocess.run(
        ["ssh", "-F", str(lab.ssh_config), debian_host.name, "hostname"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == debian_host.name


def test_writes_stay_in_the_host_that_made_them(lab, lab_hosts):
    first, second = [h for h in lab_hosts if h.flavor == "debian"][:2]
    marker = "/etc/edgeauto-lab-leak-check"
    first.run(f"echo {first.name} > {marker}", check=True)
    try:
        assert second.run(f"test -e {marker}").returncode == 1
        assert not Path(marker).exists(), "write leaked to the controller"
        base = lab.images.root_path(lab.recipe_for("debian", None, False, ()))
        assert not (base / marker.lstrip("/")).exists(), "write leaked into the shared base"
        assert (Path(first.dir) / "upper" / marker.lstrip("/")).exists()
    finally:
        first.run(f"rm -f {marker}")


def test_hosts_have_their_own_pid_and_mount_namespaces(lab_hosts):
    ours = {kind: os.readlink(f"/proc/self/ns/{kind}") for kind in ("pid", "mnt", "uts")}
    seen = set()
    for host in lab_hosts:
        out = host.run("for k in pid mnt uts; do readlink /proc/self/ns/$k; done", check=True)
        pid_ns, mnt_ns, uts_ns = out.stdout.split()
        assert pid_ns != ours["pid"] and mnt_ns != ours["mnt"] and uts_ns != ours["uts"]
        seen.add(mnt_ns)
        assert host.run(f"test -e /proc/{os.getpid()}/cmdline").returncode != 0
    assert len(seen) == len(lab_hosts)


def test_sshd_of_each_host_listens_only_on_its_own_loopback_address(lab_hosts):
    listening = listening_addresses()
    for host in lab_hosts:
        assert host.address.startswith("127.")
        assert host.address in listening


def test_debian_host_runs_real_systemd_that_systemctl_drives(debian_host):
    state = debian_host.run("systemctl is-system-running").stdout.strip()
    assert state in ("running", "degraded")
    assert debian_host.run("systemctl is-active ssh", check=True).stdout.strip() == "active"
    assert debian_host.run("cat /proc/1/comm", check=True).stdout.strip() == "systemd"


def test_debian_host_has_no_python_by_default(debian_host):
    assert debian_host.run("command -v python3 python").stdout.strip() == ""


def test_busybox_host_is_busybox_sh_without_bash_coreutils_or_python(busybox_host):
    probe = busybox_host.run(
        "echo $0; command -v bash python3 python perl sudo; readlink /bin/ls; uname -m; "
        "echo hello | sha256sum; sh -c 'echo sub-shell'",
        check=True,
    )
    lines = probe.stdout.splitlines()
    assert lines[0] in ("sh", "-sh", "/bin/sh")
    assert lines[1] == "/bin/busybox", "bash/python/perl/sudo must be absent"
    assert lines[2] == os.uname().machine
    assert lines[3].startswith("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
    assert lines[4] == "sub-shell"
    assert busybox_host.run("id -un", user="tester", check=True).stdout.strip() == "tester"


def test_inventory_groups_hosts_and_pins_host_keys(lab_inventory, lab_hosts):
    inv = yaml.safe_load(Path(lab_inventory).read_text())["all"]
    common = inv["vars"]["ansible_ssh_common_args"]
    assert "StrictHostKeyChecking=yes" in common and "UserKnownHostsFile=" in common
    assert "IdentitiesOnly=yes" in common
    assert Path(inv["vars"]["ansible_ssh_private_key_file"]).exists()
    for host in lab_hosts:
        assert inv["hosts"][host.name]["ansible_host"] == host.address
        assert inv["hosts"][host.name]["ansible_port"] == host.port
        assert host.name in inv["children"][host.flavor]["hosts"]
        assert host.name in inv["children"][host.arch]["hosts"]
    tester = inv["children"]["as_tester"]
    assert tester["vars"]["ansible_user"] == "tester" and tester["vars"]["ansible_become"] is True
    assert all(h.endswith("-tester") for h in tester["hosts"])
    assert set(inv["children"]["as_root"]["hosts"]) >= {h.name for h in lab_hosts}


def test_fresh_host_starts_from_the_clean_base(fresh_host, debian_host):
    debian_host.run("touch /root/used-by-shared-host", check=True)
    try:
        assert fresh_host.run("test -e /root/used-by-shared-host").returncode == 1
        assert fresh_host.run("ls -A /root/").stdout.split() == [".bashrc", ".profile", ".ssh"]
    finally:
        debian_host.run("rm -f /root/used-by-shared-host")


def test_light_debian_host_runs_sshd_as_pid_1(make_host):
    host = make_host(flavor="debian", systemd=False)
    assert host.run("cat /proc/1/comm", check=True).stdout.strip() == "sshd"
    assert host.run("sudo -n true", user="tester").returncode == 0


@pytest.mark.slow
def test_ansible_core_drives_a_with_python_host_through_the_generated_inventory(lab, make_host):
    ansible = Path(sys.executable).with_name("ansible")
    if not ansible.exists():
        pytest.skip("ansible-core (the test oracle) is not installed in this environment")
    host = make_host(flavor="debian", with_python=True)
    for target in (host.name, f"{host.name}-tester"):
        proc = subprocess.run(
            [str(ansible), "-i", str(lab.inventory), target, "-m", "command", "-a", "id -u"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "ANSIBLE_HOST_KEY_CHECKING": "True", "ANSIBLE_NOCOLOR": "1"},
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.strip().endswith("0"), proc.stdout  # tester became root


@pytest.mark.slow
def test_reboot_inside_a_systemd_host_brings_it_back_with_a_new_boot_id(lab, fresh_host):
    before = fresh_host.run("cat /proc/sys/kernel/random/boot_id", check=True).stdout
    fresh_host.run("systemctl reboot")
    deadline = time.monotonic() + 90
    after = before
    while time.monotonic() < deadline:
        proc = fresh_host.run(
            "systemctl is-system-running --wait >/dev/null; cat /proc/sys/kernel/random/boot_id",
            timeout=60,
        )
        if proc.returncode == 0 and proc.stdout and proc.stdout != before:
            after = proc.stdout
            break
        time.sleep(1)
    assert after != before


@pytest.mark.slow
def test_apt_installs_a_package_from_the_debian_mirror(fresh_host):
    proc = fresh_host.run(
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tree "
        ">/dev/null && tree --version",
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("tree v")


@pytest.fixture
def own_lab():
    """A separate lab (own subnet and state dir) for tests that take a whole lab down."""
    require_lab()
    labs = []

    def claim(name: str) -> Lab:
        labs.append(claim_test_lab(name))
        return labs[-1]

    yield claim
    for lab in labs:
        lab.down(force=True)
        release_test_lab(lab)


def test_down_leaves_no_process_mount_cgroup_or_namespace_behind(own_lab):
    lab = own_lab("teardown")
    old_inotify = Path("/proc/sys/fs/inotify/max_user_instances").read_text()
    try:
        systemd_host = lab.add_host(flavor="debian")
        light_host = lab.add_host(flavor="debian", systemd=False)
        busybox = lab.add_host(flavor="busybox")
        for host in (systemd_host, light_host, busybox):
            host.run("hostname", check=True)
        namespaces = lab.namespaces()
        assert len(namespaces) >= 6  # each host has at least its own mnt + pid/uts
        state_dir = lab.state_dir
    finally:
        report = lab.down()
    assert report.problems == []
    assert lab.leftovers(namespaces) == []
    assert not (state_dir / "hosts").exists()
    assert Path("/proc/sys/fs/inotify/max_user_instances").read_text() == old_inotify
    for host in (systemd_host, light_host, busybox):
        assert not Path(host.dir).exists()
        assert not ssh_banner(host.address, host.port)  # nobody answers any more


def test_down_force_cleans_up_after_a_crash_that_lost_the_state_file(own_lab):
    lab = own_lab("crash")
    try:
        lab.add_host(flavor="debian")
        lab.add_host(flavor="busybox")
        namespaces = lab.namespaces()
        lab.state_file.unlink()  # the controller "crashed" and its state is gone
        assert lab.leftovers(namespaces) != []
    finally:
        fresh_controller = Lab(state_dir=lab.state_dir, subnet=lab.subnet)
        report = fresh_controller.down(force=True)
    assert report.problems == []
    assert fresh_controller.leftovers(namespaces) == []


@pytest.mark.arm64
def test_arm64_host_runs_aarch64_binaries_under_emulation(arm64_host):
    out = arm64_host.run("uname -m; dpkg --print-architecture", check=True, timeout=300)
    assert out.stdout.split() == ["aarch64", "arm64"]
    assert arm64_host.run("sudo -n id -u", user="tester", timeout=300).stdout.strip() == "0"


@pytest.mark.arm64
def test_armhf_host_runs_armv7_binaries_under_emulation(armhf_host):
    out = armhf_host.run("uname -m; dpkg --print-architecture", check=True, timeout=300)
    assert out.stdout.split() == ["armv7l", "armhf"]
    assert armhf_host.run("sudo -n id -u", user="tester", timeout=300).stdout.strip() == "0"


@pytest.mark.privileged
def test_privileged_host_runs_its_own_dockerd_and_userspace_ovs(privileged_host):
    host = privileged_host
    netns = host.run("readlink /proc/self/ns/net", check=True).stdout.strip()
    assert netns != os.readlink("/proc/self/ns/net")
    driver = host.run("docker info --format '{{.Driver}}'", check=True, timeout=120)
    assert driver.stdout.strip() == "vfs"
    host.run(
        "rm -rf /tmp/bb && mkdir -p /tmp/bb/bin && cp /bin/busybox /tmp/bb/bin/ "
        "&& tar -C /tmp/bb -c . | docker import - lab-bb:1",
        check=True,
        timeout=120,
    )
    out = host.run("docker run --rm lab-bb:1 /bin/busybox echo from-container", timeout=180)
    assert out.stdout.strip() == "from-container", out.stderr
    assert host.run("ip -o link show docker0", check=True).stdout
    host.run("ovs-vsctl --may-exist add-br br0 -- set bridge br0 datapath_type=netdev", check=True)
    assert "br0" in host.run("ovs-vsctl list-br", check=True).stdout.split()
    assert "netdev@ovs-netdev" in host.run("ovs-appctl dpctl/show", check=True).stdout


LIBVIRT_DOMAIN = """<domain type='qemu'>
  <name>lab-tcg</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='/tmp/lab-tcg.serial'/><target port='0'/></serial>
  </devices>
</domain>
"""


@pytest.mark.privileged
def test_privileged_host_runs_libvirt_with_qemu_tcg_guests(libvirt_host):
    host = libvirt_host
    virsh = "virsh -c qemu:///system"
    caps = host.run(f"{virsh} capabilities", check=True, timeout=180).stdout
    assert "<domain type='qemu'" in caps
    host.run("cat > /tmp/lab-tcg.xml", input=LIBVIRT_DOMAIN, check=True)
    host.run(f"{virsh} define /tmp/lab-tcg.xml && {virsh} start lab-tcg", check=True, timeout=180)
    try:
        assert host.run(f"{virsh} domstate lab-tcg", check=True).stdout.strip() == "running"
        assert "-accel tcg" in host.run("ps -eo args", check=True).stdout
    finally:
        host.run(f"{virsh} destroy lab-tcg; {virsh} undefine lab-tcg", timeout=120)
