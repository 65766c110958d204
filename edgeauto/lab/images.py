"""Container image archives built without a registry or a docker daemon on the controller.

WHY: edge sites are often air-gapped and this machine reaches no registry, yet workloads must
be deployed and updated from image archives (`docker load` format). Building the archive
directly — one deterministic layer tar, its config and a manifest — needs only Python and a
statically linked busybox, so the demo and the tests get versioned images (v1, v2, a broken
v3) whose ids are stable run after run: the same inputs give the same bytes, hence the same
image id, hence a converged second deploy.

The archive is the "docker save" layout that ``docker load`` reads (manifest.json, the config
``<id>.json`` whose ``rootfs.diff_ids`` name the layer by the sha256 of its uncompressed tar,
``<layer>/layer.tar``), gzip-compressed with a zero mtime.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.fsutil import atomic_write
from edgeauto.lab.errors import LabError

PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n"
GROUP = "root:x:0:\nnogroup:x:65534:\n"


@dataclass
class ImageRecipe:
    """What goes into the image: a busybox userland plus ``files`` (path → text or bytes)."""

    tag: str
    cmd: Sequence[str]
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    exposed_ports: Sequence[str] = ()  # "8080/tcp"
    labels: Mapping[str, str] = field(default_factory=dict)
    workdir: str = "/"


def static_busybox() -> Path:
    """The controller's statically linked busybox (Debian package busybox-static): a dynamic
    one would not run in an image without a libc."""
    for candidate in (shutil.which("busybox"), "/bin/busybox", "/usr/bin/busybox"):
        if not candidate or not Path(candidate).is_file():
            continue
        with open(candidate, "rb") as handle:
            if b"ld-linux" not in handle.read(8192):
                return Path(candidate)
    raise LabError(
        "no statically linked busybox on this machine: install Debian's busybox-static "
        "(scripts/setup.sh does)"
    )


def _applets(busybox: Path) -> list[str]:
    out = subprocess.run([str(busybox), "--list"], capture_output=True, text=True, check=True)
    return sorted(name for name in out.stdout.split() if name and name != "busybox")


def _add(tar: tarfile.TarFile, name: str, data: bytes | None = None, **kind) -> None:
    """One entry with fixed owner and time, so the layer's bytes depend on content only."""
    info = tarfile.TarInfo(name)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    if "link" in kind:
        info.type = tarfile.SYMTYPE
        info.linkname = kind["link"]
        info.mode = 0o777
        tar.addfile(info)
    elif data is None:
        info.type = tarfile.DIRTYPE
        info.mode = kind.get("mode", 0o755)
        tar.addfile(info)
    else:
        info.size = len(data)
        info.mode = kind.get("mode", 0o644)
        tar.addfile(info, io.BytesIO(data))


def layer_tar(recipe: ImageRecipe, busybox: Path | None = None) -> bytes:
    """The image's single layer: /bin with busybox and its applets, /etc, /tmp, the files."""
    busybox = busybox or static_busybox()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        dirs = {"bin", "etc", "root", "tmp"}
        for path in recipe.files:
            parts = path.strip("/").split("/")[:-1]
            dirs.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        for directory in sorted(dirs):
            _add(tar, directory, mode=0o1777 if directory == "tmp" else 0o755)
        _add(tar, "bin/busybox", busybox.read_bytes(), mode=0o755)
        for applet in _applets(busybox):
            _add(tar, f"bin/{applet}", link="busybox")
        base = {"etc/passwd": PASSWD, "etc/group": GROUP}
        base.update({path.strip("/"): content for path, content in recipe.files.items()})
        for path in sorted(base):
            content = base[path]
            data = content.encode() if isinstance(content, str) else content
            executable = data.startswith(b"#!")
            _add(tar, path, data, mode=0o755 if executable else 0o644)
    return buf.getvalue()


def image_config(recipe: ImageRecipe, diff_id: str) -> bytes:
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {
            "Cmd": list(recipe.cmd),
            "Env": [f"{k}={v}" for k, v in sorted(recipe.env.items())] or ["PATH=/bin"],
            "ExposedPorts": {port: {} for port in recipe.exposed_ports} or None,
            "Labels": dict(recipe.labels) or None,
            "WorkingDir": recipe.workdir,
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "edgeauto lab image"}],
    }
    return json.dumps(config, sort_keys=True, separators=(",", ":")).encode()


def build_archive(recipe: ImageRecipe, out: Path, busybox: Path | None = None) -> str:
    """Write the gzip'd ``docker load`` archive to ``out`` (atomically); return the image id
    (``sha256:`` + the config's digest — what ``docker inspect`` reports as ``.Id``)."""
    layer = layer_tar(recipe, busybox)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = image_config(recipe, diff_id)
    image_id = hashlib.sha256(config).hexdigest()
    layer_dir = diff_id.split(":", 1)[1]
    manifest = [
        {
            "Config": f"{image_id}.json",
            "RepoTags": [recipe.tag],
            "Layers": [f"{layer_dir}/layer.tar"],
        }
    ]
    outer = io.BytesIO()
    with tarfile.open(fileobj=outer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        _add(tar, layer_dir)
        _add(tar, f"{layer_dir}/layer.tar", layer)
        _add(tar, f"{image_id}.json", config)
        _add(tar, "manifest.json", json.dumps(manifest, separators=(",", ":")).encode())
        repositories = {recipe.tag.rsplit(":", 1)[0]: {recipe.tag.rsplit(":", 1)[-1]: layer_dir}}
        _add(tar, "repositories", json.dumps(repositories).encode())
    atomic_write(out, gzip.compress(outer.getvalue(), mtime=0))
    return f"sha256:{image_id}"


def web_app(tag: str, version: str, port: int = 8080, healthy: bool = True) -> ImageRecipe:
    """The demo's versioned web service: busybox httpd serving ``/www/index.html`` (the version)
    and ``/www/health``. A broken version (``healthy=False``) starts but serves no health page,
    so its HTTP health check fails and a rollout must roll it back."""
    files = {"www/index.html": f"edgeauto demo {version}\n", "www/version": f"{version}\n"}
    if healthy:
        files["www/health"] = "ok\n"
    return ImageRecipe(
        tag=tag,
        cmd=["httpd", "-f", "-p", str(port), "-h", "/www"],
        files=files,
        exposed_ports=[f"{port}/tcp"],
        labels={"org.edgeauto.version": version},
    )
