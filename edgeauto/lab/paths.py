"""Where a lab keeps its state and where built base images are cached.

The state directory holds everything one lab creates on this machine (host overlays, keys,
ssh_config, the JSON state file); ``lab down --force`` finds leftovers through it and through
the cgroups named after it, never by process name. The cache holds base root filesystems,
which are expensive to build (mmdebstrap) and shared between labs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

STATE_ENV = "EDGEAUTO_LAB_DIR"
CACHE_ENV = "EDGEAUTO_LAB_CACHE"
MIRROR_ENV = "EDGEAUTO_LAB_MIRROR"
DEFAULT_MIRROR = "http://deb.debian.org/debian"


def repo_root() -> Path:
    """The checkout this package lives in, or the working directory for an installed copy."""
    here = Path(__file__).resolve().parents[2]
    if (here / "pyproject.toml").is_file() and (here / "edgeauto").is_dir():
        return here
    return Path.cwd()


def default_state_dir() -> Path:
    env = os.environ.get(STATE_ENV)
    return Path(env).expanduser().resolve() if env else repo_root() / ".lab"


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "edgeauto" / "lab"


def default_inventory_path() -> Path:
    return repo_root() / "inventories" / "lab.yml"


def default_mirror() -> str:
    return os.environ.get(MIRROR_ENV, DEFAULT_MIRROR).rstrip("/")


def lab_id(state_dir: Path) -> str:
    """A short id derived from the state directory: names the lab's cgroups."""
    return hashlib.sha256(str(Path(state_dir).resolve()).encode()).hexdigest()[:10]


def machine_name(lab: str, name: str) -> str:
    """nspawn's machine name: unique per lab, so two labs never share nspawn's run files."""
    return f"{name}-{lab[:6]}"
