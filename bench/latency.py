"""Added latency: one :mod:`bench.proxy` process in front of every host's sshd.

Each host's proxy listens on the host's own address, port ``PROXY_PORT`` (+1 for a second
RTT, …), so the tools reach
the host through it by a different port only (one known_hosts line per address:port, same
pinned host key). ``rtt_ms`` is split evenly: half of it added each way.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.hosts import Target, port_free

PROXY_PORT = 2222
HERE = Path(__file__).resolve().parent


class Proxies:
    def __init__(
        self, targets: list[Target], rtt_ms: float, work: Path, port: int = PROXY_PORT
    ) -> None:
        self.targets = targets
        self.port = port
        self.rtt_ms = rtt_ms
        self.work = work
        self.proc: subprocess.Popen | None = None

    def via(self) -> list[Target]:
        """The same hosts as the tools see them through the proxies."""
        return [replace(t, port=self.port) for t in self.targets]

    def start(self) -> list[Target]:
        busy = [t.address for t in self.targets if not port_free(t.address, self.port)]
        if busy:
            raise SystemExit(
                f"bench: proxy port {self.port} already in use on {len(busy)} host addresses "
                f"(e.g. {busy[0]}); stop what listens there"
            )
        pairs = self.work / f"proxy-{self.rtt_ms:g}.txt"
        pairs.write_text(
            "".join(f"{t.address}:{self.port}={t.address}:{t.port}\n" for t in self.targets)
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "proxy.py"),
                "--delay-ms",
                str(self.rtt_ms / 2),
                "--pairs-file",
                str(pairs),
            ],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        deadline = time.monotonic() + 30
        line = self.proc.stdout.readline()
        if line.strip() != "ready" or time.monotonic() > deadline:
            self.stop()
            raise SystemExit(f"bench: latency proxy did not start (said {line!r})")
        return self.via()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # our own proxy, by PID
            self.proc.wait(timeout=10)
        self.proc = None
