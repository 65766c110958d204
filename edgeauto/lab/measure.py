"""Measure the lab: ``python -m edgeauto.lab.measure [--hosts 10] [--cold] [--flavor …]``.

Prints wall times of ``up`` (cold = empty image cache, i.e. mmdebstrap included; warm =
cached base), the first login round over SSH, per-host memory (PSS, shared pages split
fairly) and ``down``, then checks that nothing is left. The numbers in docs/lab.md come from it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from edgeauto.lab import cgroups
from edgeauto.lab.lab import Lab


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--flavor", default="debian")
    ap.add_argument("--no-systemd", dest="systemd", action="store_false", default=None)
    ap.add_argument(
        "--cold", action="store_true", help="use an empty image cache (builds the base)"
    )
    ap.add_argument(
        "--from-archive",
        action="store_true",
        help="cache holds only the .tar.zst (as restored by a CI cache): measures the unpack",
    )
    ap.add_argument("--subnet", default="127.77.90")
    args = ap.parse_args(argv)

    state = Path(tempfile.mkdtemp(prefix="edgeauto-lab-measure-"))
    cache = None
    if args.cold or args.from_archive:
        cache = Path(tempfile.mkdtemp(prefix="edgeauto-lab-cache-"))
    lab = Lab(state_dir=state, cache_dir=cache, subnet=args.subnet)
    if args.from_archive:
        recipe = lab.recipe_for(args.flavor, None, False, ())
        shutil.copy2(Lab().images.archive_path(recipe), lab.images.archive_path(recipe))
    try:
        started = time.monotonic()
        hosts = lab.up(hosts=args.hosts, flavor=args.flavor, systemd=args.systemd)
        up_s = time.monotonic() - started
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
            results = list(pool.map(lambda h: h.run("hostname").returncode, hosts))
        login_s = time.monotonic() - started
        per_host = []
        for h in hosts:
            pids = cgroups.pids_in(cgroups.host_cgroups(lab.id, h.name))
            per_host.append((len(pids), sum(pss_kib(p) for p in pids)))
        namespaces = lab.namespaces()
    finally:
        started = time.monotonic()
        report = lab.down()
        down_s = time.monotonic() - started
    left = lab.leftovers(namespaces)
    procs = sum(n for n, _ in per_host) / len(per_host)
    pss = sum(k for _, k in per_host) / len(per_host) / 1024
    mode = hosts[0].mode
    print(
        f"{'cold' if args.cold else 'from archive' if args.from_archive else 'warm'} up of {args.hosts} {args.flavor}/{mode} hosts: "
        f"{up_s:.1f}s; parallel ssh login round: {login_s:.1f}s "
        f"({results.count(0)}/{len(results)} ok); per host {procs:.0f} processes, "
        f"{pss:.1f} MiB PSS; down: {down_s:.1f}s; problems: {report.problems or 'none'}; "
        f"leftovers: {left or 'none'}"
    )
    shutil.rmtree(state, ignore_errors=True)
    if cache:
        shutil.rmtree(cache, ignore_errors=True)
    return 0 if not left and not report.problems else 1


if __name__ == "__main__":
    sys.exit(main())
