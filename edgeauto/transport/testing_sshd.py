"""A throwaway OpenSSH server on a free loopback address, for transport and facts tests.

Needs root (sshd must switch users). Everything lives in one temp directory: host key, client
key, authorized keys (``AuthorizedKeysFile <dir>/authorized_keys/%u``, so nobody's ~/.ssh is
touched), known_hosts, config and log. Optionally creates a local user with a password and a
sudoers rule that *requires* that password; :meth:`ThrowawaySSHD.stop` removes them again.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

SSHD = "/usr/sbin/sshd"


def free_loopback(port: int = 2222, tries: int = 50) -> tuple[str, int]:
    """A 127.x.y.z address where ``port`` is free (checked by binding it)."""
    rng = random.Random()
    for _ in range(tries):
        addr = f"127.{rng.randint(100, 199)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
        with socket.socket() as s:
            try:
                s.bind((addr, port))
            except OSError:
                continue
        return addr, port
    raise RuntimeError(f"no free loopback address found for port {port} after {tries} tries")


def _run(*argv: str, input: bytes | None = None) -> None:
    subprocess.run(argv, check=True, capture_output=True, input=input)


@dataclass
class ThrowawaySSHD:
    addr: str
    port: int
    dir: str
    client_key: str
    known_hosts: str
    host_pubkey: str
    log: str
    proc: subprocess.Popen
    users: list[str] = field(default_factory=list)
    sudoers: list[str] = field(default_factory=list)

    def known_hosts_line(self, pubkey: str | None = None) -> str:
        return f"[{self.addr}]:{self.port} {pubkey or self.host_pubkey}\n"

    def host_vars(self, user: str = "root", **extra) -> dict:
        return {
            "inventory_hostname": f"sshd-{self.addr}",
            "ansible_host": self.addr,
            "ansible_port": self.port,
            "ansible_user": user,
            "ansible_ssh_private_key_file": self.client_key,
            **extra,
        }

    def authorize(self, user: str) -> None:
        pub = open(self.client_key + ".pub").read()
        path = os.path.join(self.dir, "authorized_keys", user)
        with open(path, "w") as f:
            f.write(pub)
        os.chmod(path, 0o644)

    def add_user(self, password: str, *, sudo_needs_password: bool = True) -> str:
        """Create a local user with ``password`` and a sudo rule; removed by :meth:`stop`."""
        name = "eat" + secrets.token_hex(3)
        home = os.path.join(self.dir, "home-" + name)
        _run("useradd", "-M", "-d", home, "-s", "/bin/sh", name)
        self.users.append(name)
        os.mkdir(home)
        shutil.chown(home, name)
        _run("chpasswd", input=f"{name}:{password}\n".encode())
        rule = f"/etc/sudoers.d/edgeauto-test-{name}"
        tag = "" if sudo_needs_password else "NOPASSWD: "
        with open(rule, "w") as f:
            f.write(f"{name} ALL=(ALL) {tag}ALL\n")
        os.chmod(rule, 0o440)
        self.sudoers.append(rule)
        self.authorize(name)
        return name

    def accepted_logins(self) -> int:
        with open(self.log, errors="replace") as f:
            return sum(
                1 for line in f if line.startswith(("Accepted publickey", "Accepted password"))
            )

    def _connection_pids(self) -> list[int]:
        """The per-connection sshd processes (children of the listener): they outlive it."""
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.proc.pid:
                pids.append(int(entry))
        return pids

    def stop(self) -> None:
        for pid in self._connection_pids() if self.proc.poll() is None else []:
            try:
                os.kill(pid, signal.SIGTERM)  # ends those sessions and their ssh masters
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for rule in self.sudoers:
            if os.path.exists(rule):
                os.unlink(rule)
        for user in self.users:
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
            subprocess.run(["userdel", user], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_sshd(*, port: int = 2222, password_auth: bool = True) -> ThrowawaySSHD:
    if os.geteuid() != 0:
        raise RuntimeError("a throwaway sshd needs root (it switches to the logged-in user)")
    if not os.path.exists(SSHD):
        raise RuntimeError(f"{SSHD} not found (install openssh-server)")
    addr, port = free_loopback(port)
    base = tempfile.mkdtemp(prefix="ea-sshd-")
    os.chmod(base, 0o755)
    hostkey = os.path.join(base, "host_ed25519")
    client = os.path.join(base, "client_ed25519")
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey)
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", client)
    os.mkdir(os.path.join(base, "authorized_keys"))
    os.chmod(os.path.join(base, "authorized_keys"), 0o755)
    os.makedirs("/run/sshd", exist_ok=True)  # privilege separation directory
    config = os.path.join(base, "sshd_config")
    log = os.path.join(base, "sshd.log")
    with open(config, "w") as f:
        f.write(
            f"HostKey {hostkey}\n"
            f"PidFile {base}/sshd.pid\n"
            f"AuthorizedKeysFile {base}/authorized_keys/%u\n"
            "StrictModes no\n"
            "UsePAM no\n"
            "UseDNS no\n"
            "PermitRootLogin prohibit-password\n"
            f"PasswordAuthentication {'yes' if password_auth else 'no'}\n"
            "KbdInteractiveAuthentication no\n"
            "MaxStartups 100\n"
            "MaxSessions 100\n"
            "LogLevel VERBOSE\n"
            "Subsystem sftp internal-sftp\n"
        )
    proc = subprocess.Popen(
        [SSHD, "-D", "-f", config, "-E", log, "-o", f"ListenAddress={addr}:{port}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pub = open(hostkey + ".pub").read().split()
    server = ThrowawaySSHD(
        addr=addr,
        port=port,
        dir=base,
        client_key=client,
        known_hosts=os.path.join(base, "known_hosts"),
        host_pubkey=f"{pub[0]} {pub[1]}",
        log=log,
        proc=proc,
    )
    with open(server.known_hosts, "w") as f:
        f.write(server.known_hosts_line())
    server.authorize("root")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = open(log, errors="replace").read() if os.path.exists(log) else ""
            server.stop()
            raise RuntimeError(f"sshd exited with {proc.returncode}: {text[-2000:]}")
        try:
            with socket.create_connection((addr, port), timeout=1) as s:
                if s.recv(4).startswith(b"SSH-"):
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"sshd on {addr}:{port} did not answer within 20s")
