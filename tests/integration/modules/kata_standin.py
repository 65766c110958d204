"""A STAND-IN Kata Containers static release, built by the tests.

Kata cannot run on this machine: there is no usable KVM (the kernel's KVM is the PVM backend,
which cannot boot a stock guest), no vhost-vsock and no virtio-fs, and no Kata package exists
in Debian (docs/../shared research virt-probe.md, step 5). So the install and registration
path of ``kata_runtime`` is tested with an archive that has the real release's layout
(``kata-static-<version>-<arch>.tar.*`` → ``./opt/kata/bin/{kata-runtime,
containerd-shim-kata-v2,qemu-system-x86_64}``, ``./opt/kata/share/defaults/kata-containers/
configuration*.toml``) but whose parts only stand in:

* ``containerd-shim-kata-v2`` is a symlink to the host's ``containerd-shim-runc-v2``: containerd
  resolves ``io.containerd.kata.v2`` to it by name, and runc runs the container — no VM;
* ``kata-runtime`` is a small sh script: ``check`` prints a STAND-IN verdict, ``--version`` the
  stand-in version, anything else is handed to runc (so Docker < 23, which runs only
  runc-compatible binaries, can use it as a ``path`` runtime);
* ``qemu-system-x86_64`` refuses to run (no VM is ever booted).
"""

from __future__ import annotations

import io
import os
import tarfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

RUNTIME_SH = """#!/bin/sh
# STAND-IN kata-runtime (edgeauto tests): no VM is booted here, runc runs the container.
case ${1:-} in
    --version | version) echo "kata-runtime  : @VERSION@-standin"; exit 0 ;;
    check) echo "STAND-IN kata-runtime check (@VERSION@): no KVM here, nothing was checked"; exit 0 ;;
esac
exec runc "$@"
"""
QEMU_SH = """#!/bin/sh
echo "STAND-IN qemu: Kata cannot boot a VM on this machine" >&2
exit 1
"""
CONFIG = """# STAND-IN Kata configuration (edgeauto tests)
[hypervisor.qemu]
path = "/opt/kata/bin/qemu-system-x86_64"
[runtime]
internetworking_model = "tcfilter"
"""


def build(path: Path, version: str = "3.2.0", compression: str = "gz", pad: int = 0) -> Path:
    """Write the stand-in release to ``path`` (``compression``: gz, xz or "" for plain tar);
    ``pad`` bytes of random data make it as large as a test needs (the real one is ~300 MB)."""
    mtime = int(time.time())

    def add(tar, name, data=None, mode=0o644, link=None, kind=tarfile.REGTYPE):
        info = tarfile.TarInfo(name)
        info.mtime = mtime
        info.mode = mode
        if link is not None:
            info.type, info.linkname = tarfile.SYMTYPE, link
            tar.addfile(info)
        elif kind == tarfile.DIRTYPE:
            info.type = kind
            tar.addfile(info)
        else:
            payload = data.encode()
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))

    with tarfile.open(path, f"w:{compression}" if compression else "w") as tar:
        for d in ("./opt", "./opt/kata", "./opt/kata/bin", "./opt/kata/share"):
            add(tar, d, mode=0o755, kind=tarfile.DIRTYPE)
        add(tar, "./opt/kata/share/defaults", mode=0o755, kind=tarfile.DIRTYPE)
        conf = "./opt/kata/share/defaults/kata-containers"
        add(tar, conf, mode=0o755, kind=tarfile.DIRTYPE)
        add(tar, "./opt/kata/bin/kata-runtime", RUNTIME_SH.replace("@VERSION@", version), 0o755)
        add(tar, "./opt/kata/bin/containerd-shim-kata-v2", link="/usr/bin/containerd-shim-runc-v2")
        add(tar, "./opt/kata/bin/qemu-system-x86_64", QEMU_SH, 0o755)
        add(tar, f"{conf}/configuration-qemu.toml", CONFIG)
        add(tar, f"{conf}/configuration.toml", link="configuration-qemu.toml")
        add(tar, "./opt/kata/VERSION", f"{version}-standin\n")
        if pad:
            info = tarfile.TarInfo("./opt/kata/share/standin-padding.bin")
            info.size, info.mtime = pad, mtime
            tar.addfile(info, io.BytesIO(os.urandom(pad)))
    return path


DAEMON_JSON = "/etc/docker/daemon.json"
CTD_CONFIG = "/etc/containerd/config.toml"
ROOTFS = "/var/lib/ea-kata-rootfs"
IMAGE = "ea-kata/busybox:standin"


@pytest.fixture(scope="module")
def kata_host(lab):
    """The module's own privileged host (import this fixture into the test module)."""
    with own_privileged_host(lab) as host:
        yield host


@pytest.fixture
def host(kata_host):
    """The kata host, put back after each test."""
    yield kata_host
    reset(kata_host)


@contextmanager
def own_privileged_host(lab):
    """A privileged lab host of the tests' own (same base as the ``privileged_host`` fixture,
    ~3 s): the tests restart containerd and dockerd and rewrite daemon.json, which must not
    disturb the session's shared privileged host."""
    host = lab.add_host(flavor="debian", capabilities=("docker", "ovs"))
    try:
        prepare(host)
        yield host
    finally:
        lab.remove_host(host.name)


def prepare(host) -> None:
    """Remember the host's daemon.json and config.toml (``host.originals``) and give it a
    busybox rootfs (for ``ctr run --rootfs``) and the same as a docker image."""
    host.originals = {p: host.run(f"cat {p}", check=True).stdout for p in (DAEMON_JSON, CTD_CONFIG)}
    host.run(
        f"set -e; mkdir -p {ROOTFS}/bin; cp /bin/busybox {ROOTFS}/bin/; "
        f"for a in sh echo cat; do ln -sf busybox {ROOTFS}/bin/$a; done; "
        f"tar -C {ROOTFS} -c . | docker import - {IMAGE} >/dev/null",
        check=True,
        timeout=120,
    )


def reset(host) -> None:
    """Put the host back: no release, links or drop-in; the original files, daemons restarted
    where their file had changed (the start-rate limit reset first: tests restart often)."""
    host.run(
        "rm -rf /opt/kata /usr/local/bin/containerd-shim-kata-v2 /usr/local/bin/kata-runtime "
        "/etc/containerd/conf.d /usr/local/bin/xzcat /usr/local/bin/wget /srv/kata; "
        "pkill -f 'httpd -p 127.0.0.1:8079' || :"
    )
    for path, service in ((CTD_CONFIG, "containerd"), (DAEMON_JSON, "docker")):
        if host.run(f"cat {path}").stdout != host.originals[path]:
            host.run(f"cat > {path}", input=host.originals[path], check=True)
            host.run(f"systemctl reset-failed {service}; systemctl restart {service}", timeout=120)
            assert host.run(f"systemctl is-active {service}").stdout.strip() == "active"


def runs_on_the_kata_runtime(host) -> tuple[str, str]:
    """(docker run --runtime kata output, ctr run on the io.containerd.kata.v2 shim output)."""
    docker = host.run(f"docker run --rm --runtime kata {IMAGE} echo via-docker-kata", timeout=120)
    ctr = host.run(
        f"ctr -n ea-kata run --rm --runtime io.containerd.kata.v2 --rootfs {ROOTFS} "
        "ea-kata-t1 /bin/sh -c 'echo via-kata-shim'",
        timeout=120,
    )
    return (docker.stdout.strip() or docker.stderr), (ctr.stdout.strip() or ctr.stderr)
