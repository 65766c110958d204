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
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from edgeauto.lab import cgroups
from edgeauto.lab.binfmt import ensure_binfmt
from edgeauto.lab.bringup import (
    launch,
    prepare_host,
    raise_inotify,
    requirements_problem,
    restore_sysctls,
)
from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import atomic_write, safe_rmtree
from edgeauto.lab.host import LabHost
from edgeauto.lab.image import ImageCache, default_busybox_recipe
from edgeauto.lab.inventory import render_inventory, render_known_hosts, render_ssh_config
from edgeauto.lab.keys import LabKeys, ensure_keys
from edgeauto.lab.launcher import netns_pid
from edgeauto.lab.net import pick_addresses, ssh_banner, validate_subnet
from edgeauto.lab.paths import (
    default_cache_dir,
    default_inventory_path,
    default_state_dir,
    lab_id,
)
from edgeauto.lab.paths import machine_name as _machine_name
from edgeauto.lab.procs import (
    NS_KINDS,
    describe,
    mounts_below,
    now_ticks,
    processes_in_namespaces,
    processes_inside,
)
from edgeauto.lab.readiness import wait_ready
from edgeauto.lab.recipe import FLAVORS, Recipe, arch_info, debian_recipe, is_foreign, native_arch
from edgeauto.lab.teardown import (
    NSPAWN_PROPAGATE,
    DownReport,
    kill_by_state_dir,
    stop_hosts,
    unmount_below_state_dir,
)

__all__ = ["DownReport", "Lab", "requirements_problem"]

STATE_VERSION = 1


def _stderr_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


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

        In lifecycle order: check the request, build or reuse the base image, then under the
        state lock name and prepare the new hosts and launch them; wait outside the lock.
        """
        if hosts < 1:
            raise LabError(f"--hosts must be at least 1, got {hosts}")
        arch = arch or native_arch()
        capabilities = tuple(sorted(set(capabilities)))
        systemd = self._check_request(flavor, arch, systemd, capabilities)
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
            new = self._new_hosts(
                existing, hosts, flavor, arch, systemd, with_python, capabilities, recipe, keys
            )
            if systemd:
                raise_inotify(data)
                self._save(data)
            for host in new:
                prepare_host(host, lower, keys, self.id)
            self._write_client_files(existing + new, keys)
            for host in new:
                launch(host, lower, self.id)
                data["hosts"].append(host.to_dict())
            self._save(data)
        wait_ready(new, timeout, self.id, self.log)
        self._record_states(new)
        failed = [h for h in new if h.state == "failed"]
        if failed:
            details = "\n".join(f"  {h.name}: {h.note}" for h in failed)
            raise LabError(f"{len(failed)} of {len(new)} lab hosts did not come up:\n{details}")
        self.log(
            f"lab: {len(new)} {flavor}/{arch} host(s) up in {time.monotonic() - started:.1f}s "
            f"({', '.join(h.name for h in new)})"
        )
        return new

    def _check_request(
        self, flavor: str, arch: str, systemd: bool | None, capabilities: tuple[str, ...]
    ) -> bool:
        """Refuse combinations that cannot run here; return whether the hosts boot systemd."""
        arch_info(arch)
        if systemd is None:
            systemd = flavor == "debian" and not is_foreign(arch)
        if systemd and flavor != "debian":
            raise LabError("only debian hosts can boot systemd; busybox hosts run dropbear alone")
        if capabilities and not systemd:
            raise LabError("docker/ovs capabilities need a systemd host (systemd=True)")
        problem = requirements_problem(systemd)
        if problem:
            raise LabError(problem)
        return systemd

    def _new_hosts(
        self,
        existing: list[LabHost],
        count: int,
        flavor: str,
        arch: str,
        systemd: bool,
        with_python: bool,
        capabilities: tuple[str, ...],
        recipe: Recipe,
        keys: LabKeys,
    ) -> list[LabHost]:
        """Names (``PREFIX-N``, numbered after existing hosts) and addresses of new hosts."""
        addresses = pick_addresses(self.subnet, count, taken=[h.address for h in existing])
        prefix = flavor if not is_foreign(arch) else f"{flavor}-{arch}"
        if capabilities:
            prefix += "-" + "-".join(capabilities)
        numbers = [
            int(h.name.rsplit("-", 1)[1])
            for h in existing
            if h.name.rsplit("-", 1)[0] == prefix and h.name.rsplit("-", 1)[1].isdigit()
        ]
        first = max(numbers, default=0) + 1
        return [
            LabHost(
                name=f"{prefix}-{first + i}",
                flavor=flavor,
                arch=arch,
                mode="systemd" if systemd else "light",
                address=address,
                port=port,
                base=recipe.name,
                dir=str(self.hosts_dir / f"{prefix}-{first + i}"),
                ssh_config=str(self.ssh_config),
                key_file=str(keys.client_key),
                known_hosts=str(keys.known_hosts),
                with_python=with_python,
                capabilities=list(capabilities),
            )
            for i, (address, port) in enumerate(addresses)
        ]

    def _record_states(self, new: list[LabHost]) -> None:
        """Write the states the wait found (running, degraded, failed) into the state file."""
        with self._locked():
            data = self._load()
            by_name = {h.name: h for h in new}
            data["hosts"] = [
                by_name[h["name"]].to_dict() if h["name"] in by_name else h for h in data["hosts"]
            ]
            self._save(data)

    def add_host(self, **kwargs) -> LabHost:
        """One more host (same arguments as :meth:`up` without ``hosts``)."""
        return self.up(hosts=1, **kwargs)[0]

    def machine_name(self, name: str) -> str:
        """nspawn's machine name: unique per lab, so two labs never share nspawn's run files."""
        return _machine_name(self.id, name)

    def _alive(self, host: LabHost) -> bool:
        return bool(cgroups.pids_in(cgroups.host_cgroups(self.id, host.name)))

    # ----- client files --------------------------------------------------------------------
    def _write_client_files(self, hosts: list[LabHost], keys: LabKeys) -> None:
        atomic_write(keys.known_hosts, render_known_hosts(hosts, keys))
        atomic_write(self.ssh_config, render_ssh_config(hosts, keys))
        inventory = render_inventory(hosts, keys, self.id)
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
            stop_hosts(self.id, [host.name], report, self.hosts_dir, self.log)
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
            stop_hosts(self.id, names, report, self.hosts_dir, self.log)
            if force:
                kill_by_state_dir(self.state_dir, report)
                unmount_below_state_dir(self.state_dir, report)
            report.problems += cgroups.remove(cgroups.lab_cgroups(self.id))
            cgroups.remove_empty_parent(self.id)
            restore_sysctls(data)
            if self.hosts_dir.exists():
                safe_rmtree(self.hosts_dir)
            self._remove_client_files()
            self.state_file.unlink(missing_ok=True)
        report.seconds = time.monotonic() - started
        self.log(f"lab: down in {report.seconds:.1f}s ({len(report.stopped)} host(s))")
        return report

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
