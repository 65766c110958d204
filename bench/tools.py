"""What each tool runs for each workload, on one *view* of the hosts (direct or via proxies).

A view is a directory holding everything the tools need to reach the same hosts the same
way: an INI inventory (ansible and edgeauto read the same file), ansible configs (tuned:
pipelining, no facts; defaults: nothing but the control socket directory), a pyinfra
inventory, a known_hosts file pinning the one host key, and a host list for the reference.
Every tool uses strict host key checking with that known_hosts file.

Workloads: ``w1`` ad-hoc ``uname -a``; ``w2`` the 10-task converge of ``bench/w2`` (phases
run1 = everything changes, run2 = converged); ``w3`` the ``bench_site`` role of ``bench/w3``
converged; ``w4`` facts.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.hosts import Access, Target, known_hosts_line

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_BIN = Path(sys.executable).parent
CONTROL_ROOT = Path("/tmp/eab-cm")  # short: ControlPath must fit a unix socket name

TOOLS = ("ref", "ref_c25519", "edgeauto", "edgeauto_base", "ansible", "ansible_defaults", "pyinfra")
# edgeauto_base: edgeauto from another source tree (--base-src), the same commands, so a
# change is measured against what it replaces in one run on the same hosts
# ref_c25519: the reference with KexAlgorithms=curve25519-sha256 instead of OpenSSH 9.2's
# default sntrup761x25519 (post-quantum hybrid): what the key exchange alone costs a cold host
WORKLOADS = ("w1", "w2", "w3", "w4")
# which tools can run which workload (pyinfra has no Ansible roles; W3's reference would be a
# hand translation of a role, which is not what W3 asks)
SUPPORTS = {
    "w1": ("ref", "ref_c25519", "edgeauto", "edgeauto_base", "ansible", "pyinfra"),
    "w2": (
        "ref",
        "ref_c25519",
        "edgeauto",
        "edgeauto_base",
        "ansible",
        "ansible_defaults",
        "pyinfra",
    ),
    "w3": ("edgeauto", "edgeauto_base", "ansible"),
    "w4": ("ref", "edgeauto", "edgeauto_base", "ansible", "pyinfra"),
}
# tools that keep SSH connections between runs (pyinfra's paramiko connections die with it)
MASTERS = ("ref", "edgeauto", "edgeauto_base", "ansible", "ansible_defaults")
BASE_SRC: Path | None = None  # set by run.py --base-src


@dataclass
class Command:
    argv: list[str]
    env: dict = field(default_factory=dict)
    cwd: Path | None = None
    stdin: str | None = None


def tool_env(**extra) -> dict:
    """Bytecode caching on, as for any installed package (this machine sets
    PYTHONDONTWRITEBYTECODE=1; installed wheels carry their .pyc)."""
    env = dict(os.environ, **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(REPO)
    return env


def control_dir(tool: str, rtt_ms: float) -> Path:
    short = {"ansible_defaults": "ansdef", "edgeauto_base": "eabase"}.get(tool, tool[:6])
    return CONTROL_ROOT / f"{short}{int(rtt_ms)}"


class View:
    """The files for one set of targets seen at one RTT."""

    def __init__(
        self, root: Path, targets: list[Target], access: Access, rtt_ms: float, known: list[Target]
    ) -> None:
        self.dir = root / f"view-{len(targets)}-{int(rtt_ms)}"
        self.targets = targets
        self.access = access
        self.rtt_ms = rtt_ms
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "ea").mkdir(exist_ok=True)  # edgeauto's cwd: no ansible.cfg found there
        self.known_hosts = self.dir / "known_hosts"
        self.known_hosts.write_text(
            "".join(known_hosts_line(t.address, t.port, access.host_pub) for t in known)
        )
        for tool in MASTERS:
            d = control_dir(tool, rtt_ms)
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._write()

    def ssh_opts(self) -> list[str]:
        return [
            "-o",
            f"UserKnownHostsFile={self.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-i",
            str(self.access.key),
            "-l",
            self.access.user,
        ]

    def _write(self) -> None:
        a = self.access
        common = (
            f"-o UserKnownHostsFile={self.known_hosts} -o StrictHostKeyChecking=yes "
            "-o IdentitiesOnly=yes"
        )
        lines = ["[bench]"]
        lines += [
            f"{t.name} ansible_host={t.address} ansible_port={t.port} hostdir={t.hostdir}"
            for t in self.targets
        ]
        lines += [
            "[bench:vars]",
            f"ansible_user={a.user}",
            f"ansible_ssh_private_key_file={a.key}",
            f"ansible_ssh_common_args='{common}'",
            "ansible_python_interpreter=/usr/bin/python3",
        ]
        (self.dir / "inventory.ini").write_text("\n".join(lines) + "\n")
        forks = max(50, len(self.targets))
        (self.dir / "tuned.cfg").write_text(
            f"[defaults]\nforks={forks}\nretry_files_enabled=False\nhost_key_checking=True\n"
            f"roles_path={HERE / 'w3' / 'roles'}\n"
            "interpreter_python=/usr/bin/python3\n[ssh_connection]\npipelining=True\n"
            f"control_path_dir={control_dir('ansible', self.rtt_ms)}\n"
        )
        (self.dir / "defaults.cfg").write_text(
            f"[defaults]\nforks={forks}\n[ssh_connection]\n"
            f"control_path_dir={control_dir('ansible_defaults', self.rtt_ms)}\n"
        )
        hosts = [
            (t.name, {"ssh_hostname": t.address, "ssh_port": t.port, "hostdir": t.hostdir})
            for t in self.targets
        ]
        (self.dir / "pyinfra_inventory.py").write_text(f"bench = {hosts!r}\n")
        (self.dir / "group_data").mkdir(exist_ok=True)
        (self.dir / "group_data" / "all.py").write_text(
            f"ssh_user = {a.user!r}\nssh_key = {str(a.key)!r}\n"
            f"ssh_known_hosts_file = {str(self.known_hosts)!r}\n"
            "ssh_strict_host_key_checking = 'yes'\nssh_allow_agent = False\n"
            "ssh_look_for_keys = False\n"
        )
        (self.dir / "hosts.txt").write_text(
            "".join(f"{t.address} {t.port} {t.hostdir}\n" for t in self.targets)
        )
        play = (HERE / "w2" / "playbook.yml").read_text()
        (self.dir / "w2_facts.yml").write_text(
            play.replace("gather_facts: false", "gather_facts: true")
        )

    # -- the reference -------------------------------------------------------------------
    def ref_ssh(self, warm: bool, kex: str | None = None) -> str:
        cp = control_dir("ref", self.rtt_ms)
        mux = ["-o", f"KexAlgorithms={kex}"] if kex else []
        mux += (
            ["-o", "ControlMaster=no", "-o", f"ControlPath={cp}/%h-%p"]
            if warm
            else ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
        )
        return shlex.join(["ssh", *self.ssh_opts(), *mux])

    def ref_masters(self) -> str:
        """A shell command that starts the reference's masters (untimed, before warm runs)."""
        cp = control_dir("ref", self.rtt_ms)
        ssh = shlex.join(
            [
                "ssh",
                *self.ssh_opts(),
                "-o",
                "ControlMaster=yes",
                "-o",
                "ControlPersist=600",
                "-o",
                f"ControlPath={cp}/%h-%p",
                "-fN",
            ]
        )
        return (
            f'while read a p d; do {ssh} -p "$p" "$a" </dev/null & done '
            f"< {shlex.quote(str(self.dir / 'hosts.txt'))}; wait"
        )

    def ref(self, workload: str, warm: bool, kex: str | None = None) -> Command:
        """One ``ssh`` per host, all at once; each prints ``rc=N`` so failures are seen."""
        remote, stdin = {
            "w1": ("uname -a", "/dev/null"),
            "w2": ('sh -s -- "$d"', str(HERE / "w2" / "ref.sh")),
            "w4": ("sh -s", str(HERE / "w4" / "facts.sh")),
        }[workload]
        loop = (
            f'while read a p d; do ( {self.ref_ssh(warm, kex)} -p "$p" "$a" {remote} '
            f'< {stdin}; echo "rc=$?" ) & done < {shlex.quote(str(self.dir / "hosts.txt"))}; wait'
        )
        return Command(["sh", "-c", loop])

    # -- the tools -----------------------------------------------------------------------
    def edgeauto(self, workload: str, base: bool = False) -> Command:
        inv = str(self.dir / "inventory.ini")
        ea = [str(VENV_BIN / "python"), "-m", "edgeauto"]
        forks = ["-f", str(max(50, len(self.targets)))]
        if len(self.targets) >= 100:  # 500 cold handshakes on 2 cores: minutes, not 10 s
            forks += ["-T", "600"]
        argv = {
            "w1": [*ea, "adhoc", "all", "-i", inv, "-m", "command", "-a", "uname -a", "--json"],
            "w2": [*ea, "run", "-i", inv, str(HERE / "w2" / "playbook.yml"), "--json"],
            "w3": [*ea, "run", "-i", inv, str(HERE / "w3" / "site.yml"), "--json"],
            "w4": [*ea, "facts", "all", "-i", inv, "--json", "--no-cache"],
        }[workload] + forks
        env = tool_env(
            ANSIBLE_SSH_CONTROL_PATH_DIR=str(
                control_dir("edgeauto_base" if base else "edgeauto", self.rtt_ms)
            ),
            ANSIBLE_ROLES_PATH=str(HERE / "w3" / "roles"),
        )
        if base:
            env["PYTHONPATH"] = str(BASE_SRC)
        return Command(argv, env, self.dir / "ea")

    def ansible(self, workload: str, defaults: bool = False) -> Command:
        inv = str(self.dir / "inventory.ini")
        cfg = self.dir / ("defaults.cfg" if defaults else "tuned.cfg")
        pb = str(VENV_BIN / "ansible-playbook")
        adhoc = [str(VENV_BIN / "ansible"), "all", "-i", inv]
        argv = {
            "w1": [*adhoc, "-m", "command", "-a", "uname -a"],
            "w2": [
                pb,
                "-i",
                inv,
                str(self.dir / "w2_facts.yml") if defaults else str(HERE / "w2" / "playbook.yml"),
            ],
            "w3": [pb, "-i", inv, str(HERE / "w3" / "site.yml")],
            "w4": [*adhoc, "-m", "setup"],
        }[workload]
        return Command(argv, tool_env(ANSIBLE_CONFIG=str(cfg)), self.dir)

    def pyinfra(self, workload: str) -> Command:
        base = [
            str(VENV_BIN / "pyinfra"),
            "-y",
            "--parallel",
            str(max(50, len(self.targets))),
            "pyinfra_inventory.py",
        ]
        argv = {
            "w1": [*base, "server.shell", "uname -a"],
            "w2": [*base, str(HERE / "w2" / "pyinfra_deploy.py")],
            "w4": [
                *base,
                "fact",
                "server.Hostname",
                "server.Os",
                "server.Arch",
                "server.LinuxDistribution",
                "server.Kernel",
            ],
        }[workload]
        return Command(argv, tool_env(), self.dir)

    def command(self, tool: str, workload: str, warm: bool) -> Command:
        if tool == "ref":
            return self.ref(workload, warm)
        if tool == "ref_c25519":
            return self.ref(workload, warm, kex="curve25519-sha256")
        if tool in ("edgeauto", "edgeauto_base"):
            return self.edgeauto(workload, base=tool == "edgeauto_base")
        if tool in ("ansible", "ansible_defaults"):
            return self.ansible(workload, defaults=tool == "ansible_defaults")
        return self.pyinfra(workload)


def outcome(tool: str, rc: int, stdout: str, stderr: str, n: int) -> dict:
    """ok (every host succeeded), changed count where the tool says it, and for edgeauto the
    per-host round trips and SSH sessions its transport counted."""
    info: dict = {"ok": rc == 0}
    if tool.startswith("ref"):
        good = stdout.count("rc=0")
        info["ok"] = good == n
        info["changed"] = sum(int(m) for m in re.findall(r"^changed=(\d+)", stdout, re.M))
    elif tool.startswith("edgeauto"):
        try:
            doc = json.loads(stdout)
        except json.JSONDecodeError:
            doc = None
        stats = doc.get("stats", {}) if isinstance(doc, dict) else {}
        if stats:
            info["changed"] = sum(s.get("changed", 0) for s in stats.values())
            trips = [s.get("round_trips", 0) for s in stats.values()]
            info["scripts_per_host"] = max(trips) if trips else None
            sess = [s.get("ssh_sessions", {}) for s in stats.values()]
            for kind in ("connection", "channel", "control"):
                vals = [x.get(kind, 0) for x in sess]
                info[f"ssh_{kind}s_per_host"] = sum(vals) / len(vals) if vals else None
    elif tool == "pyinfra":
        # pyinfra goes on without the hosts it could not connect to, and may still exit 0
        connected = (stdout + stderr).count("Connected")
        info["connected"] = connected
        info["ok"] = rc == 0 and connected >= n
    elif tool.startswith("ansible"):
        info["changed"] = sum(int(m) for m in re.findall(r"\bchanged=(\d+)", stdout))
    if not info["ok"]:
        info["error"] = (stderr or stdout)[-300:]
    return info
