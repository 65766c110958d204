"""The side-by-side benchmark: reference, edgeauto, ansible-core and pyinfra, cold and warm,
W1–W4, on 1/10/50 lab hosts, at 0 and 100 ms RTT, plus a scale run on 500+ light sshd hosts.

Usage (``invoke bench`` runs this; ``invoke bench --quick`` passes ``--quick``):
  python bench/run.py [--quick] [--sizes 1,10,50] [--reps 3] [--rtts 0,100] [--scale 500]
                      [--tools ref,edgeauto,...] [--workloads w1,w2,w3,w4] [--out docs/benchmarks.md]
  python bench/run.py --render bench/results/run-A.json [B.json ...]  (tables, charts again)

Cold = no live ControlMaster: the harness stops every master of every tool before each timed
run. Warm = the reference with masters it started itself (untimed), edgeauto and ansible
reusing the masters their own untimed warm-up run left (ControlPersist); pyinfra has no
persistent connection, so it has only cold rows. Cold cells interleave the tools rep by rep;
warm cells run one tool's reps back to back so its masters stay alive.
Raw rows go to bench/results/run-STAMP.json; docs/benchmarks.md gets the generated section
between its BEGIN/END markers, the charts go to docs/img/. Nothing here is part of the tests.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report, tools  # noqa: E402
from bench.hosts import LabTargets, LightTargets  # noqa: E402
from bench.latency import PROXY_PORT, Proxies  # noqa: E402
from bench.masters import stop_masters  # noqa: E402
from bench.measure import ToolGroup, run_measured  # noqa: E402
from bench.tools import MASTERS, REPO, SUPPORTS, TOOLS, WORKLOADS, View, control_dir, outcome  # noqa: E402

RESULTS = REPO / "bench" / "results"
HEAVY = ("ansible", "ansible_defaults")  # ~0.2 s per host·task: --heavy-reps


class Runner:
    def __init__(self, args, rows: list[dict]) -> None:
        self.args = args
        self.rows = rows
        self.groups = {t: ToolGroup(t) for t in TOOLS}

    def log(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    # -- one timed run -----------------------------------------------------------------
    def timed(self, view: View, tool: str, workload: str, phase: str, mode: str, rep: int) -> dict:
        if mode == "cold":
            for t in MASTERS:
                stop_masters(control_dir(t, view.rtt_ms))
        cmd = view.command(tool, workload, warm=mode == "warm")
        load1 = os.getloadavg()[0]
        m = run_measured(
            cmd.argv, self.groups[tool], env=cmd.env or None, cwd=cmd.cwd, stdin_data=cmd.stdin
        )
        row = {
            "workload": workload,
            "phase": phase,
            "tool": tool,
            "n": len(view.targets),
            "rtt": view.rtt_ms,
            "mode": mode,
            "rep": rep,
            "wall": m.wall,
            "cpu": m.cpu,
            "rss_mb": m.rss_mb,
            "tree_pss_mb": m.tree_pss_mb,
            "load1": load1,
            **outcome(tool, m.rc, m.stdout, m.stderr, len(view.targets)),
        }
        self.rows.append(row)
        self.log(
            json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()})
        )
        return row

    def untimed(self, view: View, tool: str, workload: str) -> None:
        """A warm-up (warm cells) or a first converge (W3): run it, do not record it."""
        if tool == "ref":
            subprocess.run(["sh", "-c", view.ref_masters()], capture_output=True)
            return
        cmd = view.command(tool, workload, warm=True)
        run_measured(cmd.argv, self.groups[tool], env=cmd.env or None, cwd=cmd.cwd)

    # -- cells ---------------------------------------------------------------------------
    def phases(self, workload: str) -> list[str]:
        return ["run1", "run2"] if workload == "w2" else ["run"]

    def reps(self, tool: str, n: int) -> int:
        if tool in HEAVY:
            return min(self.args.reps, self.args.heavy_reps)
        return self.args.reps

    def tools_for(self, workload: str, n: int, rtt: float, mode: str) -> list[str]:
        tools = [t for t in self.args.tools if t in SUPPORTS[workload]]
        if mode == "warm":
            tools = [t for t in tools if t in MASTERS and t != "ansible_defaults"]
        if "ansible_defaults" in tools and n not in self.args.defaults_sizes:
            tools.remove("ansible_defaults")
        return tools

    def workload(self, views: list[View], workload: str, hosts) -> None:
        """Every cell of one workload. Each rep runs a tool at every RTT in turn (direct, then
        through the proxy), so the difference the latency makes is measured under the same
        machine load, not minutes apart."""
        n = len(views[0].targets)
        for mode in self.args.modes:
            tools = self.tools_for(workload, n, 0, mode)
            if workload == "w3":  # converge once (untimed), so every timed run is converged
                for tool in tools:
                    self.untimed(views[0], tool, workload)
            if mode == "cold":
                for rep in range(max(self.reps(t, n) for t in tools) if tools else 0):
                    for tool in tools:
                        for view in views:
                            if rep < self.reps(tool, n):
                                self.sequence(view, tool, workload, mode, rep, hosts)
            else:
                for tool in tools:
                    for view in views:
                        self.untimed(view, tool, workload)
                    for rep in range(self.reps(tool, n)):
                        for view in views:
                            self.sequence(view, tool, workload, mode, rep, hosts)
                    if tool == "ref":
                        for view in views:
                            stop_masters(control_dir("ref", view.rtt_ms))

    def sequence(self, view, tool, workload, mode, rep, hosts) -> None:
        if workload == "w2":
            wipe(hosts, view.targets)
        for phase in self.phases(workload):
            self.timed(view, tool, workload, phase, mode, rep)


def wipe(hosts, targets) -> None:
    """W2 starts from nothing on every host (untimed)."""
    with ThreadPoolExecutor(max_workers=min(32, len(targets))) as pool:
        list(
            pool.map(
                lambda t: hosts.run(
                    t, f"rm -rf {t.hostdir}/etc {t.hostdir}/var {t.hostdir}/opt {t.hostdir}/current"
                ),
                targets,
            )
        )


def measure_hosts(runner: Runner, hosts, rtts, workloads, work: Path) -> None:
    targets = hosts.up()
    with ThreadPoolExecutor(max_workers=min(32, len(targets))) as pool:
        list(pool.map(lambda t: hosts.run(t, f"mkdir -p {t.hostdir}"), targets))
    proxies = {
        rtt: Proxies(targets, rtt, work, PROXY_PORT + i)
        for i, rtt in enumerate(r for r in rtts if r > 0)
    }
    known = targets + [t for p in proxies.values() for t in p.via()]
    try:
        views = {
            rtt: View(
                work, proxies[rtt].start() if rtt > 0 else targets, hosts.access(), rtt, known
            )
            for rtt in rtts
        }
        for workload in workloads:
            wanted = [views[r] for r in rtts if r == 0 or workload in runner.args.rtt_workloads]
            runner.workload(wanted, workload, hosts)
        for rtt in rtts:
            for t in MASTERS:
                stop_masters(control_dir(t, rtt))
    finally:
        for p in proxies.values():
            p.stop()
        hosts.down()


def merge_rows(runs: list[list[dict]]) -> list[dict]:
    """Rows of several passes, each tagged with its pass number (1, 2 …): cells, ratios and
    round trips are computed within one pass, so no median or ratio mixes two passes'
    machine load."""
    return [dict(r, run=i) for i, rows in enumerate(runs, 1) for r in rows]


def machine() -> dict:
    def pkg(name):
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "n/a"

    ssh = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        "?",
    )
    mem = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "platform": platform.platform(),
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory_gib": round(int(mem) / 2**20, 1),
        "python": platform.python_version(),
        "edgeauto": f"{pkg('edgeauto')} (commit {commit})",
        "ansible-core": pkg("ansible-core"),
        "pyinfra": pkg("pyinfra"),
        "paramiko": pkg("paramiko"),
        "openssh": ssh,
    }


def csv(text: str, cast=str) -> list:
    return [cast(x) for x in text.split(",") if x]


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="sizes 1,10; RTT runs at 10 hosts; ansible once per cell; ansible "
        "defaults at 10 hosts; the 500-host scale run once, cold",
    )
    ap.add_argument("--sizes", default="1,10,50")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument(
        "--heavy-reps",
        type=int,
        default=3,
        help="reps for ansible (0.2-0.5 s per host and task on this machine)",
    )
    ap.add_argument("--rtts", default="0,100", help="added round-trip times, ms")
    ap.add_argument("--rtt-sizes", default="1,10", help="sizes measured at every RTT")
    ap.add_argument("--rtt-workloads", default="w1,w2")
    ap.add_argument("--defaults-sizes", default="1,10", help="sizes for ansible defaults")
    ap.add_argument("--modes", default="cold,warm")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--workloads", default="w2,w1,w4,w3", help="in this order")
    ap.add_argument("--scale", type=int, default=500, help="light sshd hosts (0: no scale run)")
    ap.add_argument("--scale-tools", default="ref,edgeauto,pyinfra")
    ap.add_argument("--scale-workloads", default="w2,w1")
    ap.add_argument("--scale-reps", type=int, default=3)
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument(
        "--base-src", type=Path, help="also run edgeauto from this source tree (edgeauto_base)"
    )
    ap.add_argument(
        "--render",
        nargs="+",
        metavar="RESULTS",
        help="only regenerate the doc section from these results files (rows merged)",
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.rtt_sizes, args.scale_reps = "10,1", "10", 1
        args.heavy_reps, args.defaults_sizes = 1, "10"
    args.sizes, args.rtt_sizes = csv(args.sizes, int), csv(args.rtt_sizes, int)
    args.rtts, args.defaults_sizes = csv(args.rtts, float), csv(args.defaults_sizes, int)
    args.modes, args.tools = csv(args.modes), csv(args.tools)
    args.workloads, args.rtt_workloads = csv(args.workloads), csv(args.rtt_workloads)
    args.scale_tools, args.scale_workloads = csv(args.scale_tools), csv(args.scale_workloads)
    for name, allowed in (
        ("tools", TOOLS),
        ("scale_tools", TOOLS),
        ("workloads", WORKLOADS),
        ("scale_workloads", WORKLOADS),
        ("modes", ("cold", "warm")),
    ):
        bad = [x for x in getattr(args, name) if x not in allowed]
        if bad:
            ap.error(f"--{name.replace('_', '-')}: unknown {bad}; expected some of {allowed}")
    if args.base_src:
        if not (args.base_src / "edgeauto" / "__init__.py").is_file():
            ap.error(f"--base-src {args.base_src}: no edgeauto package there")
        if "edgeauto_base" not in args.tools:
            args.tools.append("edgeauto_base")
    elif "edgeauto_base" in args.tools:
        args.tools.remove("edgeauto_base")
    if any(r < 0 for r in args.rtts) or 0 not in args.rtts:
        ap.error("--rtts must include 0 (round trips are derived against it) and be >= 0")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    if args.render:
        parts = [json.loads(Path(f).read_text()) for f in args.render]
        data = dict(
            parts[0],
            rows=merge_rows([p["rows"] for p in parts]),
            argv=[" + ".join(" ".join(p.get("argv", [])) for p in parts)],
            started=min(p["started"] for p in parts),
            finished=max(p.get("finished", p["started"]) for p in parts),
        )
        write_doc(Path(args.out), data, results=[Path(f).resolve() for f in args.render])
        return 0
    if os.geteuid() != 0:
        raise SystemExit("bench: needs root (lab hosts are namespaces; light hosts are sshd)")
    import compileall
    import tempfile

    compileall.compile_dir(str(REPO / "edgeauto"), quiet=1)  # as an installed wheel has .pyc
    if args.base_src:
        tools.BASE_SRC = args.base_src.resolve()
        compileall.compile_dir(str(tools.BASE_SRC / "edgeauto"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="eab-"))
    rows: list[dict] = []
    data = {
        "machine": machine(),
        "argv": sys.argv[1:],
        "started": time.time(),
        "rows": rows,
        "load_start": os.getloadavg(),
    }
    runner = Runner(args, rows)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"run-{stamp}.json"
    try:
        for n in args.sizes:
            rtts = args.rtts if n in args.rtt_sizes else [0.0]
            measure_hosts(runner, LabTargets(n, work), rtts, args.workloads, work)
            out.write_text(json.dumps(data, indent=1))
        if args.scale:
            scale_args = argparse.Namespace(**vars(args))
            scale_args.tools, scale_args.reps = args.scale_tools, args.scale_reps
            scale_args.modes = ["cold"] if args.quick else args.modes
            scale = Runner(scale_args, rows)
            measure_hosts(scale, LightTargets(args.scale, work), [0.0], args.scale_workloads, work)
    finally:
        data["finished"], data["load_end"] = time.time(), os.getloadavg()
        out.write_text(json.dumps(data, indent=1))
        print(f"raw rows: {out}", file=sys.stderr)
    write_doc(Path(args.out), data, results=[out])
    return 0 if all(r.get("ok") for r in rows) else 1


BEGIN, END = "<!-- BEGIN bench/run.py -->", "<!-- END bench/run.py -->"


def write_doc(path: Path, data: dict, results: list[Path] | None = None) -> None:
    """Replace the generated section of ``path`` (between the markers) with this run."""
    cells = report.summarize(data["rows"])
    img = path.parent / "img"
    img.mkdir(exist_ok=True)
    names = report.charts(cells, img)
    m = data["machine"]
    loads = [r["load1"] for r in data["rows"] if "load1" in r]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(data["started"]))
    dur = (data.get("finished", data["started"]) - data["started"]) / 60
    files = ", ".join(str(p.relative_to(REPO)) for p in results or [])
    section = "\n".join(
        [
            BEGIN,
            f"## Results of `python bench/run.py {' '.join(data.get('argv', []))}` ({when}, {dur:.0f} min)",
            "",
            "Machine: " + ", ".join(f"{k} {v}" for k, v in m.items()) + ".",
            f"1-min load average during the run: min {min(loads):.1f}, median "
            f"{sorted(loads)[len(loads) // 2]:.1f}, max {max(loads):.1f} (per run in the raw rows"
            f"{', ' + files if files else ''})."
            if loads
            else "",
            "",
            "### Where the targets of issue 13 item 5 stand",
            "",
            report.targets(cells),
            "",
            *[f"![{n}](img/{n})" for n in names],
            "",
            report.markdown_tables(cells),
            END,
        ]
    )
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
