"""The ``--report`` page rendered by a real headless Chromium (Debian's ``chromium``, installed
by scripts/setup.sh): the DOM it builds holds the failures, the hosts and the recap, and its
screenshot is a real picture (not empty, not one colour). file:// only, nothing fetched."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import pytest

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (setup.sh)")


def _chromium(report_run, *flags: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run"]
        + [f"--user-data-dir={cwd / 'profile'}", *flags, report_run.path.as_uri()],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=180,
    )


def test_rendered_dom_has_failures_hosts_and_recap(report_run, tmp_path):
    proc = _chromium(report_run, "--dump-dom", cwd=tmp_path)
    dom = proc.stdout
    assert proc.returncode == 0 and "<body>" in dom, proc.stderr[-2000:]
    failures = dom.split('<section id="failures">')[1].split("</section>")[0]
    assert failures.count('<tr class="failure">') == 3 and "disk check" in failures
    for host in ("alpha", "beta", "ghost"):
        assert f'id="host-{host}"' in dom
    assert dom.count('<tr class="recap-host">') == 3


def test_screenshot_is_a_real_picture(report_run, tmp_path):
    png = tmp_path / "page.png"
    proc = _chromium(report_run, f"--screenshot={png}", "--window-size=1000,900", cwd=tmp_path)
    assert png.is_file() and png.stat().st_size > 0, proc.stderr[-2000:]
    colours = _colours(png.read_bytes())
    assert len(colours) > 3, colours  # text, the red failure box, status colours


def _colours(data: bytes, limit: int = 64) -> set[bytes]:
    """Distinct pixel values of an 8-bit RGB/RGBA PNG (enough of a decoder for one test)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type = header[:4]
    assert depth == 8 and colour_type in (2, 6), header
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    previous, seen = bytearray(stride), set()
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        seen.update(bytes(line[i : i + bpp]) for i in range(0, stride, bpp))
        if len(seen) >= limit:
            break
        previous = line
    return seen


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    estimate = left + up - corner
    pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
    return left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
