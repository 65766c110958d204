"""kata_runtime on a privileged lab host (own network namespace, systemd, containerd 1.6 and
dockerd 20.10 running), with a STAND-IN Kata release (``kata_standin``): Kata cannot boot a VM
here (no usable KVM, no vhost-vsock/virtio-fs), so what is proven is the plumbing — the release
installed only when it differs, the shim on containerd's PATH, the runtime registered with
containerd (``containerd config dump``) and Docker (``docker info``), containers started with
the kata runtime (runc under the stand-in shim), restarts only after a change, the refusal on a
host without KVM, and check mode predicting every run.

The host is this module's own (``kata_standin.own_privileged_host``: the same base as the
``privileged_host`` fixture, ~3 s to boot): the tests restart containerd and dockerd and
rewrite daemon.json, which must not disturb the session's shared privileged host. Everything
is put back after each test anyway.
"""

from __future__ import annotations

import hashlib
import json

import kata_standin
import pytest
from sys_play import converge, play

from edgeauto.errors import ValidationError

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

DAEMON_JSON = kata_standin.DAEMON_JSON
CTD_CONFIG = kata_standin.CTD_CONFIG


# fixtures: the module's own privileged host, and that host put back after each test
kata_host = kata_standin.kata_host
host = kata_standin.host


def standin(tmp_path, version="3.2.0", compression="gz"):
    suffix = f".tar.{compression}" if compression else ".tar"
    return kata_standin.build(
        tmp_path / f"kata-static-{version}-amd64{suffix}", version, compression
    )


def kata_task(archive, **extra):
    args = {
        "version": "3.2.0",
        "src": str(archive),
        "require_kvm": False,
        # dockerd 20.10 runs only runc-compatible binaries: the stand-in kata-runtime is one
        "docker_runtime_path": "/opt/kata/bin/kata-runtime",
    }
    return {"kata_runtime": {**args, **extra}}


def test_stand_in_release_is_installed_registered_and_runs_containers(
    tmp_path, lab_inventory, host
):
    before_json = host.run(f"cat {DAEMON_JSON}", check=True).stdout
    archive = standin(tmp_path)
    tasks = [kata_task(archive)]
    first = converge(tmp_path, lab_inventory, host, tasks, changes=[True])[0]
    assert first["installed"] is True and first["version"] == "3.2.0"
    assert first["registered"] == ["containerd", "docker"]
    assert first["restarted"] == ["containerd", "docker"]
    assert "STAND-IN kata-runtime check (3.2.0)" in first["kata_check"]["output"]
    assert first["kata_check"]["rc"] == 0
    assert "/opt/kata: version=3.2.0" in first["diff"]["after"]
    assert any("require_kvm is false" in w for w in first["warnings"])

    # the second run: nothing installed, nothing restarted, still reported
    code, again, _ = play(tmp_path, lab_inventory, host, tasks)
    assert code == 0 and again[0]["installed"] is False and again[0]["restarted"] == []

    # the tree and the links on containerd's PATH
    out = host.run(
        "readlink /usr/local/bin/containerd-shim-kata-v2 /usr/local/bin/kata-runtime; "
        "cat /opt/kata/.edgeauto-release; kata-runtime --version",
        check=True,
    ).stdout
    assert out.splitlines() == [
        "/opt/kata/bin/containerd-shim-kata-v2",
        "/opt/kata/bin/kata-runtime",
        "version=3.2.0",
        f"sha256={hashlib.sha256(archive.read_bytes()).hexdigest()}",
        "kata-runtime  : 3.2.0-standin",
    ]
    modes = host.run("stat -c '%a %n' /opt/kata /opt/kata/bin /etc/containerd/conf.d", check=True)
    assert [line.split()[0] for line in modes.stdout.splitlines()] == ["755", "755", "755"]

    # Docker: the runtime is listed, daemon.json kept its other member byte for byte
    info = json.loads(host.run("docker info --format '{{json .Runtimes}}'", check=True).stdout)
    assert info["kata"] == {"path": "/opt/kata/bin/kata-runtime"}
    after_json = host.run(f"cat {DAEMON_JSON}", check=True).stdout
    assert json.loads(after_json) == {
        **json.loads(before_json),
        "runtimes": {"kata": {"path": "/opt/kata/bin/kata-runtime"}},
    }
    assert after_json.startswith(before_json.rstrip("}\n"))
    # containerd: the CRI runtime is in the merged config; ctr starts a task on the kata shim
    dump = host.run("containerd config dump", check=True).stdout
    assert "runtimes.kata]" in dump and 'runtime_type = "io.containerd.kata.v2"' in dump
    assert 'ConfigPath = "/opt/kata/share/defaults/kata-containers/configuration.toml"' in dump
    assert '"/etc/containerd/conf.d/kata.toml"' in host.run(f"cat {CTD_CONFIG}").stdout
    assert kata_standin.runs_on_the_kata_runtime(host) == ("via-docker-kata", "via-kata-shim")


def test_a_converged_host_is_sent_no_archive_bytes(tmp_path, lab_inventory, host):
    # the facts round trip reads the stamp's sha1, so the archive travels only when it differs
    # (binary payloads travel as printf octal escapes: about 3 bytes per archive byte)
    archive = kata_standin.build(tmp_path / "kata-static-3.2.0-amd64.tar.gz", pad=1 << 20)
    task = [kata_task(archive)]
    code, _, first = play(tmp_path, lab_inventory, host, task, facts=True)
    code2, again, second = play(tmp_path, lab_inventory, host, task, facts=True)
    assert code == code2 == 0 and again[0]["changed"] is False
    sent, converged = max(first.script_sizes), max(second.script_sizes)
    print(
        f"archive {archive.stat().st_size} B: first run's script {sent} B, converged {converged} B"
    )
    assert sent > archive.stat().st_size > 1 << 20
    assert converged < 64 * 1024


def test_refuses_a_host_without_usable_kvm_and_changes_nothing(tmp_path, lab_inventory, host):
    # the stand-in archive, but require_kvm left at its default: this host has no /dev/kvm
    task = kata_task(standin(tmp_path))
    del task["kata_runtime"]["require_kvm"]
    before = host.run(f"cat {DAEMON_JSON} {CTD_CONFIG}; ls /opt", check=True).stdout
    for check in (True, False):
        code, results, _ = play(tmp_path, lab_inventory, host, [task], check=check)
        assert code == 2 and results[0]["failed"] and not results[0]["changed"]
        msg = results[0]["msg"]
        assert "refusing to install Kata Containers" in msg and "needs usable KVM" in msg, msg
        assert "/dev/kvm does not exist" in msg and "Nothing was changed" in msg
        assert results[0]["kvm_usable"] is False
    assert host.run(f"cat {DAEMON_JSON} {CTD_CONFIG}; ls /opt", check=True).stdout == before

    # the facts' verdict, when gathered, decides instead of the probe
    reason = "KVM backend is PVM (kvm_pvm, software paravirtualisation, no vmx/svm)"
    task["vars"] = {"edgeauto_hw": {"kvm": {"usable": False, "reason": reason}}}
    code, results, _ = play(tmp_path, lab_inventory, host, [task])
    assert code == 2
    assert f"edgeauto_hw facts say KVM is not usable on this host: {reason}" in results[0]["msg"]


def test_shim_runtime_type_is_refused_on_docker_older_than_23(tmp_path, lab_inventory, host):
    task = kata_task(standin(tmp_path))
    del task["kata_runtime"]["docker_runtime_path"]
    code, results, _ = play(tmp_path, lab_inventory, host, [task])
    assert code == 2
    assert "Docker 20.10.24" in results[0]["msg"] and "needs Docker 23" in results[0]["msg"]
    assert host.run("test -e /opt/kata").returncode == 1  # refused before any change

    # containerd only (docker: false) is fine on the same host
    task["kata_runtime"]["docker"] = False
    first = converge(tmp_path, lab_inventory, host, [task], changes=[True])[0]
    assert first["registered"] == ["containerd"] and first["restarted"] == ["containerd"]


def test_new_version_replaces_the_tree_and_restarts_nothing(tmp_path, lab_inventory, host):
    converge(tmp_path, lab_inventory, host, [kata_task(standin(tmp_path))], changes=[True])
    newer = kata_task(standin(tmp_path, "3.3.0"), version="3.3.0")
    first = converge(tmp_path, lab_inventory, host, [newer], changes=[True])[0]
    assert first["installed"] is True and first["restarted"] == []
    assert "/opt/kata: version=3.2.0" in first["diff"]["before"]
    assert host.run("kata-runtime --version", check=True).stdout.strip() == (
        "kata-runtime  : 3.3.0-standin"
    )
    assert host.run("ls -a /opt", check=True).stdout.split() == [".", "..", "kata"]


def test_url_release_is_downloaded_by_the_target_and_verified(tmp_path, lab_inventory, host):
    # the release is served inside the host's own network namespace (busybox httpd on its
    # loopback). The image has no HTTP client and no xz: BusyBox's wget stands in for the
    # client, and the missing xz is what the module must say first.
    archive = standin(tmp_path, compression="xz")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    host.run("mkdir -p /srv/kata; ln -sf /bin/busybox /usr/local/bin/wget", check=True)
    host.run(f"cat > /srv/kata/{archive.name}", input=archive.read_bytes(), check=True)
    host.run("busybox httpd -p 127.0.0.1:8079 -h /srv/kata", check=True)
    url = f"http://127.0.0.1:8079/{archive.name}"
    task = kata_task(archive, url=url, checksum=f"sha256:{digest}")
    del task["kata_runtime"]["src"]

    code, results, _ = play(tmp_path, lab_inventory, host, [task])
    assert code == 2 and "cannot unpack the xz release archive" in results[0]["msg"]
    assert host.run("test -e /opt/kata").returncode == 1

    bad = {**task["kata_runtime"], "checksum": "sha256:" + "0" * 64}
    code, results, _ = play(tmp_path, lab_inventory, host, [{"kata_runtime": bad}])
    assert code == 2 and "checksum says" in results[0]["msg"]

    host.run("ln -s /bin/busybox /usr/local/bin/xzcat", check=True)  # BusyBox's xzcat applet
    first = converge(tmp_path, lab_inventory, host, [task], changes=[True])[0]
    assert first["installed"] is True
    assert host.run("cat /opt/kata/VERSION", check=True).stdout == "3.2.0-standin\n"


def test_bad_arguments_are_refused_before_anything_runs(tmp_path, lab_inventory, host):
    tasks = [
        {"file": {"path": "/tmp/ea-kata-marker", "state": "touch"}},
        {"kata_runtime": {"version": "3.2.0", "url": "https://mirror.site/kata.tar.xz"}},
    ]
    with pytest.raises(ValidationError, match=r"sys\.yml:\d+.*'checksum' is required with url"):
        play(tmp_path, lab_inventory, host, tasks)
    assert host.run("test -e /tmp/ea-kata-marker").returncode != 0


def test_state_absent_removes_the_release_and_gives_the_files_back(tmp_path, lab_inventory, host):
    converge(tmp_path, lab_inventory, host, [kata_task(standin(tmp_path))], changes=[True])
    gone = [{"kata_runtime": {"state": "absent"}}]
    first = converge(tmp_path, lab_inventory, host, gone, changes=[True])[0]
    assert first["installed"] is True and first["reconfigured"] == ["containerd", "docker"]
    assert first["restarted"] == ["containerd", "docker"] and "kata_check" not in first
    assert "/opt/kata (removed)" in first["diff"]["after"]
    for path in (DAEMON_JSON, CTD_CONFIG):  # byte for byte what the lab host had
        assert host.run(f"cat {path}", check=True).stdout == host.originals[path]
    left = "ls -d /opt/kata /usr/local/bin/kata-runtime /usr/local/bin/containerd-shim-kata-v2"
    assert host.run(f"{left} /etc/containerd/conf.d/kata.toml 2>/dev/null").stdout == ""
    assert "kata" not in host.run("docker info --format '{{json .Runtimes}}'", check=True).stdout


def test_busybox_device_is_refused_with_the_probes_reason(tmp_path, lab_inventory, busybox_host):
    # the function runs under BusyBox ash too; a device without /dev/kvm is refused, unchanged
    task = kata_task(standin(tmp_path))
    del task["kata_runtime"]["require_kvm"]
    code, results, _ = play(tmp_path, lab_inventory, busybox_host, [task])
    assert code == 2 and "/dev/kvm does not exist" in results[0]["msg"]
    assert busybox_host.run("test -e /opt/kata").returncode == 1
