"""Bring one requirement's content into a private staging directory and say what it is:
its name, version and a digest that pins it (sha256 of a tarball, the commit of a git
checkout, a sha256 over a directory's files). Nothing here touches the install paths.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from edgeauto.galaxy import GalaxyError
from edgeauto.galaxy.requirements import Requirement, role_name_from_src
from edgeauto.galaxy.versions import satisfies


@dataclass
class Staged:
    root: Path  # the role / collection content, ready to be renamed into place
    name: str  # role name or namespace.name
    version: str  # "" when the source has none (a role tarball without version:)
    digest: str  # "sha256:<hex>" or "git:<commit>"


def stage(req: Requirement, workdir: Path, commit: str | None = None) -> Staged:
    """``commit`` (from the lock file) checks out exactly that commit of a git source."""
    if req.type == "git":
        root, digest = _git(req, workdir / "git", commit)
    elif req.type == "file":
        root, digest = _tarball(req, workdir / "x")
    else:
        root, digest = _directory(req)
    if req.kind == "collection":
        name, version = _collection_identity(root, req)
        if req.version and not satisfies(version, req.version):
            raise GalaxyError(f"{req.describe()}: {req.src} is version {version}, "
                              f"requirement asks for {req.version}", req.pos)  # fmt: skip
        if req.type == "file":
            _verify_files_json(root, req)
    else:
        name = req.name or (root.name if req.type == "file" else role_name_from_src(req.src))
        version = req.version or ""
        if not ((root / "tasks").is_dir() or (root / "meta").is_dir()):
            raise GalaxyError(f"{req.describe()}: {req.src} holds no role (no tasks/ or meta/)",
                              req.pos)  # fmt: skip
    return Staged(root, name, version, digest)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _safe_extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Extract with no absolute paths, no ``..``, no links out, no devices: Python's "data"
    filter where it exists (3.11.4+); Debian 12's 3.11.2 lacks it, so check members here."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    root = dest.resolve()
    for member in tar.getmembers():
        target = (dest / member.name).resolve()
        if not (target == root or root in target.parents):
            raise tarfile.TarError(f"member {member.name!r} would land outside {dest}")
        if member.isdev():
            raise tarfile.TarError(f"member {member.name!r} is a device")
        if member.issym() or member.islnk():
            link = (target.parent / member.linkname).resolve()
            if not (link == root or root in link.parents) or Path(member.linkname).is_absolute():
                raise tarfile.TarError(f"link {member.name!r} points outside {dest}")
        member.mode &= 0o777  # no setuid/setgid/sticky, as the data filter does
    tar.extractall(dest)


def _tarball(req: Requirement, dest: Path) -> tuple[Path, str]:
    path = Path(req.src)
    if not path.is_file():
        raise GalaxyError(f"{req.describe()}: tarball {path} not found", req.pos)
    digest = "sha256:" + sha256_file(path)
    try:
        with tarfile.open(path) as tar:
            _safe_extract(tar, dest)
    except (tarfile.TarError, OSError) as exc:
        raise GalaxyError(f"{req.describe()}: cannot extract {path}: {exc}", req.pos) from None
    top = [p for p in dest.iterdir()]
    if req.kind == "role" and len(top) == 1 and top[0].is_dir():
        return top[0], digest  # a role tarball holds one top directory
    return dest, digest


def _directory(req: Requirement) -> tuple[Path, str]:
    path = Path(req.src)
    if not path.is_dir():
        raise GalaxyError(f"{req.describe()}: directory {path} not found", req.pos)
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and ".git" not in p.parts):
        h.update(str(file.relative_to(path)).encode() + b"\0" + sha256_file(file).encode())
    return path, "sha256:" + h.hexdigest()


def _git(req: Requirement, dest: Path, commit: str | None) -> tuple[Path, str]:
    _run_git(req, "clone", "--quiet", "--no-hardlinks", "--", req.src, str(dest))
    ref = req.version or "HEAD"
    wanted = _run_git(req, "-C", str(dest), "rev-parse", "--verify", "--quiet",
                      f"{ref}^{{commit}}", check_what=f"version {ref!r}")  # fmt: skip
    if commit and wanted != commit:
        raise GalaxyError(f"{req.describe()}: {ref!r} in {req.src} is now commit {wanted[:12]}, "
                          f"the lock file pins {commit[:12]} (source changed; re-lock without "
                          "--locked if that is intended)", req.pos)  # fmt: skip
    _run_git(req, "-C", str(dest), "-c", "advice.detachedHead=false", "checkout", "--quiet", wanted)
    # the installed copy is a plain tree, like ansible-galaxy's git archive
    subprocess.run(["rm", "-rf", "--", str(dest / ".git")], check=True)
    return dest, "git:" + wanted


def _run_git(req: Requirement, *argv: str, check_what: str = "") -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    proc = subprocess.run(["git", *argv], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL)  # fmt: skip
    if proc.returncode != 0:
        what = check_what or " ".join(argv[:1])
        detail = proc.stderr.strip().splitlines()[-1:] or ["no such ref"]
        raise GalaxyError(f"{req.describe()}: git {what} failed for {req.src}: {detail[0]}",
                          req.pos)  # fmt: skip
    return proc.stdout.strip()


def _collection_identity(root: Path, req: Requirement) -> tuple[str, str]:
    manifest, galaxy = root / "MANIFEST.json", root / "galaxy.yml"
    try:
        if manifest.is_file():
            info = json.loads(manifest.read_text())["collection_info"]
        elif galaxy.is_file():
            info = yaml.safe_load(galaxy.read_text())
        else:
            raise GalaxyError(f"{req.describe()}: {req.src} has no MANIFEST.json or galaxy.yml "
                              "at its root (not a collection)", req.pos)  # fmt: skip
        name, version = f"{info['namespace']}.{info['name']}", str(info["version"])
    except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise GalaxyError(f"{req.describe()}: bad collection metadata in {req.src}: {exc}",
                          req.pos) from None  # fmt: skip
    if req.name and not _is_path(req.name) and req.name != name:
        raise GalaxyError(f"collection {req.name}: {req.src} holds {name}", req.pos)
    return name, version


def _is_path(value: str) -> bool:
    return "/" in value or value.endswith((".tar.gz", ".tgz"))


def _verify_files_json(root: Path, req: Requirement) -> None:
    """A built collection lists every file's sha256 in FILES.json: check them, so a tarball
    edited after `ansible-galaxy collection build` is refused."""
    listing = root / "FILES.json"
    if not listing.is_file():
        return
    for entry in json.loads(listing.read_text()).get("files", []):
        if entry.get("ftype") != "file" or not entry.get("chksum_sha256"):
            continue
        path = root / entry["name"]
        if not path.is_file() or sha256_file(path) != entry["chksum_sha256"]:
            raise GalaxyError(f"{req.describe()}: {entry['name']} in {req.src} does not match "
                              "its FILES.json checksum (tampered or corrupt)", req.pos)  # fmt: skip
