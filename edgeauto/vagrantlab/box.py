"""Build the Vagrant lab's libvirt box locally from the lab's cached Debian root (no Vagrant Cloud).

Why this shape (see ../shared/research/virt-probe.md, step 4): there is no usable KVM here, so
guests run under QEMU TCG, where GRUB plus a full initramfs would cost minutes. The box is
therefore an ext4 image *without partitions or bootloader* (qcow2), booted directly with the
Debian cloud kernel and a tiny busybox initramfs that loads the virtio modules, mounts
``/dev/vda`` and ``switch_root``s into systemd. The kernel and initramfs sit beside the box in
the cache; the lab copies them where libvirt's QEMU user can read them.

What the lab's base root lacks for a VM is added here: udev (systemd-networkd waits for it),
the kernel's modules with kmod and a modules.dep (docker's bridge and netfilter, Open
vSwitch's datapath, libvirt's networks and tun all load modules: a box without them boots but
cannot run the edge stack),
DHCP on eth0 with systemd-networkd (Vagrant's Debian guest plugin drives networkd), the
``vagrant`` user with Vagrant's insecure key and password-less sudo, an fstab, and a unit that
makes the guest's own SSH host key at first boot and prints it on the serial console, so the
controller learns it out of band instead of trusting the network on first use.

Everything that decides the content is in :class:`BoxRecipe`; its hash names the cached box,
so a change of any input builds a new box and an unchanged recipe is never rebuilt.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from edgeauto.lab.errors import LabError
from edgeauto.lab.fsutil import atomic_write, safe_rmtree
from edgeauto.lab.image import BUSYBOX_BIN, ImageCache, Log, _flock, _run, sha256_file
from edgeauto.lab.paths import default_cache_dir
from edgeauto.lab.recipe import debian_recipe

BOX_NAME = "edgeauto/bookworm"
# Bump when prepare_box_root / the initramfs change what they produce.
BOX_PREP_VERSION = 2
KERNEL_META = "linux-image-cloud-amd64"
GEMS = Path("/usr/share/rubygems-integration/all/gems")
DISK_GB = 4
# virtio modules the initramfs loads (their dependencies come from modules.dep, in order).
INITRD_MODULES = ("virtio_pci", "virtio_blk", "virtio_net", "virtio_console", "virtio_rng")
HOSTKEY_MARKER = "EDGEAUTO-HOSTKEY"
CMDLINE = "root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet loglevel=1 panic=-1"

INIT = """\
#!/bin/busybox sh
# edgeauto vagrant box initramfs: virtio modules, mount the partition-less ext4 disk, switch_root.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r mod; do insmod "/modules/$mod" 2>/dev/null; done < /modules/order
i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p /newroot
if ! mount -t ext4 -o rw /dev/vda /newroot; then
    echo "edgeauto initramfs: cannot mount /dev/vda" > /dev/console
    exec sh
fi
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
"""

HOSTKEY_SCRIPT = f"""\
#!/bin/sh
# Make this guest's own SSH host key at first boot and print its public half on the serial
# console, where the controller reads it (the network never has to be trusted for it).
set -eu
key=/etc/ssh/ssh_host_ed25519_key
[ -s "$key" ] || ssh-keygen -q -t ed25519 -N '' -C "$(cat /etc/hostname 2>/dev/null || echo box)" -f "$key"
echo "{HOSTKEY_MARKER} $(cut -d' ' -f1,2 "$key.pub")" > /dev/ttyS0
"""

HOSTKEY_UNIT = """\
[Unit]
Description=edgeauto: SSH host key of this guest, printed on the serial console
Before=ssh.service
After=local-fs.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/edgeauto-hostkey
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
"""

ETH0_NETWORK = """\
[Match]
Name=eth0

[Network]
DHCP=ipv4

[DHCPv4]
# every guest of one box has its own MAC: identify by it (dnsmasq leases are looked up by MAC)
ClientIdentifier=mac
"""

BOX_VAGRANTFILE = """\
# edgeauto/bookworm: direct kernel boot under QEMU TCG; kernel and initrd paths are set by the
# project Vagrantfile (they must be readable by libvirt's QEMU user).
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |lv|
    lv.driver = "qemu"
  end
end
"""


@dataclass(frozen=True)
class BoxRecipe:
    base: str  # the lab base root it starts from (its recipe name carries its own hash)
    kernel: str  # exact kernel package, e.g. linux-image-6.1.0-57-cloud-amd64=6.1.158-1
    udev: str  # udev version (must match the base's libudev1)
    kmod: str  # kmod version (must match the base's libkmod2)
    busybox: str  # sha256 of the busybox-static binary copied into the initramfs
    insecure_key: str  # sha256 of Vagrant's insecure public key
    prep_version: int = BOX_PREP_VERSION

    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]

    @property
    def name(self) -> str:
        return f"bookworm-{self.key()}"


def default_box_cache() -> Path:
    return default_cache_dir().parent / "vagrant"


def _apt_field(package: str, field: str) -> str:
    out = _run(["apt-cache", "show", "--no-all-versions", package], f"apt-cache show {package}")
    for line in out.stdout.splitlines():
        if line.startswith(f"{field}: "):
            return line.split(": ", 1)[1].strip()
    raise LabError(f"apt-cache show {package} has no {field} field (run apt-get update?)")


def _dpkg_version(root: Path, package: str) -> str:
    out = _run(
        ["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f=${Version}", package],
        f"reading the version of {package} in {root}",
    )
    return out.stdout.strip()


def current_kernel_package() -> str:
    """The cloud kernel the metapackage points at today, e.g. linux-image-6.1.0-57-cloud-amd64."""
    depends = _apt_field(KERNEL_META, "Depends")
    return depends.split(",")[0].split()[0]


def insecure_key() -> Path:
    """Vagrant's insecure public key as Debian's vagrant package ships it (any version)."""
    found = sorted(GEMS.glob("vagrant-[0-9]*/keys/vagrant.pub"))
    if not found:
        raise LabError(
            f"Vagrant's insecure key is missing (no {GEMS}/vagrant-*/keys/vagrant.pub): "
            "run scripts/setup-vagrant.sh"
        )
    return found[-1]


def box_recipe(base_root: Path, base_name: str) -> BoxRecipe:
    kernel = current_kernel_package()
    return BoxRecipe(
        base=base_name,
        kernel=f"{kernel}={_apt_field(kernel, 'Version')}",
        udev=_dpkg_version(base_root, "libudev1"),
        kmod=_dpkg_version(base_root, "libkmod2"),
        busybox=sha256_file(BUSYBOX_BIN),
        insecure_key=sha256_file(insecure_key()),
    )


@dataclass(frozen=True)
class Box:
    """A built box in the cache: the .box archive plus the kernel/initrd it boots with."""

    name: str
    directory: Path

    @property
    def box_file(self) -> Path:
        return self.directory / "box.box"

    @property
    def kernel(self) -> Path:
        return self.directory / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.directory / "initrd.gz"

    @property
    def cmdline(self) -> str:
        return CMDLINE


def ensure_box(cache: Path | None = None, log: Log = print) -> Box:
    """Return the cached box for today's recipe, building it first if needed."""
    cache = Path(cache or default_box_cache())
    base_recipe = debian_recipe()
    base_root = ImageCache(default_cache_dir(), log).ensure(base_recipe)
    recipe = box_recipe(base_root, base_recipe.name)
    box = Box(recipe.name, cache / recipe.name)
    ready = cache / f"{recipe.name}.ready"
    if ready.exists() and box.box_file.exists():
        return box
    with _flock(cache / f"{recipe.name}.lock"):
        if ready.exists() and box.box_file.exists():
            return box
        started = time.monotonic()
        log(f"vagrant: building box {recipe.name} (first time only)")
        tmp = cache / f".{recipe.name}.tmp-{os.getpid()}"
        if tmp.exists():
            safe_rmtree(tmp)
        tmp.mkdir(parents=True)
        try:
            _build(recipe, base_root, tmp, log)
            if box.directory.exists():
                safe_rmtree(box.directory)
            os.rename(tmp / "out", box.directory)
        finally:
            safe_rmtree(tmp)
        atomic_write(ready, json.dumps(asdict(recipe), indent=1) + "\n")
        log(f"vagrant: box {recipe.name} built in {time.monotonic() - started:.0f}s")
    return box


def _build(recipe: BoxRecipe, base_root: Path, work: Path, log: Log) -> None:
    debs = work / "debs"
    debs.mkdir()
    kernel_pkg = recipe.kernel.split("=")[0]
    _run(
        ["apt-get", "download", recipe.kernel, f"udev={recipe.udev}", f"kmod={recipe.kmod}"],
        "downloading the cloud kernel, udev and kmod",
        cwd=debs,
    )
    kernel_tree = work / "kernel"
    (kernel_deb,) = debs.glob(f"{kernel_pkg}_*.deb")
    _run(["dpkg-deb", "-x", str(kernel_deb), str(kernel_tree)], "unpacking the kernel")
    out = work / "out"
    out.mkdir()
    (vmlinuz,) = (kernel_tree / "boot").glob("vmlinuz-*")
    shutil.copy2(vmlinuz, out / "vmlinuz")
    build_initramfs(kernel_tree, out / "initrd.gz", work / "initramfs")
    root = work / "root"
    log("vagrant: copying the lab base root")
    _run(["cp", "-a", f"{base_root}/.", str(root)], "copying the base root")
    prepare_box_root(root, [*debs.glob("udev_*.deb"), *debs.glob("kmod_*.deb")])
    install_modules(kernel_tree, root)
    log("vagrant: making the ext4 disk image")
    raw = work / "box.raw"
    with open(raw, "wb") as fh:
        fh.truncate(DISK_GB << 30)
    _run(["mkfs.ext4", "-q", "-F", "-L", "edgeauto", "-d", str(root), str(raw)], "mkfs.ext4 -d")
    _run(
        ["qemu-img", "convert", "-O", "qcow2", str(raw), str(work / "box.img")],
        "qemu-img convert to qcow2",
    )
    atomic_write(
        work / "metadata.json",
        json.dumps({"provider": "libvirt", "format": "qcow2", "virtual_size": DISK_GB}) + "\n",
    )
    atomic_write(work / "Vagrantfile", BOX_VAGRANTFILE)
    _run(
        [
            "tar",
            "-C",
            str(work),
            "-cf",
            str(out / "box.box"),
            "metadata.json",
            "Vagrantfile",
            "box.img",
        ],
        "packing the box",
    )


def _module_depends(path: Path) -> list[str]:
    """The ``depends=`` entry of a module's .modinfo section (what modinfo -F depends prints).

    Read from the file itself because modules.dep is made by depmod at install time (not in
    the .deb) and this controller has no kmod.
    """
    data = path.read_bytes()
    at = data.find(b"\0depends=")
    if at < 0:
        return []
    value = data[at + 9 : data.index(b"\0", at + 1)].decode()
    return [d for d in value.split(",") if d]


def _module_order(kernel_tree: Path) -> tuple[Path, list[str]]:
    """Module files to insmod (paths relative to the module dir), dependencies first."""
    (moddir,) = (kernel_tree / "lib/modules").iterdir()
    by_name = {
        p.name.split(".ko")[0].replace("-", "_"): p for p in moddir.rglob("*.ko*") if p.is_file()
    }
    order: list[str] = []

    def visit(name: str) -> None:
        path = by_name[name]
        for dep in _module_depends(path):
            visit(dep.replace("-", "_"))
        rel = str(path.relative_to(moddir))
        if rel not in order:
            order.append(rel)

    for name in INITRD_MODULES:
        if name in by_name:
            visit(name)
    return moddir, order


def build_initramfs(kernel_tree: Path, dest: Path, work: Path) -> None:
    moddir, order = _module_order(kernel_tree)
    for d in ("bin", "proc", "sys", "dev", "modules", "newroot"):
        (work / d).mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX_BIN, work / "bin/busybox")
    names = []
    for rel in order:
        src = moddir / rel
        name = src.name
        if name.endswith(".xz"):
            _run(["xz", "-dkf", str(src)], f"decompressing {name}")
            src, name = src.with_suffix(""), name[:-3]
        shutil.copy2(src, work / "modules" / name)
        names.append(name)
    (work / "modules/order").write_text("\n".join(names) + "\n")
    init = work / "init"
    init.write_text(INIT)
    init.chmod(0o755)
    files = subprocess.run(
        ["find", ".", "-mindepth", "1"], cwd=work, capture_output=True, text=True, check=True
    ).stdout
    cpio = subprocess.run(
        ["cpio", "-o", "-H", "newc", "--quiet"],
        cwd=work,
        input=files.encode(),
        capture_output=True,
        check=True,
    ).stdout
    dest.write_bytes(gzip.compress(cpio, compresslevel=6))


def _enable(root: Path, unit: str, target: str, source: str | None = None) -> None:
    wants = root / "etc/systemd/system" / f"{target}.wants"
    wants.mkdir(parents=True, exist_ok=True)
    link = wants / unit
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(source or f"/lib/systemd/system/{unit}")


def install_modules(kernel_tree: Path, root: Path) -> None:
    """The kernel's modules in the box root, indexed by the box's own depmod (in a chroot:
    this controller has no kmod), so udev and modprobe in the guest find them."""
    (version,) = [p.name for p in (kernel_tree / "lib/modules").iterdir()]
    dest = root / "lib/modules"
    dest.mkdir(parents=True, exist_ok=True)
    _run(["cp", "-a", str(kernel_tree / "lib/modules" / version), str(dest)], "copying modules")
    _run(["chroot", str(root), "depmod", "-a", version], "depmod in the box root")


def prepare_box_root(root: Path, debs: list[Path]) -> None:
    """Turn a copy of the lab base root into what a Vagrant box boots (see the module doc)."""
    etc = root / "etc"
    _run(
        ["dpkg", f"--root={root}", "-i", *map(str, debs)],
        "installing udev and kmod into the box root",
    )
    atomic_write(etc / "fstab", "/dev/vda / ext4 rw,errors=remount-ro 0 0\n")
    atomic_write(etc / "systemd/network/10-eth0.network", ETH0_NETWORK)
    _enable(root, "systemd-networkd.service", "multi-user.target")
    _enable(root, "systemd-networkd.socket", "sockets.target")
    for unit in ("serial-getty@.service", "systemd-networkd-wait-online.service"):
        link = etc / "systemd/system" / unit
        if not link.is_symlink():
            link.symlink_to("/dev/null")
    atomic_write(root / "usr/local/sbin/edgeauto-hostkey", HOSTKEY_SCRIPT, mode=0o755)
    atomic_write(etc / "systemd/system/edgeauto-hostkey.service", HOSTKEY_UNIT)
    _enable(
        root,
        "edgeauto-hostkey.service",
        "multi-user.target",
        "/etc/systemd/system/edgeauto-hostkey.service",
    )
    _run(
        ["useradd", "--root", str(root), "-m", "-s", "/bin/bash", "-U", "-G", "sudo", "vagrant"],
        "creating user vagrant",
    )
    _run(["usermod", "--root", str(root), "-p", "*", "vagrant"], "unlocking user vagrant")
    atomic_write(etc / "sudoers.d/vagrant", "vagrant ALL=(ALL) NOPASSWD:ALL\n", mode=0o440)
    home = root / "home/vagrant"
    ssh_dir = home / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    atomic_write(ssh_dir / "authorized_keys", insecure_key().read_text(), mode=0o600)
    passwd = (etc / "passwd").read_text().splitlines()
    (line,) = [x for x in passwd if x.startswith("vagrant:")]
    uid, gid = int(line.split(":")[2]), int(line.split(":")[3])
    for path in (ssh_dir, ssh_dir / "authorized_keys"):
        os.chown(path, uid, gid)
    atomic_write(etc / "hostname", "box\n")
