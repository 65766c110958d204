"""The ``kata`` role on a privileged lab host (containerd 1.6 + dockerd 20.10, own network
namespace) with a STAND-IN Kata release (tests/integration/modules/kata_standin.py: Kata cannot
boot a VM here). Converge twice (the second run changes nothing), then verify over SSH that
Docker and containerd run containers on the kata runtime; the docker_engine hand-over mode
leaves daemon.json alone and restarts through the role's handlers; the default
``kata_require_kvm: true`` refuses this host."""

from __future__ import annotations

import pytest
from role_play import apply_roles, by_name, converge_roles, kata_standin

pytestmark = [pytest.mark.lab, pytest.mark.privileged]


# fixtures: the module's own privileged host, and that host put back after each test
kata_host = kata_standin.kata_host
host = kata_standin.host


def lab_vars(tmp_path, **extra) -> dict:
    archive = kata_standin.build(tmp_path / "kata-static-3.2.0-amd64.tar.gz", "3.2.0", "gz")
    return {
        "kata_archive": str(archive),
        "kata_require_kvm": False,  # a stand-in on a host without KVM: labs only
        "kata_docker_runtime_path": "/opt/kata/bin/kata-runtime",  # dockerd 20.10
        **extra,
    }


def test_kata_role_converges_and_containers_run_on_the_stand_in(tmp_path, lab_inventory, host):
    first = converge_roles(tmp_path, lab_inventory, host, ["kata"], lab_vars(tmp_path))
    status = by_name(first)
    assert status["kata | xz-utils to unpack the release"] == "skipped"  # a .tar.gz here
    assert status["kata | install the pinned Kata release and register the runtime"] == "changed"
    assert '"kata"' in host.run("docker info --format '{{json .Runtimes}}'", check=True).stdout
    assert kata_standin.runs_on_the_kata_runtime(host) == ("via-docker-kata", "via-kata-shim")


def test_kata_role_hands_daemon_json_to_docker_engine_and_restarts_by_handler(
    tmp_path, lab_inventory, host
):
    extra = {"kata_docker_daemon_json": "docker_engine", "kata_restart": "handler"}
    before = host.run(f"cat {kata_standin.DAEMON_JSON}", check=True).stdout
    pid = host.run("systemctl show -p MainPID --value containerd", check=True).stdout
    first = converge_roles(tmp_path, lab_inventory, host, ["kata"], lab_vars(tmp_path, **extra))
    status = by_name(first)
    assert status["kata | restart containerd"] == "changed"
    assert status["kata | restart docker"] == "skipped"  # daemon.json is docker_engine's
    assert host.run(f"cat {kata_standin.DAEMON_JSON}", check=True).stdout == before
    assert host.run("systemctl show -p MainPID --value containerd").stdout != pid
    # what the docker_engine role is given as docker_engine_runtimes
    show = [{"debug": {"var": "kata_docker_runtimes"}}]
    code, results, _ = apply_roles(
        tmp_path, lab_inventory, host, ["kata"], lab_vars(tmp_path, **extra), post_tasks=show
    )
    assert code == 0
    assert results[-1].result["kata_docker_runtimes"] == {
        "kata": {"path": "/opt/kata/bin/kata-runtime"}
    }


def test_kata_role_refuses_a_host_without_kvm_by_default(tmp_path, lab_inventory, host):
    role_vars = lab_vars(tmp_path)
    del role_vars["kata_require_kvm"]
    code, results, _ = apply_roles(tmp_path, lab_inventory, host, ["kata"], role_vars)
    assert code == 2
    failed = [r for r in results if r.failed]
    assert "needs usable KVM" in failed[0].result["msg"]
    assert host.run("test -e /opt/kata").returncode == 1
