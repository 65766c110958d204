"""The hosts a benchmark runs against, as one list of ``Target`` whatever started them.

- :class:`LabTargets`: edgeauto lab hosts (real sshd in namespaces, Debian with python3 so
  ansible-core can drive them too), in a state directory and subnet of the benchmark's own.
- :class:`LightTargets`: for the scale run, N plain ``sshd`` processes on the controller itself,
  one per loopback address 127.80.x.y:22, no namespaces (a few MB each, so 500+ fit), logging
  in as a dedicated user whose shell is ``/bin/sh`` (root's rc files on this machine run
  ``pyenv init``; a benchmark must not time that). Every host works in its own directory.

Both pin one shared host key in a known_hosts file of the benchmark's own (strict checking),
which also lists the latency proxies' addresses (:mod:`bench.latency`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

LIGHT_USER = "eabench"
LIGHT_HOME = Path("/var/lib/eabench")


@dataclass(frozen=True)
class Target:
    name: str
    address: str
    port: int
    hostdir: str  # the only directory the workloads touch on this host


@dataclass(frozen=True)
class Access:
    """How every tool logs in: user, private key, host public key (for known_hosts)."""

    user: str
    key: Path
    host_pub: str


def known_hosts_line(address: str, port: int, host_pub: str) -> str:
    keytype, blob = host_pub.split()[:2]
    where = address if port == 22 else f"[{address}]:{port}"
    return f"{where} {keytype} {blob}\n"


def port_free(address: str, port: int) -> bool:
    """Whether ``address:port`` can be bound now (checked before anything listens there)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def wait_banner(address: str, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((address, port), timeout=2) as s:
                if s.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: no SSH banner from {address}:{port} within {timeout:g}s")
        time.sleep(0.05)


class LabTargets:
    """N lab hosts (Debian + python3, sshd as PID 1) on 127.78.0.x, root login."""

    subnet = "127.78.0"
    hostdir = "/root/bench"

    def __init__(self, n: int, work: Path) -> None:
        from edgeauto.lab import Lab

        self.n = n
        self.lab = Lab(state_dir=work / "lab", subnet=self.subnet)
        self.hosts = []

    def up(self) -> list[Target]:
        self.lab.down(force=True)
        self.hosts = self.lab.up(hosts=self.n, flavor="debian", with_python=True, systemd=False)
        return self.targets()

    def targets(self) -> list[Target]:
        return [Target(h.name, h.address, h.port, self.hostdir) for h in self.hosts]

    def access(self) -> Access:
        keys = self.lab.keys()
        return Access("root", Path(keys.client_key), keys.host_pub)

    def run(self, target: Target, command: str) -> None:
        host = next(h for h in self.hosts if h.name == target.name)
        host.run(command, check=True)

    def down(self) -> None:
        self.lab.down(force=True)


class LightTargets:
    """N sshd processes on 127.80.x.y:22 logging in as ``eabench`` (created if missing)."""

    def __init__(self, n: int, work: Path) -> None:
        self.n = n
        self.dir = work / "light"
        self.procs: list[subprocess.Popen] = []
        self._targets: list[Target] = []

    @staticmethod
    def address(i: int) -> str:
        return f"127.80.{i // 250}.{i % 250 + 1}"

    def _ensure_user(self) -> None:
        try:
            pwd.getpwnam(LIGHT_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--shell",
                    "/bin/sh",
                    "--home-dir",
                    str(LIGHT_HOME),
                    "--create-home",
                    LIGHT_USER,
                ],
                check=True,
            )
        # sshd without PAM refuses keys for a '!'-locked account; '*' = no password, not locked
        subprocess.run(["usermod", "-p", "*", LIGHT_USER], check=True)

    def up(self) -> list[Target]:
        if not Path("/usr/sbin/sshd").exists():
            raise SystemExit("bench: the scale run needs /usr/sbin/sshd (openssh-server)")
        self._ensure_user()
        self.dir.mkdir(parents=True, exist_ok=True)
        keys = self.dir / "keys"
        keys.mkdir(exist_ok=True)
        for name in ("host", "client"):
            if not (keys / name).exists():
                subprocess.run(
                    ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)],
                    check=True,
                )
        entry = pwd.getpwnam(LIGHT_USER)
        ssh_dir = LIGHT_HOME / ".ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        shutil.copy(keys / "client.pub", ssh_dir / "authorized_keys")
        for p in (ssh_dir, ssh_dir / "authorized_keys", LIGHT_HOME):
            os.chown(p, entry.pw_uid, entry.pw_gid)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        busy = [self.address(i) for i in range(self.n) if not port_free(self.address(i), 22)]
        if busy:
            raise SystemExit(
                f"bench: {len(busy)} scale-run addresses already in use on port 22, e.g. "
                f"{busy[0]} — stop what listens there or use fewer hosts"
            )
        self._targets = []
        for i in range(self.n):
            addr = self.address(i)
            hostdir = LIGHT_HOME / f"h{i}"
            conf = self.dir / f"sshd_{i}.conf"
            conf.write_text(
                f"ListenAddress {addr}:22\nHostKey {keys / 'host'}\n"
                f"PidFile {self.dir / f'sshd_{i}.pid'}\nUsePAM no\nUseDNS no\n"
                "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                "PermitRootLogin no\nMaxStartups 100:30:200\nMaxSessions 100\n"
                # 500 key exchanges at once on 2 cores take minutes: the default 120 s grace
                # would cut the last logins of a cold run
                "LoginGraceTime 600\n"
                "Subsystem sftp /usr/lib/openssh/sftp-server\nLogLevel ERROR\n"
                f"AllowUsers {LIGHT_USER}\n"
            )
            self.procs.append(
                subprocess.Popen(
                    ["/usr/sbin/sshd", "-D", "-e", "-f", str(conf)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=open(self.dir / f"sshd_{i}.log", "w"),
                )
            )
            self._targets.append(Target(f"s{i}", addr, 22, str(hostdir)))
        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(lambda t: wait_banner(t.address, t.port), self._targets))
        return self._targets

    def targets(self) -> list[Target]:
        return self._targets

    def access(self) -> Access:
        keys = self.dir / "keys"
        return Access(LIGHT_USER, keys / "client", (keys / "host.pub").read_text())

    def run(self, target: Target, command: str) -> None:
        """As the bench user on the controller itself: these hosts share its filesystem."""
        subprocess.run(["runuser", "-u", LIGHT_USER, "--", "sh", "-c", command], check=True)

    def down(self) -> None:
        for p in self.procs:  # our own sshd listeners, by PID
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []
