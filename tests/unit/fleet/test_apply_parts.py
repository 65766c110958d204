"""The pure parts of apply/rollout: image archives read on the controller, the docker
arguments and host record of a workload, the catalog files, convergence and drift."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import textwrap

import pytest

from edgeauto.errors import ModuleArgumentError, ParseError
from edgeauto.fleet.catalog import Endpoint, build_catalog, render_hosts, render_json
from edgeauto.fleet.images import inspect_archive
from edgeauto.fleet.outcome import is_converged
from edgeauto.fleet.spec import load_workloads
from edgeauto.fleet.status import drift
from edgeauto.modules.base import CompileContext
from edgeauto.modules.edge.edge_workload import create_args, image_marker
from edgeauto.modules.registry import get_module

CONFIG = b'{"architecture":"amd64","config":{"Cmd":["httpd"]}}'
IMAGE_ID = "sha256:" + hashlib.sha256(CONFIG).hexdigest()


def saved(tags=("local/web:2",)) -> bytes:
    """A minimal `docker save` archive (legacy layout: <id>.json + manifest.json)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (
            (f"{IMAGE_ID[7:]}.json", CONFIG),
            (
                "manifest.json",
                json.dumps(
                    [{"Config": f"{IMAGE_ID[7:]}.json", "RepoTags": list(tags), "Layers": []}]
                ).encode(),
            ),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def spec(tmp_path):
    (tmp_path / "web-2.tar").write_bytes(saved())
    path = tmp_path / "web.yml"
    path.write_text(
        textwrap.dedent(
            """\
            name: web
            image: local/web:2
            archive: web-2.tar
            resources: {cpus: 0.5, memory: 64Mi}
            ports: [{host: 8080, container: 80}]
            env: {B: "2", A: "1"}
            health: {http: "http://127.0.0.1/", interval: 2s, timeout: 500ms}
            """
        )
    )
    return path


def test_the_archive_gives_the_image_id_and_travels_gzip_and_base64(spec, tmp_path):
    archive = inspect_archive(tmp_path / "web-2.tar")
    assert archive.image_id("local/web:2") == IMAGE_ID
    gz = __import__("base64").b64decode(archive.payload())
    assert gz[:2] == b"\x1f\x8b" and hashlib.sha256(gz).hexdigest() == archive.gz_sha256
    assert gzip.decompress(gz) == saved()
    with pytest.raises(ParseError, match="does not hold image local/web:3 .it holds: local/web:2"):
        archive.image_id("local/web:3")
    (tmp_path / "junk.tar").write_bytes(b"not a tar")
    with pytest.raises(ParseError, match="not a docker save archive"):
        inspect_archive(tmp_path / "junk.tar")


def test_docker_arguments_carry_limits_health_and_the_config_digest(spec):
    (w,) = load_workloads([spec])
    args = create_args(w)
    assert args[-1] == "local/web:2"
    assert f"--label=edgeauto.config={w.config_digest()}" in args
    for wanted in (
        "--cpus=0.5",
        f"--memory={64 << 20}",
        "--publish=8080:80/tcp",
        "--restart=unless-stopped",
        "--runtime=runc",
        "--health-interval=2s",
        "--health-timeout=500ms",
        "--health-cmd=wget -q -O /dev/null http://127.0.0.1/",
    ):
        assert wanted in args
    assert [a for a in args if a.startswith("--env")] == ["--env=A=1", "--env=B=2"]


def test_the_archive_is_sent_only_where_the_marker_says_the_image_is_missing(spec):
    module = get_module("edge_workload")
    args = module.validate({"name": "web", "spec": str(spec)}, final=True)
    marker = image_marker(IMAGE_ID)
    assert module.checksum_paths(args) == [marker]
    loaded = hashlib.sha1(f"{IMAGE_ID}\n".encode()).hexdigest()
    have = module.compile(dict(args), CompileContext(remote_checksums={marker: loaded}))
    assert "archive" not in have.payloads
    lack = module.compile(dict(args), CompileContext(remote_checksums={marker: None}))
    assert "archive" in lack.payloads
    unknown = module.compile(dict(args), CompileContext())  # no facts: the host asks if needed
    assert "archive" not in unknown.payloads
    told = module.compile({**args, "image_present": False}, CompileContext(check_mode=True))
    assert "archive" not in told.payloads  # check mode never loads
    with pytest.raises(ModuleArgumentError, match="has no workload 'api'"):
        module.compile({**args, "name": "api"}, CompileContext())


def test_a_resend_makes_the_next_compile_carry_the_archive(spec):
    module = get_module("edge_workload")
    args = module.validate({"name": "web", "spec": str(spec)}, final=True)
    record = {"status": "failed", "fields": {"resend": "1", "msg": "removed since"}}
    assert module.finish(record, args, CompileContext())["resend"] is True
    assert "archive" in module.compile(args, CompileContext()).payloads


def test_convergence_is_config_digest_and_image_id(spec):
    (w,) = load_workloads([spec])
    state = {"status": "running", "config": w.config_digest(), "image_id": IMAGE_ID}
    assert is_converged(w, {"state": state}, IMAGE_ID)
    assert not is_converged(w, {"state": {**state, "image_id": "sha256:other"}}, IMAGE_ID)
    assert not is_converged(w, {"state": {**state, "status": "exited"}}, IMAGE_ID)
    assert not is_converged(w, {"state": {**state, "config": "old"}}, IMAGE_ID)


def test_drift_from_the_record_and_from_the_spec(spec):
    (w,) = load_workloads([spec])
    current = {"image": "local/web:1", "config_digest": "c1", "image_id": "sha256:one"}
    ok = {
        "state": {"status": "running", "config": "c1", "image_id": "sha256:one"},
        "current": current,
    }
    assert drift(ok) == []
    assert drift(ok, w) == ["spec wants local/web:2"]
    assert drift({"current": current}) == ["container missing"]
    moved = {**ok, "state": {**ok["state"], "image_id": "sha256:two", "status": "exited"}}
    assert drift(moved) == ["container exited", "container runs another image than recorded"]
    assert drift({}, w) == ["not deployed (spec wants local/web:2)"]


def test_catalog_files_are_sorted_and_name_only_serving_endpoints():
    eps = [
        Endpoint("web", "edge2", "10.0.0.2", 8080, health="unhealthy", version="web:2"),
        Endpoint("web", "edge1", "10.0.0.1", 8080, health="healthy", version="web:2"),
        Endpoint("web", "edge1", "10.0.0.1", 8443, health="healthy", version="web:2"),
        Endpoint("db", "edge1", "10.0.0.1", 5432, health="none"),
    ]
    catalog = build_catalog(eps)
    assert list(catalog["services"]) == ["db", "web"]
    assert [(e["host"], e["port"]) for e in catalog["services"]["web"]] == [
        ("edge1", 8080),
        ("edge1", 8443),
        ("edge2", 8080),
    ]
    assert render_json(catalog) == render_json(build_catalog(reversed(eps)))
    hosts = render_hosts(catalog).decode().splitlines()
    assert hosts[1:] == [
        "10.0.0.1\tdb.svc.edgeauto edge1.db.svc.edgeauto",
        "10.0.0.1\tweb.svc.edgeauto edge1.web.svc.edgeauto",
    ]
