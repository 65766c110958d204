"""Recipes for base root filesystems, and the cache key that names each built image.

A recipe is everything that decides what ends up in a base image (flavour, suite,
architecture, mirror, packages, the version of our preparation steps, hashes of copied
binaries). Its hash names the cached archive, so changing any input builds a new image and
an unchanged recipe is never rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import asdict, dataclass, field

from edgeauto.lab.errors import LabError
from edgeauto.lab.paths import DEFAULT_MIRROR, default_mirror

# Bump when prepare_debian/prepare_busybox change what they write into a base.
PREP_VERSION = 3

FLAVORS = ("debian", "busybox")
SUITE = "bookworm"


@dataclass(frozen=True)
class ArchInfo:
    """A Debian architecture: what ``uname -m`` says on it and which qemu-user runs it here."""

    debian: str
    uname: str
    qemu: str | None  # binfmt_misc entry name when foreign, e.g. "qemu-aarch64"


ARCHES = {
    "amd64": ArchInfo("amd64", "x86_64", "qemu-x86_64"),
    "arm64": ArchInfo("arm64", "aarch64", "qemu-aarch64"),
    "armhf": ArchInfo("armhf", "armv7l", "qemu-arm"),
}

_MACHINE_TO_DEBIAN = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf"}


def native_arch() -> str:
    return _MACHINE_TO_DEBIAN.get(platform.machine(), platform.machine())


def arch_info(arch: str) -> ArchInfo:
    if arch not in ARCHES:
        raise LabError(f"unknown lab architecture '{arch}': expected one of {', '.join(ARCHES)}")
    return ARCHES[arch]


def is_foreign(arch: str) -> bool:
    return arch != native_arch()


# Packages every Debian host gets: sshd, sudo for the non-root user, ip/ps, and systemd so the
# same image boots under systemd-nspawn or runs sshd alone ("light" host).
DEBIAN_PACKAGES = ("openssh-server", "sudo", "iproute2", "procps", "systemd-sysv", "dbus")

# Extra packages per optional capability (installed into a separate cached base).
CAPABILITY_PACKAGES = {
    "docker": ("docker.io", "iptables", "busybox-static"),
    "ovs": ("openvswitch-switch", "busybox-static"),
    # libvirt + QEMU TCG (no KVM here): qemu:///system inside the host, VMs in its netns;
    # dnsmasq-base so NAT/isolated networks with DHCP (libvirt's `default`) can start, cpio
    # for guest initramfs images built on the host.
    "libvirt": (
        "libvirt-daemon-system",
        "libvirt-clients",
        "qemu-system-x86",
        "busybox-static",
        "dnsmasq-base",
        "cpio",
    ),
}


def security_mirror(mirror: str) -> str:
    if mirror == DEFAULT_MIRROR:
        return "http://deb.debian.org/debian-security"
    return mirror + "-security"


@dataclass(frozen=True)
class Recipe:
    """What a base image is made of; ``name`` is unique per distinct content."""

    flavor: str
    arch: str
    suite: str = SUITE
    mirror: str = ""
    packages: tuple[str, ...] = ()
    inputs: tuple[tuple[str, str], ...] = field(default=())  # e.g. (("busybox", sha256), …)
    prep_version: int = PREP_VERSION

    def key(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    @property
    def name(self) -> str:
        return f"{self.flavor}-{self.suite}-{self.arch}-{self.key()}"


def debian_recipe(
    arch: str | None = None,
    with_python: bool = False,
    capabilities: tuple[str, ...] = (),
    mirror: str | None = None,
) -> Recipe:
    arch = arch or native_arch()
    arch_info(arch)
    packages = list(DEBIAN_PACKAGES)
    if with_python:
        packages.append("python3")
    for cap in sorted(set(capabilities)):
        if cap not in CAPABILITY_PACKAGES:
            raise LabError(
                f"unknown lab host capability '{cap}': expected one of "
                f"{', '.join(CAPABILITY_PACKAGES)}"
            )
        packages.extend(p for p in CAPABILITY_PACKAGES[cap] if p not in packages)
    return Recipe(
        flavor="debian",
        arch=arch,
        mirror=(mirror or default_mirror()),
        packages=tuple(packages),
    )


def busybox_recipe(arch: str | None = None, inputs: tuple[tuple[str, str], ...] = ()) -> Recipe:
    arch = arch or native_arch()
    if arch != native_arch():
        raise LabError(
            f"busybox hosts are built from this machine's busybox-static and dropbear "
            f"({native_arch()}); --arch {arch} is only available for the debian flavour"
        )
    return Recipe(flavor="busybox", arch=arch, inputs=inputs)
