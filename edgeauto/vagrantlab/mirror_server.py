"""Serve the lab's apt repository (:mod:`.mirror`) inside the lab's network namespace.

Python's ``http.server`` is started by ``ip netns exec`` and bound to the management
network's gateway address (the guests' DHCP router, 192.168.121.1 by default), so the guests
reach it and nothing outside the namespace can; the port is checked free there first. Its PID
is kept in ``run/mirror.pid`` and it is stopped by that PID (``down`` also ends anything left
in the namespace). Readiness is checked from inside the namespace too.
"""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import time
from pathlib import Path

from edgeauto.lab.errors import LabError
from edgeauto.vagrantlab import daemons as dm


def gateway_address(management_cidr: str) -> str:
    """libvirt's address on a NAT network: the first host of its subnet."""
    return str(next(ipaddress.ip_network(management_cidr).hosts()))


class MirrorServer:
    def __init__(self, run_dir: Path, address: str, port: int, log=print):
        self.run_dir = Path(run_dir)
        self.address = address
        self.port = port
        self.log = log
        self.pidfile = self.run_dir / "mirror.pid"

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}/"

    def pid(self) -> int | None:
        pid = dm._read_pid(self.pidfile)
        if pid is None:
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return None
        return pid if b"http.server" in cmdline else None

    def start(self, repo: Path) -> None:
        """Serve ``repo``; a server of ours already serving it is kept."""
        pid = self.pid()
        if pid is not None:
            served = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if str(repo).encode() in served:
                return
            self.stop()
        if self._port_busy():
            raise LabError(
                f"port {self.port} on {self.address} in {dm.NETNS} is taken by another "
                "process: the lab's mirror cannot bind it",
                hint="change mirror.port in vagrant/fleet.yml (and the vars' URI with it)",
            )
        log = open(self.run_dir / "mirror.log", "ab")
        cmd = [
            "ip", "netns", "exec", dm.NETNS, sys.executable, "-m", "http.server",
            "--bind", self.address, "--directory", str(repo), str(self.port),
        ]  # fmt: skip
        with log:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        self.pidfile.write_text(f"{proc.pid}\n")
        self._wait_ready(proc)
        self.log(f"vagrant: mirror: serving {repo.name} at {self.url} inside {dm.NETNS}")

    def _port_busy(self) -> bool:
        out = dm._sh(
            ["ip", "netns", "exec", dm.NETNS, "ss", "-Hltn", f"sport = :{self.port}"],
            "listing listening sockets in the namespace",
        )
        return bool(out.strip())

    def _wait_ready(self, proc: subprocess.Popen, timeout: float = 60) -> None:
        probe = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).read()"
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                tail = (self.run_dir / "mirror.log").read_text(errors="replace")[-1500:]
                raise LabError(f"the mirror's HTTP server exited ({proc.returncode}):\n{tail}")
            check = subprocess.run(
                ["ip", "netns", "exec", dm.NETNS, sys.executable, "-c", probe,
                 self.url + "InRelease"],
                capture_output=True,
            )  # fmt: skip
            if check.returncode == 0:
                return
            if time.monotonic() > deadline:
                self.stop()
                raise LabError(f"the mirror did not answer at {self.url} within {timeout:.0f}s")
            time.sleep(0.5)

    def stop(self) -> None:
        pid = self.pid()
        if pid is not None:
            dm._terminate([pid])
        self.pidfile.unlink(missing_ok=True)
