"""docker_container/_image/_network/_volume/_compose_v2 against the real dockerd of a
privileged lab host (its own network namespace: published ports and bridges live there).
Each module: check mode predicts the real run, a second run changes nothing, a changed option
recreates only what differs. No registry exists here: images come from `docker import` on
the host, archives from `docker save` there, fetched back to the controller."""

from __future__ import annotations

import pytest
from docker_lab import IMAGE, cleanup, converge, import_busybox, inspect, play, wait_healthy

from edgeauto.errors import ValidationError

pytestmark = [pytest.mark.lab, pytest.mark.privileged]


@pytest.fixture(scope="module")
def docker_host(privileged_host):
    cleanup(privileged_host)
    import_busybox(privileged_host)
    yield privileged_host
    cleanup(privileged_host)


def web(**over) -> dict:
    args = {
        "name": "eadk-test-web",
        "image": IMAGE,
        "command": ["httpd", "-f", "-p", "8080", "-h", "/www"],
        "published_ports": ["127.0.0.1:18080:8080"],
        "env": {"SITE": "north-7"},
        "labels": {"ea.role": "web"},
        "restart_policy": "on-failure",
        "restart_retries": 3,
        "cpus": 0.5,
        "memory": "64m",
        "pull": "never",
        "healthcheck": {
            "test": "wget -q -O /dev/null http://127.0.0.1:8080/",
            "interval": "1s",
            "timeout": "2s",
            "retries": 3,
        },
    }
    args.update(over)
    return {"community.docker.docker_container": args}


def test_container_starts_with_limits_restart_policy_ports_and_turns_healthy(
    tmp_path, lab_inventory, docker_host
):
    host = docker_host
    first = converge(tmp_path, lab_inventory, host, [web()], changes=[True])[0]
    assert first["container"]["Name"] == "/eadk-test-web"
    assert "state: started" in first["diff"]["after"]
    data = inspect(host, "eadk-test-web")
    assert data["HostConfig"]["NanoCpus"] == 500_000_000
    assert data["HostConfig"]["Memory"] == 64 * 1024 * 1024
    assert data["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert "SITE=north-7" in data["Config"]["Env"] and "IMAGE_ENV=1" in data["Config"]["Env"]
    assert data["Config"]["Labels"] == {"ea.role": "web", "ea.image": "busybox"}
    assert wait_healthy(host, "eadk-test-web") == "healthy"
    # the port is published on the lab host's own loopback (its netns, not the controller's)
    page = host.run("busybox wget -q -O- http://127.0.0.1:18080/", check=True).stdout
    assert page == "eadk-test\n"


def test_container_is_recreated_only_for_the_option_that_differs(
    tmp_path, lab_inventory, docker_host
):
    host = docker_host
    converge(tmp_path, lab_inventory, host, [web()])
    before = inspect(host, "eadk-test-web")["Id"]
    code, results, _ = play(tmp_path, lab_inventory, host, [web(memory="32m")], check=True)
    assert code == 0 and results[0]["changed"] and results[0]["differences"] == "memory"
    assert inspect(host, "eadk-test-web")["Id"] == before  # check mode changed nothing
    assert "67108864" in results[0]["diff"]["before"]
    assert "33554432" in results[0]["diff"]["after"]
    result = converge(tmp_path, lab_inventory, host, [web(memory="32m")], changes=[True])[0]
    assert result["differences"] == "memory"
    after = inspect(host, "eadk-test-web")
    assert after["Id"] != before and after["HostConfig"]["Memory"] == 32 * 1024 * 1024
    # an option the task does not set is not compared: dropping env changes nothing
    args = web(memory="32m")
    del args["community.docker.docker_container"]["env"]
    code, results, _ = play(tmp_path, lab_inventory, host, [args])
    assert code == 0 and results[0]["changed"] is False
    assert results[0]["container"]["Id"] == after["Id"]  # the inspect data of the first look


def test_container_stopped_then_absent(tmp_path, lab_inventory, docker_host):
    host = docker_host
    converge(tmp_path, lab_inventory, host, [web()])
    converge(tmp_path, lab_inventory, host, [web(state="stopped")], changes=[True])
    assert inspect(host, "eadk-test-web")["State"]["Running"] is False
    absent = {"docker_container": {"name": "eadk-test-web", "state": "absent"}}
    converge(tmp_path, lab_inventory, host, [absent], changes=[True])
    assert host.run("docker inspect eadk-test-web").returncode != 0


def test_network_volume_and_a_container_attached_to_both(tmp_path, lab_inventory, docker_host):
    host = docker_host
    network = {
        "community.docker.docker_network": {
            "name": "eadk-test-net",
            "ipam_config": [{"subnet": "172.30.7.0/24", "gateway": "172.30.7.1"}],
            "internal": True,
            "labels": {"site": "north-7"},
        }
    }
    volume = {"community.docker.docker_volume": {"name": "eadk-test-data", "labels": {"a": "b"}}}
    app = web(
        name="eadk-test-app",
        published_ports=None,
        healthcheck=None,
        networks=[{"name": "eadk-test-net", "ipv4_address": "172.30.7.10"}],
        mounts=[{"source": "eadk-test-data", "target": "/data", "type": "volume"}],
    )
    for key in ("published_ports", "healthcheck"):
        del app["community.docker.docker_container"][key]
    results = converge(tmp_path, lab_inventory, host, [network, volume, app], changes=[True] * 3)
    assert results[0]["network"]["IPAM"]["Config"][0]["Subnet"] == "172.30.7.0/24"
    assert results[1]["volume"]["Labels"] == {"a": "b"}
    nets = inspect(host, "eadk-test-app")["NetworkSettings"]["Networks"]
    assert list(nets) == ["eadk-test-net"] and nets["eadk-test-net"]["IPAddress"] == "172.30.7.10"
    host.run("docker exec eadk-test-app sh -c 'echo kept > /data/f'", check=True)
    # another address on the same network: reconnected in place, not recreated
    before = inspect(host, "eadk-test-app")["Id"]
    app["community.docker.docker_container"]["networks"][0]["ipv4_address"] = "172.30.7.11"
    converge(tmp_path, lab_inventory, host, [app], changes=[True])
    moved = inspect(host, "eadk-test-app")
    assert moved["Id"] == before
    assert moved["NetworkSettings"]["Networks"]["eadk-test-net"]["IPAddress"] == "172.30.7.11"
    # a changed network option recreates the network; its container comes back on it
    network["community.docker.docker_network"]["labels"] = {"site": "south-2"}
    changed = converge(tmp_path, lab_inventory, host, [network], changes=[True])[0]
    assert changed["differences"] == "labels"
    net = inspect(host, "eadk-test-net", "network")
    assert net["Labels"] == {"site": "south-2"}
    assert [c["Name"] for c in net["Containers"].values()] == ["eadk-test-app"]
    # volumes: recreate never (community's default) reports the difference and keeps data
    volume["community.docker.docker_volume"]["labels"] = {"a": "c"}
    code, results, _ = play(tmp_path, lab_inventory, host, [volume])
    assert code == 0 and results[0]["changed"] is False
    assert results[0]["differences"] == "labels"
    kept = host.run("docker exec eadk-test-app cat /data/f", check=True).stdout
    assert kept == "kept\n"
    # connected: a container listed is attached in place
    network["community.docker.docker_network"]["connected"] = ["eadk-test-app"]
    converge(tmp_path, lab_inventory, host, [network], changes=[False])
    # absent: the network goes (its container disconnected first), then the container and
    # the volume it used
    gone = [
        {"docker_network": {"name": "eadk-test-net", "state": "absent"}},
        {"docker_container": {"name": "eadk-test-app", "state": "absent"}},
        {"docker_volume": {"name": "eadk-test-data", "state": "absent"}},
    ]
    converge(tmp_path, lab_inventory, host, gone, changes=[True] * 3)
    left = host.run("docker network ls -q -f name=eadk-test; docker volume ls -q -f name=eadk-test")
    assert left.stdout == ""


def test_container_run_to_completion_with_detach_false(tmp_path, lab_inventory, docker_host):
    task = web(name="eadk-test-once", command="sh -c 'echo once; exit 0'", detach=False)
    for key in ("published_ports", "healthcheck", "restart_policy", "restart_retries"):
        del task["community.docker.docker_container"][key]
    code, results, _ = play(tmp_path, lab_inventory, docker_host, [task])
    assert code == 0 and results[0]["status"] == 0 and results[0]["output"] == "once\n"
    task["community.docker.docker_container"]["command"] = "sh -c 'echo bad; exit 3'"
    code, results, _ = play(tmp_path, lab_inventory, docker_host, [task])
    assert code == 2 and results[0]["status"] == 3
    assert "exited with status 3" in results[0]["msg"]


def test_image_loaded_from_a_controller_archive_tagged_and_removed(
    tmp_path, lab_inventory, docker_host
):
    host = docker_host
    archive = tmp_path / "saved.tar"
    save = f"docker tag {IMAGE} eadk-test/saved:2 && docker save eadk-test/saved:2"
    archive.write_bytes(host.run(save, input=b"", check=True).stdout)  # bytes in, bytes out
    host.run("docker rmi eadk-test/saved:2", check=True)
    task = {
        "community.docker.docker_image": {
            "name": "eadk-test/saved",
            "tag": "2",
            "source": "load",
            "load_src": str(archive),
            "repository": "eadk-test/saved:current",
        }
    }
    # facts=True: the facts round trip reads the target's marker
    first = converge(tmp_path, lab_inventory, host, [task], changes=[True], facts=True)[0]
    assert first["actions"] == [
        "load image eadk-test/saved:2",
        "Tagged image eadk-test/saved:2 as eadk-test/saved:current",
    ]
    ids = host.run(
        "docker image inspect --format '{{.Id}}' eadk-test/saved:2 eadk-test/saved:current",
        check=True,
    ).stdout.split()
    assert len(ids) == 2 and ids[0] == ids[1] == first["image"]["Id"]
    # removed behind edgeauto's back: the marker says "loaded", the task asks for a resend
    host.run("docker rmi eadk-test/saved:2", check=True)
    code, results, _ = play(tmp_path, lab_inventory, host, [task], facts=True)
    assert code == 0 and results[0]["changed"] is True, results
    absent = {
        "docker_image": {"name": "eadk-test/saved:current", "state": "absent", "force_absent": True}
    }
    converge(tmp_path, lab_inventory, host, [absent], changes=[True])
    assert host.run("docker image inspect eadk-test/saved:current").returncode != 0
    # load_path: an archive already on the target (community.docker's meaning)
    host.run("docker save eadk-test/saved:2 > /root/eadk-saved.tar", check=True)
    host.run("docker rmi eadk-test/saved:2", check=True)
    on_target = {
        "docker_image": {
            "name": "eadk-test/saved:2",
            "source": "load",
            "load_path": "/root/eadk-saved.tar",
        }
    }
    try:
        converge(tmp_path, lab_inventory, host, [on_target], changes=[True])
    finally:
        host.run("rm -f /root/eadk-saved.tar")


def test_image_pull_without_a_registry_fails_naming_it(tmp_path, lab_inventory, docker_host):
    task = {"docker_image": {"name": "eadk-test/nowhere", "tag": "1", "source": "pull"}}
    code, results, _ = play(tmp_path, lab_inventory, docker_host, [task])
    assert code == 2 and results[0]["failed"]
    assert "pulling image eadk-test/nowhere:1 failed" in results[0]["msg"]
    container = web(name="eadk-test-nope", image="eadk-test/nowhere:1")
    code, results, _ = play(tmp_path, lab_inventory, docker_host, [container])
    assert code == 2 and "pull is never" in results[0]["msg"]


def test_compose_v2_without_the_plugin_fails_naming_what_is_missing(
    tmp_path, lab_inventory, docker_host
):
    assert docker_host.run("docker compose version").returncode != 0  # bookworm: no plugin
    task = {"community.docker.docker_compose_v2": {"project_src": "/tmp"}}
    code, results, _ = play(tmp_path, lab_inventory, docker_host, [task])
    assert code == 2
    assert "docker compose v2 is not available" in results[0]["msg"]
    assert "docker-compose-plugin" in results[0]["msg"]


def test_docker_modules_on_a_host_without_docker_fail_naming_it(
    tmp_path, lab_inventory, busybox_host
):
    tasks = [
        web(name="eadk-test-x"),
        {"docker_network": {"name": "eadk-test-x"}},
        {"docker_image": {"name": "x", "source": "local"}},
    ]
    for task in tasks:
        code, results, _ = play(tmp_path, lab_inventory, busybox_host, [task])
        assert code == 2 and "no docker CLI on the target" in results[0]["msg"], results


def test_bad_docker_arguments_are_rejected_before_anything_runs(
    tmp_path, lab_inventory, docker_host
):
    for task, words in (
        (web(memory="lots"), "memory"),
        (web(published_ports=["8000-8010:80"]), "ranges"),
        (web(restart_policy="always"), "restart_retries needs"),
        ({"docker_image": {"name": "x", "source": "build"}}, "build"),
    ):
        with pytest.raises(ValidationError, match=words) as err:
            play(tmp_path, lab_inventory, docker_host, [task])
        assert "sys.yml:" in str(err.value)


def test_container_follows_its_image_tag_to_a_new_image(tmp_path, lab_inventory, docker_host):
    host = docker_host
    host.run(f"docker tag {IMAGE} eadk-test/app:1", check=True)
    task = web(name="eadk-test-tagged", image="eadk-test/app:1", published_ports=[])
    converge(tmp_path, lab_inventory, host, [task], changes=[True])
    # the tag now names another image (a commit with another workdir): recreated for it
    host.run(
        "docker save eadk-test/app:1 >/dev/null && docker run --name eadk-test-build"
        f" {IMAGE} true && docker commit -c 'WORKDIR /tmp' eadk-test-build eadk-test/app:1"
        " >/dev/null && docker rm eadk-test-build >/dev/null",
        check=True,
    )
    result = converge(tmp_path, lab_inventory, host, [task], changes=[True])[0]
    assert result["differences"] == "image"
    new_id = host.run("docker image inspect -f '{{.Id}}' eadk-test/app:1", check=True).stdout
    assert inspect(host, "eadk-test-tagged")["Image"] == new_id.strip()
