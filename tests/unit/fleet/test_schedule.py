"""``edgeauto schedule``: the files rendered for systemd and cron, what is refused, the
``--root`` install/list/remove round trip, and the lock with two real overlapping
``edgeauto run`` processes (the schedule's own wrapper script, run twice at once on the local
connection). The real install + timer firing on a systemd host is
tests/integration/test_schedule_lab.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edgeauto.fleet.history import History
from edgeauto.fleet.schedule import (
    EX_TEMPFAIL,
    Layout,
    Schedule,
    ScheduleError,
    cron_spec,
    parse_duration,
    render_cron,
    render_timer,
    render_wrapper,
)

ROOT = Path(__file__).resolve().parents[3]


def edgeauto(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_durations_parse_and_bad_ones_are_explained():
    assert parse_duration("15m", "--every") == 900
    assert parse_duration("1h30m", "--every") == 5400
    assert parse_duration("90", "--every") == 90
    with pytest.raises(ScheduleError, match="--every 'soon': expected a duration like 15m"):
        parse_duration("soon", "--every")
    with pytest.raises(ScheduleError, match="expected a duration"):
        parse_duration("15m later", "--every")


def test_cron_expresses_divisors_of_an_hour_or_a_day_only():
    assert cron_spec(60) == "* * * * *"
    assert cron_spec(900) == "*/15 * * * *"
    assert cron_spec(3600) == "0 * * * *"
    assert cron_spec(6 * 3600) == "0 */6 * * *"
    assert cron_spec(86400) == "0 0 * * *"
    for every in (420, 90, 5 * 3600, 2 * 86400):
        with pytest.raises(ScheduleError, match="cron cannot run every"):
            cron_spec(every)


def test_bad_names_and_missing_commands_are_refused():
    with pytest.raises(ScheduleError, match="schedule name 'a.b'"):
        Schedule("a.b", 60, ["run", "x.yml"])
    with pytest.raises(ScheduleError, match="give it after --"):
        Schedule("ok", 60, [])


def test_systemd_timer_carries_period_and_jitter():
    timer = render_timer(Schedule("fleet", 900, ["run", "x.yml"], jitter=120))
    assert "OnActiveSec=900s\nOnUnitActiveSec=900s\nRandomizedDelaySec=120s\n" in timer
    assert "Unit=edgeauto-fleet.service" in timer and "WantedBy=timers.target" in timer


def test_wrapper_locks_then_runs_edgeauto_and_sleeps_for_jitter_only_under_cron():
    layout = Layout(Path("/"), True, Path("/root"))
    sched = Schedule("fleet", 900, ["run", "-i", "inv", "my site.yml"], jitter=60, cwd="/srv/x")
    sched.backend, sched.history = "systemd", "/var/h.db"
    text = render_wrapper(sched, layout, program=["/usr/bin/python3", "-m", "edgeauto"])
    assert "lock=/var/lib/edgeauto/schedules/fleet.lock" in text
    assert 'flock -w "$max_wait" 9' in text and "exit 75" in text
    assert "jitter=0\n" in text  # systemd's RandomizedDelaySec does it
    assert "exec /usr/bin/python3 -m edgeauto run -i inv 'my site.yml'\n" in text
    assert "cd /srv/x" in text and "EDGEAUTO_HISTORY=/var/h.db" in text
    sched.backend = "cron"
    assert "jitter=60\n" in render_wrapper(sched, layout)
    cron = render_cron(sched, layout, "root")
    assert "*/15 * * * * root /var/lib/edgeauto/schedules/fleet.sh >>" in cron


def test_wrapper_is_posix_sh_and_shellcheck_clean(tmp_path):
    layout = Layout(Path("/"), True, Path("/root"))
    sched = Schedule("fleet", 900, ["run", "x.yml"], jitter=5, backend="cron")
    script = tmp_path / "w.sh"
    script.write_text(render_wrapper(sched, layout))
    for shell in ("dash", "sh"):
        assert subprocess.run([shell, "-n", str(script)]).returncode == 0
    shellcheck = subprocess.run(["which", "shellcheck"], capture_output=True).returncode == 0
    if shellcheck:
        proc = subprocess.run(["shellcheck", "-s", "sh", str(script)], capture_output=True)
        assert proc.returncode == 0, proc.stdout.decode()


def test_add_list_remove_under_root(tmp_path):
    (tmp_path / "pb.yml").write_text("- hosts: all\n  gather_facts: false\n  tasks: []\n")
    root = tmp_path / "root"
    add = edgeauto(
        "schedule", "add", "fleet", "--every", "15m", "--jitter", "2m", "--root", str(root),
        "--backend", "systemd", "--history", "h.db", "--", "run", "-i", "localhost,", "pb.yml",
        cwd=tmp_path,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    units = root / "etc/systemd/system"
    assert (units / "edgeauto-fleet.timer").is_file()
    service = (units / "edgeauto-fleet.service").read_text()
    assert "ExecStart=/var/lib/edgeauto/schedules/fleet.sh" in service
    wrapper = root / "var/lib/edgeauto/schedules/fleet.sh"
    assert wrapper.stat().st_mode & 0o777 == 0o755
    assert f"EDGEAUTO_HISTORY={tmp_path / 'h.db'}" in wrapper.read_text()
    again = edgeauto(
        "schedule", "add", "fleet", "--every", "1h", "--root", str(root), "--backend",
        "systemd", "--", "run", "pb.yml", cwd=tmp_path,
    )  # fmt: skip
    assert again.returncode == 1 and "exists" in again.stderr and "--replace" in again.stderr
    listing = json.loads(
        edgeauto("schedule", "list", "--json", "--root", str(root), cwd=tmp_path).stdout
    )
    (only,) = listing["schedules"]
    assert (only["name"], only["every"], only["jitter"]) == ("fleet", 900, 120)
    assert only["command"] == ["run", "-i", "localhost,", "pb.yml"]
    removed = edgeauto("schedule", "remove", "fleet", "--root", str(root), cwd=tmp_path)
    assert removed.returncode == 0 and removed.stdout.count("removed ") == 4
    assert not any(p.is_file() for p in root.rglob("*"))


def test_add_refuses_bad_commands_before_writing_anything(tmp_path):
    root = tmp_path / "root"
    cases = [
        (["--every", "7m", "--backend", "cron", "--", "run", "pb.yml"], "cron cannot run every 7m"),
        (["--every", "1h", "--", "run", "--nope", "pb.yml"], "is not a valid command line"),
        (["--every", "1h", "--", "lint", "pb.yml"], "must be one of run, adhoc, workload, history"),
        (["--every", "1h"], "give the command after --"),
        (["--", "run", "pb.yml"], "required: --every"),
        (["--every", "1h", "--backend", "systemd"], "give the command after --"),
    ]
    for extra, message in cases:
        proc = edgeauto("schedule", "add", "x", "--root", str(root), *extra, cwd=tmp_path)
        assert proc.returncode != 0, extra
        assert message in proc.stderr, (extra, proc.stderr)
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_no_systemd_and_no_cron_under_root_is_a_clear_error(tmp_path):
    proc = edgeauto(
        "schedule", "add", "x", "--every", "1h", "--root", str(tmp_path / "empty"), "--",
        "run", "pb.yml", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1 and "no systemd running under" in proc.stderr
    (tmp_path / "cronroot/etc/cron.d").mkdir(parents=True)
    proc = edgeauto(
        "schedule", "add", "x", "--every", "1h", "--root", str(tmp_path / "cronroot"), "--",
        "run", "pb.yml", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0 and "via cron" in proc.stdout
    assert (tmp_path / "cronroot/etc/cron.d/edgeauto-x").is_file()


SLOW_PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: hold the fleet for a while
      command: sleep 3
"""


def _wrapper(tmp_path: Path, name: str, max_wait: int) -> Path:
    """The real wrapper of a schedule, its lock and state under tmp_path (a user layout),
    running this checkout's edgeauto on the local connection."""
    layout = Layout(Path("/"), False, tmp_path)
    sched = Schedule(
        name, 60, ["run", "-i", "localhost,", "-c", "local", "slow.yml", "--no-retry-file"],
        max_wait=max_wait, lock="fleet", cwd=str(tmp_path), history=str(tmp_path / "h.db"),
        backend="systemd",
    )  # fmt: skip
    script = tmp_path / f"{name}.sh"
    script.write_text(render_wrapper(sched, layout).replace(
        str(layout.target_state_dir()), str(tmp_path / "state")))  # fmt: skip
    script.chmod(0o755)
    (tmp_path / "state").mkdir(exist_ok=True)
    return script


def _wait_until_locked(lock: Path) -> None:
    """Until a run holds the lock (probed with flock -n; a bound, not a timing assertion)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.exists() and subprocess.run(["flock", "-n", str(lock), "true"]).returncode:
            return
        time.sleep(0.05)
    raise AssertionError(f"no run took {lock} within 60s")


def test_two_overlapping_scheduled_runs_never_overlap(tmp_path):
    (tmp_path / "slow.yml").write_text(SLOW_PLAYBOOK)
    patient = _wrapper(tmp_path, "patient", max_wait=120)
    first = subprocess.Popen([str(patient)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_until_locked(tmp_path / "state" / "fleet.lock")  # the second surely contends
    second = subprocess.Popen([str(patient)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert first.wait(timeout=120) == 0, first.communicate()
    assert second.wait(timeout=120) == 0, second.communicate()
    with History.open(tmp_path / "h.db") as history:
        runs = sorted(history.runs(), key=lambda r: r.started)
    assert len(runs) == 2 and all(r.rc == 0 for r in runs)
    assert runs[1].started >= runs[0].ended  # the second started only after the first ended
    assert all("(schedule patient)" in r.user for r in runs)


def test_a_run_that_cannot_get_the_lock_in_time_exits_75_with_a_message(tmp_path):
    (tmp_path / "slow.yml").write_text(SLOW_PLAYBOOK)
    patient = _wrapper(tmp_path, "patient", max_wait=120)
    impatient = _wrapper(tmp_path, "impatient", max_wait=0)  # shares the lock "fleet"
    first = subprocess.Popen([str(patient)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = tmp_path / "state" / "fleet.lock"
    _wait_until_locked(lock)
    proc = subprocess.run([str(impatient)], capture_output=True, text=True, timeout=60)
    assert first.wait(timeout=120) == 0
    assert proc.returncode == EX_TEMPFAIL
    assert f"edgeauto schedule impatient: another run still holds {lock} after 0s" in proc.stderr
    assert "this run is skipped (exit 75)" in proc.stderr
    with History.open(tmp_path / "h.db") as history:
        assert len(history.runs()) == 1  # the skipped run never started edgeauto
