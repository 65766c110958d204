"""Differential harness: the same playbooks through ansible-playbook (the oracle) and edgeauto,
each on its own fresh lab host of the same base, then compare what each left behind.

WHY two hosts and not one host twice: a second tool run on the same host would start from the
first tool's end state and hide every difference in how state is created. Both hosts boot from
the same image, get the same inventory (host name ``node1``, same vars; only the address
differs), and run the same playbook directory, so any difference in the end state, in the
per-task status sequence or in registered values is a compatibility bug.

What is compared
  * state: for every path below the snapshot roots: type, mode, owner, group, sha256 of the
    content, symlink target (backup files' timestamps normalised);
  * status sequence: (play, task, handler, status, ignored) for every task result;
  * values: what every ``debug`` task printed (``msg`` or ``var``) — registered results reach the
    comparison through ``debug: var=…`` tasks in the playbooks;
  * the recap counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks"
CALLBACKS = HERE / "callback_plugins"
REPO = HERE.parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")

# Where the differential playbooks write. The tester's home shows what become/remote_user did.
SNAPSHOT_ROOTS = ("/srv/diff", "/home/tester/diff")
BACKUP_SUFFIX = re.compile(r"\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$")
# Result keys that legitimately differ between two runs/tools (timing, tool internals).
VOLATILE_KEYS = {"changed", "failed", "skipped", "invocation", "_ansible_no_log"}


@dataclass
class ToolRun:
    """One tool's run: exit code, per-task records, recap, and raw output for failure messages."""

    tool: str
    exit_code: int
    records: list[dict]
    stats: dict[str, dict[str, int]]
    output: str

    def statuses(self, host: str | None = None) -> list[tuple]:
        """(play, task, handler, status, ignored) per result. The result ansible-playbook
        prints for an include_* task itself is left out: it is bookkeeping, not a task."""
        return [
            (r["play"], r["task"], r["handler"], r["status"], r["ignored"])
            for r in self.records
            if (host is None or r["host"] == host) and short(r["action"]) not in INCLUDES
        ]

    def predictions(self, stop_at: tuple | None = None) -> list[tuple]:
        """Check mode: (play, task, predicted change) of every task before ``stop_at``
        (a (play, task) pair), leaving out command/shell: ansible-playbook skips those in
        check mode unless creates/removes decide, edgeauto predicts them."""
        out = []
        for r in self.records:
            if stop_at and (r["play"], r["task"]) == stop_at:
                break
            if short(r["action"]) in INCLUDES or short(r["action"]) in ("command", "shell"):
                continue
            out.append((r["play"], r["task"], r["status"] == "changed"))
        return out

    def first_failure(self) -> tuple | None:
        for r in self.records:
            if r["status"] == "failed" and not r["ignored"]:
                return (r["play"], r["task"])
        return None

    def changed_tasks(self) -> list[tuple]:
        return [(r["host"], r["play"], r["task"]) for r in self.records if r["status"] == "changed"]

    def debug_values(self) -> list[tuple]:
        """(host, task, printed value) of every debug task that ran; a looped debug shows
        what each item printed (the loop bookkeeping around it is not what users read)."""
        out = []
        for r in self.records:
            if r["action"].rsplit(".", 1)[-1] != "debug" or r["status"] == "skipped":
                continue
            result = r["result"]
            if isinstance(result.get("results"), list):
                shown = [printed(item) for item in result["results"]]
            else:
                shown = printed(result)
            out.append((r["host"], r["task"], json.dumps(shown, sort_keys=True, default=str)))
        return out

    def describe(self) -> str:
        return f"{self.tool} exit {self.exit_code}\n{self.output[-6000:]}"


RECAP_KEYS = ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored")
INCLUDES = {"include_tasks", "include_role", "include_vars_dir"}


def short(action: str) -> str:
    return (action or "").rsplit(".", 1)[-1]


def printed(result: dict) -> dict:
    """What a debug result shows: msg or the var, without flags and tool internals."""
    return {
        k: v
        for k, v in result.items()
        if not k.startswith(("_ansible", "ansible_"))
        and k not in VOLATILE_KEYS
        and k not in ("status", "item", "idx", "ignored")
    }


def snapshot_roots(playbook: Path) -> tuple[str, ...]:
    """The ``# snapshot: /a /b`` header line of a differential playbook (where it writes)."""
    for line in playbook.read_text().splitlines():
        if line.startswith("# snapshot:"):
            return tuple(line.split(":", 1)[1].split())
    return ()


def under(state: dict, roots: tuple[str, ...]) -> dict:
    return {p: v for p, v in state.items() if any(p == r or p.startswith(r + "/") for r in roots)}


@dataclass
class Target:
    """How to reach one lab host (what goes into the inventory besides the shared vars)."""

    address: str
    port: int
    key_file: str
    known_hosts: str
    run: object = field(repr=False)  # LabHost.run


def target_of(host) -> Target:
    return Target(host.address, host.port, host.key_file, host.known_hosts, host.run)


def write_inventory(directory: Path, target: Target, case_dir: Path) -> Path:
    """An inventory directory for one tool: hosts.yml (``node1`` as root, ``node1_tester`` logs
    in as tester; plays ask for become themselves) plus the case's inventory group_vars/host_vars copied next to it."""
    directory.mkdir(parents=True, exist_ok=True)
    common = (
        f"-o UserKnownHostsFile={shlex.quote(target.known_hosts)} "
        "-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes"
    )
    address = {"ansible_host": target.address, "ansible_port": target.port}
    inventory = {
        "all": {
            "vars": {
                "ansible_user": "root",
                "ansible_ssh_private_key_file": target.key_file,
                "ansible_ssh_common_args": common,
                "ansible_python_interpreter": "/usr/bin/python3",
            },
            "children": {
                "nodes": {"hosts": {"node1": dict(address)}},
                "testers": {"hosts": {"node1_tester": dict(address, ansible_user="tester")}},
            },
        }
    }
    (directory / "hosts.yml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    for sub in ("group_vars", "host_vars"):
        src = case_dir / "inventory" / sub
        if src.is_dir():
            shutil.copytree(src, directory / sub, dirs_exist_ok=True)
    return directory


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_NOCOLOR="1",
        NO_COLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_PIPELINING="1",
        ANSIBLE_HOME=str(work / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(work / "ansible-tmp"),
        # one ControlMaster per tool and host, reused by every invocation of the steps
        ANSIBLE_SSH_CONTROL_PATH_DIR=str(work.parent.parent / "cp"),
        ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
        ANSIBLE_CALLBACKS_ENABLED="difftrace",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_SYSTEM_WARNINGS="0",
        ANSIBLE_ROLES_PATH=str(PLAYBOOKS / "roles"),
        DIFFTRACE_OUT=str(work / "trace.json"),
    )
    return env


def start_tool(
    tool: str, work: Path, inventory: Path, playbooks: list[Path], extra: list[str]
) -> subprocess.Popen:
    work.mkdir(parents=True, exist_ok=True)
    if tool == "ansible":
        argv = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), *map(str, playbooks), *extra]
    else:
        argv = [
            sys.executable,
            "-m",
            "edgeauto",
            "run",
            "-i",
            str(inventory),
            *map(str, playbooks),
            "--json",
            "--no-retry-file",
            "--roles-path",
            str(PLAYBOOKS / "roles"),
            *extra,
        ]
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,  # own /dev/null: a shared stdin another child made non-blocking stops ansible
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(work),
        cwd=str(REPO),
    )


def finish_tool(tool: str, work: Path, proc: subprocess.Popen, timeout: float = 300) -> ToolRun:
    out, err = proc.communicate(timeout=timeout)
    if tool == "ansible":
        trace = work / "trace.json"
        data = json.loads(trace.read_text()) if trace.exists() else {"records": [], "stats": {}}
        stats = {
            h: {("failed" if k == "failures" else k): v for k, v in s.items()}
            for h, s in data["stats"].items()
        }
        return ToolRun(tool, proc.returncode, data["records"], stats, out + err)
    try:
        doc = json.loads(out)
    except ValueError:
        return ToolRun(tool, proc.returncode, [], {}, out + err)
    records = []
    for play in doc["plays"]:
        for entry in play["tasks"]:
            task = entry["task"]
            for host, res in entry["hosts"].items():
                records.append(
                    {
                        "play": play["play"]["name"],
                        "task": task["name"],
                        "action": task["action"] or "",
                        "handler": bool(task.get("handler")),
                        "host": host,
                        "status": res.get("status"),
                        "ignored": bool(res.get("ignored")),
                        "result": res,
                    }
                )
    stats = {
        host: {k: v for k, v in counts.items() if k in RECAP_KEYS}
        for host, counts in doc.get("stats", {}).items()
    }
    return ToolRun(tool, proc.returncode, records, stats, out + err)


Step = tuple[str, tuple[str, ...]]  # (label, extra command-line args)


def run_steps(
    tool: str,
    target: Target,
    work: Path,
    playbooks: list[Path],
    steps: list[Step],
    case_dir: Path = PLAYBOOKS,
) -> list[dict]:
    """Run ``steps`` in order with one tool on one host. Each step runs every playbook in its
    own invocation (so one playbook's failure cannot hide the others' results), then
    snapshots the host. Returns [{"label", "runs": {playbook: ToolRun as dict}, "state"}]."""
    inv = write_inventory(work / tool / "inventory", target, case_dir)
    out = []
    for label, extra in steps:
        runs = {}
        for playbook in playbooks:
            w = work / tool / label / playbook.stem
            proc = start_tool(tool, w, inv, [playbook], list(extra))
            runs[playbook.stem] = asdict(finish_tool(tool, w, proc))
        out.append({"label": label, "runs": runs, "state": snapshot(target)})
    return out


def oracle_key(playbooks: list[Path], steps: list[Step], base: str) -> str:
    """What the oracle's answer depends on: the playbook tree, the steps, ansible-core's
    version, the callback that records it and the lab base image."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PLAYBOOKS.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(PLAYBOOKS)).encode() + b"\0" + path.read_bytes())
    digest.update((CALLBACKS / "difftrace.py").read_bytes())
    digest.update(json.dumps([[p.name for p in playbooks], steps, base]).encode())
    digest.update(metadata.version("ansible-core").encode())
    digest.update(SNAPSHOT_SCRIPT.encode())
    return digest.hexdigest()[:24]


def cache_dir() -> Path:
    return Path(
        os.environ.get("EDGEAUTO_DIFF_CACHE")
        or Path.home() / ".cache" / "edgeauto" / "differential"
    )


@dataclass
class Outcome:
    """Both tools' steps, aligned: outcome.ansible[i] / outcome.edgeauto[i] are step i."""

    ansible: list[dict]
    edgeauto: list[dict]
    oracle_cached: bool

    def run(self, tool: str, label: str, playbook: str) -> ToolRun:
        for step in getattr(self, tool):
            if step["label"] == label:
                return ToolRun(**step["runs"][playbook])
        raise KeyError(label)

    def state(self, tool: str, label: str) -> dict:
        for step in getattr(self, tool):
            if step["label"] == label:
                return step["state"]
        raise KeyError(label)


def differential(
    work: Path,
    new_host,
    playbooks: list[Path],
    steps: list[Step],
) -> Outcome:
    """Run ``steps`` with ansible-playbook and edgeauto on two fresh hosts (``new_host()``),
    concurrently. The oracle's answer (records + snapshots) is cached on disk keyed by
    :func:`oracle_key` because ansible-playbook is 5-10x slower than edgeauto here and its
    answer only changes when the playbooks, ansible-core or the base image change; set
    ``EDGEAUTO_DIFF_REFRESH=1`` to ignore the cache."""
    ours = new_host()
    ours_target = target_of(ours)
    key = oracle_key(playbooks, steps, getattr(ours, "base", ""))
    cached = cache_dir() / f"{key}.json"
    oracle = None
    if cached.exists() and os.environ.get("EDGEAUTO_DIFF_REFRESH") != "1":
        oracle = json.loads(cached.read_text())
    result: dict[str, list[dict]] = {}
    threads = []
    if oracle is None:
        oracle_target = target_of(new_host())

        def oracle_side():
            result["ansible"] = run_steps("ansible", oracle_target, work, playbooks, steps)

        threads.append(threading.Thread(target=oracle_side))
        threads[-1].start()
    result["edgeauto"] = run_steps("edgeauto", ours_target, work, playbooks, steps)
    for thread in threads:
        thread.join()
    if oracle is None:
        oracle = result["ansible"]
        if all(run["records"] for step in oracle for run in step["runs"].values()):
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_text(json.dumps(oracle, default=str))
            tmp.replace(cached)
        return Outcome(oracle, result["edgeauto"], oracle_cached=False)
    return Outcome(oracle, result["edgeauto"], oracle_cached=True)


SNAPSHOT_SCRIPT = r"""
for root in {roots}; do
  if [ -e "$root" ] || [ -L "$root" ]; then
    find "$root" -printf 'E\t%p\t%y\t%m\t%u\t%g\t%l\n'
    find "$root" -type f -exec sha256sum {{}} + | sed 's/^/S\t/'
  fi
done
"""


def snapshot(target: Target, roots: tuple[str, ...] = SNAPSHOT_ROOTS) -> dict[str, dict]:
    """path -> {type, mode, owner, group, sha256, link} for everything below ``roots``."""
    script = SNAPSHOT_SCRIPT.format(roots=" ".join(shlex.quote(r) for r in roots))
    proc = target.run(script, check=True)
    state: dict[str, dict] = {}
    sums: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("E\t"):
            _, path, kind, mode, owner, group, link = line.split("\t", 6)
            state[BACKUP_SUFFIX.sub(".BACKUP~", path)] = {
                "type": kind,
                "mode": mode,
                "owner": owner,
                "group": group,
                "link": link,
            }
        elif line.startswith("S\t"):
            digest, path = line[2:].split("  ", 1)
            sums[BACKUP_SUFFIX.sub(".BACKUP~", path)] = digest
    for path, digest in sums.items():
        state[path]["sha256"] = digest
    return state


def state_differences(oracle: dict, ours: dict) -> list[str]:
    """Readable lines for every path whose attributes differ (or exists on one side only)."""
    lines = []
    for path in sorted(set(oracle) | set(ours)):
        a, b = oracle.get(path), ours.get(path)
        if a == b:
            continue
        if a is None:
            lines.append(f"{path}: only edgeauto made it: {b}")
        elif b is None:
            lines.append(f"{path}: only ansible made it: {a}")
        else:
            diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
            lines.append(f"{path}: ansible vs edgeauto {diff}")
    return lines


def sequence_differences(oracle: list[tuple], ours: list[tuple]) -> list[str]:
    """Line up two status sequences; report the first mismatches with their neighbours."""
    import difflib

    a = [" | ".join(map(str, t)) for t in oracle]
    b = [" | ".join(map(str, t)) for t in ours]
    return [
        line
        for line in difflib.unified_diff(a, b, "ansible", "edgeauto", lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    ]
