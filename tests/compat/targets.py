"""ansible-core's own integration targets as a compatibility yardstick for edgeauto.

WHY: ansible-core's test/integration/targets/<module>/tasks/*.yml are playbook code written by
the people who define the behaviour, full of odd-but-legal syntax. Taking them unchanged tells
us how much real-world task code edgeauto accepts.

What is measured (per target, per task — blocks are flattened into their tasks):
  * accepted: edgeauto's loader and validator take the task exactly as written (module known,
    arguments valid, keywords supported) — the static half of "runs unchanged";
  * otherwise the first reason edgeauto gives, reduced to a short category so the table shows
    what blocks adoption (an unknown module such as ``stat``, an unsupported argument …).
Running the targets end to end needs their setup_* dependency roles (tempfile, user …), which
edgeauto does not have, so the run-time half is covered by the differential playbooks instead.

The sdist comes from PyPI through pip (``pip download ansible-core==<installed> --no-binary``)
and is cached in ``~/.cache/edgeauto/compat`` (``EDGEAUTO_COMPAT_CACHE``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml

SELECTED = (
    "file",
    "copy",
    "lineinfile",
    "template",
    "command_shell",
    "shell",
    "assert",
    "set_fact",
    "debug",
)
STRUCTURE = {
    "include_tasks",
    "import_tasks",
    "include_role",
    "import_role",
    "include",
    "import_playbook",
    "ansible.builtin.include_tasks",
    "ansible.builtin.import_tasks",
    "ansible.builtin.include_role",
    "ansible.builtin.import_role",
}


def cache_root() -> Path:
    return Path(
        os.environ.get("EDGEAUTO_COMPAT_CACHE") or Path.home() / ".cache" / "edgeauto" / "compat"
    )


def targets_dir(version: str | None = None) -> Path:
    """Download (once) and unpack the ansible-core sdist's integration targets."""
    version = version or metadata.version("ansible-core")
    root = cache_root() / f"ansible-core-{version}"
    targets = root / "targets"
    if targets.is_dir():
        return targets
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"ansible-core=={version}",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-q",
                "-d",
                tmp,
            ],
            check=True,
            timeout=600,
        )
        sdist = next(Path(tmp).glob("ansible_core-*.tar.gz"))
        prefix = f"ansible_core-{version}/test/integration/targets/"
        unpack = Path(tmp) / "unpacked"
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(prefix)]
            if hasattr(tarfile, "data_filter"):
                tar.extractall(unpack, members=members, filter="data")
            else:  # Debian 12's Python 3.11.2 predates extraction filters: check by hand
                tar.extractall(unpack, members=[m for m in members if _plain_member(m)])
        (unpack / prefix).rename(targets)
    return targets


def _plain_member(member: tarfile.TarInfo) -> bool:
    """What the "data" filter lets through: files and directories inside the target."""
    parts = Path(member.name).parts
    return (
        (member.isfile() or member.isdir())
        and ".." not in parts
        and not member.name.startswith("/")
    )


@dataclass
class TaskVerdict:
    file: str
    index: int
    action: str
    accepted: bool
    reason: str = ""


@dataclass
class TargetReport:
    name: str
    verdicts: list[TaskVerdict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.verdicts)

    @property
    def accepted(self) -> int:
        return sum(v.accepted for v in self.verdicts)

    def blockers(self, top: int = 4) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for v in self.verdicts:
            if not v.accepted:
                counts[v.reason] = counts.get(v.reason, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def leaf_tasks(items) -> list[dict]:
    """Tasks of a task list with blocks flattened (block, rescue and always parts)."""
    out = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if "block" in item:
            for part in ("block", "rescue", "always"):
                out.extend(leaf_tasks(item.get(part)))
        else:
            out.append(item)
    return out


def tasks_of(data) -> list:
    """A task file's tasks, or the tasks of every play when the file is a playbook."""
    if not isinstance(data, list):
        return []
    if any(isinstance(d, dict) and "hosts" in d for d in data):
        out = []
        for play in data:
            if isinstance(play, dict):
                for part in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                    out.extend(play.get(part) or [])
        return out
    return data


def action_of(task: dict) -> str:
    from edgeauto.playbook.keywords import TASK

    for key in task:
        if key not in TASK and key not in ("name", "args", "local_action", "with_first_found"):
            return str(key)
    return "local_action" if "local_action" in task else "?"


_UNKNOWN = re.compile(r"(?:unknown|no) (?:module|action)[^']*'([^']+)'", re.I)
_KEYWORD = re.compile(r"keyword '([^']+)'", re.I)
_ARG = re.compile(r"(?:unsupported|unknown) (?:parameter|argument|option)s?[^']*'([^']+)'", re.I)


def categorize(message: str, action: str) -> str:
    """A short, stable category for a rejection message (for the table)."""
    first = message.strip().splitlines()[0] if message.strip() else "rejected"
    if m := _UNKNOWN.search(first):
        return f"module {m.group(1)}"
    if "not a known module" in first or "couldn't resolve module" in first.lower():
        return f"module {action}"
    if m := _KEYWORD.search(first):
        return f"keyword {m.group(1)}"
    if m := _ARG.search(first):
        return f"{action}: option {m.group(1)}"
    text = re.sub(r"^\S+:\d+:\d+: ", "", first)
    text = re.sub(r"'[^']*'", "'…'", text)
    return f"{action}: {text[:70]}"


def judge_task(task: dict, target: Path, work: Path, index: int, file: str) -> TaskVerdict:
    """Load and validate one task as a one-task playbook placed in the target's directory
    layout (so files/ and templates/ resolve as they would in the role)."""
    from edgeauto.errors import EdgeautoError
    from edgeauto.playbook.validate import load_and_validate

    action = action_of(task)
    play = [{"hosts": "all", "gather_facts": False, "tasks": [task]}]
    path = work / f"compat-{target.name}-{index}.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False, default_flow_style=False))
    try:
        load_and_validate(path, roles_path=[str(target.parent)])
    except EdgeautoError as exc:
        return TaskVerdict(file, index, action, False, categorize(str(exc), action))
    except Exception as exc:  # noqa: BLE001 - a crash is a finding too, not a reason to stop measuring
        return TaskVerdict(file, index, action, False, f"crash {type(exc).__name__}")
    return TaskVerdict(file, index, action, True)


def judge_target(target: Path) -> TargetReport:
    report = TargetReport(target.name)
    if (target / "tasks").is_dir():
        files = sorted((target / "tasks").glob("*.yml"))
    else:  # script-driven targets (runme.sh) keep whole playbooks at the top level
        files = sorted(target.glob("*.yml"))
    # Work inside a copy-free sibling dir of the target: files/ and templates/ of the target
    # are found through the playbook dir, like a role's own files would be.
    with tempfile.TemporaryDirectory(prefix=".compat-", dir=target) as tmp:
        work = Path(tmp)
        for link in ("files", "templates", "vars", "defaults", "handlers"):
            if (target / link).is_dir():
                (work / link).symlink_to(target / link)
        index = 0
        for file in files:
            try:
                data = yaml.load(file.read_text(), Loader=_Loose)
            except yaml.YAMLError:
                continue
            for task in leaf_tasks(tasks_of(data)):
                if action_of(task) in STRUCTURE:
                    continue
                index += 1
                report.verdicts.append(judge_task(task, target, work, index, file.name))
    return report


class _Loose(yaml.SafeLoader):
    """Reads the tags the targets use (!unsafe, !vault) as plain strings."""


def _plain(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_Loose.add_multi_constructor("!", _plain)


def render_table(reports: list[TargetReport], version: str) -> str:
    lines = [
        f"| target (ansible-core {version}) | tasks | accepted | share | what blocks the rest |",
        "|---|---:|---:|---:|---|",
    ]
    total = accepted = 0
    for r in reports:
        total += r.total
        accepted += r.accepted
        share = f"{100 * r.accepted / r.total:.0f}%" if r.total else "-"
        blockers = "; ".join(f"{why} ×{n}" for why, n in r.blockers())
        lines.append(f"| {r.name} | {r.total} | {r.accepted} | {share} | {blockers} |")
    share = f"{100 * accepted / total:.0f}%" if total else "-"
    lines.append(f"| **all** | {total} | {accepted} | {share} | |")
    return "\n".join(lines)


def main() -> int:
    targets = targets_dir()
    reports = [judge_target(targets / name) for name in SELECTED if (targets / name).is_dir()]
    print(render_table(reports, metadata.version("ansible-core")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
