"""Atomic file writes on the controller — the one implementation every writer uses.

WHY one place: "nothing is ever lost" means a reader (or a crash) sees the old file or the
whole new one, never half; the details that make that true (temp file in the same directory so
the rename is atomic, fsync before the rename, the temp removed on any failure, the new file's
mode decided before it becomes visible) were repeated in a dozen writers with small drifts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def default_file_mode() -> int:
    """What ``open(…, "w")`` would give a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(
    path: str | os.PathLike,
    data: str | bytes,
    mode: int | None = None,
    *,
    private: bool = False,
    prefix: str | None = None,
) -> None:
    """Write ``data`` to ``path`` so readers see either the old or the new file.

    ``mode``: the new file's mode; None keeps the mode of the file being replaced, else 0600
    when ``private`` (secrets, results that may hold private output) or the umask default.
    Missing parent directories are created (0700 when ``private``). Text is written as UTF-8
    with surrogateescape, so bytes that came in undecodable go out unchanged."""
    target = Path(path)
    target.parent.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = 0o600 if private else default_file_mode()
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix or f".{target.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
