#!/bin/sh
# Install what the Vagrant lab (invoke vagrant.up) needs on a Debian 12 controller, idempotently:
# Vagrant + the vagrant-libvirt plugin, libvirtd with QEMU (TCG: no KVM needed), dnsmasq for the
# management network, qemu-img/cpio/e2fsprogs to build the box. Kept out of scripts/setup.sh
# because it is ~100 packages and only the opt-in Vagrant lab uses it. --no-install-recommends
# matters: with recommends apt pulls a kernel, grub, mdadm, lvm2 and libguestfs (~12 min here).
# Nothing is started and nothing is enabled: invoke vagrant.up starts its own daemons in a
# private network namespace.
set -eu
PACKAGES="vagrant vagrant-libvirt libvirt-daemon-system libvirt-clients qemu-system-x86
qemu-utils dnsmasq-base iptables cpio e2fsprogs busybox-static openssh-client"
missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && { echo "setup-vagrant: all packages present"; exit 0; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "setup-vagrant: installing Debian packages:$missing"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# policy-rc.d may already forbid starting services; the packages' postinsts must not start
# a libvirtd in the root network namespace either way.
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 $missing >/dev/null
echo "setup-vagrant: done"
