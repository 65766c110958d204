"""Make foreign-architecture binaries run here through qemu-user and binfmt_misc."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from edgeauto.lab.errors import LabError
from edgeauto.lab.recipe import ArchInfo

BINFMT_DIR = Path("/proc/sys/fs/binfmt_misc")


def binfmt_enabled(name: str) -> bool:
    entry = BINFMT_DIR / name
    try:
        return entry.read_text().startswith("enabled")
    except OSError:
        return False


def ensure_binfmt(arch: ArchInfo) -> None:
    """Register qemu-user for ``arch`` (flag F: works inside chroots without copying qemu)."""
    if not arch.qemu or binfmt_enabled(arch.qemu):
        return
    if not (BINFMT_DIR / "register").exists():
        proc = subprocess.run(
            ["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT_DIR)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise LabError(f"cannot mount binfmt_misc: {proc.stderr.strip()}")
    if not os.path.exists(f"/usr/bin/{arch.qemu}-static") and not os.path.exists(
        f"/usr/libexec/qemu-binfmt/{arch.qemu.removeprefix('qemu-')}-binfmt-P"
    ):
        raise LabError(
            f"{arch.debian} lab hosts need qemu-user-static and binfmt-support "
            "(apt-get install qemu-user-static binfmt-support)"
        )
    proc = subprocess.run(["update-binfmts", "--enable", arch.qemu], capture_output=True, text=True)
    if proc.returncode != 0 or not binfmt_enabled(arch.qemu):
        raise LabError(
            f"could not enable binfmt_misc entry {arch.qemu}: "
            f"{(proc.stderr or proc.stdout).strip() or 'not enabled after update-binfmts'}"
        )
