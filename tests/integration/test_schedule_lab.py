"""``edgeauto schedule`` with the real thing on both ends: a lab Debian host booted with
systemd, with Python, acts as the controller; this checkout's edgeauto (and the three
libraries a local run imports: jinja2, markupsafe, yaml) is copied there, and on that host
``edgeauto schedule add`` installs and enables the timer itself. The timer fires real
``edgeauto run`` processes (local connection, a task that sleeps), two more are started by
hand at once with ``schedule run``, and the history database on that host shows every run
recorded as the schedule's, none overlapping another. A schedule sharing the lock with
``--max-wait 0`` exits 75 with its message while a run holds it; ``schedule remove`` disables
and deletes everything. ``systemd-analyze verify`` accepts the units.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path

import jinja2
import markupsafe
import yaml

import edgeauto

PREFIX = "/opt/edgeauto-lab"
SLOW = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: hold the fleet for a while
      command: sleep 2
"""


def _bundle() -> bytes:
    """edgeauto + the libraries a local run imports, as a tar to unpack under PREFIX."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for module in (edgeauto, jinja2, markupsafe, yaml):
            root = Path(module.__file__).parent
            tar.add(root, arcname=root.name, filter=_no_cache)
    return buf.getvalue()


def _no_cache(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if "__pycache__" in info.name else info


def _wait_for(host, command: str, what: str, bound: float = 120) -> None:
    """Poll until ``command`` succeeds on the host (a bound, not a timing assertion)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if host.run(command).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {bound}s")


def test_real_edgeauto_schedule_on_a_systemd_controller(make_host):
    host = make_host(flavor="debian", systemd=True, with_python=True)
    host.run(f"mkdir -p {PREFIX} && tar -xz -C {PREFIX} -f -", input=_bundle(), check=True)
    host.run("mkdir -p /srv/fleet && cat > /srv/fleet/slow.yml", input=SLOW, check=True)
    ea = f"cd /srv/fleet && PYTHONPATH={PREFIX} python3 -m edgeauto"
    run = "run -i localhost, -c local slow.yml --no-retry-file"

    add = host.run(
        f"{ea} schedule add fleet --every 4s --jitter 1s --lock fleet --max-wait 2m "
        f"--history /srv/fleet/h.db -- {run}"
    )
    assert add.returncode == 0, add.stdout + add.stderr
    assert "via systemd" in add.stdout  # detected: this host runs systemd
    assert host.run("systemctl is-enabled edgeauto-fleet.timer").stdout.strip() == "enabled"
    units = "/etc/systemd/system/edgeauto-fleet"
    verify = host.run(f"systemd-analyze verify {units}.timer {units}.service")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    listing = host.run(f"{ea} schedule list")
    assert "fleet" in listing.stdout and "active" in listing.stdout, listing.stdout

    # the timer fires real runs, recorded in the history as the schedule's
    count = f"{ea} history --history /srv/fleet/h.db list --json"
    _wait_for(host, f"[ $({count} | grep -c '\"rc\": 0') -ge 2 ]", "two timer runs")
    both = host.run(f"({ea} schedule run fleet & {ea} schedule run fleet & wait)", timeout=300)
    assert both.returncode == 0, both.stdout + both.stderr

    impatient = host.run(
        f"{ea} schedule add impatient --every 1h --lock fleet --max-wait 0 "
        f"--history /srv/fleet/h.db -- {run}"
    )
    assert impatient.returncode == 0, impatient.stderr
    lock = "/var/lib/edgeauto/schedules/fleet.lock"
    held = host.run(
        f"flock {lock} sleep 6 & while flock -n {lock} true; do sleep 0.1; done; "
        f"{ea} schedule run impatient; echo rc=$?; wait",
        timeout=120,
    )
    assert "rc=75" in held.stdout, held.stdout + held.stderr
    assert f"another run still holds {lock} after 0s; this run is skipped" in held.stderr

    removed = host.run(f"{ea} schedule remove fleet && {ea} schedule remove impatient")
    assert removed.returncode == 0, removed.stderr
    # `remove` waited for the run in flight (a oneshot is "activating" while it runs)
    state = host.run("systemctl show -p ActiveState --value edgeauto-fleet.service").stdout
    assert state.strip() in ("inactive", "failed", ""), state
    assert host.run("systemctl cat edgeauto-fleet.timer").returncode != 0  # gone
    assert host.run("ls /var/lib/edgeauto/schedules/*.sh").returncode != 0

    runs = json.loads(host.run(f"{count} -n 100").stdout)["runs"]
    runs.sort(key=lambda r: r["started"])
    assert len(runs) >= 4, runs
    odd = [
        {k: r.get(k) for k in ("id", "rc", "user", "started", "ended")}
        for r in runs
        if r["rc"] != 0 or r["user"] != "root (schedule fleet)"
    ]
    assert not odd, odd
    assert all(r["host_counts"] == {"changed": 1} for r in runs)
    for before, after in zip(runs, runs[1:], strict=False):
        assert after["started"] >= before["ended"], "two scheduled runs overlapped"
