"""The lab's image archives load into a real docker daemon (a private dockerd, see
tests/integration/dockerd.py) with the id the builder predicted, and the demo web service
answers its health page — the broken version does not."""

from __future__ import annotations

import pytest

from edgeauto.lab.images import build_archive, web_app
from tests.integration.dockerd import require_dockerd


@pytest.fixture(scope="module")
def dockerd():
    daemon = require_dockerd()
    yield daemon
    daemon.stop()
    assert daemon.leftovers() == []


def serve(dockerd, name: str, tag: str) -> None:
    dockerd.docker(
        "run", "-d", "--pull", "never", "--network", "none", "--name", name, tag
    )  # fmt: skip


def fetch(dockerd, name: str, path: str):
    return dockerd.docker(
        "exec", name, "wget", "-q", "-O", "-", f"http://127.0.0.1:8080/{path}",
        check=False,
    )  # fmt: skip


def wait_serving(dockerd, name: str) -> None:
    for _ in range(50):
        if fetch(dockerd, name, "version").returncode == 0:
            return
        dockerd.docker("exec", name, "sleep", "0.1", check=False)
    raise AssertionError(dockerd.docker("logs", name, check=False).stderr)


def test_a_built_archive_loads_with_the_predicted_id_and_serves_its_version(dockerd, tmp_path):
    archive = tmp_path / "web-1.tar.gz"
    image_id = build_archive(web_app("demo/web:1", "v1"), archive)
    loaded = dockerd.docker("load", "-i", str(archive))
    assert b"demo/web:1" in loaded.stdout
    inspected = dockerd.docker("image", "inspect", "-f", "{{.Id}}", "demo/web:1")
    assert inspected.stdout.decode().strip() == image_id
    serve(dockerd, "web1", "demo/web:1")
    wait_serving(dockerd, "web1")
    assert fetch(dockerd, "web1", "version").stdout == b"v1\n"
    assert fetch(dockerd, "web1", "health").stdout == b"ok\n"


def test_the_broken_version_serves_no_health_page(dockerd, tmp_path):
    archive = tmp_path / "web-3.tar.gz"
    build_archive(web_app("demo/web:3", "v3", healthy=False), archive)
    dockerd.docker("load", "-i", str(archive))
    serve(dockerd, "web3", "demo/web:3")
    wait_serving(dockerd, "web3")
    assert fetch(dockerd, "web3", "health").returncode != 0
