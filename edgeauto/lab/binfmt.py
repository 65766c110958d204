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


def binfmt_flags(name: str) -> str:
    try:
        for line in (BINFMT_DIR / name).read_text().splitlines():
            if line.startswith("flags:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def credentials_rule(name: str, binfmts_spec: str) -> str:
    """The binfmt_misc register line for a Debian /usr/share/binfmts entry, plus flag C."""
    spec = {}
    for line in binfmts_spec.splitlines():
        key, _, value = line.partition(" ")
        spec[key] = value.strip()
    flags = ("P" if spec.get("preserve") == "yes" else "") + "OCF"
    offset = spec.get("offset", "0")
    return f":{name}:M:{offset}:{spec['magic']}:{spec['mask']}:{spec['interpreter']}:{flags}"


def add_credentials_flag(name: str) -> None:
    """Re-register ``name`` with flag C so setuid binaries (sudo) work in emulated hosts.

    Debian registers qemu with ``credentials no``; then the kernel takes credentials from the
    interpreter, sudo sees euid != 0 and refuses. Same interpreter, magic and mask as the
    Debian entry; only C (which implies O) is added.
    """
    rule = credentials_rule(name, Path(f"/usr/share/binfmts/{name}").read_text())
    (BINFMT_DIR / name).write_text("-1")
    (BINFMT_DIR / "register").write_text(rule)


def ensure_binfmt(arch: ArchInfo) -> None:
    """Register qemu-user for ``arch`` (flag F: works inside chroots without copying qemu;
    flag C: setuid binaries such as sudo keep working)."""
    if not arch.qemu:
        return
    if binfmt_enabled(arch.qemu):
        if "C" not in binfmt_flags(arch.qemu) and Path(f"/usr/share/binfmts/{arch.qemu}").exists():
            add_credentials_flag(arch.qemu)
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
    if "C" not in binfmt_flags(arch.qemu):
        add_credentials_flag(arch.qemu)
