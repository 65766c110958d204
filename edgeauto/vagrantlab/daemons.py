"""A private network namespace with its own virtlogd, virtlockd and libvirtd, and the pool.

Why a namespace: vagrant-libvirt makes a NAT/isolated management network (bridge, dnsmasq,
firewall rules) and every guest address lives on it. Starting libvirtd *inside* a namespace we
created keeps all of that, and all SSH traffic to the guests, out of the machine's own network;
the controller reaches guests only through ``ip netns exec NS``. libvirt's unix sockets are on
the file system, so ``virsh`` and ``vagrant ssh-config`` work from anywhere.

This machine has no systemd, so the daemons are started by hand with pidfiles in the run
directory and stopped by those PIDs; before the namespace is deleted, anything still running in
it (QEMU, dnsmasq — children of our libvirtd) is ended by PID too. A libvirtd that is not ours
already answering on the system socket is refused, never stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from edgeauto.lab.errors import LabError

NETNS = os.environ.get("EDGEAUTO_VAGRANT_NETNS", "edgeauto-vagrant")
LIBVIRT_URI = "qemu:///system"
LIBVIRT_SOCK = Path("/run/libvirt/libvirt-sock")
POOL = "default"
DAEMONS = ("virtlogd", "virtlockd", "libvirtd")


def _sh(cmd: list[str], what: str, check: bool = True, timeout: float = 120) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise LabError(f"{what} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}")
    return proc.stdout


def virsh(*args: str, check: bool = True) -> str:
    return _sh(["virsh", "-q", "-c", LIBVIRT_URI, *args], "virsh " + " ".join(args), check)


def netns_exists(name: str = NETNS) -> bool:
    return Path("/run/netns", name).exists()


def netns_inode(name: str = NETNS) -> int | None:
    try:
        return os.stat(Path("/run/netns", name)).st_ino
    except OSError:
        return None


def pids_in_netns(name: str = NETNS) -> list[int]:
    """Every process whose network namespace is ``name`` (all of them are ours: we made it)."""
    ino = netns_inode(name)
    if ino is None:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/net").st_ino == ino:
                    found.append(int(entry))
            except OSError:
                continue
    return sorted(found)


def _socket_answers(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
            return True
        except OSError:
            return False


def _read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().split()[0])
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError, IndexError):
        return None


class Daemons:
    """The namespace and the three libvirt daemons of one Vagrant lab (run dir holds pidfiles)."""

    def __init__(self, run_dir: Path, pool_dir: Path, log=print):
        self.run_dir = Path(run_dir)
        self.pool_dir = Path(pool_dir)
        self.log = log

    def pidfile(self, daemon: str) -> Path:
        return self.run_dir / f"{daemon}.pid"

    def running(self) -> dict[str, int]:
        return {d: p for d in DAEMONS if (p := _read_pid(self.pidfile(d))) is not None}

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        mine = self.running()
        if "libvirtd" not in mine and _socket_answers(LIBVIRT_SOCK):
            raise LabError(
                f"another libvirtd already answers on {LIBVIRT_SOCK}; the Vagrant lab runs its "
                "own inside a private network namespace and will not share or stop that one",
                hint="stop that libvirtd, or bring the lab up on a machine without one",
            )
        if not netns_exists():
            _sh(["ip", "netns", "add", NETNS], f"creating network namespace {NETNS}")
        _sh(["ip", "-n", NETNS, "link", "set", "lo", "up"], "bringing up lo in the namespace")
        for daemon in DAEMONS:
            if daemon in mine:
                continue
            pidfile = self.pidfile(daemon)
            log = self.run_dir / f"{daemon}.log"
            env = dict(os.environ, LIBVIRT_LOG_OUTPUTS=f"3:file:{log}")
            subprocess.run(
                ["ip", "netns", "exec", NETNS, daemon, "-d", "-p", str(pidfile)],
                check=True,
                env=env,
                capture_output=True,
            )
            self._wait_pidfile(daemon)
        self._wait_libvirtd()
        self._ensure_pool()

    def _wait_pidfile(self, daemon: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while _read_pid(self.pidfile(daemon)) is None:
            if time.monotonic() > deadline:
                raise LabError(f"{daemon} did not write {self.pidfile(daemon)} within {timeout}s")
            time.sleep(0.2)

    def _wait_libvirtd(self, timeout: float = 180) -> None:
        """libvirtd probes QEMU's capabilities the first time: ~12 s idle, more under load."""
        deadline = time.monotonic() + timeout
        while True:
            proc = subprocess.run(
                ["virsh", "-q", "-c", LIBVIRT_URI, "version"], capture_output=True, text=True
            )
            if proc.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise LabError(f"libvirtd did not answer within {timeout}s: {proc.stderr.strip()}")
            time.sleep(1)

    def _ensure_pool(self) -> None:
        """vagrant-libvirt stores base boxes and guest disks in the pool named ``default``."""
        self.pool_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.pool_dir, 0o755)
        pools = virsh("pool-list", "--all", "--name").split()
        if POOL not in pools:
            virsh("pool-define-as", POOL, "dir", "--target", str(self.pool_dir))
        state = virsh("pool-info", POOL)
        if "running" not in state:
            virsh("pool-start", POOL)
        virsh("pool-refresh", POOL)

    def stop(self) -> list[str]:
        """Undefine the pool, stop our daemons and whatever runs in our namespace, delete it."""
        problems: list[str] = []
        if "libvirtd" in self.running():
            for cmd in (("pool-destroy", POOL), ("pool-undefine", POOL)):
                virsh(*cmd, check=False)
        for daemon in reversed(DAEMONS):
            pid = _read_pid(self.pidfile(daemon))
            if pid is not None:
                _terminate([pid])
            self.pidfile(daemon).unlink(missing_ok=True)
        leftovers = pids_in_netns()
        if leftovers:
            named = ", ".join(f"{p} ({_comm(p)})" for p in leftovers)
            self.log(f"vagrant: ending processes left in {NETNS}: {named}")
            _terminate(leftovers)
        if netns_exists():
            _sh(["ip", "netns", "del", NETNS], f"deleting network namespace {NETNS}", check=False)
        if netns_exists():
            problems.append(f"network namespace {NETNS} still exists")
        still = [d for d in DAEMONS if _read_pid(self.pidfile(d)) is not None]
        if still:
            problems.append(f"still running: {', '.join(still)}")
        return problems


def _terminate(pids: list[int], timeout: float = 20) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if _alive(p)]
    for pid in alive:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False
