"""Our own tiny role and collection, built in tmp the way ``ansible-galaxy`` packs them (a
role tarball with one top directory; a collection tarball with MANIFEST.json/FILES.json at
its root), and a git repository made with ``git init`` — no network, nothing fetched."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROLE_TASKS = "- name: say hello\n  debug:\n    msg: hello from {msg}\n"


def make_role(parent: Path, name: str, msg: str = "role") -> Path:
    role = parent / name
    (role / "tasks").mkdir(parents=True)
    (role / "meta").mkdir()
    (role / "tasks" / "main.yml").write_text(ROLE_TASKS.format(msg=msg))
    (role / "meta" / "main.yml").write_text("galaxy_info:\n  author: test\ndependencies: []\n")
    return role


def role_tarball(tmp: Path, name: str, msg: str = "tarball") -> Path:
    src = make_role(tmp / f"build-{name}-{msg}", name, msg)
    out = tmp / f"{name}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(src, arcname=name)
    return out


def collection_tarball(tmp: Path, ns: str, name: str, version: str) -> Path:
    files = {"roles/greet/tasks/main.yml": ROLE_TASKS.format(msg=f"{ns}.{name} {version}"),
             "README.md": f"# {ns}.{name}\n"}  # fmt: skip
    listing = [{"name": ".", "ftype": "dir", "chksum_type": None, "chksum_sha256": None}]
    listing += [{"name": n, "ftype": "file", "chksum_type": "sha256",
                 "chksum_sha256": hashlib.sha256(t.encode()).hexdigest()} for n, t in files.items()]  # fmt: skip
    manifest = {"collection_info": {"namespace": ns, "name": name, "version": version},
                "file_manifest_file": {"name": "FILES.json", "ftype": "file"}}  # fmt: skip
    members = {"MANIFEST.json": json.dumps(manifest), "FILES.json": json.dumps({"files": listing})}
    out = tmp / f"{ns}-{name}-{version}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        for member, text in {**members, **files}.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def git(repo: Path, *argv: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip
    return subprocess.run(["git", "-C", str(repo), *argv], check=True, capture_output=True,
                          text=True, env=env).stdout.strip()  # fmt: skip


def git_role_repo(tmp: Path, name: str) -> Path:
    repo = make_role(tmp / "repos", name, "git v1.0")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v1.0")
    git(repo, "tag", "v1.0")
    return repo


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path


def edgeauto(project: Path, *argv: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "EDGEAUTO_"))}
    env["HOME"] = str(project / "home")
    return subprocess.run([sys.executable, "-m", "edgeauto", *argv], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, cwd=project,
                          env=env)  # fmt: skip
