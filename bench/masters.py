"""Stop every SSH ControlMaster whose socket lives in a directory: what makes a run *cold*.

Every tool that multiplexes gets a control directory of its own from the harness (edgeauto
through ``ANSIBLE_SSH_CONTROL_PATH_DIR``, ansible through ``control_path_dir``, the reference
through ``ControlPath``), so ``ssh -O exit`` on each socket there stops exactly that tool's
masters, whatever host each belongs to.
"""

from __future__ import annotations

import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def sockets(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    out = []
    for p in directory.iterdir():
        try:
            if stat.S_ISSOCK(p.lstat().st_mode):
                out.append(p)
        except FileNotFoundError:
            pass
    return out


def stop_masters(directory: Path, timeout: float = 10) -> int:
    """``ssh -O exit`` on every socket in ``directory``; returns how many there were."""
    found = sockets(directory)

    def stop(sock: Path) -> None:
        subprocess.run(
            ["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "bench-master"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(stop, found))
    deadline = time.monotonic() + timeout
    while sockets(directory) and time.monotonic() < deadline:
        time.sleep(0.05)
    for sock in sockets(directory):  # a master that did not answer leaves a stale socket
        sock.unlink(missing_ok=True)
    return len(found)
