"""Bringing lab hosts up: what the machine must offer, each host's overlay, its launcher.

Functions of one host each; :class:`edgeauto.lab.Lab` calls them in lifecycle order under its
state lock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from edgeauto.lab import cgroups
from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import safe_rmtree, write_into_upper
from edgeauto.lab.host import LabHost
from edgeauto.lab.image import TESTER_UID
from edgeauto.lab.keys import LabKeys
from edgeauto.lab.launcher import write_proxy, write_scripts
from edgeauto.lab.paths import machine_name

INOTIFY = {
    "fs/inotify/max_user_instances": 1024,
    "fs/inotify/max_user_watches": 524288,
}


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


def raise_inotify(data: dict) -> None:
    """systemd containers each take ~5 inotify instances; the default 128 stops at ~24.

    Records what it changed in ``data["sysctl_restore"]``; the caller saves ``data``.
    """
    for key, wanted in INOTIFY.items():
        path = Path("/proc/sys") / key
        current = int(path.read_text())
        if current < wanted:
            path.write_text(str(wanted))
            data["sysctl_restore"].setdefault(key, [current, wanted])


def restore_sysctls(data: dict) -> None:
    for key, (old, ours) in data.get("sysctl_restore", {}).items():
        path = Path("/proc/sys") / key
        try:
            if int(path.read_text()) == ours:  # someone else changed it since: leave it
                path.write_text(str(old))
        except OSError:
            pass
    data["sysctl_restore"] = {}


def prepare_host(host: LabHost, lower: Path, keys: LabKeys, lab: str) -> None:
    """The host's overlay directories and the files its upper layer adds to the image."""
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
            parent = cgroups.docker_parent(lab, host.name)
            put("etc/docker/daemon.json", json.dumps({"cgroup-parent": parent}) + "\n")
        if not host.systemd and Path("/etc/resolv.conf").exists():
            put("etc/resolv.conf", Path("/etc/resolv.conf").read_text())


def daemon_argv(host: LabHost) -> list[str]:
    if host.flavor == "busybox":
        return [
            "/usr/sbin/dropbear", "-F", "-E", "-s",
            "-p", f"{host.address}:{host.port}",
            "-r", "/etc/dropbear/dropbear_ed25519_host_key",
            "-P", "/run/dropbear.pid",
        ]  # fmt: skip
    return ["/usr/sbin/sshd", "-D", "-e"]


def launch(host: LabHost, lower: Path, lab: str) -> None:
    """Start the host's launcher in its cgroups; its pid goes to ``host.pid``."""
    hdir = Path(host.dir)
    cgs = cgroups.host_cgroups(lab, host.name, every=host.privileged)
    if not cgs:
        raise LabError("no usable cgroup hierarchy under /sys/fs/cgroup")
    cgroups.create(cgs)
    launch = write_scripts(
        hdir,
        host.name,
        lower,
        cgs,
        host.mode,
        machine=machine_name(lab, host.name),
        daemon=daemon_argv(host),
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
