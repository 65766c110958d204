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

from edgeauto.errors import EdgeautoError
from edgeauto.fsutil import atomic_write


class ScreenshotError(EdgeautoError):
    """Chromium is missing, failed or took too long: the page exists, its picture does not."""


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
        raise ScreenshotError(
            f"no picture of {html}: chromium is not installed (apt install chromium)"
        )
    png = Path(png)
    with tempfile.TemporaryDirectory(prefix="edgeauto-chromium-") as scratch:
        partial = Path(scratch) / "page.png"
        try:
            proc = _run_chromium(chromium, html, partial, Path(scratch), width, height, timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ScreenshotError(f"no picture of {html}: chromium failed: {exc}") from None
        if not partial.is_file() or partial.stat().st_size == 0:
            raise ScreenshotError(
                f"no picture of {html}: chromium made no screenshot (rc {proc.returncode}): "
                f"{proc.stderr.strip()[-500:]}"
            )
        atomic_write(png, partial.read_bytes())
    return png


def _run_chromium(
    chromium: str, html: Path, partial: Path, scratch: Path, width: int, height: int, timeout: float
) -> subprocess.CompletedProcess:
    return run_headless(
        chromium,
        html,
        scratch,
        ["--hide-scrollbars", "--force-device-scale-factor=1", f"--window-size={width},{height}",
         f"--screenshot={partial}"],
        timeout,
    )  # fmt: skip


def run_headless(
    chromium: str, html: Path, scratch: Path, flags: list[str], timeout: float = 180
) -> subprocess.CompletedProcess:
    """One headless Chromium on ``html`` with a throw-away profile in ``scratch``; on timeout
    its whole process group (it forks helpers) is killed, not just the first process."""
    import signal

    argv = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
            f"--user-data-dir={scratch / 'profile'}", *flags, Path(html).resolve().as_uri()]  # fmt: skip
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=scratch,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    data = Path(path).read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">II", data[16:24])
