"""The facts script: subsets, framing, checksums, and parsing recorded outputs."""

from __future__ import annotations

import os
import subprocess

import pytest

from edgeauto.errors import EdgeautoError, RemoteProtocolError
from edgeauto.facts.gather import facts_script, parse_facts, resolve_subset, split_sections
from edgeauto.transport.base import ScriptResult


@pytest.mark.parametrize(
    "subset,expected",
    [
        (None, {"min", "hardware", "network", "virtual"}),
        ("all", {"min", "hardware", "network", "virtual"}),
        ("min", {"min"}),
        ("!all", {"min"}),
        ("!all,network", {"min", "network"}),
        ("!hardware", {"min", "network", "virtual"}),
        (["network", "virtual"], {"min", "network", "virtual"}),
        ("all,!network,!virtual", {"min", "hardware"}),
    ],
)
def test_gather_subset_follows_ansible_rules(subset, expected):
    assert resolve_subset(subset) == expected


def test_unknown_subset_names_the_choices():
    with pytest.raises(EdgeautoError) as info:
        resolve_subset("hardwre")
    assert "hardwre" in str(info.value) and "hardware" in str(info.value)


def test_min_subset_script_does_not_probe_hardware():
    script = facts_script("min").decode()
    assert "/proc/cpuinfo" not in script and "uname -n" in script


def run(script: bytes) -> ScriptResult:
    proc = subprocess.run(["sh", "-s"], input=script, capture_output=True)
    return ScriptResult(proc.returncode, proc.stdout, proc.stderr)


def test_checksums_of_present_absent_and_oddly_named_files(tmp_path):
    plain = tmp_path / "a.conf"
    plain.write_text("hello\n")
    spaced = tmp_path / "with space 'quote'.txt"
    spaced.write_text("")
    missing = tmp_path / "missing"
    _, sums = parse_facts(run(facts_script("min", [str(plain), str(spaced), str(missing)])))
    assert sums == {
        str(plain): "f572d396fae9206628714fb2ce00f72e94f2258f",
        str(spaced): "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        str(missing): None,
    }


def test_probes_cannot_swallow_the_rest_of_the_script():
    # every probe reads /dev/null: `cat` with no file would otherwise eat stdin
    from edgeauto.facts import gather

    script = gather._framed("greedy", "cat") + gather._framed("subset", "echo min")
    sections = split_sections(run(script.encode()).stdout)
    assert sections["greedy"] == [] and sections["subset"] == ["min"]


def test_framing_keeps_output_without_trailing_newline_and_blank_lines():
    from edgeauto.facts import gather

    script = (
        gather._framed("a", "printf 'x\\ny'")
        + gather._framed("b", "printf 'x\\n\\n'")
        + gather._framed("subset", "echo min")
    )
    sections = split_sections(run(script.encode()).stdout)
    assert sections["a"] == ["x", "y"] and sections["b"] == ["x", ""]


def test_truncated_output_is_a_protocol_error_with_the_exit_code():
    with pytest.raises(RemoteProtocolError) as info:
        parse_facts(ScriptResult(137, b":::edgeauto-fact::: hostname\nvm\n", b"Killed\n"))
    assert "137" in str(info.value) and "Killed" in str(info.value)


RECORDED_ALPINE_BUSYBOX = {
    "subset": ["min hardware network virtual"],
    "hostname": ["edge-pi-07.fleet.example"],
    "system": ["Linux"],
    "kernel": ["6.1.21-v8+"],
    "kernel_version": ["#1642 SMP PREEMPT Mon Apr  3 17:24:16 BST 2023"],
    "machine": ["aarch64"],
    "fqdn": ["edge-pi-07.fleet.example"],
    "release_files": [
        "/etc/alpine-release",
        "3.19.1",
        "---",
        "/etc/os-release",
        'NAME="Alpine Linux"',
        "ID=alpine",
        "VERSION_ID=3.19.1",
        'PRETTY_NAME="Alpine Linux v3.19"',
        "---",
    ],
    "pkg_mgrs": ["apk"],
    "service_mgr": ["init", "#openrc", "#initd"],
    "python": [],
    "user": ["root", "0", "0", "/root", "root:x:0:0:root:/root:/bin/ash"],
    "date": ["1700000000 +0100 CET"],
    "cpuinfo": [
        "processor\t: 0",
        "BogoMIPS\t: 108.00",
        "Features\t: fp asimd evtstrm crc32 cpuid",
        "",
        "processor\t: 1",
        "BogoMIPS\t: 108.00",
        "",
        "processor\t: 2",
        "",
        "processor\t: 3",
        "",
        "Hardware\t: BCM2835",
        "Model\t\t: Raspberry Pi 4 Model B Rev 1.4",
    ],
    "nproc": ["4"],
    "meminfo": [
        "MemTotal:        3882300 kB",
        "MemFree:         3000000 kB",
        "Buffers: 100 kB",
        "Cached: 200000 kB",
        "SwapTotal: 102396 kB",
        "SwapFree: 102396 kB",
    ],
    "mountinfo": [
        "21 1 179:2 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw",
        "22 21 0:20 / /proc rw,nosuid - proc proc rw",
        "23 21 179:1 / /boot rw,relatime - vfat /dev/mmcblk0p1 rw,fmask=0022",
    ],
    "df": [
        "Filesystem 1024-blocks Used Available Capacity Mounted on",
        "/dev/mmcblk0p2 30000000 1000000 29000000 4% /",
        "/dev/mmcblk0p1 262144 50000 212144 20% /boot",
    ],
    "links": [
        "eth0|dc:a6:32:00:00:01|1500|1|0x1003|up",
        "lo|00:00:00:00:00:00|65536|772|0x9|unknown",
        "wlan0|dc:a6:32:00:00:02|1500|1|0x1002|down",
    ],
    "addrs": [
        "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
        "2: eth0    inet 10.20.0.7/24 brd 10.20.0.255 scope global eth0\\       valid_lft forever",
        "2: eth0    inet6 fe80::dea6:32ff:fe00:1/64 scope link \\       valid_lft forever",
    ],
    "route4": ["8.8.8.8 via 10.20.0.1 dev eth0 src 10.20.0.7 "],
    "edgeauto_hw": [
        "machine=aarch64",
        "dev_kvm=1",
        "dev_kvm_rw=1",
        "usb=03e7:2485 Movidius MyriadX",
    ],
    "virt": ["container_file=", "container_env=", "dev_kvm=1", "product=", "vendor="],
}


def test_recorded_busybox_alpine_pi_maps_to_ansible_names():
    from edgeauto.facts.derive import derive_facts

    f = derive_facts(RECORDED_ALPINE_BUSYBOX)
    assert (f["distribution"], f["distribution_version"], f["distribution_major_version"]) == (
        "Alpine",
        "3.19.1",
        "3",
    )
    assert f["os_family"] == "Alpine" and f["pkg_mgr"] == "apk" and f["service_mgr"] == "openrc"
    assert (f["hostname"], f["nodename"], f["domain"]) == (
        "edge-pi-07",
        "edge-pi-07.fleet.example",
        "fleet.example",
    )
    assert (f["processor_count"], f["processor_cores"], f["processor_vcpus"]) == (4, 1, 4)
    assert (f["memtotal_mb"], f["memfree_mb"], f["swaptotal_mb"]) == (3791, 2929, 99)
    assert [m["mount"] for m in f["mounts"]] == ["/", "/boot"]
    assert f["mounts"][0]["size_total"] == 30000000 * 1024
    assert f["default_ipv4"]["address"] == "10.20.0.7"
    assert f["default_ipv4"]["gateway"] == "10.20.0.1"
    assert f["default_ipv4"]["macaddress"] == "dc:a6:32:00:00:01"
    assert f["all_ipv4_addresses"] == ["10.20.0.7"]
    assert f["eth0"]["active"] is True and f["wlan0"]["active"] is False
    assert "python" not in f  # no python on the target: no python fact
    assert f["date_time"]["hour"] == "23" and f["date_time"]["tz_offset"] == "+0100"
    assert f["edgeauto_hw"]["arch_family"] == "arm64" and f["edgeauto_hw"]["kvm_capable"]
    assert f["virtualization_role"] == "host"


def test_a_hanging_probe_is_cut_off_and_the_other_facts_still_arrive(tmp_path, monkeypatch):
    # FAKE df standing in for one stuck on a dead NFS server (cannot be staged for real here)
    fake = tmp_path / "df"
    fake.write_text("#!/bin/sh\nsleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    from edgeauto.facts.gather import gather
    from edgeauto.transport.local import LocalTransport

    facts, _ = gather(LocalTransport(), "hardware", (), timeout=40)
    assert facts["memtotal_mb"] > 0 and facts["distribution"]
    assert all(m["size_total"] == 0 for m in facts["mounts"])  # df gave nothing


def test_a_systemd_host_gets_ansible_systemd_version_and_features_and_openrc_gets_none():
    from edgeauto.facts.derive import derive_facts

    recorded = {
        **RECORDED_ALPINE_BUSYBOX,
        "service_mgr": ["systemd", "#systemd", "#initd"],
        "systemd": [
            "systemd 252 (252.39-1~deb12u1)",
            "+PAM +AUDIT +SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS",
        ],
    }
    f = derive_facts(recorded)
    assert f["systemd"] == {
        "version": 252,
        "features": "+PAM +AUDIT +SELINUX +APPARMOR +IMA +SMACK +SECCOMP +GCRYPT -GNUTLS",
    }
    assert "systemd" not in derive_facts(RECORDED_ALPINE_BUSYBOX)
