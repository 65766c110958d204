"""Pure parts of the lab: recipe keys, address picking, rendered client files, launch scripts."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import write_into_upper
from edgeauto.lab.host import LabHost
from edgeauto.lab.inventory import render_inventory, render_known_hosts, render_ssh_config
from edgeauto.lab.keys import LabKeys, known_hosts_line
from edgeauto.lab.launcher import write_scripts
from edgeauto.lab.net import listening_addresses, pick_addresses, validate_subnet
from edgeauto.lab.recipe import busybox_recipe, debian_recipe, native_arch

PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1abcdefghijklmnopqrstuvwxyz0123456789ABCD test"


def test_recipe_key_is_stable_for_the_same_inputs():
    assert debian_recipe("amd64").key() == debian_recipe("amd64").key()


def test_recipe_key_changes_with_python_arch_mirror_and_capabilities():
    keys = {
        debian_recipe("amd64").key(),
        debian_recipe("amd64", with_python=True).key(),
        debian_recipe("arm64").key(),
        debian_recipe("amd64", mirror="http://mirror.example/debian").key(),
        debian_recipe("amd64", capabilities=("docker",)).key(),
    }
    assert len(keys) == 5


def test_recipe_name_says_flavor_suite_and_arch():
    assert debian_recipe("arm64").name.startswith("debian-bookworm-arm64-")


def test_python_is_only_in_the_base_when_asked_for():
    assert "python3" not in debian_recipe("amd64").packages
    assert "python3" in debian_recipe("amd64", with_python=True).packages


def test_unknown_arch_and_capability_are_reported_with_the_choices():
    with pytest.raises(LabError, match="unknown lab architecture 'sparc'.*amd64"):
        debian_recipe("sparc")
    with pytest.raises(LabError, match="unknown lab host capability 'k8s'.*docker"):
        debian_recipe("amd64", capabilities=("k8s",))


def test_busybox_hosts_refuse_a_foreign_architecture():
    foreign = "arm64" if native_arch() != "arm64" else "amd64"
    with pytest.raises(LabError, match="only available for the debian flavour"):
        busybox_recipe(foreign)


@pytest.mark.parametrize("subnet", ["10.0.0", "127.1", "127.300.0", "localhost"])
def test_subnet_must_be_a_loopback_slash_24(subnet):
    with pytest.raises(LabError, match="127.X.Y"):
        validate_subnet(subnet)


def test_address_picker_skips_an_address_where_something_listens():
    with socket.socket() as busy:
        busy.bind(("127.77.251.1", 0))
        busy.listen()
        assert "127.77.251.1" in listening_addresses()
        picked = pick_addresses("127.77.251", 2)
    assert [a for a, _ in picked] == ["127.77.251.2", "127.77.251.3"]


def test_address_picker_skips_addresses_the_lab_already_uses():
    picked = pick_addresses("127.77.252", 1, taken=["127.77.252.1", "127.77.252.2"])
    assert picked[0][0] == "127.77.252.3"


def test_known_hosts_line_brackets_a_non_default_port():
    assert known_hosts_line("127.77.0.1", 22, PUB).startswith("127.77.0.1 ssh-ed25519 ")
    assert known_hosts_line("127.77.0.1", 2222, PUB).startswith("[127.77.0.1]:2222 ssh-ed25519 ")


def _keys(tmp_path: Path) -> LabKeys:
    for name in ("id_ed25519.pub", "host.pub"):
        (tmp_path / name).write_text(PUB + "\n")
    return LabKeys(
        tmp_path / "id_ed25519", tmp_path / "host", tmp_path / "dropbear", tmp_path / "known_hosts"
    )


def _host(name, flavor="debian", arch="amd64", mode="systemd", address="127.77.0.1", **kw):
    return LabHost(
        name=name,
        flavor=flavor,
        arch=arch,
        mode=mode,
        address=address,
        port=22,
        base="b",
        dir=f"/x/{name}",
        ssh_config="/x/ssh_config",
        key_file="/x/key",
        known_hosts="/x/kh",
        **kw,
    )


def test_inventory_groups_hosts_by_flavor_arch_mode_and_adds_tester_aliases(tmp_path):
    keys = _keys(tmp_path)
    hosts = [
        _host("debian-1", with_python=True),
        _host("busybox-1", flavor="busybox", mode="light", address="127.77.0.2"),
        _host("debian-arm64-1", arch="arm64", mode="light", address="127.77.0.3"),
    ]
    inv = yaml.safe_load(render_inventory(hosts, keys))["all"]
    children = inv["children"]
    assert set(children["debian"]["hosts"]) == {"debian-1", "debian-arm64-1"}
    assert set(children["busybox"]["hosts"]) == {"busybox-1"}
    assert set(children["arm64"]["hosts"]) == {"debian-arm64-1"}
    assert set(children["python"]["hosts"]) == {"debian-1"}
    assert inv["hosts"]["debian-1"]["ansible_python_interpreter"] == "/usr/bin/python3"
    assert set(children["as_tester"]["hosts"]) == {"debian-1-tester", "debian-arm64-1-tester"}
    assert children["as_tester"]["vars"]["ansible_become"] is True
    args = inv["vars"]["ansible_ssh_common_args"]
    assert f"UserKnownHostsFile={keys.known_hosts}" in args
    assert "StrictHostKeyChecking=yes" in args and "IdentitiesOnly=yes" in args


def test_ssh_config_and_known_hosts_pin_every_host(tmp_path):
    keys = _keys(tmp_path)
    hosts = [_host("debian-1"), _host("debian-2", address="127.77.0.2")]
    config = render_ssh_config(hosts, keys)
    assert config.count("StrictHostKeyChecking yes") == 2
    assert "StrictHostKeyChecking no" not in config
    assert "HostName 127.77.0.2" in config
    assert render_known_hosts(hosts, keys).splitlines()[1].startswith("127.77.0.2 ssh-ed25519 ")


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another owner needs root")
def test_files_written_into_the_upper_dir_keep_the_base_directory_owner_and_mode(tmp_path):
    lower, upper = tmp_path / "lower", tmp_path / "upper"
    (lower / "home/tester/.ssh").mkdir(parents=True)
    os.chown(lower / "home/tester", 1000, 1000)
    os.chmod(lower / "home/tester", 0o750)
    os.chown(lower / "home/tester/.ssh", 1000, 1000)
    os.chmod(lower / "home/tester/.ssh", 0o700)
    upper.mkdir()
    write_into_upper(upper, lower, "home/tester/.ssh/authorized_keys", PUB, 0o600, 1000, 1000)
    st = (upper / "home/tester/.ssh").stat()
    assert (st.st_uid, st.st_mode & 0o777) == (1000, 0o700)
    assert (upper / "home/tester").stat().st_mode & 0o777 == 0o750
    target = (upper / "home/tester/.ssh/authorized_keys").stat()
    assert (target.st_uid, target.st_mode & 0o777) == (1000, 0o600)


def _scripts(tmp_path, mode):
    launch = write_scripts(
        tmp_path,
        "debian-1",
        Path("/cache/base dir"),
        [Path("/sys/fs/cgroup/unified/edgeauto-lab/x/debian-1")],
        mode,
        machine="debian-1-abc",
        daemon=["/usr/sbin/sshd", "-D", "-e"],
    )
    return launch.read_text(), (tmp_path / "inner.sh").read_text()


def test_systemd_launcher_boots_again_after_an_in_container_reboot(tmp_path):
    launch, inner = _scripts(tmp_path, "systemd")
    assert "echo $$ > /sys/fs/cgroup/unified/edgeauto-lab/x/debian-1/cgroup.procs" in launch
    assert "unshare --mount --propagation private" in launch
    assert "'lowerdir=/cache/base dir" not in inner  # the whole -o value is quoted instead
    assert "lowerdir='/cache/base dir'" in inner
    assert "--register=no --keep-unit" in inner and "-M debian-1-abc" in inner
    assert '[ "$rc" = 133 ] || exit "$rc"' in inner


def test_light_launcher_runs_the_daemon_as_pid_1_of_its_own_namespaces(tmp_path):
    launch, inner = _scripts(tmp_path, "light")
    assert "--uts --ipc --pid --fork --kill-child" in launch
    assert inner.rstrip().endswith('exec chroot "$M" /usr/sbin/sshd -D -e')


@pytest.mark.parametrize("mode", ["systemd", "light"])
def test_launch_scripts_are_valid_posix_sh(tmp_path, mode):
    _scripts(tmp_path, mode)
    for name in ("launch.sh", "inner.sh"):
        subprocess.run(["sh", "-n", str(tmp_path / name)], check=True)
        if shutil.which("shellcheck"):
            subprocess.run(["shellcheck", "-s", "sh", str(tmp_path / name)], check=True)


def test_binfmt_rule_keeps_debians_magic_and_interpreter_and_adds_credentials():
    from edgeauto.lab.binfmt import credentials_rule

    spec = (
        "package qemu-user-static\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
        "magic \\x7f\\x45\\x4c\\x46\noffset 0\nmask \\xff\\xff\\xff\\xff\n"
        "credentials no\nfix_binary yes\npreserve yes\n"
    )
    assert credentials_rule("qemu-aarch64", spec) == (
        ":qemu-aarch64:M:0:\\x7f\\x45\\x4c\\x46:\\xff\\xff\\xff\\xff:"
        "/usr/libexec/qemu-binfmt/aarch64-binfmt-P:POCF"
    )


def test_missing_lab_requirements_skip_locally_but_fail_in_ci(monkeypatch):
    import edgeauto.lab.testing as testing

    monkeypatch.setattr(testing, "requirements_problem", lambda systemd=True: "no mmdebstrap")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no mmdebstrap"):
        testing.require_lab()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="lab unavailable in CI: no mmdebstrap"):
        testing.require_lab()


def test_address_picker_falls_back_to_the_second_port_when_a_wildcard_listener_holds_the_first():
    with socket.socket() as wildcard:
        wildcard.bind(("0.0.0.0", 0))
        wildcard.listen()
        taken_port = wildcard.getsockname()[1]
        with socket.socket() as spare:
            spare.bind(("127.0.0.1", 0))
            other_port = spare.getsockname()[1]
        picked = pick_addresses("127.77.253", 1, ports=(taken_port, other_port))
    assert picked == [("127.77.253.1", other_port)]


def test_address_picker_explains_when_no_address_is_free():
    with socket.socket() as wildcard:
        wildcard.bind(("0.0.0.0", 0))
        wildcard.listen()
        port = wildcard.getsockname()[1]
        with pytest.raises(LabError, match=r"only 0 of 1 loopback addresses in 127\.77\.254\.0/24"):
            pick_addresses("127.77.254", 1, ports=(port,))


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_safe_rmtree_detaches_mounts_before_deleting(tmp_path):
    from edgeauto.lab.fsutil import mount_points_below, safe_rmtree

    tree = tmp_path / "tree"
    (tree / "dev").mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(tree / "dev")], check=True)
    try:
        (tree / "dev" / "precious").write_text("x")
        assert mount_points_below(tree) == [str(tree / "dev")]
        safe_rmtree(tree)
        assert not tree.exists()
    finally:
        subprocess.run(["umount", "-l", str(tree / "dev")], capture_output=True)
