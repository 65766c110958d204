"""A small real guest for the libvirt lab tests: a stock Debian cloud kernel (downloaded once,
cached in ~/.cache/edgeauto/guest-kernel so CI pays it once) booted directly by QEMU TCG with a
busybox initramfs built on the lab host, whose /init prints a marker on the serial console
and powers off. No KVM here (virt-probe.md step 3): domain type 'qemu'."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# the kernel linux-image-cloud-amd64 depended on when this was written; when the mirror has
# moved on, whatever linux-image-cloud-amd64 depends on now is fetched instead
GUEST_KERNEL = "linux-image-6.1.0-57-cloud-amd64"
MARKER = "EA-GUEST-BOOTED"
CACHE = Path(os.environ.get("EDGEAUTO_GUEST_KERNEL_CACHE", "~/.cache/edgeauto/guest-kernel"))

INIT = f"""#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox mount -t proc proc /proc
exec >/dev/ttyS0 2>&1
echo "{MARKER} kernel=$(/bin/busybox uname -r) uptime=$(/bin/busybox cut -d' ' -f1 /proc/uptime)"
/bin/busybox poweroff -f
"""


def _current_kernel_package() -> str:
    proc = subprocess.run(
        ["apt-cache", "depends", "linux-image-cloud-amd64"], capture_output=True, text=True
    )
    for line in proc.stdout.splitlines():
        word = line.split(":", 1)[-1].strip()
        if line.strip().startswith("Depends:") and word.startswith("linux-image-"):
            return word
    raise RuntimeError(f"apt-cache depends linux-image-cloud-amd64 named no kernel: {proc}")


def guest_kernel() -> Path:
    """The cached vmlinuz of a Debian cloud kernel (downloaded with apt-get download once)."""
    cache = CACHE.expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = sorted(cache.glob("vmlinuz-*"))
        if found:
            return found[-1]
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            for package in (GUEST_KERNEL, None):
                package = package or _current_kernel_package()
                proc = subprocess.run(
                    ["apt-get", "download", package], cwd=tmp, capture_output=True, text=True
                )
                if proc.returncode == 0:
                    break
            else:
                raise RuntimeError(
                    f"apt-get download {package} failed (no package lists? run apt-get update; "
                    f"or put a vmlinuz-* into {cache}): {proc.stderr[-500:]}"
                )
            (deb,) = Path(tmp).glob("*.deb")
            subprocess.run(["dpkg-deb", "-x", str(deb), f"{tmp}/x"], check=True)
            (vmlinuz,) = Path(tmp, "x", "boot").glob("vmlinuz-*")
            shutil.copy(vmlinuz, cache / vmlinuz.name)
        return cache / vmlinuz.name


def install_guest_files(host, directory: str) -> tuple[str, str]:
    """Copy the kernel to ``directory`` on the lab host and build the initramfs there (its
    busybox-static and cpio); both readable by libvirt-qemu. Returns (kernel, initrd) paths."""
    kernel = guest_kernel()
    host.run(f"mkdir -p {directory} && chmod 755 {directory}", check=True)
    host.run(
        f"cat > {directory}/vmlinuz && chmod 644 {directory}/vmlinuz",
        input=kernel.read_bytes(),
        check=True,
    )
    build = (
        f"set -e; d=$(mktemp -d); cd $d; mkdir -p bin dev proc sys; cp /bin/busybox bin/; "
        f"cat > init; chmod 755 init; "
        f"find . | cpio -o -H newc --quiet | gzip -1 > {directory}/initrd.gz; "
        f"chmod 644 {directory}/initrd.gz; cd /; rm -rf $d"
    )
    host.run(build, input=INIT, check=True)
    return f"{directory}/vmlinuz", f"{directory}/initrd.gz"


def guest_xml(name: str, kernel: str, initrd: str, serial_log: str, network: str) -> str:
    """A direct-kernel-boot TCG domain: serial console to a file, one NIC on ``network``
    (userspace virtio: no vhost-net here), powers off for good when the guest does.
    ``no_timer_check``: on a loaded host the emulated CPU is slow enough for the kernel's
    IO-APIC timer check to fail and panic ("IO-APIC + timer doesn't work"), seen here."""
    return f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 no_timer_check</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <devices>
    <interface type='network'>
      <source network='{network}'/>
      <model type='virtio'/>
      <driver name='qemu'/>
    </interface>
    <serial type='file'>
      <source path='{serial_log}'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='{serial_log}'/>
      <target type='serial' port='0'/>
    </console>
  </devices>
</domain>
"""
