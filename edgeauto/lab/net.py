"""Pick loopback addresses for lab sshds, checking first that nothing else listens there.

Every host gets its own 127.X.Y.N address (all of 127.0.0.0/8 is local on Linux, no interface
setup needed); sshd binds only that address, so lab traffic never leaves loopback.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Iterable
from pathlib import Path

from edgeauto.lab.errors import LabError

PORTS = (22, 2222)


def listening_addresses() -> set[str]:
    """IPv4 addresses with a TCP listener on any port (wildcard listeners give '0.0.0.0')."""
    found: set[str] = set()
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return found
    for line in lines:
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A":  # 0A = LISTEN
            continue
        hexaddr = fields[1].split(":")[0]
        found.add(str(ipaddress.IPv4Address(bytes.fromhex(hexaddr)[::-1])))
    return found


def port_free(address: str, port: int) -> bool:
    """True if we could bind ``address:port`` (so no exact or wildcard listener holds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like sshd: TIME_WAIT leftovers of earlier connections must not make a port "busy".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def validate_subnet(subnet: str) -> str:
    parts = subnet.split(".")
    if len(parts) != 3 or parts[0] != "127" or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise LabError(f"lab subnet must look like '127.X.Y' (a /24 on loopback), got '{subnet}'")
    return subnet


def pick_addresses(
    subnet: str,
    count: int,
    taken: Iterable[str] = (),
    start: int = 1,
    ports: tuple[int, ...] = PORTS,
) -> list[tuple[str, int]]:
    """Return ``count`` free (address, port) pairs in ``subnet``.N, skipping busy addresses."""
    validate_subnet(subnet)
    taken = set(taken)
    listening = listening_addresses()
    picked: list[tuple[str, int]] = []
    busy: list[str] = []
    for n in range(start, 255):
        if len(picked) == count:
            break
        address = f"{subnet}.{n}"
        if address in taken:
            continue
        if address in listening:
            busy.append(address)
            continue
        port = next((p for p in ports if port_free(address, p)), None)
        if port is None:
            busy.append(f"{address}:{'/'.join(map(str, ports))}")
            continue
        picked.append((address, port))
    if len(picked) < count:
        raise LabError(
            f"only {len(picked)} of {count} loopback addresses in {subnet}.0/24 are free "
            f"(busy: {', '.join(busy[:8]) or 'none'}{'…' if len(busy) > 8 else ''}); "
            "stop what listens there or choose another subnet (Lab(subnet='127.X.Y'))"
        )
    return picked


def ssh_banner(address: str, port: int, timeout: float = 1.0) -> bool:
    """True when an SSH server answers with its banner at ``address:port``."""
    try:
        with socket.create_connection((address, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            return sock.recv(64).startswith(b"SSH-")
    except OSError:
        return False
