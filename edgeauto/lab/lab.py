"""The lab: N real SSH test hosts on this machine, brought up and torn down as one unit.

Each host is a copy-on-write overlay over a cached base image, with its own hostname, mount,
PID (and for nspawn hosts: IPC/UTS) namespaces, its own sshd bound to its own 127.X.Y.N
address. Everything a lab creates is recorded under its state directory and in cgroups named
after it, which is how ``down(force=True)`` finds leftovers after a crash.

    lab = Lab()                       # state in .lab/, images in ~/.cache/edgeauto/lab
    hosts = lab.up(hosts=3)           # 3 debian hosts with real systemd
    lab.up(hosts=1, flavor="busybox")
    hosts[0].run("hostname").stdout
    lab.down()
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.lab import cgroups
from edgeauto.lab.binfmt import ensure_binfmt
from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import atomic_write, safe_rmtree, write_into_upper
from edgeauto.lab.host import LabHost
from edgeauto.lab.image import TESTER_UID, ImageCache, default_busybox_recipe
from edgeauto.lab.inventory import render_inventory, render_known_hosts, render_ssh_config
from edgeauto.lab.keys import LabKeys, ensure_keys
from edgeauto.lab.launcher import netns_pid, write_proxy, write_scripts
from edgeauto.lab.net import pick_addresses, ssh_banner, validate_subnet
from edgeauto.lab.paths import (
    default_cache_dir,
    default_inventory_path,
    default_state_dir,
    lab_id,
)
from edgeauto.lab.procs import (
    NS_KINDS,
    describe,
    in_cgroup,
    mounts_below,
    now_ticks,
    parent_pid,
    processes_in_namespaces,
    processes_inside,
    reaped,
)
from edgeauto.lab.recipe import FLAVORS, Recipe, arch_info, debian_recipe, is_foreign, native_arch

STATE_VERSION = 1
INOTIFY = {
    "fs/inotify/max_user_instances": 1024,
    "fs/inotify/max_user_watches": 524288,
}
STOP_TIMEOUT = 25.0
NSPAWN_PROPAGATE = Path("/run/systemd/nspawn/propagate")
# nspawn mounts the v1 controller hierarchies read-only; runc (docker run) must create cgroups
# in them. Remount the controllers (not name=systemd / unified, which the host's systemd owns).
REMOUNT_CGROUPS_RW = """
set -e
mount -o remount,bind,rw /sys/fs/cgroup
for d in /sys/fs/cgroup/*; do
    case "${d##*/}" in systemd|unified) continue ;; esac
    [ -L "$d" ] || mount -o remount,bind,rw "$d"
done
"""


def _stderr_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class DownReport:
    stopped: list[str] = field(default_factory=list)
    killed: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def requirements_problem(systemd: bool = True) -> str | None:
    """Why a lab cannot run here (not root, tools missing), or None if it can."""
    if os.geteuid() != 0:
        return "the lab needs root (overlay mounts, namespaces, cgroups)"
    needed = ["unshare", "mount", "ssh", "ssh-keygen", "zstd", "tar", "mmdebstrap"]
    if systemd:
        needed.append("systemd-nspawn")
    missing = [tool for tool in needed if not shutil.which(tool)]
    if missing:
        return (
            f"the lab needs {', '.join(missing)} on PATH "
            "(scripts/setup.sh installs mmdebstrap, systemd-container, openssh-client, zstd)"
        )
    if "overlay" not in Path("/proc/filesystems").read_text():
        return "the kernel has no overlayfs"
    return None


class Lab:
    """A set of lab hosts sharing one state directory (see module docstring)."""

    def __init__(
        self,
        state_dir: str | Path | None = None,
        cache_dir: str | Path | None = None,
        inventory_path: str | Path | None = None,
        subnet: str = "127.77.0",
        log: Callable[[str], None] = _stderr_log,
    ):
        self.state_dir = Path(state_dir).resolve() if state_dir else default_state_dir()
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        if inventory_path is None and state_dir is None:
            inventory_path = default_inventory_path()
        self.extra_inventory = Path(inventory_path) if inventory_path else None
        self.subnet = validate_subnet(subnet)
        self.log = log
        self.id = lab_id(self.state_dir)
        self.images = ImageCache(self.cache_dir, log=log)
        self.down_ticks: int | None = None  # when down() last started (see leftovers())

    # ----- paths and state -------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.state_dir / "lab.json"

    @property
    def ssh_config(self) -> Path:
        return self.state_dir / "ssh_config"

    @property
    def inventory(self) -> Path:
        """The generated inventory (also copied to ``inventory_path`` when one is set)."""
        return self.state_dir / "inventory.yml"

    @property
    def hosts_dir(self) -> Path:
        return self.state_dir / "hosts"

    @contextmanager
    def _locked(self):
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _load(self) -> dict:
        if not self.state_file.exists():
            return {"version": STATE_VERSION, "hosts": [], "sysctl_restore": {}}
        try:
            data = json.loads(self.state_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise LabError(
                f"{self.state_file}: unreadable lab state ({exc}); "
                "run `edgeauto lab down --force` to clean up by state directory"
            ) from exc
        data.setdefault("hosts", [])
        data.setdefault("sysctl_restore", {})
        return data

    def _save(self, data: dict) -> None:
        atomic_write(self.state_file, json.dumps(data, indent=2) + "\n")

    @property
    def hosts(self) -> list[LabHost]:
        return [LabHost.from_dict(h) for h in self._load()["hosts"]]

    def host(self, name: str) -> LabHost:
        hosts = self.hosts
        for h in hosts:
            if h.name == name:
                return h
        names = ", ".join(h.name for h in hosts) or "none: run `edgeauto lab up` first"
        raise LabError(f"no lab host named '{name}' (hosts: {names})")

    def keys(self) -> LabKeys:
        return ensure_keys(self.state_dir / "keys")

    # ----- bring up ----------------------------------------------------------------------
    def recipe_for(
        self, flavor: str, arch: str | None, with_python: bool, capabilities: tuple[str, ...]
    ) -> Recipe:
        if flavor not in FLAVORS:
            raise LabError(f"unknown lab flavour '{flavor}': expected one of {', '.join(FLAVORS)}")
        if flavor == "busybox":
            if with_python:
                raise LabError("busybox hosts have no Python by design; use flavor='debian'")
            if capabilities:
                raise LabError("capabilities (docker, ovs) need flavor='debian'")
            if arch and arch != native_arch():
                raise LabError(f"busybox hosts are {native_arch()} only (asked for {arch})")
            return default_busybox_recipe()
        return debian_recipe(arch, with_python=with_python, capabilities=capabilities)

    def up(
        self,
        hosts: int = 1,
        flavor: str = "debian",
        arch: str | None = None,
        with_python: bool = False,
        systemd: bool | None = None,
        capabilities: tuple[str, ...] | list[str] = (),
        timeout: float = 180.0,
    ) -> list[LabHost]:
        """Add ``hosts`` hosts of one kind to the lab, wait until each accepts SSH logins.

        ``systemd`` defaults to True for native debian hosts (systemd-nspawn -b) and False
        for busybox and foreign-architecture hosts (sshd/dropbear as PID 1).
        """
        if hosts < 1:
            raise LabError(f"--hosts must be at least 1, got {hosts}")
        arch = arch or native_arch()
        arch_info(arch)
        capabilities = tuple(sorted(set(capabilities)))
        if systemd is None:
            systemd = flavor == "debian" and not is_foreign(arch)
        if systemd and flavor != "debian":
            raise LabError("only debian hosts can boot systemd; busybox hosts run dropbear alone")
        if capabilities and not systemd:
            raise LabError("docker/ovs capabilities need a systemd host (systemd=True)")
        problem = requirements_problem(systemd)
        if problem:
            raise LabError(problem)
        recipe = self.recipe_for(flavor, arch, with_python, capabilities)
        if is_foreign(arch):
            ensure_binfmt(arch_info(arch))
        lower = self.images.ensure(recipe)
        started = time.monotonic()
        with self._locked():
            data = self._load()
            keys = self.keys()
            if flavor == "busybox" and not keys.dropbear_host_key.exists():
                raise LabError("dropbearconvert could not convert the lab host key (dropbear-bin)")
            existing = [LabHost.from_dict(h) for h in data["hosts"]]
            addresses = pick_addresses(self.subnet, hosts, taken=[h.address for h in existing])
            if systemd:
                self._raise_inotify(data)
            prefix = flavor if not is_foreign(arch) else f"{flavor}-{arch}"
            if capabilities:
                prefix += "-" + "-".join(capabilities)
            numbers = [
                int(h.name.rsplit("-", 1)[1])
                for h in existing
                if h.name.rsplit("-", 1)[0] == prefix and h.name.rsplit("-", 1)[1].isdigit()
            ]
            first = max(numbers, default=0) + 1
            new: list[LabHost] = []
            for i, (address, port) in enumerate(addresses):
                name = f"{prefix}-{first + i}"
                host = LabHost(
                    name=name,
                    flavor=flavor,
                    arch=arch,
                    mode="systemd" if systemd else "light",
                    address=address,
                    port=port,
                    base=recipe.name,
                    dir=str(self.hosts_dir / name),
                    ssh_config=str(self.ssh_config),
                    key_file=str(keys.client_key),
                    known_hosts=str(keys.known_hosts),
                    with_python=with_python,
                    capabilities=list(capabilities),
                )
                self._prepare_host(host, lower, keys)
                new.append(host)
            all_hosts = existing + new
            self._write_client_files(all_hosts, keys)
            for host in new:
                self._launch(host, lower)
                data["hosts"].append(host.to_dict())
            self._save(data)
        self._wait_ready(new, timeout)
        with self._locked():
            data = self._load()
            by_name = {h.name: h for h in new}
            data["hosts"] = [
                by_name[h["name"]].to_dict() if h["name"] in by_name else h for h in data["hosts"]
            ]
            self._save(data)
        failed = [h for h in new if h.state == "failed"]
        if failed:
            details = "\n".join(f"  {h.name}: {h.note}" for h in failed)
            raise LabError(f"{len(failed)} of {len(new)} lab hosts did not come up:\n{details}")
        self.log(
            f"lab: {len(new)} {flavor}/{arch} host(s) up in {time.monotonic() - started:.1f}s "
            f"({', '.join(h.name for h in new)})"
        )
        return new

    def add_host(self, **kwargs) -> LabHost:
        """One more host (same arguments as :meth:`up` without ``hosts``)."""
        return self.up(hosts=1, **kwargs)[0]

    def _raise_inotify(self, data: dict) -> None:
        """systemd containers each take ~5 inotify instances; the default 128 stops at ~24."""
        for key, wanted in INOTIFY.items():
            path = Path("/proc/sys") / key
            current = int(path.read_text())
            if current < wanted:
                path.write_text(str(wanted))
                data["sysctl_restore"].setdefault(key, [current, wanted])
        self._save(data)

    def _restore_sysctls(self, data: dict) -> None:
        for key, (old, ours) in data.get("sysctl_restore", {}).items():
            path = Path("/proc/sys") / key
            try:
                if int(path.read_text()) == ours:  # someone else changed it since: leave it
                    path.write_text(str(old))
            except OSError:
                pass
        data["sysctl_restore"] = {}

    def _prepare_host(self, host: LabHost, lower: Path, keys: LabKeys) -> None:
        hdir = Path(host.dir)
        if hdir.exists():
            safe_rmtree(hdir)
        for sub in ("upper", "work", "merged"):
            (hdir / sub).mkdir(parents=True)
        up = hdir / "upper"

        def put(rel: str, text: str, mode: int = 0o644, uid: int = 0) -> None:
            write_into_upper(up, lower, rel, text, mode=mode, uid=uid, gid=uid)

        put("etc/hostname", host.name + "\n")
        put(
            "etc/hosts",
            f"127.0.0.1\tlocalhost\n{host.address}\t{host.name}\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n",
        )
        client_pub = keys.client_pub
        put("root/.ssh/authorized_keys", client_pub, 0o600)
        put("home/tester/.ssh/authorized_keys", client_pub, 0o600, uid=TESTER_UID)
        if host.flavor == "busybox":
            put(
                "etc/dropbear/dropbear_ed25519_host_key",
                keys.dropbear_host_key.read_bytes(),
                0o600,
            )
        else:
            put("etc/ssh/ssh_host_ed25519_key", keys.host_key.read_bytes(), 0o600)
            put("etc/ssh/ssh_host_ed25519_key.pub", keys.host_pub)
            listen = (
                "ListenAddress 127.0.0.1:22\n"
                if host.privileged
                else (f"ListenAddress {host.address}:{host.port}\n")
            )
            put("etc/ssh/sshd_config.d/listen.conf", listen)
            if "docker" in host.capabilities:
                parent = cgroups.docker_parent(self.id, host.name)
                put("etc/docker/daemon.json", json.dumps({"cgroup-parent": parent}) + "\n")
            if not host.systemd and Path("/etc/resolv.conf").exists():
                put("etc/resolv.conf", Path("/etc/resolv.conf").read_text())

    def _daemon(self, host: LabHost) -> list[str]:
        if host.flavor == "busybox":
            return [
                "/usr/sbin/dropbear", "-F", "-E", "-s",
                "-p", f"{host.address}:{host.port}",
                "-r", "/etc/dropbear/dropbear_ed25519_host_key",
                "-P", "/run/dropbear.pid",
            ]  # fmt: skip
        return ["/usr/sbin/sshd", "-D", "-e"]

    def machine_name(self, name: str) -> str:
        """nspawn's machine name: unique per lab, so two labs never share nspawn's run files."""
        return f"{name}-{self.id[:6]}"

    def _launch(self, host: LabHost, lower: Path) -> None:
        hdir = Path(host.dir)
        cgs = cgroups.host_cgroups(self.id, host.name, every=host.privileged)
        if not cgs:
            raise LabError("no usable cgroup hierarchy under /sys/fs/cgroup")
        cgroups.create(cgs)
        launch = write_scripts(
            hdir,
            host.name,
            lower,
            cgs,
            host.mode,
            machine=self.machine_name(host.name),
            daemon=self._daemon(host),
            privileged=host.privileged,
        )
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        with open(hdir / "log", "wb") as logf:
            proc = subprocess.Popen(
                ["/bin/sh", str(launch)],
                stdin=subprocess.DEVNULL,
                stdout=logf,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
                close_fds=True,
            )
        host.pid = proc.pid
        (hdir / "pid").write_text(f"{proc.pid}\n")
        if host.privileged:
            write_proxy(hdir, cgs)

    # ----- readiness ---------------------------------------------------------------------
    def _wait_ready(self, hosts: list[LabHost], timeout: float) -> None:
        threads = [threading.Thread(target=self._wait_one, args=(h, timeout)) for h in hosts]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _log_tail(self, host: LabHost, lines: int = 12) -> str:
        try:
            text = (Path(host.dir) / "log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:]) or "(empty log)"

    def _alive(self, host: LabHost) -> bool:
        return bool(cgroups.pids_in(cgroups.host_cgroups(self.id, host.name)))

    def _wait_one(self, host: LabHost, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        try:
            if host.privileged:
                self._wait_privileged(host, deadline)
                return
            while not ssh_banner(host.address, host.port):
                if reaped(host.pid):
                    raise LabError(f"exited during start: {self._log_tail(host)}")
                if time.monotonic() > deadline:
                    raise LabError(f"no SSH banner after {timeout:.0f}s: {self._log_tail(host)}")
                time.sleep(0.1)
            if host.systemd:
                self._wait_systemd(host, deadline)
            else:
                host.state = "running"
        except LabError as exc:
            host.state = "failed"
            host.note = exc.message
        except Exception as exc:  # noqa: BLE001 - a thread must never die silently
            host.state = "failed"
            host.note = f"{type(exc).__name__}: {exc}"

    def _wait_systemd(self, host: LabHost, deadline: float) -> None:
        """SSH banner is not enough: until boot finishes pam_nologin refuses non-root users."""
        remaining = max(5.0, deadline - time.monotonic())
        proc = host.run("systemctl is-system-running --wait", timeout=remaining)
        state = proc.stdout.strip()
        if state == "running":
            host.state = "running"
        elif state == "degraded":
            failed = host.run("systemctl --failed --no-legend --plain", timeout=30).stdout
            host.state = "degraded"
            host.note = "failed units: " + " ".join(
                line.split()[0] for line in failed.splitlines() if line
            )
            self.log(f"lab: {host.name} is degraded ({host.note}); usable, but check it")
        else:
            raise LabError(
                f"systemd state '{state or '?'}' (ssh exit {proc.returncode}: "
                f"{proc.stderr.strip()[-300:]})"
            )

    def _wait_privileged(self, host: LabHost, deadline: float) -> None:
        """A privileged host has its own network namespace: wait for a process inside it,
        then for sshd through the ProxyCommand, then for systemd; then let its dockerd
        create cgroups (nspawn mounts the v1 controllers read-only)."""
        while netns_pid(self.id, host.name) is None:
            if reaped(host.pid):
                raise LabError(f"exited during start: {self._log_tail(host)}")
            if time.monotonic() > deadline:
                raise LabError(f"no process in its own network namespace: {self._log_tail(host)}")
            time.sleep(0.2)
        while True:
            proc = host.run("true", timeout=30)
            if proc.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise LabError(f"ssh through the netns proxy failed: {proc.stderr.strip()[-300:]}")
            time.sleep(0.3)
        self._wait_systemd(host, deadline)
        if {"docker", "libvirt"} & set(host.capabilities):
            pid = netns_pid(self.id, host.name)
            proc = subprocess.run(
                ["nsenter", "-t", str(pid), "-m", "--", "sh", "-c", REMOUNT_CGROUPS_RW],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise LabError(f"making cgroups writable failed: {proc.stderr.strip()}")

    # ----- client files --------------------------------------------------------------------
    def _write_client_files(self, hosts: list[LabHost], keys: LabKeys) -> None:
        atomic_write(keys.known_hosts, render_known_hosts(hosts, keys))
        atomic_write(self.ssh_config, render_ssh_config(hosts, keys))
        inventory = render_inventory(hosts, keys)
        atomic_write(self.inventory, inventory)
        if self.extra_inventory:
            atomic_write(self.extra_inventory, inventory)

    def _remove_client_files(self) -> None:
        for path in (self.ssh_config, self.inventory, self.state_dir / "keys" / "known_hosts"):
            path.unlink(missing_ok=True)
        if self.extra_inventory:
            self.extra_inventory.unlink(missing_ok=True)

    # ----- tear down -----------------------------------------------------------------------
    def remove_host(self, name: str) -> None:
        """Stop one host and delete its overlay; other hosts keep running."""
        with self._locked():
            data = self._load()
            host = next((LabHost.from_dict(h) for h in data["hosts"] if h["name"] == name), None)
            if host is None:
                raise LabError(f"no lab host named '{name}'")
            report = DownReport()
            self._stop_hosts([host.name], report)
            safe_rmtree(Path(host.dir))
            data["hosts"] = [h for h in data["hosts"] if h["name"] != name]
            self._save(data)
            remaining = [LabHost.from_dict(h) for h in data["hosts"]]
            self._write_client_files(remaining, self.keys())
            if report.problems:
                raise LabError(f"{name}: " + "; ".join(report.problems))

    def down(self, force: bool = False) -> DownReport:
        """Stop every host and remove everything the lab made (not the cached images).

        ``force`` also works when the state file is missing or corrupt: it finds processes by
        the lab's cgroups and by their root/cwd inside the state directory, and unmounts
        anything mounted below the state directory.
        """
        started = time.monotonic()
        self.down_ticks = now_ticks()
        report = DownReport()
        with self._locked():
            try:
                data = self._load()
            except LabError:
                if not force:
                    raise
                data = {"hosts": [], "sysctl_restore": {}}
            names = [h["name"] for h in data["hosts"]]
            if force:
                for top in cgroups.lab_cgroups(self.id, every=False):
                    if top.is_dir():
                        names += [
                            p.name for p in top.iterdir() if p.is_dir() and p.name not in names
                        ]
            self._stop_hosts(names, report)
            if force:
                self._kill_by_state_dir(report)
                self._unmount_below_state_dir(report)
            report.problems += cgroups.remove(cgroups.lab_cgroups(self.id))
            cgroups.remove_empty_parent(self.id)
            self._restore_sysctls(data)
            if self.hosts_dir.exists():
                safe_rmtree(self.hosts_dir)
            self._remove_client_files()
            self.state_file.unlink(missing_ok=True)
        report.seconds = time.monotonic() - started
        self.log(f"lab: down in {report.seconds:.1f}s ({len(report.stopped)} host(s))")
        return report

    def _stop_hosts(self, names: list[str], report: DownReport) -> None:
        """SIGTERM every host's launcher group (systemd hosts power off), wait, then SIGKILL."""
        groups = {name: cgroups.host_cgroups(self.id, name) for name in names}
        for name, cgs in groups.items():
            marker = f"/{cgroups.LAB_SLICE}/{self.id}/{name}"
            members = cgroups.pids_in(cgs)
            for pid in members:
                # Only the launcher (the one member whose parent is outside the cgroup) gets
                # the signal, for its process group: the sh ignores it, nspawn powers the
                # container off cleanly. Signalling the container's own systemd with SIGTERM
                # would make it re-execute instead of halting.
                if parent_pid(pid) in members or not in_cgroup(pid, marker):
                    continue
                try:
                    os.killpg(pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, cgs in groups.items():
            if not cgroups.wait_empty(cgs, max(0.0, deadline - time.monotonic())):
                left = sorted(cgroups.pids_in(cgs))
                report.killed += left
                self.log(f"lab: {name} did not stop in time, killing {len(left)} process(es)")
                cgroups.kill_all(cgs)
                if not cgroups.wait_empty(cgs, 10):
                    report.problems.append(f"{name}: processes survive SIGKILL")
            pidfile = self.hosts_dir / name / "pid"
            if pidfile.exists():  # reap our own launcher child before removing its cgroup
                reaped(int(pidfile.read_text().strip() or 0))
            everything = cgroups.host_all_cgroups(self.id, name)
            stray = cgroups.pids_in(everything)  # e.g. containers a host's dockerd started
            if stray:
                report.killed += sorted(stray)
                cgroups.kill_all(everything)
                cgroups.wait_empty(everything, 10)
            report.problems += cgroups.remove(everything)
            propagate = NSPAWN_PROPAGATE / self.machine_name(name)
            if propagate.is_dir():
                shutil.rmtree(propagate, ignore_errors=True)
            report.stopped.append(name)

    def _kill_by_state_dir(self, report: DownReport) -> None:
        for pid in processes_inside(self.state_dir):
            try:
                os.kill(pid, signal.SIGKILL)
                report.killed.append(pid)
            except ProcessLookupError:
                pass

    def _unmount_below_state_dir(self, report: DownReport) -> None:
        for mountpoint in sorted(mounts_below(self.state_dir, "self"), key=len, reverse=True):
            proc = subprocess.run(["umount", "-l", mountpoint], capture_output=True, text=True)
            if proc.returncode != 0:
                report.problems.append(f"umount {mountpoint}: {proc.stderr.strip()}")

    # ----- inspection ----------------------------------------------------------------------
    def status(self) -> list[dict]:
        """Per host: name, address, mode, recorded state, whether processes and sshd are up."""
        rows = []
        for h in self.hosts:
            alive = self._alive(h)
            if h.privileged:  # own netns: its sshd is reachable only through proxy.sh
                reachable = alive and netns_pid(self.id, h.name) is not None
            else:
                reachable = alive and ssh_banner(h.address, h.port, timeout=2)
            rows.append(
                {
                    "name": h.name,
                    "flavor": h.flavor,
                    "arch": h.arch,
                    "mode": h.mode,
                    "address": f"{h.address}:{h.port}",
                    "state": h.state,
                    "processes": len(cgroups.pids_in(cgroups.host_cgroups(self.id, h.name))),
                    "ssh": "up" if reachable else "down",
                }
            )
        return rows

    def namespaces(self) -> set[str]:
        """Namespace ids (e.g. 'mnt:[4026532]') used by lab processes but not by this process."""
        own = {os.readlink(f"/proc/self/ns/{k}") for k in NS_KINDS}
        found: set[str] = set()
        for pid in cgroups.pids_in(cgroups.lab_cgroups(self.id)):
            for kind in NS_KINDS:
                try:
                    ns = os.readlink(f"/proc/{pid}/ns/{kind}")
                except OSError:
                    continue
                if ns not in own:
                    found.add(ns)
        return found

    def leftovers(self, namespaces: set[str] = frozenset()) -> list[str]:
        """Everything of this lab still present on the machine; empty after a clean down.

        ``namespaces`` (from :meth:`namespaces` while the lab ran) are checked too: no process
        on the machine may still be inside one of them.
        """
        found = []
        for pid in sorted(cgroups.pids_in(cgroups.lab_cgroups(self.id))):
            found.append(f"process {pid} ({describe(pid)}) in lab cgroup")
        for pid in processes_inside(self.state_dir):
            found.append(f"process {pid} has its root or cwd in {self.state_dir}")
        for mp in sorted(mounts_below(self.state_dir, "*")):
            found.append(f"mount {mp}")
        for cg in cgroups.lab_cgroups(self.id):
            if cg.exists():
                found.append(f"cgroup {cg}")
        if namespaces:
            for pid, ns in processes_in_namespaces(namespaces, self.down_ticks):
                other = describe(pid)
                if f"/{cgroups.LAB_SLICE}/" in other and f"/{self.id}/" not in other:
                    continue  # a process of another lab in a namespace that reuses an old id
                found.append(f"process {pid} ({describe(pid)}) still in namespace {ns}")
        for run_dir in NSPAWN_PROPAGATE.glob(f"*-{self.id[:6]}"):
            found.append(f"nspawn run dir {run_dir}")
        if self.hosts_dir.exists() and any(self.hosts_dir.iterdir()):
            found.append(f"host directories in {self.hosts_dir}")
        return found
