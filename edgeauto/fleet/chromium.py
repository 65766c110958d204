"""Pictures of our HTML pages by Debian's headless Chromium (``apt install chromium``).

Used for the rollout timeline's PNG: the page is the one source of the picture, so the PNG
and the HTML never disagree. Chromium runs with a private throw-away profile, no network
use beyond the ``file://`` page (our pages fetch nothing), and the PNG is written under a
temporary name and moved into place, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path


def find_chromium() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(html: Path, png: Path, width: int, height: int, timeout: float = 180) -> Path:
    """Render ``html`` at ``width``x``height`` CSS pixels into ``png`` (atomically)."""
    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("chromium is not installed (apt install chromium)")
    png = Path(png)
    with tempfile.TemporaryDirectory(prefix="edgeauto-chromium-") as scratch:
        partial = Path(scratch) / "page.png"
        proc = subprocess.run(
            [
                chromium,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--no-first-run",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                f"--user-data-dir={Path(scratch) / 'profile'}",
                f"--window-size={width},{height}",
                f"--screenshot={partial}",
                Path(html).resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            cwd=scratch,
            timeout=timeout,
        )
        if not partial.is_file() or partial.stat().st_size == 0:
            raise RuntimeError(
                f"chromium made no screenshot (rc {proc.returncode}): {proc.stderr.strip()[-500:]}"
            )
        fd, tmp = tempfile.mkstemp(dir=png.parent, prefix=f".{png.name}.")
        os.close(fd)
        shutil.copyfile(partial, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, png)
    return png


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    data = Path(path).read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">II", data[16:24])
