"""JSON cache of fetched OpenStack server records, with a time-to-live.

Why: listing servers, flavors, images and server groups of several clouds costs seconds over
an edge link; a playbook run after another one within the TTL should not pay it again.
The cache holds server records only (names, addresses, metadata) -- never tokens or
passwords -- and is still written with 0600 permissions in a 0700 directory because
addresses of edge sites are not for every local user. Writes are atomic (temp file +
rename) so a crash or a concurrent run never leaves half a file.

Location: ``$EDGEAUTO_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/edgeauto/inventory``, else
``~/.cache/edgeauto/inventory``; an inventory file's ``cache_connection`` overrides both.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from edgeauto.fsutil import atomic_write

FORMAT = 1


def default_cache_dir() -> Path:
    env = os.environ.get("EDGEAUTO_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "edgeauto" / "inventory"


def cache_file(directory: Path, prefix: str, key_material: dict) -> Path:
    """One file per distinct query (source file, clouds, regions, projects)."""
    digest = hashlib.sha256(json.dumps(key_material, sort_keys=True).encode()).hexdigest()
    return directory / f"{prefix}{digest[:24]}.json"


def load(path: Path, ttl: float, now: float | None = None) -> list[dict] | None:
    """Records if the file exists, is ours and younger than ``ttl`` seconds; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    created = data.get("created")
    servers = data.get("servers")
    if not isinstance(created, int | float) or not isinstance(servers, list):
        return None
    age = (now if now is not None else time.time()) - created
    if age < 0 or age >= ttl:
        return None
    return servers


def save(path: Path, servers: list[dict], now: float | None = None) -> None:
    """Write atomically with 0600 permissions (directory created 0700)."""
    body = json.dumps(
        {"format": FORMAT, "created": now if now is not None else time.time(), "servers": servers},
        sort_keys=True,
    )
    atomic_write(path, body, 0o600, private=True)
