"""The lab's image archives: deterministic bytes (so a second deploy converges) and the
``docker load`` layout. Loading into a real dockerd is tested in
tests/integration/test_lab_images.py."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tarfile

import pytest

from edgeauto.lab.images import build_archive, static_busybox, web_app

pytestmark = pytest.mark.skipif(not shutil.which("busybox"), reason="needs busybox-static")


def members(path) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(path.read_bytes()))) as tar:
        return {m.name: (tar.extractfile(m).read() if m.isfile() else b"") for m in tar}


def test_the_same_recipe_gives_the_same_bytes_and_image_id(tmp_path):
    first = build_archive(web_app("demo/web:1", "v1"), tmp_path / "a.tar.gz")
    again = build_archive(web_app("demo/web:1", "v1"), tmp_path / "b.tar.gz")
    assert first == again
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()


def test_another_version_is_another_image(tmp_path):
    one = build_archive(web_app("demo/web:1", "v1"), tmp_path / "1.tar.gz")
    two = build_archive(web_app("demo/web:2", "v2"), tmp_path / "2.tar.gz")
    assert one != two


def test_the_archive_is_in_docker_load_layout(tmp_path):
    image_id = build_archive(web_app("demo/web:1", "v1"), tmp_path / "w.tar.gz")
    files = members(tmp_path / "w.tar.gz")
    manifest = json.loads(files["manifest.json"])
    assert manifest[0]["RepoTags"] == ["demo/web:1"]
    config_name = manifest[0]["Config"]
    assert "sha256:" + hashlib.sha256(files[config_name]).hexdigest() == image_id
    config = json.loads(files[config_name])
    layer = files[manifest[0]["Layers"][0]]
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(layer).hexdigest()]
    assert config["config"]["Cmd"][0] == "httpd"
    with tarfile.open(fileobj=io.BytesIO(layer)) as tar:
        names = set(tar.getnames())
        assert {"bin/busybox", "bin/httpd", "www/health", "www/version"} <= names
        assert tar.getmember("tmp").mode == 0o1777


def test_a_broken_version_has_no_health_page(tmp_path):
    build_archive(web_app("demo/web:3", "v3", healthy=False), tmp_path / "b.tar.gz")
    files = members(tmp_path / "b.tar.gz")
    layer_name = json.loads(files["manifest.json"])[0]["Layers"][0]
    with tarfile.open(fileobj=io.BytesIO(files[layer_name])) as tar:
        assert "www/health" not in tar.getnames()
        assert "www/version" in tar.getnames()


def test_the_busybox_found_is_static():
    assert b"ld-linux" not in static_busybox().read_bytes()[:8192]
