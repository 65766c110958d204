"""A private, throwaway docker daemon for tests of the docker transport.

WHY its own daemon: the brief wants real parts, and the machine has dockerd/containerd/runc
(Debian ``docker.io``) but no daemon running — and a shared one would mix our containers with
other sessions'. So each test module starts exactly one:

* its **own containerd** (own root/state/grpc socket under the state dir, CRI plugin off) passed
  to dockerd with ``--containerd``: without that flag dockerd 20.10 would attach to a *system*
  containerd at /run/containerd/containerd.sock whenever one exists (another session's);
* dockerd in a network namespace of its own (``unshare --net``) and with ``--bridge=none
  --iptables=false --ip-forward=false --ip-masq=false``: it creates no bridge, no iptables rule
  and no sysctl change, and cannot touch the root namespace's links (with ``--bridge=none`` it
  deletes any ``docker0`` it sees — another daemon's); containers run with ``--network none``;
* its own ``--config-file`` (so /etc/docker/daemon.json is not read), key file
  (``deprecated-key-path``, else /etc/docker/key.json is written), ``--cgroup-parent`` and
  containerd namespaces with a unique name;
* an image made by ``docker import`` of a tarball of the busybox-static binary plus applet
  symlinks — there is no registry, and ``--pull never`` makes sure none is asked.

``stop()`` removes the containers, stops dockerd then containerd by PID (then any shim of ours
still alive, found by our unique containerd socket path on its command line), unmounts what is
left under the state dir, removes our cgroup directories and the state dir, and the /run and
/opt directories the daemons create only if they did not exist before and are empty.
``leftovers()`` lists what would still be on the machine; the fixture fails if it is not empty.

A run that was killed (SIGKILL, crash) cannot clean up, so each daemon holds an flock on
``<state dir>/lock`` while it lives; ``clean_stale()`` (called before every start) takes the
lock of every other ``edgeauto-dockerd-*`` state dir it can and removes what that dead run
left: its processes (daemons, shims, container processes in its cgroups), mounts, cgroups, dir.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

IMAGE = "edgeauto-test/busybox:static"
PREFIX = "edgeauto-dockerd-"
# directories dockerd/containerd create at fixed places whatever their flags say
FIXED_DIRS = ("/run/containerd/s", "/run/containerd", "/run/docker/plugins", "/run/docker")
SOCKET_LIMIT = 107  # sun_path is 108 bytes on Linux, NUL included


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def find_busybox() -> str | None:
    """The busybox-static binary (a dynamic busybox would not run in an empty image)."""
    path = shutil.which("busybox")
    if not path:
        return None
    with open(path, "rb") as handle:
        head = handle.read(8192)
    return None if b"ld-linux" in head else path


def problem() -> str | None:
    """Why a private dockerd cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (dockerd, mounts, cgroups)"
    for tool, package in (
        ("dockerd", "docker.io"),
        ("containerd", "containerd"),
        ("runc", "runc"),
        ("docker", "docker.io"),
        ("unshare", "util-linux"),
    ):
        if not shutil.which(tool):
            return f"{tool} not installed (Debian package {package}; scripts/setup.sh installs it)"
    if not find_busybox():
        return "no statically linked busybox (Debian package busybox-static)"
    return None


def link_names() -> set[str]:
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if ":" in line}


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Dockerd:
    """One private dockerd + containerd pair. ``host`` is the value for ``docker -H``."""

    def __init__(self) -> None:
        clean_stale()
        self.tag = f"edgeauto-{uuid.uuid4().hex[:8]}"
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.lock = open(self.root / "lock", "w")  # noqa: SIM115 - held while the daemon lives
        fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        (self.root / "tag").write_text(self.tag)
        self.socket = self.root / "d.sock"
        self.ctd_socket = self.root / "ctd.sock"
        if len(str(self.ctd_socket) + ".ttrpc") > SOCKET_LIMIT:
            shutil.rmtree(self.root)
            raise RuntimeError(
                f"state dir {self.root} is too long for unix sockets "
                f"(limit {SOCKET_LIMIT} bytes): set TMPDIR to a shorter directory"
            )
        self.host = f"unix://{self.socket}"
        self.cgroup_parent = self.tag
        self.links_before = link_names()
        (self.root / "before.json").write_text(json.dumps(_fixed_state()))
        self.opt_dir = self.root / "ctd" / "opt"
        self.containerd: subprocess.Popen | None = None
        self.dockerd: subprocess.Popen | None = None
        self.logs: list = []

    # -- start -----------------------------------------------------------------------------
    def start(self, timeout: float = 30) -> None:
        ctd = self.root / "ctd"
        ctd.mkdir()
        (ctd / "config.toml").write_text(
            "version = 2\n"
            f'root = "{ctd}/root"\nstate = "{ctd}/state"\n'
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            f'[grpc]\n  address = "{self.ctd_socket}"\n'
            f'[ttrpc]\n  address = "{self.ctd_socket}.ttrpc"\n'
            f'[plugins."io.containerd.internal.v1.opt"]\n  path = "{self.opt_dir}"\n'
        )
        (self.root / "daemon.json").write_text(
            json.dumps({"deprecated-key-path": str(self.root / "key.json")})
        )
        self.containerd = subprocess.Popen(
            ["containerd", "--config", str(ctd / "config.toml")],
            stdout=self._log("containerd"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait(lambda: self.ctd_socket.exists(), timeout, "containerd socket")
        options = {
            "--config-file": self.root / "daemon.json",
            "--data-root": self.root / "data",
            "--exec-root": self.root / "exec",
            "--pidfile": self.root / "docker.pid",
            "-H": self.host,
            "--containerd": self.ctd_socket,
            "--containerd-namespace": self.tag,
            "--containerd-plugins-namespace": f"{self.tag}-plugins",
            "--cgroup-parent": self.cgroup_parent,
        }
        no_network = ["--bridge=none", "--iptables=false", "--ip6tables=false"]
        no_network += ["--ip-forward=false", "--ip-masq=false"]
        # own network namespace: with --bridge=none dockerd deletes any "docker0" in its
        # namespace (removeDefaultBridgeInterface) — another daemon's, in the root one. Here it
        # sees only its own lo; the unix socket works across namespaces.
        self.dockerd = subprocess.Popen(
            ["unshare", "--net", "--", "dockerd"]
            + [str(part) for pair in options.items() for part in pair]
            + no_network,
            stdout=self._log("dockerd"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait(
            lambda: (
                self.docker("info", "--format", "{{.ServerVersion}}", check=False).returncode == 0
            ),
            timeout,
            "dockerd (docker info)",
        )

    def _log(self, name: str):
        handle = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.logs.append(handle)
        return handle

    def _wait(self, ready, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc, name in ((self.containerd, "containerd"), (self.dockerd, "dockerd")):
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"{name} exited ({proc.returncode}): {self.log_tail(name)}")
            if ready():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{what} not ready within {timeout:g}s: {self.log_tail('dockerd')}")

    def log_tail(self, name: str, lines: int = 5) -> str:
        path = self.root / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return " | ".join(text.strip().splitlines()[-lines:])

    # -- use -------------------------------------------------------------------------------
    def docker(self, *args: str, input: bytes | None = None, check: bool = True, timeout=60):
        return subprocess.run(
            ["docker", "-H", self.host, *args],
            input=input,
            capture_output=True,
            timeout=timeout,
            check=check,
        )

    def import_busybox(self, tag: str = IMAGE) -> str:
        """``docker import`` a rootfs of busybox-static + applet links, /etc/passwd, /tmp."""
        rootfs = self.root / "rootfs"
        for sub in ("bin", "etc", "root", "tmp"):
            (rootfs / sub).mkdir(parents=True, exist_ok=True)
        busybox = find_busybox()
        shutil.copy2(busybox, rootfs / "bin" / "busybox")
        applets = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout
        for applet in applets.split():
            if applet != "busybox":
                (rootfs / "bin" / applet).symlink_to("busybox")
        (rootfs / "etc" / "passwd").write_text(
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n"
        )
        (rootfs / "etc" / "group").write_text("root:x:0:\nnogroup:x:65534:\n")
        (rootfs / "tmp").chmod(0o1777)
        tarball = self.root / "busybox.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
        self.docker("import", str(tarball), tag)
        return tag

    def run_container(self, name: str, image: str = IMAGE) -> str:
        self.docker(
            "run", "-d", "--pull", "never", "--network", "none", "--name", name,
            "--hostname", name, image, "sleep", "3600",
        )  # fmt: skip
        return name

    # -- stop ------------------------------------------------------------------------------
    def stop(self) -> None:
        if self.dockerd is not None and self.dockerd.poll() is None:
            ids = self.docker("ps", "-aq", check=False).stdout.split()
            if ids:
                self.docker("rm", "-f", *[i.decode() for i in ids], check=False, timeout=120)
        for proc in (self.dockerd, self.containerd):
            if proc is not None:
                self._stop_process(proc)
        for handle in self.logs:
            handle.close()
        for pid in self._our_pids():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        for mount in sorted(self._our_mounts(), key=len, reverse=True):
            subprocess.run(["umount", "-l", mount], capture_output=True)
        _remove_cgroups(self._our_cgroups())
        _remove_fixed(self.root)
        shutil.rmtree(self.root, ignore_errors=True)
        self.lock.close()

    @staticmethod
    def _stop_process(proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def _our_pids(self) -> list[str]:
        return _pids_naming(self.root)

    def _our_mounts(self) -> list[str]:
        return _mounts_under(self.root)

    def _our_cgroups(self) -> list[str]:
        return _cgroups_named(self.cgroup_parent)

    def leftovers(self) -> list[str]:
        left = [f"process {pid}: {_cmdline(pid)[:120]}" for pid in self._our_pids()]
        left += [f"mount {m}" for m in self._our_mounts()]
        left += [f"cgroup {c}" for c in self._our_cgroups()]
        left += [f"network interface {n}" for n in sorted(link_names() - self.links_before)]
        if self.root.exists():
            left.append(f"state dir {self.root}")
        return left


SHIM_SOCKETS = "/run/containerd/s"


def _fixed_state() -> dict:
    """Which fixed-place dirs and shim sockets exist before our daemons start."""
    shims = os.listdir(SHIM_SOCKETS) if os.path.isdir(SHIM_SOCKETS) else []
    return {"dirs": [d for d in FIXED_DIRS if os.path.exists(d)], "shim_sockets": shims}


def _bound_unix_sockets() -> set[str]:
    with open("/proc/net/unix") as handle:
        return {line.split()[-1] for line in handle if line.count(" ") >= 7}


def _remove_fixed(root: Path) -> None:
    """Shim sockets our (dead) shims left and the fixed dirs our daemons created: only what
    was not there before, only unbound sockets, only empty dirs, and only while no other
    dockerd/containerd runs (an empty /run/docker/plugins may be another daemon's)."""
    try:
        before = json.loads((root / "before.json").read_text())
    except (OSError, ValueError):
        return
    if os.path.isdir(SHIM_SOCKETS):
        bound = _bound_unix_sockets()
        for name in set(os.listdir(SHIM_SOCKETS)) - set(before["shim_sockets"]):
            path = os.path.join(SHIM_SOCKETS, name)
            if path not in bound:
                try:
                    os.unlink(path)
                except OSError:
                    pass
    own = str(root)
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            argv = _cmdline(pid)
            name = os.path.basename(argv.split(" ", 1)[0])
            if name in ("dockerd", "containerd") or name.startswith("containerd-shim"):
                if own not in argv and _pid_alive(int(pid)):
                    return
    for directory in FIXED_DIRS:  # deepest first
        if directory not in before["dirs"]:
            try:
                os.rmdir(directory)
            except OSError:
                pass


def _pids_naming(root: Path) -> list[str]:
    """Live processes naming a state dir (daemons, and shims carry its containerd socket)."""
    own = str(root)
    return [
        pid
        for pid in os.listdir("/proc")
        if pid.isdigit() and own in _cmdline(pid) and _pid_alive(int(pid))
    ]


def _mounts_under(root: Path) -> list[str]:
    own = str(root)
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle]
    return [p for p in points if p == own or p.startswith(own + "/")]


def _cgroups_named(name: str) -> list[str]:
    """Our ``--cgroup-parent`` directories in every v1 hierarchy (memory nests it deeper)."""
    found = []
    for base, dirs, _ in os.walk("/sys/fs/cgroup"):
        if base.count("/") > 7:
            dirs[:] = []
        elif os.path.basename(base) == name:
            found.append(base)
            dirs[:] = []
    return found


def _remove_cgroups(directories: list[str]) -> None:
    """Kill what still runs in them (container processes of a dead run), then rmdir."""
    for directory in directories:
        for base, _, files in os.walk(directory):
            if "cgroup.procs" in files:
                with open(os.path.join(base, "cgroup.procs")) as handle:
                    for pid in handle.read().split():
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except ProcessLookupError:
                            pass
    time.sleep(0.1 if directories else 0)
    for directory in directories:
        for base, _, _ in sorted(os.walk(directory), key=lambda w: len(w[0]), reverse=True):
            try:
                os.rmdir(base)
            except OSError:
                pass


def clean_stale(max_age_unlocked: float = 60) -> list[str]:
    """Remove what earlier, killed runs of this fixture left (their lock is free)."""
    cleaned = []
    tmp = Path(tempfile.gettempdir())
    for root in tmp.glob(PREFIX + "*"):
        lock_path = root / "lock"
        try:
            if not lock_path.exists():  # being created, or a very old layout
                if time.time() - root.stat().st_mtime < max_age_unlocked:
                    continue
                handle = None
            else:
                handle = open(lock_path, "w")  # noqa: SIM115 - closed below
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    continue  # a live run holds it
        except OSError:
            continue
        for pid in _pids_naming(root):
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        tag_file = root / "tag"
        if tag_file.exists():
            _remove_cgroups(_cgroups_named(tag_file.read_text().strip()))
        for mount in sorted(_mounts_under(root), key=len, reverse=True):
            subprocess.run(["umount", "-l", mount], capture_output=True)
        _remove_fixed(root)
        shutil.rmtree(root, ignore_errors=True)
        if handle:
            handle.close()
        cleaned.append(str(root))
    return cleaned


def require_dockerd():
    """A started private dockerd; skips (fails in CI) with the reason when none can run."""
    import pytest

    def give_up(reason: str):
        if in_ci():
            pytest.fail(f"private dockerd unavailable in CI: {reason}")
        pytest.skip(f"private dockerd unavailable: {reason}")

    reason = problem()
    if reason:
        give_up(reason)
    daemon = Dockerd()
    try:
        daemon.start()
        daemon.import_busybox()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", None) or b""
        daemon.stop()
        give_up(f"{exc} {detail.decode(errors='replace').strip()}".strip())
    return daemon
