"""SSH keys of a lab: one client key for root and tester, one host key shared by all hosts.

Sharing one host key lets known_hosts be written before any host boots, so clients always run
with StrictHostKeyChecking=yes and nothing is ever learned on first use.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from edgeauto.lab.errors import LabError


@dataclass(frozen=True)
class LabKeys:
    client_key: Path  # private key used to log in as root and tester
    host_key: Path  # OpenSSH private host key, copied into every host
    dropbear_host_key: Path  # same key converted for dropbear
    known_hosts: Path

    @property
    def client_pub(self) -> str:
        return Path(f"{self.client_key}.pub").read_text()

    @property
    def host_pub(self) -> str:
        return Path(f"{self.host_key}.pub").read_text()


def _keygen(path: Path, comment: str) -> None:
    if path.exists() and Path(f"{path}.pub").exists():
        return
    for p in (path, Path(f"{path}.pub")):
        p.unlink(missing_ok=True)
    proc = subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise LabError(f"ssh-keygen failed for {path}: {proc.stderr.strip()}")


def ensure_keys(key_dir: Path) -> LabKeys:
    key_dir.mkdir(parents=True, exist_ok=True)
    key_dir.chmod(0o700)
    client = key_dir / "id_ed25519"
    host = key_dir / "ssh_host_ed25519_key"
    _keygen(client, "edgeauto-lab-client")
    _keygen(host, "edgeauto-lab-host")
    dropbear = key_dir / "dropbear_ed25519_host_key"
    if not dropbear.exists():
        proc = subprocess.run(
            ["dropbearconvert", "openssh", "dropbear", str(host), str(dropbear)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            dropbear.unlink(missing_ok=True)  # busybox hosts report this when they need it
    return LabKeys(client, host, dropbear, key_dir / "known_hosts")


def known_hosts_line(address: str, port: int, host_pub: str) -> str:
    keytype, blob = host_pub.split()[:2]
    where = address if port == 22 else f"[{address}]:{port}"
    return f"{where} {keytype} {blob}\n"
