"""Small file helpers: atomic writes and writing into an overlay upper dir before mounting."""

from __future__ import annotations

import os
from pathlib import Path

from edgeauto.fsutil import atomic_write as shared_atomic_write


def atomic_write(path: Path, data: str | bytes, mode: int = 0o644) -> None:
    """:func:`edgeauto.fsutil.atomic_write` with the lab's fixed default mode: files baked into
    images and state must not inherit whatever mode an earlier file had."""
    shared_atomic_write(path, data, mode)


def write_into_upper(
    upper: Path,
    lower: Path,
    relpath: str,
    data: str | bytes,
    mode: int = 0o644,
    uid: int = 0,
    gid: int = 0,
) -> None:
    """Create a file in an overlay upper dir as if it had been written through the mount.

    Parent directories that do not exist in the upper dir yet are created with the owner and
    mode of the same directory in the lower (base) dir: in overlayfs the upper directory's
    attributes win, so a plain ``mkdir`` would silently change e.g. ``/root`` to 0755 and make
    sshd's StrictModes refuse the authorized_keys inside it.
    """
    rel = Path(relpath.lstrip("/"))
    current_upper, current_lower = Path(upper), Path(lower)
    for part in rel.parent.parts:
        current_upper /= part
        current_lower /= part
        if current_upper.is_dir():
            continue
        current_upper.mkdir()
        if current_lower.is_dir():
            st = current_lower.stat()
            os.chown(current_upper, st.st_uid, st.st_gid)
            os.chmod(current_upper, st.st_mode & 0o7777)
    target = Path(upper) / rel
    raw = data.encode() if isinstance(data, str) else data
    target.write_bytes(raw)
    os.chown(target, uid, gid)
    os.chmod(target, mode)


def mount_points_below(directory: Path) -> list[str]:
    """Mount points strictly below ``directory`` in this process's mount namespace."""
    prefix = str(Path(directory).resolve()) + "/"
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        mp = line.split()[4].encode().decode("unicode_escape")
        if mp.startswith(prefix):
            found.append(mp)
    return found


def safe_rmtree(directory: Path) -> None:
    """rmtree that first detaches anything mounted inside (a failed mmdebstrap may leave its
    /dev or /proc binds behind; a plain rmtree would walk into the machine's real /dev)."""
    import shutil
    import subprocess

    for mp in sorted(mount_points_below(directory), key=len, reverse=True):
        subprocess.run(["umount", "-l", mp], capture_output=True)
    if mount_points_below(directory):
        raise OSError(f"refusing to delete {directory}: mounts below it could not be detached")
    shutil.rmtree(directory, ignore_errors=True)
