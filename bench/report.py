"""From raw rows (one per timed run) to summary rows, markdown tables and PNG charts.

A *cell* is one (workload, phase, tool, hosts, rtt, mode) combination; its summary holds
min/median wall time over its repetitions, the ratio of its median to the reference's median
in the cell measured the same way (same workload, phase, hosts, RTT and mode), and, for a
cell at RTT > 0, the round trips per host derived from the latency it added:
``(median at RTT − median at 0 ms) / RTT`` (hosts run in parallel, so what the added delay
costs is the sequential round trips of one host).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

KEY = ("workload", "phase", "tool", "n", "rtt", "mode", "run")  # run: which pass (--render)
TOOL_LABEL = {
    "ref": "reference (one `ssh` per host)",
    "ref_c25519": "reference, curve25519 KEX",
    "edgeauto": "**edgeauto**",
    "edgeauto_base": "edgeauto (--base-src tree)",
    "ansible": "ansible-core (pipelining, no facts)",
    "ansible_defaults": "ansible-core defaults (facts, no pipelining)",
    "pyinfra": "pyinfra",
}
WORKLOAD_TITLE = {
    "w1": "W1: ad-hoc `uname -a`",
    "w2": "W2: the 10-task converge",
    "w3": "W3: a role converged (bench_site: 10 tasks, 16 items)",
    "w4": "W4: facts",
}


@dataclass
class Cell:
    workload: str
    phase: str
    tool: str
    n: int
    rtt: float
    mode: str
    run: int
    runs: int
    min: float
    median: float
    cpu: float | None
    rss_mb: float | None
    tree_pss_mb: float | None
    ok: bool
    ratio: float | None = None
    round_trips: float | None = None
    ea_connections: float | None = None
    ea_channels: float | None = None
    ea_scripts: float | None = None

    def key(self) -> tuple:
        return tuple(getattr(self, k) for k in KEY)


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _max(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def summarize(rows: list[dict]) -> list[Cell]:
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r.get(k, 1) for k in KEY), []).append(r)
    cells = []
    for key, rs in groups.items():
        walls = [r["wall"] for r in rs]
        cells.append(
            Cell(
                **dict(zip(KEY, key, strict=True)),
                runs=len(rs),
                min=min(walls),
                median=statistics.median(walls),
                cpu=_median(r.get("cpu") for r in rs),
                rss_mb=_max(r.get("rss_mb") for r in rs),
                tree_pss_mb=_max(r.get("tree_pss_mb") for r in rs),
                ok=all(r.get("ok") for r in rs),
                ea_connections=_median(r.get("ssh_connections_per_host") for r in rs),
                ea_channels=_median(r.get("ssh_channels_per_host") for r in rs),
                ea_scripts=_median(r.get("scripts_per_host") for r in rs),
            )
        )
    by_key = {c.key(): c for c in cells}
    for c in cells:
        ref = by_key.get((c.workload, c.phase, "ref", c.n, c.rtt, c.mode, c.run))
        if ref is not None and ref.median > 0 and ref.ok:  # no ratio to a failed reference
            c.ratio = c.median / ref.median
        if c.rtt > 0:
            base = by_key.get((c.workload, c.phase, c.tool, c.n, 0, c.mode, c.run))
            if base is not None:
                c.round_trips = (c.median - base.median) / (c.rtt / 1000)
    order = {t: i for i, t in enumerate(TOOL_LABEL)}
    cells.sort(
        key=lambda c: (
            c.workload,
            c.phase,
            c.n,
            c.rtt,
            c.mode != "cold",
            c.run,
            order.get(c.tool, 99),
        )
    )
    return cells


def _f(value, fmt="{:.2f}", dash="—"):
    return dash if value is None else fmt.format(value)


def ea_sessions(c: Cell) -> str:
    if c.ea_connections is None:
        return "—"
    return (
        f"{c.ea_connections:g} conn + {c.ea_channels:g} chan ({_f(c.ea_scripts, '{:g}')} scripts)"
    )


def markdown_tables(cells: list[Cell]) -> str:
    out = []
    for workload in sorted({c.workload for c in cells}):
        out += [
            f"### {WORKLOAD_TITLE.get(workload, workload)}",
            "",
            "| tool | phase | N | RTT ms | mode | runs | min s | median s | × ref | "
            "round trips/host (Δ/RTT) | edgeauto SSH/host | CPU s | RSS MB | tree PSS MB | ok |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for c in (c for c in cells if c.workload == workload):
            out.append(
                f"| {TOOL_LABEL.get(c.tool, c.tool)} | {c.run} | {c.phase} | {c.n} | {c.rtt:g} | "
                f"{c.mode} | "
                f"{c.runs} | {c.min:.2f} | {c.median:.2f} | {_f(c.ratio, '{:.2f}×')} | "
                f"{_f(c.round_trips, '{:.1f}')} | {ea_sessions(c)} | {_f(c.cpu)} | "
                f"{_f(c.rss_mb, '{:.0f}')} | {_f(c.tree_pss_mb, '{:.0f}')} | "
                f"{'yes' if c.ok else '**no**'} |"
            )
        out.append("")
    return "\n".join(out)


def charts(cells: list[Cell], outdir, prefix="bench") -> list[str]:
    """time vs hosts (W2 converged, RTT 0, cold and warm) and time vs RTT (W2 converged,
    largest N measured at several RTTs); PNG files, names returned."""
    latest: dict[tuple, Cell] = {}  # one point per tool, size, RTT, mode: its latest pass
    for c in cells:
        if c.workload == "w2" and c.phase == "run2" and c.ok:  # a failed run is no point
            k = (c.tool, c.n, c.rtt, c.mode)
            if k not in latest or c.run > latest[k].run:
                latest[k] = c
    pick = list(latest.values())
    made = [
        _chart(
            pick,
            outdir / f"{prefix}-time-vs-hosts.png",
            "hosts (lab hosts; 100 and more: light sshd hosts)",
            lambda c: c.n,
            lambda c: c.rtt == 0,
            "RTT 0",
            log_x=True,
        )
    ]
    lat = [c for c in pick if c.rtt > 0]
    if lat:
        n = max(c.n for c in lat)
        made.append(
            _chart(
                pick,
                outdir / f"{prefix}-time-vs-rtt.png",
                "added RTT, ms",
                lambda c: c.rtt,
                lambda c: c.n == n,
                f"{n} hosts",
                log_x=False,
            )
        )
    return [p.name for p in made]


def _chart(pick, path, xlabel, x_of, keep, where, log_x):
    """Two panels (cold, warm), one line per tool: median wall time against ``x_of``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    tools = [t for t in TOOL_LABEL if any(c.tool == t for c in pick)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, mode in zip(axes, ("cold", "warm"), strict=True):
        for tool in tools:
            pts = sorted(
                (x_of(c), c.median) for c in pick if c.tool == tool and c.mode == mode and keep(c)
            )
            if len(pts) > 1:
                color = f"C{list(TOOL_LABEL).index(tool) % 10}"  # same tool, same colour
                ax.plot(*zip(*pts, strict=True), marker="o", label=tool, color=color)
        ax.set_title(f"W2 converged, {mode}, {where}")
        ax.set_xlabel(xlabel)
        if log_x:
            ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sorted({x_of(c) for c in pick if keep(c)}))  # the measured points
        for axis in (ax.xaxis, ax.yaxis):  # 10, 50, 500 rather than 10^1 …
            axis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("wall time, median s")
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _cell(cells, workload, phase, tool, n, mode, rtt=0, run=None):
    """The cell measured so (from pass ``run``; by default the latest pass that has it)."""
    found = [
        c
        for c in cells
        if (c.workload, c.phase, c.tool, c.n, c.rtt, c.mode)
        == (workload, phase, tool, n, rtt, mode)
        and run in (None, c.run)
    ]
    return max(found, key=lambda c: c.run) if found else None


def _sizes(cells, want: list[int]) -> list[int]:
    """The wanted sizes that were measured, else the largest lab size that was."""
    have = sorted({c.n for c in cells if c.workload == "w2" and c.tool == "edgeauto" and c.n < 100})
    got = [n for n in want if n in have]
    return got or have[-1:]


def targets(cells: list[Cell]) -> str:
    """Where each speed target of issue 13 item 5 stands in this run (one ratio, same run)."""
    rows = []

    def add(target, where, value, met):
        status = "—" if met is None else ("**met**" if met else "not met")
        rows.append(f"| {target} | {where} | {value} | {status} |")

    def ratio_row(target, phase, mode, limit, sizes):
        for n in sizes:
            c = _cell(cells, "w2", phase, "edgeauto", n, mode)
            if c is None or c.ratio is None:
                add(target, f"{n} hosts, {mode}", "not measured", None)
            else:
                add(
                    target,
                    f"{n} hosts, {mode}",
                    f"{c.ratio:.2f}× ref ({c.median:.2f} s)",
                    c.ratio <= limit,
                )

    ratio_row("W2 converged cold ≤ 1.15× cold reference", "run2", "cold", 1.15, [10, 50])
    ratio_row("W2 converged warm ≤ 2× warm reference", "run2", "warm", 2.0, [10, 50])
    for mode in ("cold", "warm"):
        ratio_row("W2 first run ≤ 1.5× reference", "run1", mode, 1.5, [10, 50])
    for n in _sizes(cells, [1]):
        c = _cell(cells, "w2", "run2", "edgeauto", n, "warm")
        r = c and _cell(cells, "w2", "run2", "ref", n, "warm", run=c.run)
        if c and r:
            add(
                "fixed cost of a run ~0.1 s",
                f"{n} host, warm, W2 converged",
                f"{c.median - r.median:.2f} s over the warm reference",
                c.median - r.median <= 0.15,
            )
    lat = sorted({c.n for c in cells if c.rtt > 0 and c.tool == "edgeauto"})
    for n in lat[-1:]:
        for mode in ("cold", "warm"):
            c = _cell(cells, "w2", "run2", "edgeauto", n, mode, rtt=max(x.rtt for x in cells))
            r = c and _cell(cells, "w2", "run2", "ref", n, mode, rtt=c.rtt, run=c.run)
            if c and r and c.round_trips is not None and r.round_trips is not None:
                add(
                    "cold host in one SSH invocation: round trips = the reference's",
                    f"{n} hosts, {mode}, W2 converged, {c.rtt:g} ms",
                    f"{c.round_trips:.1f} vs {r.round_trips:.1f} per host; transport: "
                    f"{ea_sessions(c)}",
                    c.round_trips <= r.round_trips + 0.5,
                )
    for other, factor in (("pyinfra", 3), ("ansible", 20)):
        both = sorted(
            {c.n for c in cells if c.workload == "w2" and c.tool == other and c.n < 100}
            & {c.n for c in cells if c.workload == "w2" and c.tool == "edgeauto"}
        )
        sizes = [50] if 50 in both else both[-1:]
        if not sizes:
            add(f"≥ {factor}× faster than {other}", "50 hosts", "not measured", None)
        for n in sizes:
            for mode in ("cold", "warm"):
                o = _cell(cells, "w2", "run2", other, n, mode) or _cell(
                    cells, "w2", "run2", other, n, "cold"
                )  # pyinfra has no warm mode
                c = o and _cell(cells, "w2", "run2", "edgeauto", n, mode, run=o.run)
                if o and not c:
                    add(
                        f"≥ {factor}× faster than {other}",
                        f"{n} hosts, {mode}",
                        "not measured in one pass",
                        None,
                    )
                if c and o:
                    x = o.median / c.median
                    add(
                        f"≥ {factor}× faster than {other}",
                        f"{n} hosts, edgeauto {mode} vs {other} {o.mode}, W2 converged",
                        f"{x:.1f}×",
                        x >= factor,
                    )
    big = sorted({c.n for c in cells if c.n >= 100})
    for n in big[-1:]:
        c = _cell(cells, "w2", "run2", "edgeauto", n, "cold")
        r = c and _cell(cells, "w2", "run2", "ref", n, "cold", run=c.run)
        if c and r and not r.ok:
            add(
                "500+ hosts ≤ 1.3× reference, < 1 GiB controller memory",
                f"{n} light hosts, cold, W2 converged",
                f"the reference's run failed (edgeauto {c.median:.1f} s, reference "
                f"{r.median:.1f} s), tree PSS {_f(c.tree_pss_mb, '{:.0f}')} MB",
                None,
            )
        if c and c.ratio is not None:
            mem = c.tree_pss_mb
            add(
                "500+ hosts ≤ 1.3× reference, < 1 GiB controller memory",
                f"{n} light hosts, cold, W2 converged",
                f"{c.ratio:.2f}× ref ({c.median:.1f} s), tree PSS {_f(mem, '{:.0f}')} MB, "
                f"largest process {_f(c.rss_mb, '{:.0f}')} MB",
                c.ratio <= 1.3 and (mem or 0) < 1024,
            )
    head = ["| target (issue 13 item 5) | where | this run | status |", "|---|---|---|---|"]
    return "\n".join(head + rows)
