"""The README's main job, ``edgeauto demo``, end to end on a real lab fleet: it provisions
the fleet, deploys v1, rolls out v2 with a canary, rolls the broken v3 back so v2 serves
again on every gateway, and tears the fleet down — exit code 0 only if every step did what
it says (the driver checks each step's exit code and what the gateways serve at the end)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

REPO = Path(__file__).resolve().parents[2]


def test_the_edge_demo_runs_its_whole_story(tmp_path):
    out = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "demo", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=3600, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    shown = proc.stdout[-6000:] + proc.stderr[-3000:]
    assert proc.returncode == 0, shown
    for line in (
        "=== deploy web v1 from its image archive",
        "=== roll out v2: canary first, then the rest",
        "exit 2 is the point",
        '"v2"',
        "demo done",
    ):
        assert line in proc.stdout, shown
    assert (out / "plan.html").is_file()
    assert sorted(p.name for p in (out / "v3").iterdir() if p.suffix in (".html", ".png"))
