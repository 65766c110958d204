"""Workload rollouts against the real dockerd of two privileged lab hosts (each in its own
network namespace, so the same published port on both is fine and is checked from inside).

No registry exists here: each version is a ``docker import`` of the host's busybox-static
with its own page and command, ``docker save``d to an archive on the controller and removed
from the hosts, so every first deploy ships the archive. Version 3 listens on the wrong port:
its tcp health check fails and the canary is put back to version 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docker_lab import converge, play
from sys_play import Recorder

from edgeauto.fleet.rollout import Rollout, RolloutOptions
from edgeauto.fleet.spec import load_workloads
from edgeauto.inventory import load_inventory

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

PORT = 18090
NAME = "eadk-test-web"

BUILD = r"""set -eu
d=$(mktemp -d)
mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/www"
cp /bin/busybox "$d/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$d/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d/etc/passwd"
printf 'web v{v}\n' >"$d/www/index.html"
chmod 1777 "$d/tmp"
tar -C "$d" -cf - . | docker import -c 'CMD ["httpd", "-f", "-p", "{port}", "-h", "/www"]' - eadk-test/web:{v} >/dev/null
rm -rf "$d"
docker save eadk-test/web:{v}
"""

CLEANUP = """docker rm -f -v eadk-test-web eadk-test-kata eadk-test-blocker >/dev/null 2>&1
docker images --format '{{.Repository}}:{{.Tag}}' | grep '^eadk-test/web:' | xargs -r docker rmi -f >/dev/null 2>&1
rm -rf /var/lib/edgeauto/workloads /etc/edgeauto
true
"""


def spec_text(version: int, **update) -> str:
    policy = {"canary": 1, "max_parallel": 1, "min_healthy_time": "2s", "healthy_deadline": "120s"}
    policy.update(update)
    return textwrap.dedent(
        f"""\
        name: {NAME}
        image: eadk-test/web:{version}
        archive: web-{version}.tar
        resources: {{cpus: 0.5, memory: 64Mi}}
        ports: [{{host: {PORT}, container: 8080}}]
        env: {{SITE: lab}}
        restart: on-failure
        health: {{tcp: 8080, interval: 2s, timeout: 10s, retries: 3}}
        update: {json.dumps(policy)}
        """
    )


@pytest.fixture(scope="module")
def fleet(lab, privileged_host):
    second = lab.add_host(flavor="debian", capabilities=("docker",))
    hosts = [privileged_host, second]
    for host in hosts:
        host.run(CLEANUP, timeout=120)
    yield hosts
    for host in hosts:
        if any(h.name == host.name for h in lab.hosts):
            host.run(CLEANUP, timeout=120)
    if any(h.name == second.name for h in lab.hosts):
        lab.remove_host(second.name)


@pytest.fixture(scope="module")
def specs(fleet, tmp_path_factory) -> Path:
    """web-1/2/3.tar on the controller (removed from the hosts) and spec files v1..v3."""
    where = tmp_path_factory.mktemp("workloads")
    builder = fleet[0]
    for version, port in ((1, 8080), (2, 8080), (3, 8099)):
        script = BUILD.replace("{v}", str(version)).replace("{port}", str(port))
        saved = builder.run(script, input=b"", check=True, timeout=180).stdout
        (where / f"web-{version}.tar").write_bytes(saved)
        (where / f"web-{version}.yml").write_text(spec_text(version))
    builder.run(CLEANUP, timeout=120)
    return where


def rollout(lab, fleet, spec: Path, events=None, check=False, **options) -> tuple:
    inventory = load_inventory([str(lab.inventory)])
    opts = RolloutOptions(
        check=check,
        limit=[h.name for h in fleet],
        record_history=False,
        engine={"forks": 4},
        **options,
    )
    runner = Rollout(load_workloads([spec]), inventory, opts, on_event=events)
    return runner.run(), runner


def page(host) -> str:
    return host.run(f"busybox wget -q -O- http://127.0.0.1:{PORT}/", timeout=30).stdout


def statuses(result) -> dict[str, str]:
    return {h: o.status for h, o in result.workloads[0].outcomes.items()}


def test_deploy_update_canary_revert_rollback_and_status(lab, fleet, specs, tmp_path):
    a, b = sorted(fleet, key=lambda h: h.name)
    # check mode first: predicts a deploy everywhere, touches nothing
    preview, _ = rollout(lab, fleet, specs / "web-1.yml", check=True)
    assert statuses(preview) == {a.name: "would_update", b.name: "would_update"}
    assert a.run(f"docker inspect {NAME}").returncode != 0
    assert a.run("test -e /var/lib/edgeauto/workloads").returncode != 0

    # version 1 from the archive: both hosts serve it, records and catalog are written
    first, runner = rollout(lab, fleet, specs / "web-1.yml")
    assert first.exit_code == 0, first.to_json()
    assert statuses(first) == {a.name: "updated", b.name: "updated"}
    assert page(a) == page(b) == "web v1\n"
    record = json.loads(a.run(f"cat /var/lib/edgeauto/workloads/{NAME}/current.json").stdout)
    assert record["image"] == "eadk-test/web:1" and record["image_id"].startswith("sha256:")
    data = json.loads(a.run(f"docker inspect {NAME}", check=True).stdout)[0]
    assert data["HostConfig"]["NanoCpus"] == 500_000_000
    assert data["HostConfig"]["Memory"] == 64 * 1024 * 1024
    assert data["HostConfig"]["RestartPolicy"]["Name"] == "on-failure"
    assert data["HostConfig"]["Runtime"] == "runc"
    assert "SITE=lab" in data["Config"]["Env"]
    catalog = json.loads(b.run("cat /etc/edgeauto/services.json", check=True).stdout)
    endpoints = catalog["services"][NAME]
    assert [(e["host"], e["port"], e["health"]) for e in endpoints] == [
        (a.name, PORT, "healthy"),
        (b.name, PORT, "healthy"),
    ]
    hosts_file = a.run("cat /etc/edgeauto/services.hosts", check=True).stdout
    assert f"{NAME}.svc.edgeauto" in hosts_file and hosts_file.count("\n") == 3

    # the same apply again: converged, one round trip per host (the probe), nothing else
    scripts = Recorder()
    again, runner = rollout(lab, fleet, specs / "web-1.yml", reporter=scripts)
    assert again.exit_code == 0
    assert statuses(again) == {a.name: "converged", b.name: "converged"}
    assert again.events == []
    assert len(scripts.script_sizes) == 2, scripts.script_sizes

    # version 2 with a canary: the canary is updated and promoted before the other host
    events: list[dict] = []
    second, _ = rollout(lab, fleet, specs / "web-2.yml", events=events.append)
    assert second.exit_code == 0, second.to_json()
    order = [(e["host"], e["event"]) for e in events]
    assert order == [
        (a.name, "updating"),
        (a.name, "updated"),
        (a.name, "healthy"),
        (a.name, "promoted"),
        (b.name, "updating"),
        (b.name, "updated"),
        (b.name, "healthy"),
    ]
    assert [e["batch"] for e in events if e["event"] == "updating"] == [1, 2]
    assert page(a) == page(b) == "web v2\n"
    prev = json.loads(a.run(f"cat /var/lib/edgeauto/workloads/{NAME}/previous.json").stdout)
    assert prev["image"] == "eadk-test/web:1"

    # version 3 fails its health check on the canary: put back to v2, the rest skipped
    events.clear()
    third, _ = rollout(lab, fleet, specs / "web-3.yml", events=events.append)
    assert third.exit_code == 2
    assert statuses(third) == {a.name: "rolled_back", b.name: "skipped"}
    assert "canary failed" in third.workloads[0].stopped
    kinds = [e["event"] for e in events]
    assert kinds == ["updating", "unhealthy", "rolled_back", "skipped"], events
    assert "health check failing" in events[1]["detail"]
    assert page(a) == page(b) == "web v2\n"  # v2 serving again on the canary
    record = json.loads(a.run(f"cat /var/lib/edgeauto/workloads/{NAME}/current.json").stdout)
    assert record["image"] == "eadk-test/web:2"

    # status: one round trip per host; v2 everywhere, drift from the v3 spec reported
    status = cli(
        tmp_path,
        "workload",
        "status",
        "-i",
        str(lab.inventory),
        "-l",
        f"{a.name},{b.name}",
        "--spec",
        str(specs / "web-3.yml"),
        "--json",
    )
    assert status.returncode == 2, status.stderr
    report = json.loads(status.stdout)
    for host in (a.name, b.name):
        (row,) = report["hosts"][host]
        assert row["version"] == "eadk-test/web:2" and row["health"] == "healthy"
        assert row["previous"] == "eadk-test/web:1"
        assert row["drift"] == ["spec wants eadk-test/web:3"]

    # rollback from what the hosts kept: v1 again everywhere, then rollback undoes it
    back = cli(
        tmp_path,
        "workload",
        "rollback",
        "-i",
        str(lab.inventory),
        "-l",
        f"{a.name},{b.name}",
        NAME,
        "--min-healthy-time",
        "1",
        "--no-history",
        "--json",
    )
    assert back.returncode == 0, back.stdout + back.stderr
    assert page(a) == page(b) == "web v1\n"
    catalog = json.loads(a.run("cat /etc/edgeauto/services.json", check=True).stdout)
    assert {e["version"] for e in catalog["services"][NAME]} == {"eadk-test/web:1"}


def cli(state: Path, *argv: str) -> subprocess.CompletedProcess:
    """The real command line; its history and timelines go under ``state``."""
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *argv],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def test_module_check_mode_predicts_the_run_and_a_second_run_changes_nothing(
    lab, fleet, specs, tmp_path
):
    host = sorted(fleet, key=lambda h: h.name)[0]
    gone = {"edge_workload": {"name": NAME, "state": "absent"}}
    code, results, _ = play(tmp_path, lab.inventory, host, [gone])
    assert code == 0 and host.run(f"docker inspect {NAME}").returncode != 0
    task = {"edge_workload": {"name": NAME, "spec": str(specs / "web-2.yml")}}
    # check → real → real → check, the facts round trip reading the image marker
    first = converge(tmp_path, lab.inventory, host, [task], changes=[True], facts=True)[0]
    assert first["action"] == "deploy" and first["version"] == "eadk-test/web:2"
    assert first["container_state"]["health"] == "healthy"
    assert page(host) == "web v2\n"
    # the image is there: a redeploy after removing the container sends no archive
    play(tmp_path, lab.inventory, host, [gone])
    code, results, rec = play(tmp_path, lab.inventory, host, [task], facts=True)
    assert code == 0 and results[0]["changed"] and not results[0]["loaded"]
    assert max(rec.script_sizes) < 64 * 1024  # the archive (~1 MB) did not travel
    # a rollback with nothing recorded before it fails naming why
    code, results, _ = play(
        tmp_path, lab.inventory, host, [{"edge_workload": {"name": NAME, "state": "rollback"}}]
    )
    assert code == 2 and "no previous version recorded" in results[0]["msg"]


def test_playbooks_deploy_update_and_rollback(lab, fleet, specs, tmp_path):
    a, b = sorted(fleet, key=lambda h: h.name)
    books = Path(__file__).resolve().parents[3] / "playbooks"
    common = ["-i", str(lab.inventory), "-l", f"{a.name},{b.name}", "-e", f"workload={NAME}"]
    for book, version in (("deploy.yml", 1), ("update.yml", 2)):
        spec = f"spec={specs / f'web-{version}.yml'}"
        done = cli(tmp_path, "run", str(books / book), *common, "-e", spec)
        assert done.returncode == 0, done.stdout + done.stderr
        assert page(a) == page(b) == f"web v{version}\n"
        again = cli(tmp_path, "run", str(books / book), *common, "-e", spec)
        assert again.returncode == 0 and again.stdout.count("changed=0") == 2, again.stdout
    catalog = json.loads(b.run("cat /etc/edgeauto/services.json", check=True).stdout)
    assert {(e["host"], e["version"], e["health"]) for e in catalog["services"][NAME]} == {
        (a.name, "eadk-test/web:2", "healthy"),
        (b.name, "eadk-test/web:2", "healthy"),
    }
    back = cli(
        tmp_path,
        "run",
        str(books / "rollback.yml"),
        *common,
        "-e",
        "min_healthy_time=1",
    )
    assert back.returncode == 0, back.stdout + back.stderr
    assert page(a) == page(b) == "web v1\n"


def test_a_kata_workload_goes_only_to_kvm_capable_hosts(lab, fleet, specs, tmp_path):
    spec = specs / "kata.yml"
    spec.write_text(spec_text(1).replace(NAME, "eadk-test-kata") + "runtime: kata\n")
    result, _ = rollout(lab, fleet, spec)
    (w,) = result.workloads
    assert w.outcomes == {} and w.stopped.startswith("placed on no host")
    assert result.exit_code == 2
    for host in fleet:  # no KVM on this machine: every host refused, saying why
        assert w.excluded[host.name].startswith("kvm: no usable KVM for a kata workload")
    # the module refuses it too, on the host, before touching anything
    task = {"edge_workload": {"name": "eadk-test-kata", "spec": str(spec)}}
    code, results, _ = play(tmp_path, lab.inventory, fleet[0], [task])
    assert code == 2 and "runtime kata needs a usable /dev/kvm" in results[0]["msg"]
    assert fleet[0].run("docker inspect eadk-test-kata").returncode != 0


def test_policy_rollback_puts_every_updated_host_back_when_one_fails(lab, fleet, specs):
    a, b = sorted(fleet, key=lambda h: h.name)
    assert rollout(lab, fleet, specs / "web-1.yml")[0].exit_code == 0
    # the second host's port is taken by another container: neither v2 nor v1 can start there
    b.run(
        f"docker stop {NAME} && docker run -d --name eadk-test-blocker -p {PORT}:8080 "
        "eadk-test/web:1",
        check=True,
    )
    try:
        spec = specs / "web-2-budget.yml"
        spec.write_text(spec_text(2, failure_budget=1))
        result, _ = rollout(lab, fleet, spec, on_failure="rollback")
    finally:
        b.run("docker rm -f eadk-test-blocker")
    assert result.exit_code == 2
    assert "failure budget spent" in result.workloads[0].stopped
    assert statuses(result) == {a.name: "rolled_back", b.name: "failed"}, result.to_json()
    assert page(a) == "web v1\n"  # the canary, healthy on v2, was put back by the policy
    (why,) = [e["detail"] for e in result.events if e["event"] == "failed"]
    assert "did not start" in why and "putting the previous version back failed too" in why
    events = [(e["host"], e["event"]) for e in result.events]
    assert (a.name, "promoted") in events and events[-1] == (a.name, "rolled_back")


def test_a_host_taken_down_mid_rollout_is_skipped_and_reported(lab, fleet, specs, tmp_path):
    third = lab.add_host(flavor="debian", capabilities=("docker",))
    hosts = sorted([*fleet, third], key=lambda h: h.name)
    assert hosts[1].name == third.name  # canary, then the host that goes down, then the last
    taken: list[str] = []

    def take_down(event: dict) -> None:
        if event["event"] == "promoted" and not taken:
            taken.append(third.name)
            lab.remove_host(third.name)

    spec = specs / "web-2-site.yml"
    spec.write_text(spec_text(2).replace("SITE: lab", "SITE: lab-2"))
    try:
        result, _ = rollout(lab, hosts, spec, events=take_down, timeline_dir=tmp_path)
    finally:
        if not taken:
            lab.remove_host(third.name)
    assert taken == [third.name]
    outcome = statuses(result)
    assert outcome == {
        hosts[0].name: "updated",
        third.name: "unreachable",
        hosts[2].name: "updated",
    }
    assert third.name in result.unreachable and result.exit_code == 4
    assert any(e["event"] == "unreachable" and e["host"] == third.name for e in result.events)
    assert page(hosts[0]) == page(hosts[2]) == "web v2\n"
    html = result.timeline[0].read_text()  # the timeline, written after the apply
    assert third.name in html and "unreachable" in html
