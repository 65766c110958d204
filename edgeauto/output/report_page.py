"""The HTML of ``--report``: plain HTML and inline CSS, no script, no external resource.

Kept apart from the reporter so the layout can change without touching how results are
collected. Every value is escaped here (:func:`html.escape`); the caller masks secrets on the
finished text. Bars are positioned with percentages of the run's elapsed time, so the page
scales with the window and needs nothing but CSS.
"""

from __future__ import annotations

from html import escape

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:top}
th{background:#eee}.num{text-align:right}
pre{background:#f6f6f6;padding:6px;overflow-x:auto;margin:2px 0;white-space:pre-wrap}
.ok{background:#2e9d4b}.changed{background:#d9a400}.failed,.unreachable{background:#c62828}
.skipped{background:#4a90d9}.ignored{background:#8e6bbf}
.badge{color:#fff;padding:0 6px;border-radius:3px;font-size:.85em}
.failures{border:2px solid #c62828;padding:4px 10px;background:#fdecea}
.none{color:#2e7d32}
.timeline td.bar{width:60%;min-width:300px}
.track{position:relative;height:14px;background:#f0f0f0}
.track span{position:absolute;top:0;height:14px;min-width:2px}
.add{color:#1b5e20}.del{color:#b71c1c}.hunk{color:#555}
"""


def render_page(model) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(model.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(model.title)}</h1>",
        _summary(model),
        _failures(model),
        _timelines(model),
        _changed_files(model),
        _recap(model),
        _notes(model),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _summary(model) -> str:
    mode = " (check mode)" if model.check_mode else ""
    stop = " — interrupted" if model.interrupted else ""
    return (
        f'<p id="summary">Started {escape(model.started_at)}, {model.elapsed:.2f}s, '
        f"{len(model.hosts())} host(s), exit code {model.exit_code}{mode}{stop}</p>"
    )


def _failures(model) -> str:
    rows = model.failures
    out = ['<section id="failures"><h2>Failures</h2>']
    if not rows:
        out.append('<p class="none">No failures.</p></section>')
        return "\n".join(out)
    out.append('<table class="failures"><tr><th>Host</th><th>Task</th><th>Message</th></tr>')
    for r in rows:
        where = f"<br><small>{escape(r.at)}</small>" if r.at else ""
        out.append(
            f'<tr class="failure"><td>{escape(r.host)}</td><td>{escape(r.name)}{where}</td>'
            f"<td><pre>{escape(r.message)}</pre></td></tr>"
        )
    out.append("</table></section>")
    return "\n".join(out)


def _timelines(model) -> str:
    scale = max(model.elapsed, max((r.start + r.duration for r in model.rows), default=0.0))
    scale = scale or 1.0
    out = ['<section id="hosts"><h2>Hosts</h2>']
    for host in model.hosts():
        rows = [r for r in model.rows if r.host == host]
        out.append(f'<h3 class="host" id="host-{escape(host)}">{escape(host)}</h3>')
        if not rows:
            out.append("<p>No task ran on this host.</p>")
            continue
        out.append(
            '<table class="timeline"><tr><th>Task</th><th>Status</th>'
            '<th class="num">Start</th><th class="num">Duration</th><th>Timeline</th></tr>'
        )
        for r in rows:
            status = "ignored" if r.ignored else r.status
            left, width = 100 * r.start / scale, max(0.3, 100 * r.duration / scale)
            label = escape(r.name) + (" (handler)" if r.handler else "")
            out.append(
                f'<tr><td>{label}</td><td><span class="badge {status}">{status}</span></td>'
                f'<td class="num">+{r.start:.2f}s</td><td class="num">{r.duration:.2f}s</td>'
                f'<td class="bar"><div class="track"><span class="{status}" '
                f'style="left:{min(left, 99.7):.2f}%;width:{width:.2f}%" '
                f'title="{label}: {r.duration:.2f}s"></span></div></td></tr>'
            )
        out.append("</table>")
    out.append("</section>")
    return "\n".join(out)


def _changed_files(model) -> str:
    rows = [r for r in model.rows if r.diffs]
    if not rows:
        return ""
    out = ['<section id="changed-files"><h2>Changed files</h2>']
    for r in rows:
        for path, diff in r.diffs:
            title = f"{r.host}: {path or r.name}"
            out.append(f'<h3>{escape(title)}</h3><pre class="diff">{_diff_html(diff)}</pre>')
    out.append("</section>")
    return "\n".join(out)


def _diff_html(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        css = ""
        if line.startswith(("+++", "---")):
            css = "hunk"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        elif line.startswith("@@"):
            css = "hunk"
        text = escape(line)
        lines.append(f'<span class="{css}">{text}</span>' if css else text)
    return "\n".join(lines)


_COUNTERS = ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored")


def _recap(model) -> str:
    head = "".join(f'<th class="num">{c}</th>' for c in _COUNTERS)
    out = ['<section id="recap"><h2>Recap</h2>', f"<table><tr><th>Host</th>{head}</tr>"]
    for host in model.hosts():
        counts = model.stats.get(host, {})
        cells = "".join(f'<td class="num">{int(counts.get(c, 0))}</td>' for c in _COUNTERS)
        out.append(f'<tr class="recap-host"><td>{escape(host)}</td>{cells}</tr>')
    out.append("</table></section>")
    return "\n".join(out)


def _notes(model) -> str:
    out = []
    for host, tasks in (model.not_run or {}).items():
        out.append(f"<li>{escape(host)}: not run: {escape(', '.join(map(str, tasks)))}</li>")
    out += [f"<li>warning: {escape(w)}</li>" for w in model.warnings]
    out += [f"<li>error: {escape(e)}</li>" for e in model.errors]
    if not out:
        return ""
    return '<section id="notes"><h2>Notes</h2><ul>' + "".join(out) + "</ul></section>"
