"""The rollout timeline: per host, when it was updated, became healthy, was rolled back …

``write_timeline(events, out_dir)`` writes ``timeline.html`` (plain HTML + CSS, no script,
nothing fetched) and ``timeline.png`` (that page photographed by headless Chromium; None
when Chromium is not installed). Events are the rollout's dicts
``{workload, host, version, event, at, batch, detail}``; an event without a host
(``promoted``, a fleet-wide ``failed``) is drawn on the "rollout" row. Sizes are fixed in
CSS pixels so the picture is the same size for the same events.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from edgeauto.errors import EdgeautoError

EVENTS = (
    "updating",
    "updated",
    "healthy",
    "unhealthy",
    "rolled_back",
    "unreachable",
    "skipped",
    "promoted",
    "failed",
)
COLOURS = {
    "updating": "#d9a400",
    "updated": "#4a90d9",
    "healthy": "#2e9d4b",
    "unhealthy": "#e65100",
    "rolled_back": "#8e6bbf",
    "unreachable": "#757575",
    "skipped": "#bdbdbd",
    "promoted": "#00897b",
    "failed": "#c62828",
}
FLEET_ROW = "(rollout)"

WIDTH = 1000
LABEL_W, BATCH_W, TRACK_W, FINAL_W = 190, 80, 520, 170
HEAD_H, ROW_H, FOOT_H = 118, 26, 64
PICTURE_ROWS = 200  # a taller picture is no picture: the rest are in the HTML


def write_timeline(events: list[dict], out_dir: Path) -> tuple[Path, Path | None]:
    """Write the page and its picture into ``out_dir``; returns (html, png or None when
    Chromium is not installed). A Chromium that fails raises ``ScreenshotError`` (an
    EdgeautoError) after the HTML is written."""
    import os
    import tempfile

    from edgeauto.fleet.chromium import find_chromium, screenshot
    from edgeauto.fsutil import atomic_write

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "timeline.html"
    page, height = render_timeline(events)
    atomic_write(html_path, page)
    if find_chromium() is None:
        return html_path, None
    if len(rows_of(events)) <= PICTURE_ROWS:
        return html_path, screenshot(html_path, out_dir / "timeline.png", WIDTH, height)
    # a big fleet: the picture shows PICTURE_ROWS rows, the ones not healthy first
    picture, height = render_timeline(events, max_rows=PICTURE_ROWS)
    fd, name = tempfile.mkstemp(dir=out_dir, prefix=".timeline-picture.", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(picture)
        png = screenshot(Path(name), out_dir / "timeline.png", WIDTH, height)
    finally:
        os.unlink(name)
    return html_path, png


def page_height(rows: int) -> int:
    return HEAD_H + ROW_H * max(rows, 1) + FOOT_H


def rows_of(events: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """``(workload, host, events in time order)`` per row; the fleet row first."""
    rows: dict[tuple[str, str], list[dict]] = {}
    for event in sorted(events, key=lambda e: (float(e.get("at") or 0), str(e.get("host") or ""))):
        if event.get("event") not in EVENTS:
            raise EdgeautoError(
                f"unknown rollout event {event.get('event')!r}: expected one of {', '.join(EVENTS)}"
            )
        key = (str(event.get("workload") or ""), str(event.get("host") or FLEET_ROW))
        rows.setdefault(key, []).append(event)
    return [
        (w, h, evs)
        for (w, h), evs in sorted(
            rows.items(), key=lambda kv: (kv[0][0], kv[0][1] != FLEET_ROW, kv[1][0]["at"], kv[0][1])
        )
    ]


def render_timeline(events: list[dict], max_rows: int | None = None) -> tuple[str, int]:
    """The page and its height in CSS pixels; ``max_rows`` keeps that many rows (the
    rollout row and hosts not ending healthy first) and says how many were left out."""
    rows = rows_of(events)
    shown = _picked(rows, max_rows) if max_rows and len(rows) > max_rows else rows
    times = [float(e.get("at") or 0) for e in events] or [0.0]
    start, span = min(times), max(max(times) - min(times), 1.0)
    height = page_height(len(shown)) + (ROW_H if shown is not rows else 0)
    several = len({w for w, _, _ in rows}) > 1
    body = [_row(w, h, evs, start, span, several) for w, h, evs in shown]
    if shown is not rows:
        body.append(
            f'<div class="line more">{len(rows) - len(shown)} more row(s) ending healthy: '
            "every host is in timeline.html</div>"
        )
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8"><title>edgeauto rollout timeline</title>'
        f"<style>{_css(height)}</style></head><body><main>\n"
        f'<h1>Rollout timeline</h1>\n<p id="summary">{escape(_summary(rows, span))}</p>\n'
        f'<div class="line axis"><span class="label"></span><span class="batch"></span>'
        f'<span class="track">{_ticks(span)}</span><span class="final">state</span></div>\n'
        + "\n".join(body)
        + f"\n{_legend()}\n</main></body></html>\n"
    )
    return page, height


def _picked(rows: list, limit: int) -> list:
    """``limit`` rows in their order: the rollout row and unhealthy endings first."""
    first = [r for r in rows if r[1] == FLEET_ROW or r[2][-1]["event"] != "healthy"][:limit]
    taken = {id(r) for r in first}
    rest = [r for r in rows if id(r) not in taken][: limit - len(first)]
    keep = taken | {id(r) for r in rest}
    return [r for r in rows if id(r) in keep]


def _css(height: int) -> str:
    return (
        "body{margin:0;background:#fff;color:#222;font:13px/1.3 system-ui,sans-serif}"
        f"main{{width:{WIDTH - 32}px;height:{height - 24}px;padding:12px 16px;overflow:hidden}}"
        "h1{font-size:18px;margin:0 0 6px}#summary{margin:0 0 14px;height:18px}"
        f".line{{display:flex;align-items:center;height:{ROW_H}px;box-sizing:border-box;"
        "border-bottom:1px solid #eee}"
        f".label{{width:{LABEL_W}px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}}"
        f".batch{{width:{BATCH_W}px;color:#555}}.final{{width:{FINAL_W}px;padding-left:10px}}"
        f".track{{position:relative;width:{TRACK_W}px;height:12px;background:#f3f3f3}}"
        ".axis .track{background:none;height:18px;color:#777;font-size:11px}"
        ".tick{position:absolute;top:0;transform:translateX(-50%)}"
        ".seg{position:absolute;top:0;height:12px}"
        ".dot{position:absolute;top:-2px;width:12px;height:12px;margin-left:-6px;"
        "border-radius:50%;border:2px solid #fff;box-sizing:content-box}"
        ".state{color:#fff;padding:1px 6px;border-radius:3px}"
        ".more{color:#555}.legend{margin-top:14px;display:flex;flex-wrap:wrap;gap:10px}"
        ".legend span{display:inline-flex;align-items:center;gap:4px}"
        ".legend i{display:inline-block;width:12px;height:12px;border-radius:50%}"
    )


def _row(
    workload: str, host: str, events: list[dict], start: float, span: float, several: bool
) -> str:
    label = f"{host} · {workload}" if several and workload else host
    batch = _batch(events)
    parts = []
    for i, event in enumerate(events):
        left = (float(event.get("at") or 0) - start) / span * 100
        if host == FLEET_ROW:  # fleet-wide events are moments, not states
            break
        right = (
            (float(events[i + 1].get("at") or 0) - start) / span * 100
            if i + 1 < len(events)
            else 100.0
        )
        colour = COLOURS[event["event"]]
        if right > left:
            opacity = "" if i + 1 < len(events) else ";opacity:.45"
            parts.append(
                f'<span class="seg" style="left:{left:.2f}%;width:{right - left:.2f}%;'
                f'background:{colour}{opacity}"></span>'
            )
    for event in events:  # dots above the segments
        left = (float(event.get("at") or 0) - start) / span * 100
        title = f"{event['event']} at +{float(event.get('at') or 0) - start:.1f}s"
        if event.get("version"):
            title += f" ({event['version']})"
        if event.get("detail"):
            title += f": {event['detail']}"
        parts.append(
            f'<span class="dot ev-{event["event"]}" title="{escape(title)}" '
            f'style="left:{left:.2f}%;background:{COLOURS[event["event"]]}"></span>'
        )
    last = events[-1]
    final = (
        f'<span class="state" style="background:{COLOURS[last["event"]]}">'
        f"{escape(last['event'].replace('_', ' '))}</span> "
        f"+{float(last.get('at') or 0) - start:.1f}s"
    )
    row_id = escape(f"row-{workload}-{host}")
    return (
        f'<div class="line row" id="{row_id}" data-final="{escape(last["event"])}">'
        f'<span class="label" title="{escape(label)}">{escape(label)}</span>'
        f'<span class="batch">{escape(batch)}</span><span class="track">{"".join(parts)}'
        f'</span><span class="final">{final}</span></div>'
    )


def _batch(events: list[dict]) -> str:
    batch = next((e.get("batch") for e in events if e.get("batch") is not None), None)
    if batch is None:
        return ""
    if batch == 0 or batch == "canary":
        return "canary"
    return f"batch {batch}"


def _ticks(span: float) -> str:
    step = next(
        (s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600) if span / s <= 8), 7200
    )
    marks, t = [], 0.0
    while t <= span + 1e-9:
        label = f"{t:g}s" if step < 60 else f"{t / 60:g}m"
        marks.append(f'<span class="tick" style="left:{t / span * 100:.2f}%">{label}</span>')
        t += step
    return "".join(marks)


def _summary(rows, span: float) -> str:
    finals: dict[str, int] = {}
    for _, host, events in rows:
        if host != FLEET_ROW:
            finals[events[-1]["event"]] = finals.get(events[-1]["event"], 0) + 1
    versions = sorted(
        {str(e.get("version")) for _, _, evs in rows for e in evs if e.get("version")}
    )
    hosts = sum(finals.values())
    counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(finals.items()))
    return (
        f"{hosts} host(s) over {span:.1f}s"
        + (f": {counts}" if counts else "")
        + (f" — versions {', '.join(versions)}" if versions else "")
    )


def _legend() -> str:
    items = "".join(
        f'<span><i style="background:{COLOURS[e]}"></i>{e.replace("_", " ")}</span>' for e in EVENTS
    )
    return f'<div class="legend">{items}</div>'
