"""docker_* compile decisions that need no daemon: when docker_image ships the archive, how
community.docker's values (sizes, durations, ports) become docker's inspect values."""

from __future__ import annotations

import hashlib

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.base import CompileContext
from edgeauto.modules.edge._docker import duration_ns, size_bytes
from edgeauto.modules.edge.docker_container import port_binding
from edgeauto.modules.edge.docker_image import MODULE as IMAGE
from edgeauto.modules.edge.docker_image import image_ref, marker_path


def compile_image(tmp_path, checksums: dict, check: bool = False):
    archive = tmp_path / "app.tar"
    archive.write_bytes(b"not really a tar")
    args = IMAGE.validate(
        {"name": "local/app", "tag": "2", "source": "load", "load_src": str(archive)}, final=True
    )
    assert IMAGE.checksum_paths(args) == [marker_path("local/app:2")]
    return IMAGE.compile(args, CompileContext(check_mode=check, remote_checksums=checksums))


def test_image_archive_travels_only_when_the_marker_does_not_prove_it_was_loaded(tmp_path):
    marker = marker_path("local/app:2")
    mark = hashlib.sha1(b"not really a tar").hexdigest()
    loaded = hashlib.sha1(f"{mark}\n".encode()).hexdigest()
    assert compile_image(tmp_path, {marker: None}).payloads == {"archive": b"not really a tar"}
    assert compile_image(tmp_path, {marker: "0" * 40}).payloads  # another archive's mark
    assert compile_image(tmp_path, {marker: loaded}).payloads == {}
    assert compile_image(tmp_path, {marker: None}, check=True).payloads == {}  # never loads


def test_image_ref_keeps_a_tag_or_digest_given_in_the_name():
    assert image_ref("local/app", "2") == "local/app:2"
    assert image_ref("registry:5000/app", "") == "registry:5000/app:latest"
    assert image_ref("local/app:1", "2") == "local/app:1"
    assert image_ref("app@sha256:abc", "2") == "app@sha256:abc"


@pytest.mark.parametrize(
    ("text", "ns"),
    [("30s", 30 * 10**9), ("1m30s", 90 * 10**9), ("500ms", 5 * 10**8), ("2", 2 * 10**9)],
)
def test_durations_in_community_docker_format(text, ns):
    assert duration_ns("interval", text, None) == ns


def test_sizes_are_binary_units_and_garbage_is_refused():
    assert size_bytes("memory", "64m", None) == 64 << 20
    assert size_bytes("memory", "1G", None) == 1 << 30
    assert size_bytes("memory", "512", None) == 512
    with pytest.raises(ModuleArgumentError, match="512m or 1g"):
        size_bytes("memory", "lots", None)


def test_published_ports_become_docker_port_bindings():
    assert port_binding("127.0.0.1:8080:80", None) == ("80/tcp 127.0.0.1 8080", "127.0.0.1:8080:80")
    assert port_binding("8080:80/udp", None)[0] == "80/udp  8080"
    assert port_binding("80", None)[0] == "80/tcp  "
    assert port_binding("[::1]:8080:80", None)[0] == "80/tcp ::1 8080"
