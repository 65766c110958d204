"""The rollout timeline: rows per host in time order, each event drawn, the final state per
host; the PNG is the page photographed by a real headless Chromium at the page's size."""

from __future__ import annotations

import pytest

from edgeauto.errors import EdgeautoError
from edgeauto.fleet.timeline import WIDTH, page_height, render_timeline, rows_of, write_timeline

from .pagecheck import assert_real_picture, dump_dom, needs_chromium

T = 1_700_000_000.0


def rollout_events() -> list[dict]:
    events = []

    def add(host, event, at, batch=None, version="web:2", detail=""):
        events.append(
            {
                "workload": "web",
                "host": host,
                "version": version,
                "event": event,
                "at": T + at,
                "batch": batch,
                "detail": detail,
            }
        )

    add("gw1", "updating", 0, 0), add("gw1", "updated", 3, 0), add("gw1", "healthy", 8, 0)
    add(None, "promoted", 19)
    for i, host in enumerate(["srv2", "srv1"]):
        add(host, "updating", 20 + i, 1), add(host, "updated", 24 + i, 1)
        add(host, "healthy", 30 + i, 1)
    add("srv3", "updating", 35, 2), add("srv3", "updated", 38, 2)
    add("srv3", "unhealthy", 50, 2, detail="tcp 8080 <refused>")
    add("srv3", "rolled_back", 55, 2, version="web:1")
    add("pi1", "unreachable", 35, 2, detail="ssh: timed out")
    add(None, "failed", 56, detail="failure budget 1 used up")
    return events


def test_rows_are_ordered_by_first_event_with_the_fleet_row_first():
    rows = rows_of(list(reversed(rollout_events())))
    assert [h for _, h, _ in rows] == ["(rollout)", "gw1", "srv2", "srv1", "pi1", "srv3"]
    assert [e["event"] for e in rows[-1][2]] == ["updating", "updated", "unhealthy", "rolled_back"]


def test_page_has_every_event_final_states_and_escapes_details():
    page, height = render_timeline(rollout_events())
    assert height == page_height(6)
    assert page.count('class="dot ev-') == len(rollout_events())
    assert 'id="row-web-srv3" data-final="rolled_back"' in page
    assert 'id="row-web-pi1" data-final="unreachable"' in page
    assert "tcp 8080 &lt;refused&gt;" in page and "<refused>" not in page
    assert "5 host(s) over 56.0s: 3 healthy, 1 rolled back, 1 unreachable" in page
    assert ">canary<" in page and ">batch 2<" in page


def test_unknown_event_is_refused():
    with pytest.raises(EdgeautoError, match="unknown rollout event 'exploded'"):
        render_timeline([{"workload": "w", "host": "h", "event": "exploded", "at": 1}])


@needs_chromium
def test_chromium_renders_the_timeline_and_its_picture(tmp_path):
    html, png = write_timeline(rollout_events(), tmp_path / "out")
    assert html == tmp_path / "out" / "timeline.html" and png == tmp_path / "out" / "timeline.png"
    assert_real_picture(png, WIDTH, page_height(6))
    dom = dump_dom(html, tmp_path)
    assert dom.count('class="line row"') == 6
    assert dom.count('class="dot ev-healthy"') == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [  # no temp file left
        "timeline.html",
        "timeline.png",
    ]


def big_rollout(hosts: int, failing: int) -> list[dict]:
    events = []
    for i in range(hosts):
        batch = i // 50
        last = "unhealthy" if i == failing else "healthy"
        for k, event in enumerate(["updating", "updated", last]):
            events.append(
                {
                    "workload": "web",
                    "host": f"h{i:04d}",
                    "version": "web:2",
                    "event": event,
                    "at": T + batch * 10 + k * 3,
                    "batch": batch,
                    "detail": "",
                }
            )
    return events


def test_a_picture_of_a_big_fleet_keeps_the_failures_and_says_what_it_left_out():
    page, height = render_timeline(big_rollout(1000, failing=977), max_rows=200)
    assert page.count('class="line row"') == 200
    assert 'id="row-web-h0977" data-final="unhealthy"' in page
    assert "800 more row(s) ending healthy: every host is in timeline.html" in page
    assert height == page_height(200) + 26
    full, full_height = render_timeline(big_rollout(1000, failing=977))
    assert full.count('class="line row"') == 1000 and full_height == page_height(1000)


@needs_chromium
def test_big_fleet_html_has_every_host_and_the_picture_stays_readable(tmp_path):
    html, png = write_timeline(big_rollout(300, failing=250), tmp_path)
    assert html.read_text().count('class="line row"') == 300
    assert_real_picture(png, WIDTH, page_height(200) + 26)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["timeline.html", "timeline.png"]


@needs_chromium
def test_chromium_taking_too_long_is_a_clear_error_and_leaves_no_picture(tmp_path):
    from edgeauto.fleet.chromium import ScreenshotError, screenshot

    page = tmp_path / "p.html"
    page.write_text("<!DOCTYPE html><html><body>x</body></html>")
    with pytest.raises(ScreenshotError, match="chromium failed: .*timed out"):
        screenshot(page, tmp_path / "p.png", 200, 100, timeout=0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.html"]
