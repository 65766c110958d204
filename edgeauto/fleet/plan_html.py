"""``workload plan --html``: the plan as a page — hosts by site, what is placed where and,
for every workload a host does not get, why.

Plain HTML with inline CSS, no script and nothing fetched, so it opens from a file anywhere
(and renders the same in headless Chromium, which the tests use). Every value is escaped.
"""

from __future__ import annotations

from html import escape

from edgeauto.fleet.hostview import SIMULATED
from edgeauto.fleet.placement import PlacementPlan
from edgeauto.fleet.plan_text import facts_summary, needs_of
from edgeauto.fleet.specvalues import format_size

NO_SITE = "(no site)"

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.4em 0}td,th{padding:3px 8px;text-align:left;
vertical-align:top;border-bottom:1px solid #eee}th{background:#eee}.num{text-align:right}
.placed{background:#2e9d4b;color:#fff;padding:0 6px;border-radius:3px;margin-right:4px;
display:inline-block}
.why{color:#8a1c1c}.why b{color:#333;font-weight:600}.sim{color:#6a5acd}
.down td{background:#fdecea}.unmet{border:2px solid #d9a400;background:#fff8e1;padding:4px 10px}
.hw{color:#555;font-size:.9em}
"""


def render_html(plan: PlacementPlan, title: str = "edgeauto workload plan") -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p id="facts">{escape(facts_summary(plan))}</p>',
        _workloads(plan),
        _unmet(plan),
        *(_site(plan, site, hosts) for site, hosts in _by_site(plan)),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _workloads(plan: PlacementPlan) -> str:
    rows = [
        '<section id="workloads"><h2>Workloads</h2><table>',
        "<tr><th>workload</th><th>version</th><th>needs</th><th>placed</th><th>excluded</th></tr>",
    ]
    for w in plan.workloads:
        rows.append(
            f'<tr class="workload" id="workload-{escape(w.name)}"><td>{escape(w.name)}</td>'
            f"<td>{escape(w.version)}</td><td>{escape(needs_of(w))}</td>"
            f'<td class="num">{len(plan.assigned[w.name])}</td>'
            f'<td class="num">{len(plan.excluded[w.name])}</td></tr>'
        )
    rows.append("</table></section>")
    return "\n".join(rows)


def _unmet(plan: PlacementPlan) -> str:
    items = [
        f"<li>{escape(w.name)}: {escape(w.placement.spread or '')} {escape(value)} — "
        f"{escape(why)}</li>"
        for w in plan.workloads
        for value, why in plan.unmet[w.name].items()
    ]
    if not items:
        return ""
    return (
        '<section id="unmet" class="unmet"><h2>Spread not met</h2><ul>'
        + "".join(items)
        + "</ul></section>"
    )


def _by_site(plan: PlacementPlan):
    groups: dict[str, list] = {}
    for host in plan.hosts:
        groups.setdefault(host.labels.get("site", NO_SITE), []).append(host)
    return sorted(groups.items(), key=lambda kv: (kv[0] == NO_SITE, kv[0]))


def _site(plan: PlacementPlan, site: str, hosts: list) -> str:
    placed_here = sum(len(plan.on_host(h.name)) for h in hosts)
    out = [
        f'<section class="site" id="site-{escape(site)}"><h2>site {escape(site)} — '
        f"{len(hosts)} host(s), {placed_here} placement(s)</h2><table>",
        "<tr><th>host</th><th>zone</th><th>hardware</th><th>placed</th><th>not placed</th></tr>",
    ]
    for host in hosts:
        out.append(_host_row(plan, host))
    out.append("</table></section>")
    return "\n".join(out)


def _host_row(plan: PlacementPlan, host) -> str:
    name = escape(host.name)
    zone = escape(host.labels.get("zone", ""))
    if host.unreachable is not None:
        return (
            f'<tr class="host down" id="host-{name}"><td>{name}</td><td>{zone}</td>'
            f'<td colspan="3" class="why">unreachable: {escape(host.unreachable)}</td></tr>'
        )
    placed = "".join(f'<span class="placed">{escape(w)}</span>' for w in plan.on_host(host.name))
    missing = "<br>".join(
        f'<span class="why"><b>{escape(w.name)}</b>: {escape(plan.excluded[w.name][host.name])}'
        "</span>"
        for w in plan.workloads
        if host.name in plan.excluded[w.name]
    )
    return (
        f'<tr class="host" id="host-{name}"><td>{name}</td><td>{zone}</td>'
        f'<td class="hw">{_hardware(host)}</td><td>{placed or "—"}</td><td>{missing}</td></tr>'
    )


def _hardware(host) -> str:
    parts = [host.arch or "?"]
    if host.cpus:
        parts.append(f"{host.cpus:g} cpu")
    if host.memory:
        parts.append(format_size(host.memory))
    if host.kvm_usable:
        parts.append("kvm")
    parts.extend(host.accelerators)
    text = escape(", ".join(parts))
    if host.facts_from == SIMULATED:
        text += ' <span class="sim">(simulated)</span>'
    return text
