"""A signed local apt repository with what the Vagrant lab's guests need and their box lacks.

Why: the guests' network namespace has no route out (no traffic may leave this machine), yet
``playbooks/site.yml`` installs Debian packages (docker.io, openvswitch-switch, libvirt and
QEMU). An air-gapped site solves that with a mirror of its own; the lab does the same, and the
guests are pointed at it by the inventory (``edge_common_apt_repositories``, fleet.yml ``vars``):

1. **Resolve** — ``apt-get install --simulate --no-install-recommends`` of fleet.yml's
   ``mirror.packages`` against the lab base root's dpkg status (what the box starts from), with
   this controller's apt lists (same Debian release and mirror as the base). Recommends are
   not followed: the guests' apt skips a recommended package that no source has, so the
   repository decides (list a recommend in ``mirror.packages`` to have it).
2. **Download** — ``apt-get download NAME=VERSION`` (through this machine's apt, the one way
   packages reach it) into a cache directory named by the hash of the resolution, so an
   unchanged set is never fetched again.
3. **Index and sign** — ``dpkg-scanpackages`` (flat repository: ``Suites: ./``), a Release
   with SHA256 sums, ``InRelease`` clear-signed with a lab key of its own (ed25519, GnuPG home
   in the cache, made once). The guests verify it: the public key travels inline in their
   deb822 ``Signed-By``; no ``trusted=yes``.

Serving it inside the namespace is :mod:`edgeauto.vagrantlab.mirror_server`.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from edgeauto.errors import describe
from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import atomic_write, safe_rmtree
from edgeauto.lab.image import ImageCache, Log, _flock, _run, sha256_file
from edgeauto.lab.paths import default_cache_dir
from edgeauto.lab.recipe import debian_recipe

KEY_UID = "edgeauto vagrant lab mirror"
_INST = re.compile(r"^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) ")


@dataclass(frozen=True)
class MirrorConfig:
    """fleet.yml's ``mirror:`` section."""

    packages: tuple[str, ...]
    port: int
    key: Path  # where the public key is written for the inventory (fleet.yml's vars read it)


def load_mirror_config(fleet_file: Path) -> MirrorConfig | None:
    """The ``mirror:`` section of fleet.yml (None when absent), checked with file:line."""
    from edgeauto.yamlsrc import load_yaml

    data = load_yaml(fleet_file)
    section = data.get("mirror") if isinstance(data, dict) else None
    if section is None:
        return None
    where = str(data.pos_of("mirror") or fleet_file)
    expected = {"packages", "port", "key"}
    if not isinstance(section, dict) or set(section) != expected:
        found = sorted(section) if isinstance(section, dict) else describe(section)
        raise LabError(
            f"{where}: fleet 'mirror' must be a mapping with exactly {sorted(expected)}, "
            f"found {found}"
        )
    packages = section["packages"]
    if (
        not isinstance(packages, list)
        or not packages
        or not all(
            isinstance(p, str) and re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", p) for p in packages
        )
    ):
        raise LabError(
            f"{where}: mirror.packages must be a non-empty list of Debian package names, "
            f"found {packages!r}"
        )
    port = section["port"]
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise LabError(f"{where}: mirror.port must be a TCP port number, found {port!r}")
    return MirrorConfig(tuple(packages), port, (fleet_file.parent / str(section["key"])).resolve())


def parse_simulation(output: str) -> list[tuple[str, str]]:
    """(package, version) of every ``Inst`` line of ``apt-get --simulate install``."""
    return sorted({m.groups() for line in output.splitlines() if (m := _INST.match(line))})


def resolve(packages: tuple[str, ...], dpkg_status: Path) -> list[tuple[str, str]]:
    """What apt would install on a system whose dpkg status is ``dpkg_status``."""
    proc = _run(
        [
            "apt-get", "install", "--simulate", "--no-install-recommends", "-qq",
            f"-o=Dir::State::status={dpkg_status}", "-o=Debug::NoLocking=1", *packages,
        ],
        f"resolving {' '.join(packages)} against the box's packages",
    )  # fmt: skip
    found = parse_simulation(proc.stdout)
    if not found:
        raise LabError("apt resolved nothing to install: the box already has every package?")
    return found


class Mirror:
    """The repository directory for one resolution, in ``cache/mirror/``."""

    def __init__(self, config: MirrorConfig, cache: Path, log: Log = print):
        self.config = config
        self.cache = Path(cache) / "mirror"
        self.gnupg = self.cache / "gnupg"
        self.log = log

    def ensure(self) -> Path:
        """Build (or find) the signed repository for today's resolution; return its directory."""
        base_root = ImageCache(default_cache_dir(), self.log).ensure(debian_recipe())
        wanted = resolve(self.config.packages, base_root / "var/lib/dpkg/status")
        key = hashlib.sha256(json.dumps(wanted).encode()).hexdigest()[:12]
        repo = self.cache / f"repo-{key}"
        if (repo / "InRelease").exists():
            return repo
        with _flock(self.cache / "build.lock"):
            if (repo / "InRelease").exists():
                return repo
            tmp = self.cache / f".repo-{key}.tmp-{os.getpid()}"
            if tmp.exists():
                safe_rmtree(tmp)
            tmp.mkdir(parents=True)
            try:
                self.log(f"vagrant: mirror: downloading {len(wanted)} packages (first time only)")
                _run(
                    ["apt-get", "download", "-qq", *(f"{n}={v}" for n, v in wanted)],
                    "apt-get download of the guests' packages",
                    cwd=tmp,
                )
                self.index_and_sign(tmp)
                os.rename(tmp, repo)
            finally:
                if tmp.exists():
                    safe_rmtree(tmp)
        self.log(f"vagrant: mirror: {repo.name} ready ({len(wanted)} packages)")
        return repo

    def public_key(self) -> str:
        return self._gpg("--armor", "--export", KEY_UID).stdout

    def index_and_sign(self, repo: Path) -> None:
        """Packages(.gz), Release and InRelease for the .debs in ``repo`` (a flat repository)."""
        packages = _run(["dpkg-scanpackages", "--multiversion", "."], "dpkg-scanpackages", cwd=repo)
        atomic_write(repo / "Packages", packages.stdout)
        with open(repo / "Packages.gz", "wb") as fh:
            fh.write(gzip.compress(packages.stdout.encode(), mtime=0))
        sums = "".join(
            f" {sha256_file(repo / n)} {(repo / n).stat().st_size} {n}\n"
            for n in ("Packages", "Packages.gz")
        )
        atomic_write(
            repo / "Release",
            "Origin: edgeauto\nLabel: edgeauto vagrant lab mirror\n"
            f"Date: {email.utils.formatdate(usegmt=True)}\n"
            f"Architectures: amd64 all\nSHA256:\n{sums}",
        )
        self._ensure_key()
        self._gpg("--local-user", KEY_UID, "--clearsign", "-o", str(repo / "InRelease"),
                  str(repo / "Release"))  # fmt: skip
        for path in repo.iterdir():
            os.chmod(path, 0o644)
        os.chmod(repo, 0o755)

    def _ensure_key(self) -> None:
        if self._gpg("--list-secret-keys", KEY_UID, check=False).returncode == 0:
            return
        self.log("vagrant: mirror: making the lab's signing key (first time only)")
        self._gpg("--passphrase", "", "--quick-generate-key", KEY_UID, "ed25519", "sign", "never")

    def _gpg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """gpg with the mirror's own home; its agent is stopped again (it is ours alone)."""
        self.gnupg.mkdir(parents=True, exist_ok=True)
        os.chmod(self.gnupg, 0o700)
        # the agent's socket lives in GNUPGHOME when /run/user/UID is absent (CI): a deep
        # home would pass the 108-byte unix socket limit, so gpg sees it via a short symlink
        short = Path(tempfile.mkdtemp(prefix="eagpg", dir="/tmp")) / "h"
        short.symlink_to(self.gnupg)
        env = dict(os.environ, GNUPGHOME=str(short))
        try:
            cmd = ["gpg", "--batch", "--yes", "--pinentry-mode", "loopback", *args]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        finally:
            subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True)
            shutil.rmtree(short.parent, ignore_errors=True)
        if check and proc.returncode != 0:
            raise LabError(f"gpg {args[0]} failed: {proc.stderr.strip()[-1500:]}")
        return proc
