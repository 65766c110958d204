"""Side-by-side benchmark: edgeauto vs ansible-core vs pyinfra vs one hand-written script.

Brings up its own lab (N debian hosts with python3 so ansible can drive them too, in a state
directory of its own so it never touches a test lab), then for each tool and each repetition:
wipe the work dir on every host (untimed) → run1 (everything changes) → run2 (converged, must
change nothing). Reports min/median wall seconds, the ratio to the reference (one
``ssh host sh -s < ref.sh`` per host, all in parallel, cold connections), and for edgeauto the
SSH round trips per host counted by its transport (``--json`` stats).

Usage: .venv/bin/python bench/run_bench.py [--hosts 10] [--reps 3] [--tools ref,edgeauto,...]
       [--base-src OLD_CHECKOUT]  (also runs edgeauto from another source tree, same run)
       [--markdown docs/benchmarks.md]
Speed is only ever measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_BIN = Path(sys.executable).parent
W2 = HERE / "w2"
HOSTDIR = "/root/w2"
TOOLS = ("ref", "edgeauto", "ansible", "pyinfra")


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tool_env() -> dict:
    """Environment for the tools: bytecode caching on, as for any installed package.

    Some machines export PYTHONDONTWRITEBYTECODE=1, which makes every run recompile every
    module of every tool; an installed wheel (ours, ansible-core's, pyinfra's) has its .pyc.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def precompile() -> None:
    """Compile edgeauto's modules once, untimed (pip did the same for ansible and pyinfra)."""
    import compileall

    compileall.compile_dir(str(REPO / "edgeauto"), quiet=1)


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by the processes this harness waited for: the
    controller's cost of a run, which wall time on a shared 2-core box hides."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None):
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=env or tool_env(), cwd=cwd,
        stdin=subprocess.DEVNULL,
    )
    return time.perf_counter() - start, proc


class Bench:
    def __init__(self, hosts: int, work: Path):
        from edgeauto.lab import Lab

        self.work = work
        self.lab = Lab(state_dir=work / "lab", subnet="127.78.0")
        self.n = hosts
        self.hosts = []

    # ----- lab ------------------------------------------------------------------------
    def up(self) -> None:
        self.lab.down(force=True)
        self.hosts = self.lab.up(hosts=self.n, flavor="debian", with_python=True, systemd=False)

    def down(self) -> None:
        self.lab.down(force=True)

    def wipe(self) -> None:
        def one(h):
            h.run(f"rm -rf {HOSTDIR}", check=True)

        with ThreadPoolExecutor(max_workers=self.n) as pool:
            list(pool.map(one, self.hosts))

    # ----- per-tool inventories ---------------------------------------------------------
    def write_inventories(self) -> None:
        keys = self.lab.keys()
        common = (
            f"-o UserKnownHostsFile={keys.known_hosts} -o StrictHostKeyChecking=yes "
            "-o IdentitiesOnly=yes"
        )
        lines = ["[bench]"]
        for h in self.hosts:
            lines.append(
                f"{h.name} ansible_host={h.address} ansible_port={h.port} hostdir={HOSTDIR}"
            )
        lines += [
            "[bench:vars]",
            "ansible_user=root",
            f"ansible_ssh_private_key_file={keys.client_key}",
            f"ansible_ssh_common_args='{common}'",
            "ansible_python_interpreter=/usr/bin/python3",
        ]
        (self.work / "inventory.ini").write_text("\n".join(lines) + "\n")
        (self.work / "ansible.cfg").write_text(
            "[defaults]\nforks=50\nretry_files_enabled=False\nhost_key_checking=True\n"
            "interpreter_python=/usr/bin/python3\n[ssh_connection]\npipelining=True\n"
            f"control_path_dir={self.work}/cp\n"
        )
        hosts = [
            (h.name, {"ssh_hostname": h.address, "ssh_port": h.port, "hostdir": HOSTDIR})
            for h in self.hosts
        ]
        (self.work / "pyinfra_inventory.py").write_text(f"bench = {hosts!r}\n")
        (self.work / "group_data").mkdir(exist_ok=True)
        (self.work / "group_data" / "all.py").write_text(
            f"ssh_user = 'root'\nssh_key = {str(keys.client_key)!r}\n"
            f"ssh_known_hosts_file = {str(keys.known_hosts)!r}\n"
            "ssh_strict_host_key_checking = 'yes'\nssh_allow_agent = False\n"
            "ssh_look_for_keys = False\n"
        )

    # ----- tools --------------------------------------------------------------------
    def run_ref(self):
        script = (W2 / "ref.sh").read_text()
        cfg = self.lab.ssh_config

        def one(h):
            return subprocess.run(
                ["ssh", "-F", str(cfg), "-o", "ControlMaster=no", "-o", "ControlPath=none",
                 h.name, "sh", "-s", "--", HOSTDIR],
                input=script, capture_output=True, text=True,
            )

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=self.n) as pool:
            procs = list(pool.map(one, self.hosts))
        wall = time.perf_counter() - start
        changed = sum(int(p.stdout.strip().rsplit("=", 1)[-1] or 0) for p in procs
                      if p.returncode == 0)
        ok = all(p.returncode == 0 for p in procs)
        return wall, ok, {"changed": changed}

    base_src: Path | None = None  # --base-src: the same command on another source tree

    def run_edgeauto_base(self):
        """edgeauto from ``--base-src`` (an older checkout), same entry point and flags, so a
        change can be measured against what it replaces in one run on the same hosts."""
        env = dict(tool_env(), PYTHONPATH=str(self.base_src))
        return self.run_edgeauto(env)

    def run_edgeauto(self, env: dict | None = None):
        wall, proc = timed(
            [str(VENV_BIN / "edgeauto"), "run", "-i", str(self.work / "inventory.ini"),
             str(W2 / "playbook.yml"), "--json", "-f", "50"], env=env,
        )
        info: dict = {}
        try:
            data = json.loads(proc.stdout)
            stats = data.get("stats", {})
            info["changed"] = sum(s.get("changed", 0) for s in stats.values())
            trips = [s.get("round_trips") for s in stats.values() if "round_trips" in s]
            if trips:
                info["round_trips_per_host"] = max(trips)
        except (json.JSONDecodeError, AttributeError):
            info["error"] = (proc.stderr or proc.stdout)[-400:]
        return wall, proc.returncode == 0, info

    def run_ansible(self):
        env = dict(tool_env(), ANSIBLE_CONFIG=str(self.work / "ansible.cfg"))
        wall, proc = timed(
            [str(VENV_BIN / "ansible-playbook"), "-i", str(self.work / "inventory.ini"),
             str(W2 / "playbook.yml")], env=env,
        )
        changed = sum(
            int(part.split("=")[1])
            for line in proc.stdout.splitlines() if "changed=" in line and ":" in line
            for part in line.split() if part.startswith("changed=")
        )
        info = {"changed": changed}
        if proc.returncode:
            info["error"] = proc.stdout[-400:]
        return wall, proc.returncode == 0, info

    def run_pyinfra(self):
        wall, proc = timed(
            [str(VENV_BIN / "pyinfra"), "-y", "--parallel", "50", "pyinfra_inventory.py",
             str(W2 / "pyinfra_deploy.py")], cwd=self.work,
        )
        info = {}
        if proc.returncode:
            info["error"] = (proc.stderr or proc.stdout)[-400:]
        return wall, proc.returncode == 0, info


def summarize(rows: list[dict]) -> dict:
    out: dict = {}
    for r in rows:
        out.setdefault((r["tool"], r["phase"]), []).append(r)
    return out


def machine_line() -> str:
    def version(cmd):
        try:
            return sh(cmd).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "n/a"

    import importlib.metadata as md

    def pkg(name):
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "n/a"

    return (
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"edgeauto {pkg('edgeauto')}, ansible-core {pkg('ansible-core')}, "
        f"pyinfra {pkg('pyinfra')}, {sh(['ssh', '-V']).stderr.strip()}, "
        f"load avg at start {os.getloadavg()[0]:.1f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--markdown", help="append the result table to this file")
    ap.add_argument("--keep", action="store_true", help="leave the lab up afterwards")
    ap.add_argument("--base-src", type=Path,
                    help="also run edgeauto from this source tree (tool edgeauto_base)")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in TOOLS:
            ap.error(f"unknown tool {t!r}; expected some of {', '.join(TOOLS)}")
    if args.base_src:
        if not (args.base_src / "edgeauto" / "__init__.py").is_file():
            ap.error(f"--base-src {args.base_src}: no edgeauto package there")
        import compileall

        compileall.compile_dir(str(args.base_src / "edgeauto"), quiet=1)
        tools.insert(tools.index("edgeauto") + 1 if "edgeauto" in tools else 0, "edgeauto_base")
    work = Path(tempfile.mkdtemp(prefix="edgeauto-bench-"))
    bench = Bench(args.hosts, work)
    bench.base_src = args.base_src.resolve() if args.base_src else None
    rows: list[dict] = []
    header = machine_line()
    print(header, flush=True)
    t0 = time.perf_counter()
    precompile()
    bench.up()
    print(f"lab of {args.hosts} hosts up in {time.perf_counter() - t0:.1f}s", flush=True)
    try:
        bench.write_inventories()
        for rep in range(args.reps):
            for tool in tools:
                bench.wipe()
                for phase in ("run1", "run2"):
                    cpu0 = children_cpu()
                    wall, ok, info = getattr(bench, f"run_{tool}")()
                    cpu = children_cpu() - cpu0
                    row = {"tool": tool, "phase": phase, "rep": rep, "wall": wall, "cpu": cpu,
                           "ok": ok, **info}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        if not args.keep:
            bench.down()
    table = render(rows, header, args.hosts)
    print(table)
    (HERE / "results").mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (HERE / "results" / f"w2-{stamp}.json").write_text(json.dumps({"machine": header, "rows": rows}, indent=1))
    if args.markdown:
        with open(args.markdown, "a") as fh:
            fh.write("\n" + table + "\n")
    return 0 if all(r["ok"] for r in rows) else 1


def render(rows: list[dict], header: str, n: int) -> str:
    groups = summarize(rows)
    ref = {ph: statistics.median(r["wall"] for r in groups.get(("ref", ph), [])) for ph in ("run1", "run2")
           if groups.get(("ref", ph))}
    lines = [
        f"### W2 10-task converge on {n} lab hosts ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Machine: {header}",
        "",
        "| tool | phase | min s | median s | × ref (median) | CPU s (median) | changed (last rep) | round trips/host | ok |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (tool, phase), rs in groups.items():
        walls = [r["wall"] for r in rs]
        med = statistics.median(walls)
        ratio = f"{med / ref[phase]:.2f}×" if phase in ref else "—"
        last = rs[-1]
        lines.append(
            f"| {tool} | {phase} | {min(walls):.2f} | {med:.2f} | {ratio} | "
            f"{statistics.median(r.get('cpu', 0.0) for r in rs):.2f} | "
            f"{last.get('changed', '—')} | {last.get('round_trips_per_host', '—')} | "
            f"{all(r['ok'] for r in rs)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
