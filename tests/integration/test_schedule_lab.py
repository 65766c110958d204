"""``edgeauto schedule`` installed for real on a lab Debian host booted with systemd, acting
as the controller: systemd accepts the units (``systemd-analyze verify``), the timer fires
periodically, the lock serializes overlapping runs (the timer's and two started by hand at
once), and a run that cannot get a shared lock in time exits 75 with its message.

The files are the ones ``install`` writes under ``--root``, copied onto the host at the same
paths. What they run is a STAND-IN (named as such): the lab host has no Python, so instead of
``python -m edgeauto run …`` the wrapper execs a small sh script that logs the start and end
of its run; the lock with real ``edgeauto run`` processes is tested locally in
tests/unit/fleet/test_schedule.py.
"""

from __future__ import annotations

import io
import tarfile
import time
from pathlib import Path

from edgeauto.fleet.schedule import Layout, Schedule, install

STANDIN = "/usr/local/bin/edgeauto-standin"
STANDIN_SH = """#!/bin/sh
# STAND-IN for `python -m edgeauto` (no Python on the lab host): logs its run's interval
echo "start $(date +%s.%N) $$ ${EDGEAUTO_SCHEDULE:-} $*" >> /var/log/standin.log
sleep 2
echo "end $(date +%s.%N) $$" >> /var/log/standin.log
"""
STATE = "/var/lib/edgeauto/schedules"


def _tar(root: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=str(path.relative_to(root)))
    return buf.getvalue()


def _intervals(log: str) -> list[tuple[float, float]]:
    starts, ends = {}, {}
    for line in log.splitlines():
        kind, at, pid, *_ = line.split()
        (starts if kind == "start" else ends)[pid] = float(at)
    assert set(starts) == set(ends), log  # every run that started ended
    return sorted((starts[p], ends[p]) for p in starts)


def _wait_for(host, command: str, what: str, bound: float = 90) -> str:
    """Poll until ``command`` succeeds on the host (a bound, not a timing assertion)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        proc = host.run(command)
        if proc.returncode == 0:
            return proc.stdout
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {bound}s")


def test_timer_fires_and_the_lock_serializes_runs(tmp_path, make_host):
    host = make_host(flavor="debian", systemd=True)
    layout = Layout(tmp_path / "root", True, Path("/root"))
    (tmp_path / "root/run/systemd/system").mkdir(parents=True)  # the target runs systemd
    fleet = Schedule(
        "fleet", 3, ["run", "-i", "inv", "site.yml"], jitter=1, max_wait=60, lock="fleet",
        cwd="/", history="/var/lib/edgeauto/history.db",
    )  # fmt: skip
    impatient = Schedule("impatient", 3600, ["run", "site.yml"], max_wait=1, lock="fleet", cwd="/")
    for sched in (fleet, impatient):
        install(sched, layout, program=[STANDIN])
    assert fleet.backend == "systemd"  # detected from the target's /run/systemd/system
    (tmp_path / "root/run").rename(tmp_path / "run-not-copied")
    tree = tmp_path / "root"
    (tree / STANDIN.lstrip("/")).parent.mkdir(parents=True)
    (tree / STANDIN.lstrip("/")).write_text(STANDIN_SH)
    (tree / STANDIN.lstrip("/")).chmod(0o755)
    host.run("tar -x -p -C / -f -", input=_tar(tree), check=True)

    verify = host.run(
        "systemd-analyze verify /etc/systemd/system/edgeauto-fleet.timer "
        "/etc/systemd/system/edgeauto-fleet.service"
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    host.run("systemctl daemon-reload && systemctl enable --now edgeauto-fleet.timer", check=True)
    assert host.run("systemctl is-enabled edgeauto-fleet.timer").stdout.strip() == "enabled"

    # the timer fires, and again: two runs ended on their own
    _wait_for(host, "[ $(grep -c '^end' /var/log/standin.log) -ge 2 ]", "two timer runs")
    # two more by hand, at once, while the timer keeps firing
    both = host.run(f"{STATE}/fleet.sh & {STATE}/fleet.sh & wait", timeout=180)
    assert both.returncode == 0, both.stderr
    host.run("systemctl disable --now edgeauto-fleet.timer", check=True)
    _wait_for(host, "! systemctl is-active -q edgeauto-fleet.service", "the last timer run")
    log = host.run("cat /var/log/standin.log").stdout
    runs = _intervals(log)
    assert len(runs) >= 4, log
    for (_, end), (start, _) in zip(runs, runs[1:], strict=False):
        assert start >= end, f"two runs overlapped:\n{log}"
    assert "fleet run -i inv site.yml" in log  # EDGEAUTO_SCHEDULE and the command reached it

    # a run of another schedule sharing the lock gives up after its max_wait (1s)
    held = host.run(
        f"flock {STATE}/fleet.lock sleep 8 & "
        f"while flock -n {STATE}/fleet.lock true; do sleep 0.1; done; "
        f"{STATE}/impatient.sh; echo rc=$?; wait",
        timeout=60,
    )
    assert "rc=75" in held.stdout, held.stdout + held.stderr
    assert (
        f"edgeauto schedule impatient: another run still holds {STATE}/fleet.lock after 1s;"
        " this run is skipped (exit 75)"
    ) in held.stderr
