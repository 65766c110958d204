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
    # files
    "file",
    "copy",
    "lineinfile",
    "blockinfile",
    "replace",
    "assemble",
    "template",
    "stat",
    "find",
    "slurp",
    "fetch",
    "tempfile",
    "unarchive",
    "known_hosts",
    # commands
    "command_shell",
    "shell",
    "raw",
    "script",
    # controller actions and keywords
    "assert",
    "set_fact",
    "debug",
    "include_vars",
    "include_import",
    "loops",
    "blocks",
    "handlers",
    "tags",
    "ping",
    # system
    "getent",
    "user",
    "group",
    "hostname",
    "cron",
    "iptables",
    "service",
    "systemd",
    "service_facts",
    "reboot",
    "wait_for",
    "wait_for_connection",
    # packages
    "apt",
    "package",
    "apt_key",
    "apt_repository",
    "deb822_repository",
    "dpkg_selections",
    "package_facts",
    # network
    "get_url",
    "uri",
)
# Targets of modules edgeauto has but whose yardstick does not apply (left out of the score,
# still shown in the table when selected).
NOT_APPLICABLE = {
    "shell": "tests its own Python action plugin (test_shell, in the target's action_plugins)",
}
# ansible-core targets of modules edgeauto does not aim to have: not selected at all.
NOT_SELECTED = {
    "dnf, dnf-latest, dnf-oldest, yum_repository, rpm_key": "RedHat family package tools",
    "win_*": "Windows targets (PowerShell modules over WinRM)",
    "pause": "interactive controller action plugin edgeauto does not have",
    "async, async_extra_data, async_fail": "edgeauto has async/poll/async_status, but these "
    "test ansible's own machinery: async runs ansible-playbook on the controller for its "
    "callback output (ASYNC POLL …) and a Python test module's failure modes, async_fail an "
    "action plugin of its own, async_extra_data is script-driven (junk after module JSON)",
    "git, subversion, pip": "modules edgeauto does not have (the Python fallback could run them)",
}
# Tasks of an applicable target that only run elsewhere (a `when` picks another OS family):
# their rejection does not fail the target's load half.
OTHER_OS_MODULES = ("dnf", "yum", "zypper", "pkgng", "homebrew", "apk", "pacman", "win_")
# Modules that exist only inside ansible-test's own test environment: tasks using them do not
# fail a target's load half either (no playbook outside ansible's test suite can have them).
ANSIBLE_TEST_ONLY_MODULES = {
    "httptester_kinit": "ansible-test's module that gets a Kerberos ticket from its httptester "
    "container (get_url, uri: use_gssapi.yml)",
}

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

    @property
    def rejected(self) -> list[TaskVerdict]:
        """Rejected tasks that count: not those for another OS family's package tool."""
        return [v for v in self.verdicts if not v.accepted and not _other_os(v.reason)]

    @property
    def passed(self) -> bool:
        return bool(self.verdicts) and not self.rejected

    def first_rejected(self) -> str:
        v = self.rejected[0] if self.rejected else None
        return f"{v.file}#{v.index} {v.action}: {v.reason}" if v else ""

    def blockers(self, top: int = 4) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for v in self.verdicts:
            if not v.accepted:
                counts[v.reason] = counts.get(v.reason, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _other_os(reason: str) -> bool:
    modules = (*OTHER_OS_MODULES, *ANSIBLE_TEST_ONLY_MODULES)
    return any(reason.startswith((f"module {m}", f"{m}: module", f"{m}:")) for m in modules)


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


def play_roles(data) -> list:
    """The ``roles:`` of a playbook's plays, for each play in order (a task file: none)."""
    if not isinstance(data, list) or not any(isinstance(d, dict) and "hosts" in d for d in data):
        return [[]]
    return [list(p.get("roles") or []) for p in data if isinstance(p, dict)]


def tasks_of(data) -> list[tuple[list, list]]:
    """(tasks, handlers) of a task file — its one list — or of every play of a playbook, so a
    task is judged next to the handlers its ``notify`` names and handlers are judged as
    handlers (``listen`` is a handler keyword)."""
    if not isinstance(data, list):
        return []
    if any(isinstance(d, dict) and "hosts" in d for d in data):
        out = []
        for play in data:
            if isinstance(play, dict):
                tasks = []
                for part in ("pre_tasks", "tasks", "post_tasks"):
                    tasks.extend(play.get(part) or [])
                out.append((tasks, list(play.get("handlers") or [])))
        return out
    return [(data, [])]


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


def judge_task(
    task: dict,
    target: Path,
    work: Path,
    index: int,
    file: str,
    handlers=(),
    as_handler=False,
    roles=(),
) -> TaskVerdict:
    """Load and validate one task as a one-task playbook placed in the target's directory
    layout (so files/ and templates/ resolve as they would in the role), next to the handlers
    it could notify (a handler itself is judged in the play's handlers section)."""
    from edgeauto.errors import EdgeautoError
    from edgeauto.playbook.validate import load_and_validate

    action = action_of(task)
    stubs = [_stub(h) for h in handlers]
    play = {"hosts": "all", "gather_facts": False, "tasks": [], "handlers": stubs}
    if roles:  # the play's roles: their handlers answer `role : name` notifications
        play["roles"] = list(roles)
    if as_handler:  # next to the play's other handlers, which it may notify in turn
        play["handlers"] = [task] + [_stub(h) for h in handlers if h is not task]
    else:
        play["tasks"] = [task]
    path = work / f"compat-{target.name}-{index}.yml"
    path.write_text(yaml.safe_dump([play], sort_keys=False, default_flow_style=False))
    try:
        load_and_validate(path, roles_path=[str(target.parent)])
    except EdgeautoError as exc:
        return TaskVerdict(file, index, action, False, categorize(str(exc), action))
    except Exception as exc:  # noqa: BLE001 - a crash is a finding too, not a reason to stop measuring
        return TaskVerdict(file, index, action, False, f"crash {type(exc).__name__}")
    return TaskVerdict(file, index, action, True)


def _stub(handler: dict) -> dict:
    """A handler reduced to what a ``notify`` matches (name, listen): a task is not blamed for
    a handler edgeauto rejects — that handler gets its own verdict."""
    if any(k in handler for k in STRUCTURE):
        return handler  # handlers: - import_tasks: x.yml brings its handlers, kept as is
    stub = {k: handler[k] for k in ("name", "listen") if k in handler}
    stub["debug"] = {"msg": "handler stand-in"}
    return stub


def _role_handlers(target: Path) -> list:
    """The target role's own handlers (handlers/main.yml), blocks flattened."""
    path = target / "handlers" / "main.yml"
    if not path.is_file():
        return []
    try:
        data = yaml.load(path.read_text(), Loader=_Loose)
    except yaml.YAMLError:
        return []
    return leaf_tasks(data if isinstance(data, list) else [])


def _judgeable(task: dict) -> bool:
    return action_of(task) not in STRUCTURE


def _yaml_files(folder: Path) -> list[Path]:
    return [*folder.glob("*.yml"), *folder.glob("*.yaml")]


def judge_target(target: Path) -> TargetReport:
    report = TargetReport(target.name)
    if (target / "tasks").is_dir():
        files = sorted(_yaml_files(target / "tasks"))
    else:  # script-driven targets (runme.sh) keep whole playbooks at the top level
        files = sorted(_yaml_files(target))
    role_handlers = _role_handlers(target)
    # Work inside a copy-free sibling dir of the target: files/ and templates/ of the target
    # are found through the playbook dir, like a role's own files would be.
    with tempfile.TemporaryDirectory(prefix=".compat-", dir=target) as tmp:
        work = Path(tmp)
        for link in ("files", "templates", "vars", "defaults", "handlers", "roles", "collections"):
            if (target / link).is_dir():
                (work / link).symlink_to(target / link)
        index = 0
        for file in files:
            try:
                data = yaml.load(file.read_text(), Loader=_Loose)
            except yaml.YAMLError:
                continue
            for (tasks, handlers), roles in zip(tasks_of(data), play_roles(data), strict=False):
                handlers = leaf_tasks(handlers)  # every one can be notified, includes too
                known = handlers + role_handlers
                for task in leaf_tasks(tasks):
                    if _judgeable(task):
                        index += 1
                        v = judge_task(task, target, work, index, file.name, known, roles=roles)
                        report.verdicts.append(v)
                for handler in filter(_judgeable, handlers):
                    index += 1
                    v = judge_task(handler, target, work, index, file.name, known, True, roles)
                    report.verdicts.append(v)
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


# ---------------------------------------------------------------------------------------------
# The run half: a target's role run end to end by `edgeauto run` on a fresh lab host.

ROLES = Path(__file__).resolve().parent / "roles"  # our own stand-ins for the setup_* roles
RUN_SELECTED = (  # tried in this order by `--run` without names: small, self-contained first
    "stat",
    "slurp",
    "tempfile",
    "getent",
    "find",
    "assemble",
    "replace",
    "blockinfile",
    "lineinfile",
    "file",
    "copy",
    "assert",
    "command_shell",
    "hostname",
    "cron",
    "group",
    "user",
    "template",
    "known_hosts",
    "raw",
    "script",
    "include_vars",
    "loops",
    "ping",
    "wait_for",
    "wait_for_connection",
    "service",
    "systemd",
    "service_facts",
    "package_facts",
    "package",
    "apt_key",
    "apt_repository",
    "unarchive",
    "apt",
    "deb822_repository",
)


# Targets whose run half cannot be done on a lab host (their load half still counts).
RUN_NOT_APPLICABLE = {
    "wait_for_connection": "its last tasks run ansible-core's own `ansible localhost -m "
    "wait_for_connection` on the controller (a check of ansible's connection plugins); every "
    "task before them passes",
    "get_url": "needs ansible-test's httptester (its HTTPS/Kerberos test server) or the internet",
    "uri": "needs ansible-test's httptester (its HTTPS/Kerberos test server) or the internet",
    "reboot": "reboots the host; its aliases keep it out of containers (skip/docker)",
    "iptables": "needs a host with its own netfilter tables (aliases: skip/docker)",
    "apt_key": "fetches keys from keyservers and URLs on the internet",
    "deb822_repository": "test.yml:172 downloads a signed_by key from ci-files.testing.ansible"
    ".com (the internet); its 21 tasks before that pass with the setup_deb_repo stand-in",
    "template": "context/controller: templates into OUTPUT_DIR on the controller and reads the "
    "results back with lookup('file')",
}
SCRIPT_DRIVEN = "script-driven: runme.sh drives ansible-playbook with its own inventory/options"


def run_applicability(name: str, root: Path | None = None) -> str | None:
    """Why the run half does not apply to a target, or None when it does."""
    if name in NOT_APPLICABLE:
        return NOT_APPLICABLE[name]
    if name in RUN_NOT_APPLICABLE:
        return RUN_NOT_APPLICABLE[name]
    root = root or targets_dir()
    if not (root / name / "tasks" / "main.yml").is_file():
        return SCRIPT_DRIVEN
    return None


@dataclass
class RunReport:
    name: str
    passed: bool
    ok: int = 0
    failed_task: str = ""
    message: str = ""


# Packages ansible-test's test containers ship and a target takes for granted (the lab's
# minimal Debian image lacks them): installed by a play before the target's own.
RUN_PACKAGES = {
    "stat": ("file",),  # stat's mimetype/charset come from file(1)
    "package_facts": ("python3-apt",),  # the target installs it from a fresh package cache
    "unarchive": ("unzip", "zip"),  # likewise
    # acls.yml installs acl on Ubuntu only: the other test images ship setfacl/getfacl
    "copy": ("acl",),
    "lineinfile": ("acl",),
}


# Targets that install from the distribution's mirror without updating the cache first:
# ansible-test's containers come with apt's lists, the lab's minimal image has none.
RUN_APT_LISTS = (
    "apt",
    "deb822_repository",
    "package",
    "package_facts",
    "iptables",
    "user",
    "group",
)
# ansible-test gives every target an `output_dir` (a scratch directory; in its containers the
# controller's and the target's are one): here a directory on the target, made by a first play.
OUTPUT_DIR = "/tmp/ansible-test-output"
RUN_USES_OUTPUT_DIR = ("file",)


def run_playbook_text(name: str, host: str) -> str:
    plays = []
    if RUN_PACKAGES.get(name) or name in RUN_APT_LISTS:
        apt: dict = {"update_cache": True}
        if RUN_PACKAGES.get(name):
            apt["name"] = list(RUN_PACKAGES[name])
        plays.append({"hosts": host, "gather_facts": False, "tasks": [{"apt": apt}]})
    play = {"hosts": host, "gather_facts": True, "roles": [{"role": name}]}
    if name in RUN_USES_OUTPUT_DIR:
        scratch = {"file": {"path": OUTPUT_DIR, "state": "directory"}}
        plays.append({"hosts": host, "gather_facts": False, "tasks": [scratch]})
        play = {**play, "vars": {"output_dir": OUTPUT_DIR}}
    plays.append(play)
    return yaml.safe_dump(plays, sort_keys=False)


def run_target(name: str, host: str, inventory: Path, work: Path, timeout: int = 600) -> RunReport:
    """``edgeauto run`` of the target role on one host. Our stand-in roles are the playbook's
    own roles/ (searched first, before a dependency's sibling roles), so the target's
    ``setup_*`` dependencies resolve to them, not to ansible's."""
    missing = missing_stand_ins(targets_dir() / name)
    if missing:
        return RunReport(
            name,
            False,
            failed_task="(not started)",
            message=f"no stand-in yet for {', '.join(missing)}",
        )
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "roles").exists():
        (work / "roles").symlink_to(ROLES)
    site = work / f"{name}.yml"
    site.write_text(run_playbook_text(name, host))
    argv = [
        str(Path(sys.executable).with_name("edgeauto")),
        "run",
        "-i",
        str(inventory),
        "--roles-path",
        str(targets_dir()),
        "--json",
        str(site),
    ]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=work)
    except subprocess.TimeoutExpired:
        return RunReport(name, False, message=f"timed out after {timeout}s")
    return verdict_of_run(name, proc.returncode, proc.stdout, proc.stderr)


def role_dependencies(role: Path) -> list[str]:
    """The names a role's meta/main.yml lists as dependencies (strings or ``role:`` maps)."""
    meta = role / "meta" / "main.yml"
    try:
        data = yaml.load(meta.read_text(), Loader=_Loose) if meta.is_file() else None
    except yaml.YAMLError:
        return []
    deps = (data or {}).get("dependencies") or [] if isinstance(data, dict) else []
    names = []
    for dep in deps:
        name = dep.get("role") or dep.get("name") if isinstance(dep, dict) else dep
        if isinstance(name, str):
            names.append(name)
    return names


def missing_stand_ins(target: Path) -> list[str]:
    """Dependencies of the target we have no stand-in for: those would resolve to ansible's
    own sibling role, which the run half must not use."""
    return [d for d in role_dependencies(target) if not (ROLES / d).is_dir()]


def verdict_of_run(name: str, rc: int, stdout: str, stderr: str) -> RunReport:
    """Pass = exit code 0; otherwise the failed task nothing rescued (not ignored) and its
    message."""
    import json

    try:
        doc = json.loads(stdout[stdout.index("{") :])
    except ValueError:
        first = (stderr.strip() or stdout.strip() or f"exit {rc}").splitlines()
        return RunReport(name, False, failed_task="(not started)", message=first[-1][:300])
    ok = 0
    failures = []  # failed tasks, not ignored; a block's rescue may have caught the early ones
    for play in doc.get("plays", []):
        for task in play.get("tasks", []):
            for result in task.get("hosts", {}).values():
                status = result.get("status")
                if status in ("ok", "changed"):
                    ok += 1
                if status in ("failed", "unreachable") and not result.get("ignored"):
                    message = result.get("msg") or result.get("stderr") or ""
                    if result.get("assertion"):
                        message = f"assertion {result['assertion']!r} failed: {message}"
                    task_name = task["task"]["name"] or task["task"]["action"]
                    failures.append(RunReport(name, False, 0, task_name, _one_line(message)))
    if rc != 0 and failures:
        # a failure nothing rescued ends the host's play: it is the host's last failure
        # (only always: parts run after it), so earlier ones were rescued
        failures[-1].ok = ok
        return failures[-1]
    if rc != 0:
        errors = doc.get("errors") or [f"exit code {rc}"]
        return RunReport(name, False, ok, "(run)", _one_line(str(errors[0])))
    return RunReport(name, True, ok)


def _one_line(text) -> str:
    text = " ".join(str(text).split())
    return text[:240] + ("…" if len(text) > 240 else "")


def run_targets(names) -> list[RunReport]:
    """Each target on its own fresh Debian 12 systemd host with Python (a host ansible-core
    could drive too; edgeauto does not use the Python), removed afterwards."""
    from edgeauto.lab.testing import claim_test_lab, release_test_lab

    lab = claim_test_lab("compat")
    reports = []
    try:
        with tempfile.TemporaryDirectory(prefix="edgeauto-compat-run-") as tmp:
            for name in names:
                host = lab.add_host(flavor="debian", systemd=True, with_python=True)
                try:
                    report = run_target(name, host.name, lab.inventory, Path(tmp) / name)
                finally:
                    lab.remove_host(host.name)
                print(f"run {name}: {'pass' if report.passed else 'FAIL'}", file=sys.stderr)
                reports.append(report)
                save_run_reports([report])  # kept as it comes: a long run may be stopped
    finally:
        lab.down()
        release_test_lab(lab)
    return reports


def render_run_table(reports: list[RunReport]) -> str:
    lines = [
        "| target | run | tasks ok | first failing task | message |",
        "|---|---|---:|---|---|",
    ]
    for r in reports:
        verdict = "pass" if r.passed else "fail"
        message = r.message.replace(f"{targets_dir()}/", "").replace("|", "\\|")
        lines.append(f"| {r.name} | {verdict} | {r.ok} | {r.failed_task} | {message} |")
    passed = sum(r.passed for r in reports)
    lines.append(f"| **{passed}/{len(reports)} pass** | | | | |")
    return "\n".join(lines)


def render_table(reports: list[TargetReport], version: str) -> str:
    lines = [
        f"| target (ansible-core {version}) | tasks | accepted | share | load | first rejected "
        "task (file#n action: reason) | what blocks the rest |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    total = accepted = 0
    for r in reports:
        total += r.total
        accepted += r.accepted
        share = f"{100 * r.accepted / r.total:.0f}%" if r.total else "-"
        verdict = "n/a" if r.name in NOT_APPLICABLE else "pass" if r.passed else "fail"
        blockers = "; ".join(f"{why} ×{n}" for why, n in r.blockers())
        first = _cell(r.first_rejected())
        lines.append(
            f"| {r.name} | {r.total} | {r.accepted} | {share} | {verdict} | {first} | "
            f"{_cell(blockers)} |"
        )
    share = f"{100 * accepted / total:.0f}%" if total else "-"
    lines.append(f"| **all** | {total} | {accepted} | {share} | | | |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def load_score(reports: list[TargetReport]) -> tuple[int, int]:
    """(applicable targets whose every counted task is accepted, applicable targets)."""
    applicable = [r for r in reports if r.name not in NOT_APPLICABLE and r.verdicts]
    return sum(r.passed for r in applicable), len(applicable)


def render_not_applicable(root: Path) -> str:
    lines = ["| target(s) | not applicable because |", "|---|---|"]
    for name, why in {**NOT_APPLICABLE, **NOT_SELECTED}.items():
        lines.append(f"| {name} | {why} |")
    for name, why in ANSIBLE_TEST_ONLY_MODULES.items():
        lines.append(f"| tasks using {name} (load half) | {why} |")
    scripted = []
    for name in SELECTED:
        why = run_applicability(name, root) if (root / name).is_dir() else None
        if why == SCRIPT_DRIVEN:
            scripted.append(name)
        elif why and name not in NOT_APPLICABLE:
            lines.append(f"| {name} (run half) | {why} |")
    if scripted:
        lines.append(f"| {', '.join(scripted)} (run half) | {SCRIPT_DRIVEN} |")
    return "\n".join(lines)


def results_file() -> Path:
    return cache_root() / "run-results.json"


def save_run_reports(reports: list[RunReport]) -> None:
    """Keep the last result of every target run (a later --run of a few targets updates only
    theirs), so the docs can be regenerated without running the lab again."""
    import json
    from dataclasses import asdict

    path = results_file()
    known = load_run_reports()
    known.update({r.name: r for r in reports})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({n: asdict(r) for n, r in sorted(known.items())}, indent=1))


def load_run_reports() -> dict[str, RunReport]:
    import json

    try:
        data = json.loads(results_file().read_text())
    except (OSError, ValueError):
        return {}
    return {name: RunReport(**fields) for name, fields in data.items()}


def run_score(runs: dict[str, RunReport], root: Path) -> tuple[int, int, int]:
    """(run-applicable targets passing, run-applicable targets, of them tried)."""
    applicable = [n for n in SELECTED if (root / n).is_dir() and run_applicability(n, root) is None]
    tried = [n for n in applicable if n in runs]
    return sum(runs[n].passed for n in tried), len(applicable), len(tried)


def render_docs(reports, runs: dict[str, RunReport], root: Path, version: str) -> dict[str, str]:
    passed, applicable = load_score(reports)
    rpassed, rapplicable, tried = run_score(runs, root)
    score = (
        f"**Score against ansible-core {version}'s own integration targets** "
        f"(`python tests/compat/targets.py --write-docs`, section 2): "
        f"load half **{passed}/{applicable}** applicable targets pass "
        f"({100 * passed / max(applicable, 1):.0f}%; "
        f"{sum(r.accepted for r in reports)}/{sum(r.total for r in reports)} tasks accepted); "
        f"run half **{rpassed}/{rapplicable}** applicable targets pass end to end on a lab host "
        f"({100 * rpassed / max(rapplicable, 1):.0f}%; {tried} tried so far)."
    )
    ordered = [runs[n] for n in SELECTED if n in runs and run_applicability(n, root) is None]
    untried = [
        n
        for n in SELECTED
        if (root / n).is_dir() and run_applicability(n, root) is None and n not in runs
    ]
    run_part = render_run_table(ordered)
    if untried:
        run_part += "\n\nApplicable, not run yet (count as not passing): " + ", ".join(untried)
    tables = "\n\n".join(
        [
            "#### Load half",
            render_table(reports, version),
            "#### Run half",
            run_part,
            "#### Not applicable",
            render_not_applicable(root),
        ]
    )
    return {"score": score, "tables": tables}


def write_docs(parts: dict[str, str], doc: Path) -> None:
    """Replace the text between ``<!-- compat:NAME -->`` and ``<!-- /compat:NAME -->``."""
    text = doc.read_text()
    for name, body in parts.items():
        begin, end = f"<!-- compat:{name} -->", f"<!-- /compat:{name} -->"
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        if not rest:
            raise SystemExit(f"{doc}: marker {begin} missing")
        text = f"{head}{begin}\n{body}\n{end}{tail}"
    doc.write_text(text)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run",
        nargs="*",
        metavar="TARGET",
        help="also run targets end to end on fresh lab hosts (default: RUN_SELECTED; needs "
        "root); results are kept in the cache for --write-docs",
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="put the score and tables into docs/compatibility.md (between its markers)",
    )
    args = parser.parse_args(argv)
    root = targets_dir()
    version = metadata.version("ansible-core")
    reports = [judge_target(root / name) for name in SELECTED if (root / name).is_dir()]
    if args.run is not None:
        run_targets(args.run or [n for n in RUN_SELECTED if run_applicability(n, root) is None])
    parts = render_docs(reports, load_run_reports(), root, version)
    print(parts["score"] + "\n\n" + parts["tables"])
    if args.write_docs:
        write_docs(parts, Path(__file__).resolve().parents[2] / "docs" / "compatibility.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
