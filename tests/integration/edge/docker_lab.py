"""Helpers for the docker_* lab tests: the privileged host's dockerd, a busybox image made
there (no registry on the machine: ``docker import`` of a rootfs of the host's own
busybox-static), and cleanup of everything the tests named ``eadk-test…``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))

from sys_play import converge, play  # noqa: E402

__all__ = ["IMAGE", "converge", "play", "import_busybox", "inspect", "cleanup", "wait_healthy"]

IMAGE = "eadk-test/busybox:1"

IMPORT_BUSYBOX = r"""set -eu
docker image inspect {image} >/dev/null 2>&1 && exit 0
d=$(mktemp -d)
mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/www"
cp /bin/busybox "$d/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$d/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$d/etc/passwd"
printf 'eadk-test\n' >"$d/www/index.html"
chmod 1777 "$d/tmp"
tar -C "$d" -cf - . | docker import -c 'ENV IMAGE_ENV=1' -c 'LABEL ea.image=busybox' - {image} >/dev/null
rm -rf "$d"
"""

CLEANUP = """docker ps -aq --filter name=eadk-test | xargs -r docker rm -f -v >/dev/null 2>&1
docker network ls -q --filter name=eadk-test | xargs -r docker network rm >/dev/null 2>&1
docker volume ls -q --filter name=eadk-test | xargs -r docker volume rm >/dev/null 2>&1
docker images --format '{{.Repository}}:{{.Tag}}' | grep '^eadk-test/' | grep -v '^eadk-test/busybox:1$' \
  | xargs -r docker rmi -f >/dev/null 2>&1
rm -rf /var/lib/edgeauto/docker_image
true
"""


def import_busybox(host) -> str:
    host.run(IMPORT_BUSYBOX.format(image=IMAGE), check=True, timeout=120)
    return IMAGE


def cleanup(host) -> None:
    host.run(CLEANUP, timeout=120)


def inspect(host, name: str, kind: str = "container") -> dict:
    out = host.run(f"docker inspect --type {kind} {name}", check=True).stdout
    return json.loads(out)[0]


def wait_healthy(host, name: str, tries: int = 120) -> str:
    """The container's health status once it is no longer 'starting' (polls, never times)."""
    script = (
        f"i=0; while [ $i -lt {tries} ]; do "
        f"s=$(docker inspect --format '{{{{.State.Health.Status}}}}' {name}); "
        '[ "$s" = starting ] || break; i=$((i+1)); sleep 0.5; done; echo "$s"'
    )
    return host.run(script, check=True, timeout=tries).stdout.strip()
