"""Controller-cost probe for performance work: W2 cold and warm, CPU and wall, one tool.

``run_bench.py`` compares tools; this measures one thing precisely enough to judge a change to
edgeauto: the converged W2 run (``bench/w2``) on N lab hosts, **cold** (every ControlMaster
stopped first, like the reference's plain ``ssh host sh -s``) and **warm** (masters left from the
previous run), as controller CPU seconds (user+sys of the controller and the ssh clients it
waited for; less disturbed than wall time by other work on a shared 2-core box) and wall
seconds, min/median over ``--reps``. ``--src`` runs edgeauto from another source tree, so a
change can be measured against its parent in the same session on the same hosts.

Usage (the lab stays up between calls until ``down``)::

    python bench/perf_probe.py up --hosts 50
    python bench/perf_probe.py measure --hosts 10 --reps 5 [--src /path/to/old/checkout] [--ref]
    python bench/perf_probe.py profile --hosts 50 [--warm] -o /tmp/w2.svg   # py-spy, all threads
    python bench/perf_probe.py down

Speed is only ever measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
W2 = HERE / "w2"
HOSTDIR = "/root/w2"
STATE = Path(os.environ.get("PERF_PROBE_STATE", "/tmp/edgeauto-perf-probe"))
SUBNET = os.environ.get("PERF_PROBE_SUBNET", "127.79.0")
CONTROL_DIR = STATE / "cm"


def lab():
    from edgeauto.lab import Lab

    return Lab(state_dir=STATE / "lab", subnet=SUBNET)


def hosts_of(n: int):
    found = lab().hosts
    if len(found) < n:
        sys.exit(f"only {len(found)} lab hosts are up; run `up --hosts {n}` first")
    return found[:n]


def write_inventory(n: int) -> Path:
    keys = lab().keys()
    common = (
        f"-o UserKnownHostsFile={keys.known_hosts} -o StrictHostKeyChecking=yes "
        "-o IdentitiesOnly=yes"
    )
    lines = ["[bench]"]
    lines += [
        f"{h.name} ansible_host={h.address} ansible_port={h.port} hostdir={HOSTDIR}"
        for h in hosts_of(n)
    ]
    lines += [
        "[bench:vars]",
        "ansible_user=root",
        f"ansible_ssh_private_key_file={keys.client_key}",
        f"ansible_ssh_common_args='{common}'",
    ]
    path = STATE / f"inventory-{n}.ini"
    path.write_text("\n".join(lines) + "\n")
    return path


def stop_masters() -> None:
    """Cold start: end every master edgeauto left in our private control directory."""
    if not CONTROL_DIR.is_dir():
        return
    for sock in CONTROL_DIR.iterdir():
        subprocess.run(
            ["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "x"],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        sock.unlink(missing_ok=True)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def env_for(src: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), ANSIBLE_SSH_CONTROL_PATH_DIR=str(CONTROL_DIR))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def edgeauto_argv(inventory: Path) -> list[str]:
    return [
        sys.executable, "-m", "edgeauto", "run", "-i", str(inventory),
        str(W2 / "playbook.yml"), "--json", "-f", "50",
    ]  # fmt: skip


def run_once(argv: list[str], env: dict) -> tuple[float, float, dict]:
    cpu0 = children_cpu()
    start = time.perf_counter()
    # cwd: the source tree itself — `python -m` puts the working directory first on sys.path,
    # so running from another checkout would silently import that one instead
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
        cwd=env["PYTHONPATH"],
    )  # fmt: skip
    wall = time.perf_counter() - start
    cpu = children_cpu() - cpu0
    info: dict = {"rc": proc.returncode}
    try:
        stats = json.loads(proc.stdout).get("stats", {})
        info["changed"] = sum(s.get("changed", 0) for s in stats.values())
        info["trips"] = max((s.get("round_trips", 0) for s in stats.values()), default=0)
    except (json.JSONDecodeError, AttributeError):
        info["error"] = (proc.stderr or proc.stdout)[-600:]
    return wall, cpu, info


def run_ref(n: int) -> tuple[float, float]:
    script = (W2 / "ref.sh").read_text()
    cfg = lab().ssh_config
    cpu0 = children_cpu()

    def one(h):
        return subprocess.run(
            ["ssh", "-F", str(cfg), "-o", "ControlMaster=no", "-o", "ControlPath=none",
             h.name, "sh", "-s", "--", HOSTDIR],
            input=script, capture_output=True, text=True,
        )  # fmt: skip

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        procs = list(pool.map(one, hosts_of(n)))
    wall = time.perf_counter() - start
    if any(p.returncode for p in procs):
        print("ref failed:", [p.stderr for p in procs if p.returncode][:1], file=sys.stderr)
    return wall, children_cpu() - cpu0


def summary(label: str, samples: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in samples]
    cpus = [c for _, c in samples]
    return (
        f"{label:28s} wall min {min(walls):.3f} med {statistics.median(walls):.3f}   "
        f"cpu min {min(cpus):.3f} med {statistics.median(cpus):.3f}"
    )


def measure(args) -> None:
    inventory = write_inventory(args.hosts)
    srcs = [("new", REPO)] + [(src.name, src.resolve()) for src in args.src]
    for _, src in srcs:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src / "edgeauto")])
    results: dict[str, list] = {}
    # converge once (untimed) so every timed run is the converged run2
    run_once(edgeauto_argv(inventory), env_for(REPO))
    for _ in range(args.reps):
        for name, src in srcs:
            env = env_for(src)
            stop_masters()
            wall, cpu, info = run_once(edgeauto_argv(inventory), env)
            results.setdefault(f"{name} cold", []).append((wall, cpu))
            check(info)
            wall, cpu, info = run_once(edgeauto_argv(inventory), env)
            results.setdefault(f"{name} warm", []).append((wall, cpu))
            check(info)
        if args.ref:
            results.setdefault("ref cold", []).append(run_ref(args.hosts))
    print(f"W2 converged, {args.hosts} hosts, {args.reps} reps, load {os.getloadavg()[0]:.1f}")
    for label, samples in results.items():
        print(summary(label, samples))


def check(info: dict) -> None:
    if info.get("rc") or info.get("changed"):
        sys.exit(f"run was not a clean converged run: {info}")


def profile(args) -> None:
    """py-spy over all threads of one converged run (cold unless --warm)."""
    inventory = write_inventory(args.hosts)
    env = env_for(REPO)
    run_once(edgeauto_argv(inventory), env)
    if not args.warm:
        stop_masters()
    spy = shutil.which("py-spy") or "/tmp/perf-venv/bin/py-spy"
    fmt = "raw" if args.output.endswith(".txt") else "flamegraph"
    flags = [*(["--gil"] if args.gil else []), *(["--idle"] if args.idle else [])]
    subprocess.run(
        [
            spy,
            "record",
            "-r",
            "250",
            "-f",
            fmt,
            "-o",
            args.output,
            *flags,
            "--",
            *edgeauto_argv(inventory),
        ],  # fmt: skip
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(args.output)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up")
    up.add_argument("--hosts", type=int, default=10)
    sub.add_parser("down")
    m = sub.add_parser("measure")
    m.add_argument("--hosts", type=int, default=10)
    m.add_argument("--reps", type=int, default=5)
    m.add_argument(
        "--src", type=Path, action="append", default=[],
        help="also run edgeauto from this source tree (repeatable; labelled by its name)",
    )  # fmt: skip
    m.add_argument("--ref", action="store_true", help="also time the cold reference")
    p = sub.add_parser("profile")
    p.add_argument("--hosts", type=int, default=10)
    p.add_argument("--warm", action="store_true")
    p.add_argument("--idle", action="store_true", help="also idle samples (wall time)")
    p.add_argument("--gil", action="store_true", help="only samples holding the GIL (CPU)")
    p.add_argument("-o", "--output", default="/tmp/edgeauto-w2.svg")
    args = ap.parse_args()
    if args.cmd == "up":
        lab().up(hosts=args.hosts, flavor="debian", systemd=False)
        CONTROL_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    elif args.cmd == "down":
        lab().down(force=True)
    elif args.cmd == "measure":
        measure(args)
    else:
        profile(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
