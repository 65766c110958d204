"""Bring the Vagrant lab of ``vagrant/fleet.yml`` up and down for real (vagrant-libvirt, TCG).

``up``: build or reuse the box, start the namespace and libvirt daemons (:mod:`.daemons`),
add the box to a private ``VAGRANT_HOME`` in the cache, ``vagrant up --provider=libvirt`` run
*inside* the namespace, then read each guest's SSH host key from its serial console and write
the ``known_hosts`` file that ``fleet.yml``'s ``ssh:`` section points the inventory at; with a
``mirror:`` section in fleet.yml, build the guests' signed apt repository (:mod:`.mirror`) and
serve it inside the namespace (:mod:`.mirror_server`) — the guests have no other package source.
``down``: ``vagrant destroy -f``, remove the networks, stop the daemons by PID, delete the
namespace. The base-box volume stays in the pool directory (the cached up skips its upload),
the box stays in the cache; ``down(purge=True)`` removes both.

Layout (``EDGEAUTO_VAGRANT_ROOT``, default /var/lib/edgeauto/vagrant — readable by libvirt's
QEMU user, unlike /root)::

    boot/        vmlinuz, initrd.gz, cmdline of the current box (the Vagrantfile reads them)
    pool/        libvirt storage pool "default": base-box volume and guest disks
    run/         pidfiles and logs of the daemons and the mirror, vagrant.log, serial/<machine>.log
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import atomic_write
from edgeauto.lab.paths import repo_root
from edgeauto.vagrantlab import daemons as dm
from edgeauto.vagrantlab.box import BOX_NAME, HOSTKEY_MARKER, Box, default_box_cache, ensure_box
from edgeauto.vagrantlab.mirror import Mirror, load_mirror_config
from edgeauto.vagrantlab.mirror_server import MirrorServer, gateway_address

ROOT_ENV = "EDGEAUTO_VAGRANT_ROOT"
DEFAULT_ROOT = "/var/lib/edgeauto/vagrant"


def default_root() -> Path:
    return Path(os.environ.get(ROOT_ENV, DEFAULT_ROOT))


@dataclass
class Timings:
    """Wall-clock seconds of each phase of one ``up`` (reported, never asserted on)."""

    phases: dict[str, float] = field(default_factory=dict)

    def measure(self, name: str, started: float) -> None:
        self.phases[name] = round(time.monotonic() - started, 1)


class VagrantLab:
    def __init__(
        self,
        vagrant_dir: Path | None = None,
        root: Path | None = None,
        cache: Path | None = None,
        log=print,
    ):
        self.vagrant_dir = Path(vagrant_dir or repo_root() / "vagrant").resolve()
        self.root = Path(root or default_root())
        self.cache = Path(cache or default_box_cache())
        self.log = log
        self.run_dir = self.root / "run"
        self.serial_dir = self.run_dir / "serial"
        self.boot_dir = self.root / "boot"
        self.pool_dir = self.root / "pool"
        self.vagrant_home = self.cache / "home"
        self.daemons = dm.Daemons(self.run_dir, self.pool_dir, log)
        self.mirror_config = load_mirror_config(self.vagrant_dir / "fleet.yml")
        self.mirror_server = MirrorServer(
            self.run_dir,
            gateway_address(self._network().get("management_address", "192.168.121.0/24")),
            self.mirror_config.port if self.mirror_config else 0,
            log,
        )

    # ---- fleet and paths -------------------------------------------------------------
    def machines(self) -> list[str]:
        from edgeauto.inventory.vagrant import load_fleet

        return [m.name for m in load_fleet(self.vagrant_dir / "fleet.yml")]

    def known_hosts(self) -> Path:
        from edgeauto.inventory.vagrant import load_fleet_ssh

        path = load_fleet_ssh(self.vagrant_dir / "fleet.yml").known_hosts
        if path is None:
            raise LabError(f"{self.vagrant_dir / 'fleet.yml'} has no ssh.known_hosts")
        return path

    def env(self) -> dict[str, str]:
        return dict(
            os.environ,
            VAGRANT_HOME=str(self.vagrant_home),
            VAGRANT_DEFAULT_PROVIDER="libvirt",
            VAGRANT_CHECKPOINT_DISABLE="1",  # no call home: the namespace has no route anyway
            VAGRANT_BOX_UPDATE_CHECK_DISABLE="1",
            **{ROOT_ENV: str(self.root)},
        )

    def vagrant(self, *args: str, timeout: float = 3600, check: bool = True) -> str:
        """Run vagrant inside the namespace; its output is streamed to run/vagrant.log."""
        cmd = ["ip", "netns", "exec", dm.NETNS, "vagrant", *args]
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.run_dir / "vagrant.log"
        with open(log_path, "a") as logf:
            logf.write(f"\n$ vagrant {' '.join(args)}\n")
            logf.flush()
            start = logf.tell()
            proc = subprocess.run(
                cmd,
                cwd=self.vagrant_dir,
                env=self.env(),
                stdout=logf,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        with open(log_path) as logf:
            logf.seek(start)
            output = logf.read()
        if check and proc.returncode != 0:
            tail = "\n  ".join(output.strip().splitlines()[-25:])
            raise LabError(
                f"vagrant {' '.join(args)} failed ({proc.returncode}):\n  {tail}",
                hint=f"full log: {log_path}",
            )
        return output

    # ---- up --------------------------------------------------------------------------
    def up(self) -> Timings:
        timings = Timings()
        t = time.monotonic()
        box = ensure_box(self.cache, self.log)
        timings.measure("box", t)
        repo = None
        if self.mirror_config:
            t = time.monotonic()
            repo = Mirror(self.mirror_config, self.cache, self.log).ensure()
            timings.measure("mirror", t)
        self._install_boot_files(box)
        t = time.monotonic()
        self.daemons.start()
        timings.measure("daemons", t)
        t = time.monotonic()
        self._ensure_box_added(box)
        timings.measure("box_add", t)
        t = time.monotonic()
        self.log(f"vagrant: vagrant up --provider=libvirt ({', '.join(self.machines())})")
        self.vagrant("up", "--provider=libvirt")
        timings.measure("vagrant_up", t)
        self.write_known_hosts()
        if repo is not None:
            self.serve_mirror(repo)
        return timings

    def serve_mirror(self, repo: Path) -> None:
        """Serve the repository in the namespace; its public key where fleet.yml's vars read it."""
        assert self.mirror_config is not None
        key = Mirror(self.mirror_config, self.cache, self.log).public_key()
        atomic_write(self.mirror_config.key, key)
        self.mirror_server.start(repo)

    def _install_boot_files(self, box: Box) -> None:
        for d in (self.root, self.boot_dir, self.run_dir, self.serial_dir):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, 0o755)
        for src in (box.kernel, box.initrd):
            shutil.copyfile(src, self.boot_dir / src.name)
            os.chmod(self.boot_dir / src.name, 0o644)
        atomic_write(self.boot_dir / "cmdline", box.cmdline + "\n")

    def _ensure_box_added(self, box: Box) -> None:
        """Add the box to our VAGRANT_HOME; a new recipe replaces the old box and base volume."""
        marker = self.vagrant_home / "edgeauto-box-recipe"
        current = marker.read_text().strip() if marker.exists() else ""
        listed = self.vagrant("box", "list", check=False)
        if current == box.name and BOX_NAME in listed:
            return
        if BOX_NAME in listed:
            self.vagrant("box", "remove", "--force", "--all", BOX_NAME, check=False)
        for stale in self.pool_dir.glob("*VAGRANTSLASH*"):
            self.log(f"vagrant: removing the old base volume {stale.name}")
            dm.virsh("vol-delete", "--pool", dm.POOL, stale.name, check=False)
            stale.unlink(missing_ok=True)
        self.log(f"vagrant: vagrant box add {BOX_NAME} ({box.name})")
        self.vagrant("box", "add", "--force", "--name", BOX_NAME, str(box.box_file))
        atomic_write(marker, box.name + "\n")

    # ---- host keys -------------------------------------------------------------------
    def host_key(self, name: str, timeout: float = 300) -> str:
        """The ed25519 host key guest ``name`` printed on its serial console at boot."""
        path = self.serial_dir / f"{name}.log"
        deadline = time.monotonic() + timeout
        while True:
            # libvirt truncates the log when the domain starts; the last line wins (a guest
            # that is already running keeps its log, so a second up finds the key again)
            lines = path.read_text(errors="replace").splitlines() if path.exists() else []
            found = [x for x in lines if x.startswith(HOSTKEY_MARKER + " ")]
            if found:
                return found[-1][len(HOSTKEY_MARKER) + 1 :].strip()
            if time.monotonic() > deadline:
                raise LabError(
                    f"guest {name} printed no '{HOSTKEY_MARKER}' line on its serial console "
                    f"({path}) within {timeout:.0f}s"
                )
            time.sleep(1)

    def ssh_records(self):
        from edgeauto.inventory.vagrant import parse_ssh_config

        text = self.vagrant("ssh-config")
        return parse_ssh_config(text, "vagrant ssh-config")

    def write_known_hosts(self) -> Path:
        """known_hosts for the guests' current addresses, keys taken from the serial consoles."""
        lines = []
        for record in self.ssh_records():
            address = record.get("HostName", record.name)
            port = record.get("Port") or "22"
            host = address if port == "22" else f"[{address}]:{port}"
            lines.append(f"{host} {self.host_key(record.name)}\n")
        path = self.known_hosts()
        atomic_write(path, "".join(lines), mode=0o600)
        self.log(f"vagrant: {len(lines)} host keys from the serial consoles -> {path}")
        return path

    # ---- status / down ---------------------------------------------------------------
    def status(self) -> str:
        if "libvirtd" not in self.daemons.running():
            return "vagrant lab: down (no libvirtd of ours)"
        return self.vagrant("status", check=False)

    def down(self, purge: bool = False) -> list[str]:
        problems: list[str] = []
        if "libvirtd" in self.daemons.running():
            out = self.vagrant("destroy", "-f", check=False)
            if "rror" in out and "not created" not in out:
                problems.append("vagrant destroy reported errors (see run/vagrant.log)")
            for net in self._lab_networks(defined_only=True):
                dm.virsh("net-destroy", net, check=False)
                dm.virsh("net-undefine", net, check=False)
            if purge:
                for vol in self.pool_dir.glob("*"):
                    dm.virsh("vol-delete", "--pool", dm.POOL, vol.name, check=False)
        self.mirror_server.stop()
        problems += self.daemons.stop()
        for net in self._lab_networks(defined_only=False):
            # dnsmasq pidfiles and port dirs libvirt leaves for networks that vagrant removed
            Path(f"/run/libvirt/network/{net}.pid").unlink(missing_ok=True)
            shutil.rmtree(f"/run/libvirt/network/{net}", ignore_errors=True)
        self.known_hosts().unlink(missing_ok=True)
        if self.mirror_config:
            self.mirror_config.key.unlink(missing_ok=True)
        shutil.rmtree(self.serial_dir, ignore_errors=True)
        shutil.rmtree(self.boot_dir, ignore_errors=True)
        if purge:
            shutil.rmtree(self.pool_dir, ignore_errors=True)
            shutil.rmtree(self.vagrant_home, ignore_errors=True)
        return problems

    def _network(self) -> dict:
        from edgeauto.yamlsrc import load_yaml

        return load_yaml(self.vagrant_dir / "fleet.yml").get("network") or {}

    def _lab_networks(self, defined_only: bool) -> list[str]:
        """The libvirt networks of this lab (names from fleet.yml)."""
        net = self._network()
        names = [net.get("name", "edgeauto-lab"), net.get("management_name", "vagrant-libvirt")]
        if not defined_only:
            return names
        defined = dm.virsh("net-list", "--all", "--name", check=False).split()
        return [n for n in names if n in defined]
