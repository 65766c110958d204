#!/bin/sh
# Install everything edgeauto and its test suite need on a fresh Debian 12 machine, idempotently:
# Debian packages (OpenSSH, mmdebstrap and systemd-nspawn for the lab, shells the remote side is
# tested under, zsh and fish for the completion tests, qemu-user for foreign-architecture lab
# hosts, libvirt headers for libvirt-python, chromium to render the --report page in tests),
# then a virtualenv in .venv with edgeauto installed in editable mode.
# Usage: scripts/setup.sh [--no-apt] [--no-test-deps]
set -eu
cd "$(dirname "$0")/.."
want_apt=1
extras="[test]"
for arg in "$@"; do
    case "$arg" in
        --no-apt) want_apt=0 ;;
        --no-test-deps) extras="" ;;
        *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

APT_PACKAGES="openssh-server openssh-client mmdebstrap systemd-container shellcheck busybox-static
dash zstd qemu-user-static binfmt-support libvirt-dev libvirt0 pkg-config iproute2 sudo uidmap
dropbear-bin gcc python3-dev arch-test ruby
docker.io containerd runc iptables zsh fish chromium"

if [ "$want_apt" = 1 ] && command -v apt-get >/dev/null 2>&1; then
    missing=""
    for pkg in $APT_PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO="sudo"
        echo "setup: installing Debian packages:$missing"
        $SUDO apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            -o DPkg::Lock::Timeout=300 $missing >/dev/null
    fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".$extras"
echo "setup: done (.venv/bin/edgeauto $(.venv/bin/edgeauto --version 2>/dev/null | cut -d' ' -f2))"
