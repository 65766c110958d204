"""The ``edge_common`` role on a plain Debian lab host (systemd, apt, OpenSSH) and on a BusyBox
lab host (no package manager, no service manager, dropbear): converge twice — the second run
changes nothing — and verify the result over SSH, including a key login as the admin user.
What does not apply on BusyBox (packages, timesyncd, sshd_config) is skipped by facts.

Kernel parameters are written to the file only (``edge_common_sysctl_apply: false``): these
lab hosts share the controller's network namespace and kernel, which tests must never change.
"""

from __future__ import annotations

import pytest
import yaml
from role_play import REPO, apply_roles, by_name, converge_roles

pytestmark = [pytest.mark.lab, pytest.mark.slow]

ADMIN = "edgeops"


def role_vars(host) -> dict:
    key = open(f"{host.key_file}.pub").read().strip()
    return {
        "edge_common_admin_user": ADMIN,
        "edge_common_admin_keys": [key],
        "edge_common_timezone": "Europe/Berlin",
        "edge_common_ntp_servers": ["ntp1.site.example", "ntp2.site.example"],
        "edge_common_sysctl_apply": False,
    }


def sh(host, cmd, user="root") -> str:
    return host.run(cmd, user=user, check=True).stdout


SYSCTL_FILE = (
    "net.ipv4.tcp_syncookies=1\nnet.ipv4.conf.all.accept_redirects=0\n"
    "net.ipv4.conf.default.accept_redirects=0\nnet.ipv4.conf.all.send_redirects=0\n"
    "net.ipv4.icmp_echo_ignore_broadcasts=1\nkernel.dmesg_restrict=1\n"
    "fs.protected_hardlinks=1\nfs.protected_symlinks=1\n"
)


def test_edge_common_converges_on_debian(tmp_path, lab_inventory, fresh_host):
    host = fresh_host
    # the lab image's apt lists are empty but new: the role refreshes them anyway
    first = converge_roles(tmp_path, lab_inventory, host, ["edge_common"], role_vars(host))
    status = by_name(first)
    assert status["edge_common | base packages"] == "changed"
    assert status["edge_common | reload sshd"] == "changed"  # the handler ran
    assert sh(host, "dpkg-query -W -f '${Status}\\n' less xz-utils").count("installed") == 2
    assert sh(host, "readlink /etc/localtime").strip().endswith("Europe/Berlin")
    assert sh(host, "cat /etc/systemd/timesyncd.conf.d/50-edgeauto.conf").endswith(
        "[Time]\nNTP=ntp1.site.example ntp2.site.example\n"
    )
    assert sh(host, "cat /etc/sysctl.d/60-edgeauto.conf") == SYSCTL_FILE
    # the hardening lines come before sshd_config's Include, and the running sshd has them
    config = sh(host, "cat /etc/ssh/sshd_config").splitlines()
    include = next(i for i, line in enumerate(config) if line.startswith("Include "))
    assert config.index("PasswordAuthentication no") < include
    effective = sh(
        host,
        "sshd -T 2>/dev/null | grep -Ei '^(permitrootlogin|passwordauthentication|maxauthtries|x11forwarding) '",
    )
    assert sorted(effective.splitlines()) == [
        "maxauthtries 3",
        "passwordauthentication no",
        "permitrootlogin without-password",
        "x11forwarding no",
    ]
    # the admin user logs in with its key and may sudo
    assert sh(host, "id -un; sudo -n id -u", user=ADMIN).split() == [ADMIN, "0"]
    assert sh(host, f"stat -c %a /etc/sudoers.d/50-edgeauto-{ADMIN}").strip() == "440"


def test_edge_common_converges_on_busybox_skipping_what_does_not_apply(
    tmp_path, lab_inventory, make_host
):
    host = make_host(flavor="busybox")
    first = converge_roles(tmp_path, lab_inventory, host, ["edge_common"], role_vars(host))
    status = by_name(first)
    for name in (
        "edge_common | apt package lists present",
        "edge_common | timezone",  # no zoneinfo database on the device
        "edge_common | apt cache",
        "edge_common | base packages",
        "edge_common | NTP servers for systemd-timesyncd",
        "edge_common | admin user may sudo (where sudo is installed)",
        "edge_common | sshd_config hardening",
    ):
        assert status.get(name) == "skipped", (name, status)
    assert sh(host, "cat /etc/ntp.conf").endswith(
        "server ntp1.site.example\nserver ntp2.site.example\n"
    )
    assert sh(host, "cat /etc/sysctl.d/60-edgeauto.conf") == SYSCTL_FILE
    assert sh(host, "id -un", user=ADMIN).strip() == ADMIN  # key login through dropbear


def test_sysctl_default_is_file_only_on_hosts_that_share_a_kernel(
    tmp_path, lab_inventory, debian_host, busybox_host
):
    # the lab's hosts are containers of this machine (nspawn, or chroot+unshare for BusyBox,
    # where the facts cannot tell): the default must never set their — our — kernel live
    defaults = yaml.safe_load((REPO / "roles/edge_common/defaults/main.yml").read_text())
    show = [{"debug": {"msg": defaults["edge_common_sysctl_apply"]}}]
    for host in (debian_host, busybox_host):
        code, results, _ = apply_roles(tmp_path, lab_inventory, host, [], post_tasks=show)
        assert code == 0 and results[-1].result["msg"] in (False, "False"), host.name
