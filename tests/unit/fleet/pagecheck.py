"""Looking at our pages the way a person would: Debian's headless Chromium builds the DOM
(``--dump-dom``) and takes the picture; a picture counts as real when it has the asked size
and its pixel data is not one flat colour. file:// only, nothing fetched."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from edgeauto.fleet.chromium import find_chromium, png_size, run_headless

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (setup.sh)")


def dump_dom(page: Path, scratch: Path) -> str:
    proc = run_headless(CHROMIUM, page, scratch, ["--dump-dom"])
    assert proc.returncode == 0 and "<body>" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


def assert_real_picture(png: Path, width: int, height: int) -> None:
    assert png.is_file() and png.stat().st_size > 0
    assert png_size(png) == (width, height)
    data, pos, idat = png.read_bytes(), 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    distinct = len(set(zlib.decompress(idat)))
    assert distinct > 40, f"the picture looks flat: {distinct} distinct byte values"
