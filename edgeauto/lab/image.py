"""Build base root filesystems once, cache them as compressed archives, unpack on demand.

Layout of the cache directory::

    <cache>/<recipe.name>.tar.zst   the archive (CI can cache this file between runs)
    <cache>/roots/<recipe.name>/    the unpacked tree every host overlays (read-only lower)
    <cache>/<recipe.name>.lock      flock taken while building/unpacking

A cold start runs mmdebstrap (~25 s, more for foreign architectures), a warm start with only
the archive unpacks it (~5 s), a hot start finds the tree and costs nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from edgeauto.lab.binfmt import ensure_binfmt
from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import atomic_write, safe_rmtree
from edgeauto.lab.recipe import Recipe, arch_info, busybox_recipe, is_foreign, security_mirror

Log = Callable[[str], None]

SLIM_DPKG = (
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/doc/*",
    "--dpkgopt=path-include=/usr/share/doc/*/copyright",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
    "--dpkgopt=path-exclude=/usr/share/info/*",
)

# Timers and gettys that only cost CPU/memory in a test host.
MASKED_UNITS = (
    "console-getty.service",
    "getty@.service",
    "apt-daily.service",
    "apt-daily.timer",
    "apt-daily-upgrade.service",
    "apt-daily-upgrade.timer",
    "e2scrub_all.timer",
    "dpkg-db-backup.timer",
    "fstrim.timer",
    "systemd-timesyncd.service",
)

TESTER_UID = 1000

SSHD_LAB_CONF = """\
# edgeauto lab: key logins only, one ed25519 host key written per host, fast logins.
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
HostKey /etc/ssh/ssh_host_ed25519_key
MaxStartups 100:30:200
MaxSessions 50
"""

APT_LAB_CONF = """\
APT::Install-Recommends "false";
Acquire::Languages "none";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
"""


@contextmanager
def _flock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run(cmd: list[str] | str, what: str, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        cmd, capture_output=True, text=True, shell=isinstance(cmd, str), check=False, **kw
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise LabError(f"{what} failed (exit {proc.returncode}):\n  " + "\n  ".join(tail))
    return proc


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


BUSYBOX_BIN = "/usr/bin/busybox"
DROPBEAR_BIN = "/usr/sbin/dropbear"


def busybox_inputs() -> tuple[tuple[str, str], ...]:
    """Hashes of the controller binaries a busybox image is assembled from (part of its key)."""
    for path, pkg in ((BUSYBOX_BIN, "busybox-static"), (DROPBEAR_BIN, "dropbear-bin")):
        if not os.path.exists(path):
            raise LabError(f"busybox lab hosts need {path}: install the Debian package {pkg}")
    return (("busybox", sha256_file(BUSYBOX_BIN)), ("dropbear", sha256_file(DROPBEAR_BIN)))


def default_busybox_recipe() -> Recipe:
    return busybox_recipe(inputs=busybox_inputs())


class ImageCache:
    """Builds, archives and unpacks base images keyed by recipe."""

    def __init__(self, cache_dir: Path, log: Log = print):
        self.cache_dir = Path(cache_dir)
        self.log = log

    def archive_path(self, recipe: Recipe) -> Path:
        return self.cache_dir / f"{recipe.name}.tar.zst"

    def root_path(self, recipe: Recipe) -> Path:
        return self.cache_dir / "roots" / recipe.name

    def is_ready(self, recipe: Recipe) -> bool:
        return (self.cache_dir / "roots" / f"{recipe.name}.ready").exists()

    def ensure(self, recipe: Recipe) -> Path:
        """Return the unpacked base tree for ``recipe``, building or unpacking it if needed."""
        root = self.root_path(recipe)
        ready = self.cache_dir / "roots" / f"{recipe.name}.ready"
        if ready.exists() and root.is_dir():
            return root
        with _flock(self.cache_dir / f"{recipe.name}.lock"):
            if ready.exists() and root.is_dir():
                return root
            roots = root.parent
            roots.mkdir(parents=True, exist_ok=True)
            for stale in roots.glob(f".{recipe.name}.tmp-*"):
                safe_rmtree(stale)
            if root.exists():
                shutil.rmtree(root)
            tmp = roots / f".{recipe.name}.tmp-{os.getpid()}"
            tmp.mkdir()
            try:
                archive = self.archive_path(recipe)
                started = time.monotonic()
                if archive.exists():
                    self.log(f"lab: unpacking cached base {archive.name}")
                    _run(
                        f"zstd -dcq '{archive}' | tar --numeric-owner --xattrs --xattrs-include='*' "
                        f"-C '{tmp}' -xpf -",
                        f"unpacking {archive}",
                    )
                else:
                    self.log(f"lab: building base {recipe.name} (first time only)")
                    if recipe.flavor == "debian":
                        build_debian(recipe, tmp, self.log)
                    else:
                        build_busybox(recipe, tmp)
                    self._archive(tmp, archive)
            except BaseException:
                safe_rmtree(tmp)  # a failed build leaves nothing
                raise
            os.rename(tmp, root)
            ready.touch()
            self.log(f"lab: base {recipe.name} ready in {time.monotonic() - started:.1f}s")
            return root

    def _archive(self, tree: Path, archive: Path) -> None:
        tmp = archive.with_name(f".{archive.name}.tmp-{os.getpid()}")
        _run(
            f"tar --numeric-owner --xattrs --xattrs-include='*' -C '{tree}' -cf - . "
            f"| zstd -q -T0 -3 -o '{tmp}'",
            f"archiving {tree}",
        )
        os.replace(tmp, archive)


def _sources_deb822(mirror: str, suite: str) -> str:
    keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
    return (
        f"Types: deb\nURIs: {mirror}\nSuites: {suite} {suite}-updates\nComponents: main\n"
        f"Signed-By: {keyring}\n\n"
        f"Types: deb\nURIs: {security_mirror(mirror)}\nSuites: {suite}-security\n"
        f"Components: main\nSigned-By: {keyring}\n"
    )


def _mmdebstrap_cmd(recipe: Recipe, dest: Path, suites: list[str]) -> list[str]:
    return [
        "mmdebstrap",
        "--quiet",
        "--variant=minbase",
        f"--arch={recipe.arch}",
        *SLIM_DPKG,
        f"--include={','.join(recipe.packages)}",
        recipe.suite,
        str(dest),
        *suites,
    ]


def build_debian(recipe: Recipe, dest: Path, log: Log = print) -> None:
    """Build the base with mmdebstrap from main + updates + security.

    If the mirror's ``-updates``/``-security`` indexes for this architecture cannot be fetched
    (seen here for armhf: a security index caught in mid-sync), build once more from the
    release suite alone, with a warning: the host then has the point-release packages, which
    is fine for a test host, and apt inside it still lists all three suites.
    """
    if not shutil.which("mmdebstrap"):
        raise LabError("building debian lab hosts needs mmdebstrap (apt-get install mmdebstrap)")
    if is_foreign(recipe.arch):
        ensure_binfmt(arch_info(recipe.arch))
    mirror = recipe.mirror
    release = f"deb {mirror} {recipe.suite} main"
    full = [
        release,
        f"deb {mirror} {recipe.suite}-updates main",
        f"deb {security_mirror(mirror)} {recipe.suite}-security main",
    ]
    try:
        _run(_mmdebstrap_cmd(recipe, dest, full), f"mmdebstrap for {recipe.name}")
    except LabError as exc:
        if "apt-get update" not in exc.message:
            raise
        log(
            f"lab: the -updates/-security indexes of {mirror} for {recipe.arch} could not be "
            f"fetched; building {recipe.name} from '{recipe.suite} main' alone"
        )
        safe_rmtree(dest)
        dest.mkdir(parents=True)
        try:
            _run(_mmdebstrap_cmd(recipe, dest, [release]), f"mmdebstrap for {recipe.name}")
        except LabError as again:
            if "apt-get update" in again.message:
                again.hint = (
                    f"the package indexes of {mirror} for {recipe.arch} could not be fetched "
                    "(offline, or a mirror in mid-sync: retry later or set EDGEAUTO_LAB_MIRROR)"
                )
            raise
    prepare_debian(dest, recipe)


def prepare_debian(root: Path, recipe: Recipe) -> None:
    """Turn a fresh mmdebstrap tree into a lab base (users, sshd, apt, systemd settings)."""
    etc = root / "etc"
    for old in (etc / "apt" / "sources.list",):
        if old.exists():
            old.unlink()
    atomic_write(
        etc / "apt/sources.list.d/debian.sources", _sources_deb822(recipe.mirror, recipe.suite)
    )
    atomic_write(etc / "apt/apt.conf.d/90lab", APT_LAB_CONF)
    for key in (etc / "ssh").glob("ssh_host_*"):
        key.unlink()
    atomic_write(etc / "ssh/sshd_config.d/lab.conf", SSHD_LAB_CONF)
    _run(
        [
            "useradd",
            "--root",
            str(root),
            "-m",
            "-s",
            "/bin/bash",
            "-U",
            "-G",
            "sudo",
            "-u",
            str(TESTER_UID),
            "tester",
        ],
        "creating user tester",
    )
    _run(["usermod", "--root", str(root), "-p", "*", "tester"], "unlocking user tester")
    atomic_write(etc / "sudoers.d/tester", "tester ALL=(ALL) NOPASSWD:ALL\n", mode=0o440)
    for home, uid in ((root / "root", 0), (root / "home/tester", TESTER_UID)):
        ssh_dir = home / ".ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        os.chown(ssh_dir, uid, uid)
        os.chmod(ssh_dir, 0o700)
    units = etc / "systemd/system"
    units.mkdir(parents=True, exist_ok=True)
    for unit in MASKED_UNITS:
        link = units / unit
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to("/dev/null")
    atomic_write(etc / "systemd/journald.conf.d/lab.conf", "[Journal]\nStorage=volatile\n")
    for per_host in (etc / "hostname",):
        if per_host.exists():
            per_host.unlink()


def _copy_with_libs(binary: str, root: Path) -> None:
    """Copy a dynamically linked controller binary and the libraries ldd lists for it."""
    dest = root / binary.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(os.path.realpath(binary), dest)
    out = _run(["ldd", binary], f"ldd {binary}").stdout
    for line in out.splitlines():
        parts = line.split()
        lib = None
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            lib = parts[2]
        elif parts and parts[0].startswith("/"):
            lib = parts[0]
        if lib:
            target = root / lib.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(os.path.realpath(lib), target)


def build_busybox(recipe: Recipe, root: Path) -> None:
    """An OpenWrt-like device: busybox applets, dropbear, /bin/sh only (no bash, no python)."""
    for d in (
        "bin",
        "sbin",
        "usr/bin",
        "usr/sbin",
        "etc/dropbear",
        "root/.ssh",
        "home/tester/.ssh",
        "tmp",
        "proc",
        "sys",
        "dev",
        "run",
        "var/log",
        "var/run",
        "var/lib",
        "mnt",
    ):
        (root / d).mkdir(parents=True, exist_ok=True)
    os.chmod(root / "tmp", 0o1777)
    for d in ("root", "root/.ssh"):
        os.chmod(root / d, 0o700)
    os.chmod(root / "home/tester/.ssh", 0o700)
    for d in ("home/tester", "home/tester/.ssh"):
        os.chown(root / d, TESTER_UID, TESTER_UID)
    shutil.copy2(BUSYBOX_BIN, root / "bin/busybox")
    _run(["chroot", str(root), "/bin/busybox", "--install", "-s"], "installing busybox applets")
    _copy_with_libs(DROPBEAR_BIN, root)
    files = {
        "etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"
        f"tester:x:{TESTER_UID}:{TESTER_UID}:tester:/home/tester:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        "etc/group": f"root:x:0:\ntester:x:{TESTER_UID}:\nnogroup:x:65534:\n",
        "etc/shells": "/bin/sh\n/bin/ash\n",
        "etc/os-release": 'NAME="edgeauto lab busybox"\nID=busybox\nPRETTY_NAME="BusyBox edge device (edgeauto lab)"\n',
        "etc/profile": "export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n",
        "etc/nsswitch.conf": "passwd: files\ngroup: files\nshadow: files\nhosts: files\n",
    }
    for rel, text in files.items():
        atomic_write(root / rel, text)
    atomic_write(
        root / "etc/shadow", "root:*:19000:0:99999:7:::\ntester:*:19000:0:99999:7:::\n", 0o600
    )
