"""Scheduled fleet runs: a systemd timer (or a cron entry where there is no systemd) on the
controller that runs an edgeauto command at a period, with jitter, one run at a time.

What gets installed for a schedule NAME (paths for a system install; ``--root DIR`` writes
the same files under DIR, with the paths inside them unchanged, and activates nothing):

* ``/var/lib/edgeauto/schedules/NAME.sh`` — the wrapper every trigger runs: optional
  jitter sleep (cron only), then ``flock`` on the schedule's lock, then ``exec`` of
  ``python -m edgeauto COMMAND…`` in the directory the schedule was added from, with
  ``EDGEAUTO_HISTORY`` pointing at the history database (so each run is recorded there) and
  ``EDGEAUTO_SCHEDULE=NAME`` (so the history says who ran it).
* systemd: ``/etc/systemd/system/edgeauto-NAME.service`` (oneshot, runs the wrapper) and
  ``edgeauto-NAME.timer`` (``OnActiveSec``/``OnUnitActiveSec`` = the period,
  ``RandomizedDelaySec`` = the jitter), enabled and started.
* cron: ``/etc/cron.d/edgeauto-NAME`` — a period cron can express (a divisor of an hour or
  of a day), output appended to ``NAME.log`` beside the wrapper.
* ``NAME.json`` beside the wrapper: what ``schedule list`` shows and ``remove`` undoes.

The lock (the decision documented in docs/schedules.md): a run that finds the lock taken
**waits** for it up to ``max_wait`` seconds (default 300), then **exits 75** (EX_TEMPFAIL)
with one line saying which lock was busy — so a slow run delays the next one a little but
two runs never overlap and triggers never pile up. A systemd timer never starts its service
twice at once anyway; the lock is what also serializes ``schedule run NAME`` by hand, cron
(which has no such rule) and schedules that share a lock (``--lock NAME``).

Run as a normal user without ``--root``, the units go to ``~/.config/systemd/user`` and the
state under ``$XDG_STATE_HOME/edgeauto/schedules`` (``systemctl --user``); cron without root
is not supported (no ``crontab`` editing): use systemd or run as root.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from edgeauto.errors import EdgeautoError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # cron.d ignores names with dots
DURATION_RE = re.compile(r"(\d+)\s*(d|h|m|s)")
UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
EX_TEMPFAIL = 75
DEFAULT_MAX_WAIT = 300.0
BACKENDS = ("systemd", "cron")


class ScheduleError(EdgeautoError):
    """A schedule cannot be added, listed or removed as asked."""


def parse_duration(text: str, what: str) -> int:
    """``"15m"``, ``"1h30m"``, ``"90s"``, ``"2d"``, or plain seconds, as whole seconds."""
    value = str(text).strip().lower()
    if value.isdigit():
        return int(value)
    parts = DURATION_RE.findall(value)
    if not parts or DURATION_RE.sub("", value).strip():
        raise ScheduleError(
            f"{what} {text!r}: expected a duration like 15m, 1h30m, 90s, 2d (or seconds)"
        )
    return sum(int(n) * UNITS[u] for n, u in parts)


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    out = []
    for unit, size in UNITS.items():
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out) or "0s"


@dataclass
class Schedule:
    name: str
    every: int  # seconds
    command: list[str]  # edgeauto arguments: ["run", "-i", "inv", "site.yml"]
    jitter: int = 0
    max_wait: float = DEFAULT_MAX_WAIT
    lock: str = ""  # lock name; the schedule's own name when empty
    cwd: str = ""
    history: str = ""
    backend: str = ""
    created: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ScheduleError(
                f"schedule name {self.name!r}: expected letters, digits, '-' or '_' "
                "(at most 64, starting with a letter or digit)"
            )
        if self.every < 1:
            raise ScheduleError(f"schedule {self.name}: --every must be at least 1s")
        if self.jitter < 0 or self.max_wait < 0:
            raise ScheduleError(f"schedule {self.name}: --jitter and --max-wait must be >= 0")
        if self.lock and not NAME_RE.match(self.lock):
            raise ScheduleError(f"--lock {self.lock!r}: expected a name like the schedule's")
        if not self.command:
            raise ScheduleError(
                f"schedule {self.name}: no command; give it after --, e.g. "
                "`edgeauto schedule add nightly --every 1d -- run -i inv site.yml`"
            )

    @property
    def lock_name(self) -> str:
        return self.lock or self.name

    @property
    def unit(self) -> str:
        return f"edgeauto-{self.name}"


@dataclass(frozen=True)
class Layout:
    """Where a schedule's files go. ``root`` prefixes every path written; the paths written
    *into* the files are the target's (``target_*``), so a ``--root`` tree can be copied."""

    root: Path
    system: bool
    home: Path

    @classmethod
    def for_user(cls, root: Path | None = None) -> Layout:
        if root is not None:
            return cls(Path(root), True, Path.home())
        return cls(Path("/"), os.geteuid() == 0, Path.home())

    @property
    def activates(self) -> bool:
        return self.root == Path("/")

    def target_state_dir(self) -> Path:
        if self.system:
            return Path("/var/lib/edgeauto/schedules")
        state = os.environ.get("XDG_STATE_HOME") or str(self.home / ".local" / "state")
        return Path(state) / "edgeauto" / "schedules"

    def target_units_dir(self) -> Path:
        if self.system:
            return Path("/etc/systemd/system")
        config = os.environ.get("XDG_CONFIG_HOME") or str(self.home / ".config")
        return Path(config) / "systemd" / "user"

    def target_cron_dir(self) -> Path:
        return Path("/etc/cron.d")

    def here(self, target: Path) -> Path:
        """The path on this machine where a target path is written."""
        return self.root / target.relative_to("/")

    def detect_backend(self) -> str:
        """systemd when it runs (``/run/systemd/system``, as sd_booted checks), else cron when
        there is a cron.d, else a clear error."""
        if self.here(Path("/run/systemd/system")).is_dir():
            return "systemd"
        if self.system and (self.here(Path("/etc/cron.d")).is_dir() or shutil.which("cron")):
            return "cron"
        raise ScheduleError(
            f"no systemd running under {self.root} and no cron.d to install into: install "
            "cron (or choose one with --backend systemd|cron)"
        )


# -- rendering (pure) -------------------------------------------------------------------------
def _q(value: str | Path) -> str:
    return shlex.quote(str(value))


def render_wrapper(sched: Schedule, layout: Layout, program: list[str] | None = None) -> str:
    """The POSIX sh script every trigger runs. ``program`` is what runs edgeauto (default this
    Python with ``-m edgeauto``; the lab test gives a stand-in script)."""
    state = layout.target_state_dir()
    lock = state / f"{sched.lock_name}.lock"
    program = program or [sys.executable, "-m", "edgeauto"]
    package_parent = Path(__file__).resolve().parents[2]
    jitter = sched.jitter if sched.backend == "cron" else 0  # systemd: RandomizedDelaySec
    wait = int(sched.max_wait)
    command = " ".join(_q(a) for a in [*program, *sched.command])
    return f"""#!/bin/sh
# edgeauto schedule '{sched.name}': generated by `edgeauto schedule add`; remove it with
# `edgeauto schedule remove {sched.name}`. Every {format_duration(sched.every)}, jitter \
{format_duration(sched.jitter)}.
# One run at a time: a run that finds the lock taken waits up to {wait}s, then exits \
{EX_TEMPFAIL}.
set -u
lock={_q(lock)}
max_wait={wait}
jitter={jitter}
if [ "$jitter" -gt 0 ] && [ -z "${{EDGEAUTO_NO_JITTER:-}}" ]; then
    n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    sleep $((n % (jitter + 1)))
fi
exec 9>>"$lock" || exit 1
if ! flock -w "$max_wait" 9; then
    echo "edgeauto schedule {sched.name}: another run still holds $lock after ${{max_wait}}s;" \\
        "this run is skipped (exit {EX_TEMPFAIL})" >&2
    exit {EX_TEMPFAIL}
fi
cd {_q(sched.cwd or "/")} || exit 1
EDGEAUTO_HISTORY={_q(sched.history)}
EDGEAUTO_SCHEDULE={_q(sched.name)}
PYTHONPATH={_q(package_parent)}${{PYTHONPATH:+:$PYTHONPATH}}
export EDGEAUTO_HISTORY EDGEAUTO_SCHEDULE PYTHONPATH
exec {command}
"""


def render_service(sched: Schedule, layout: Layout) -> str:
    wrapper = layout.target_state_dir() / f"{sched.name}.sh"
    summary = " ".join(sched.command)
    return f"""# generated by `edgeauto schedule add {sched.name}`
[Unit]
Description=edgeauto schedule {sched.name}: {summary}
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart={wrapper}
"""


def render_timer(sched: Schedule) -> str:
    every = f"{sched.every}s"
    jitter = f"RandomizedDelaySec={sched.jitter}s\n" if sched.jitter else ""
    return f"""# generated by `edgeauto schedule add {sched.name}`
[Unit]
Description=edgeauto schedule {sched.name} every {format_duration(sched.every)}

[Timer]
OnActiveSec={every}
OnUnitActiveSec={every}
{jitter}AccuracySec=1s
Unit={sched.unit}.service

[Install]
WantedBy=timers.target
"""


def cron_spec(every: int) -> str:
    """The five cron fields for a period cron can express, else a clear error."""
    if every % 60 == 0 and every < 3600 and 60 % (every // 60) == 0:
        minutes = every // 60
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    if every % 3600 == 0 and every < 86400 and 24 % (every // 3600) == 0:
        hours = every // 3600
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if every == 86400:
        return "0 0 * * *"
    raise ScheduleError(
        f"cron cannot run every {format_duration(every)}: use a divisor of an hour "
        "(1m, 5m, 15m, 30m…) or of a day (1h, 2h, 6h, 12h, 1d), or systemd"
    )


def render_cron(sched: Schedule, layout: Layout, user: str) -> str:
    state = layout.target_state_dir()
    wrapper, log = state / f"{sched.name}.sh", state / f"{sched.name}.log"
    return (
        f"# generated by `edgeauto schedule add {sched.name}`: {' '.join(sched.command)}\n"
        "SHELL=/bin/sh\n"
        f"{cron_spec(sched.every)} {user} {wrapper} >>{log} 2>&1\n"
    )


# -- installing -------------------------------------------------------------------------------
def _write(path: Path, text: str, mode: int) -> None:
    from edgeauto.fsutil import atomic_write

    atomic_write(path, text, mode)


def installed_files(sched: Schedule, layout: Layout) -> list[Path]:
    state = layout.target_state_dir()
    files = [state / f"{sched.name}.sh", state / f"{sched.name}.json"]
    if sched.backend == "systemd":
        units = layout.target_units_dir()
        files += [units / f"{sched.unit}.service", units / f"{sched.unit}.timer"]
    else:
        files.append(layout.target_cron_dir() / sched.unit)
    return files


def install(
    sched: Schedule,
    layout: Layout,
    *,
    replace: bool = False,
    program: list[str] | None = None,
    run=subprocess.run,
) -> list[Path]:
    """Write the schedule's files (and activate the timer on a real install); the paths
    written, as on this machine."""
    if not sched.backend:
        sched.backend = layout.detect_backend()
    if sched.backend not in BACKENDS:
        raise ScheduleError(f"--backend {sched.backend!r}: expected systemd or cron")
    if sched.backend == "cron" and not layout.system:
        raise ScheduleError("cron schedules are installed system-wide: run as root, or use systemd")
    state = layout.here(layout.target_state_dir())
    if (state / f"{sched.name}.json").exists() and not replace:
        raise ScheduleError(
            f"schedule {sched.name} exists ({state / (sched.name + '.json')}); remove it first "
            "or add --replace"
        )
    user = getpass.getuser()
    cron = render_cron(sched, layout, user) if sched.backend == "cron" else ""  # errors first
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write(state / f"{sched.name}.sh", render_wrapper(sched, layout, program), 0o755)
    if sched.backend == "systemd":
        units = layout.here(layout.target_units_dir())
        _write(units / f"{sched.unit}.service", render_service(sched, layout), 0o644)
        _write(units / f"{sched.unit}.timer", render_timer(sched), 0o644)
    else:
        _write(layout.here(layout.target_cron_dir()) / sched.unit, cron, 0o644)
    _write(state / f"{sched.name}.json", json.dumps(asdict(sched), indent=2) + "\n", 0o600)
    if layout.activates and sched.backend == "systemd":
        _systemctl(layout, run, "daemon-reload")
        _systemctl(layout, run, "enable", "--now", f"{sched.unit}.timer")
    return [layout.here(p) for p in installed_files(sched, layout)]


def load_all(layout: Layout) -> list[Schedule]:
    state = layout.here(layout.target_state_dir())
    out = []
    for path in sorted(state.glob("*.json")) if state.is_dir() else []:
        try:
            out.append(Schedule(**json.loads(path.read_text())))
        except (ValueError, TypeError) as exc:
            raise ScheduleError(f"{path}: not a schedule record edgeauto wrote ({exc})") from None
    return out


def find(layout: Layout, name: str) -> Schedule:
    for sched in load_all(layout):
        if sched.name == name:
            return sched
    known = ", ".join(s.name for s in load_all(layout)) or "none"
    raise ScheduleError(f"no schedule named {name!r} (installed: {known})")


def remove(name: str, layout: Layout, *, run=subprocess.run) -> list[Path]:
    sched = find(layout, name)
    if layout.activates and sched.backend == "systemd":
        _systemctl(layout, run, "disable", "--now", f"{sched.unit}.timer", check=False)
        _let_running_run_end(sched, layout, run)
    removed = []
    for target in installed_files(sched, layout):
        path = layout.here(target)
        if path.exists():
            path.unlink()
            removed.append(path)
    if layout.activates and sched.backend == "systemd":
        _systemctl(layout, run, "daemon-reload")
    return removed


REMOVE_WAIT = 600.0  # seconds ``remove`` lets a run in flight finish before removing its files


def _let_running_run_end(sched: Schedule, layout: Layout, run, wait: float = REMOVE_WAIT) -> None:
    """A run the timer started keeps going after its timer is gone: removing its service unit
    and wrapper under it would leave it unrecorded as finished in the history (systemd drops
    a unit whose file vanished), so wait for it — bounded, then leave it to end alone."""
    deadline = time.monotonic() + wait
    announced = False
    while time.monotonic() < deadline:
        # a oneshot service is "activating" while it runs (`is-active` says no then)
        state = _systemctl(
            layout, run, "show", "-p", "ActiveState", "--value", f"{sched.unit}.service",
            check=False,
        ).stdout.strip()  # fmt: skip
        if state not in ("active", "activating", "deactivating", "reloading"):
            return
        if not announced:
            print(f"schedule {sched.name}: waiting for its running run to end", file=sys.stderr)
            announced = True
        time.sleep(0.5)


def timer_state(sched: Schedule, layout: Layout, run=subprocess.run) -> str:
    """``active, next 18:45:00`` for an activated systemd timer; what cron/``--root`` know."""
    if not layout.activates:
        return "files only (--root)"
    if sched.backend == "cron":
        return "cron"
    proc = _systemctl(
        layout, run, "show", f"{sched.unit}.timer", "-p", "ActiveState",
        "-p", "NextElapseUSecRealtime", check=False, capture=True,
    )  # fmt: skip
    fields = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    state = fields.get("ActiveState", "unknown")
    nxt = fields.get("NextElapseUSecRealtime")
    return f"{state}, next {nxt}" if nxt else state


def _systemctl(layout: Layout, run, *args: str, check: bool = True, capture: bool = False):
    argv = ["systemctl", *([] if layout.system else ["--user"]), *args]
    proc = run(argv, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise ScheduleError(
            f"`{' '.join(argv)}` failed (exit {proc.returncode}): {proc.stderr.strip()}"
        )
    return proc
