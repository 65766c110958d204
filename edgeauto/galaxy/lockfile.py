"""``requirements.lock.yml`` beside requirements.yml: what was installed, exactly, so another
site (or the same one later) installs the same bytes. Entries are matched to requirements
by kind and source; ``--locked`` refuses any source whose digest no longer matches.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from edgeauto.errors import Position
from edgeauto.fsutil import atomic_write
from edgeauto.galaxy import GalaxyError
from edgeauto.galaxy.install import Outcome
from edgeauto.galaxy.requirements import Requirement

LOCK_VERSION = 1
HEADER = "# written by `edgeauto galaxy install`; `--locked` installs exactly this\n"


def lock_path(requirements: Path) -> Path:
    return requirements.with_name(requirements.stem + ".lock.yml")


def portable_source(src: str, base: Path) -> str:
    """Paths under the requirements file's directory are kept relative (the lock moves with
    the project), others absolute; git URLs as they are."""
    path = Path(src)
    if path.is_absolute() and path.is_relative_to(base.resolve()):
        return str(path.relative_to(base.resolve()))
    return src


def write_lock(path: Path, outcomes: list[Outcome]) -> None:
    data: dict = {"lock_version": LOCK_VERSION, "roles": [], "collections": []}
    for o in outcomes:
        entry = {"name": o.staged.name, "source": portable_source(o.req.src, path.parent),
                 "type": o.req.type, "version": o.staged.version}  # fmt: skip
        kind, digest = o.staged.digest.split(":", 1)
        entry["commit" if kind == "git" else "sha256"] = digest
        data["roles" if o.req.kind == "role" else "collections"].append(entry)
    text = HEADER + yaml.safe_dump(data, sort_keys=False)
    atomic_write(path, text)


def read_lock(path: Path) -> dict[tuple[str, str], dict]:
    """(kind, portable source) -> lock entry."""
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise GalaxyError("--locked: no lock file (run once without --locked to write it)",
                          Position(str(path))) from None  # fmt: skip
    if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
        raise GalaxyError(f"not a lock file of version {LOCK_VERSION}", Position(str(path), 1))
    out = {}
    for key, kind in (("roles", "role"), ("collections", "collection")):
        for entry in data.get(key) or []:
            out[(kind, str(entry.get("source")))] = entry
    return out


def locked_entry(lock: dict, req: Requirement, lock_file: Path) -> dict:
    entry = lock.get((req.kind, portable_source(req.src, lock_file.parent)))
    if entry is None:
        raise GalaxyError(f"--locked: {req.describe()} ({req.src}) is not in {lock_file} "
                          "(run without --locked to update the lock)", req.pos)  # fmt: skip
    return entry
