"""Install staged content where ``edgeauto run`` looks: roles into the first roles_path
entry (``<roles>/<name>``), collections into ``<collections>/ansible_collections/<ns>/<name>``.

Atomic: content is staged in a private temp dir beside the destination (same filesystem)
and renamed into place; the old version is renamed aside first and restored if the final
rename fails, so an interrupted or failed install never leaves a half-written role.
Idempotent: each install records what it is (``.edgeauto_install.yml``); the same version
or the same digest already there is kept (``--force`` reinstalls).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from edgeauto.galaxy import GalaxyError
from edgeauto.galaxy.requirements import Requirement
from edgeauto.galaxy.sources import Staged, stage

INFO = ".edgeauto_install.yml"


@dataclass
class Outcome:
    req: Requirement
    staged: Staged
    dest: Path
    action: str  # "installed" | "kept" | "replaced"
    previous: str | None = None

    def line(self) -> str:
        what = (
            f"{self.req.kind} {self.staged.name} {self.staged.version or self.staged.digest[:19]}"
        )
        if self.action == "kept":
            return f"- {what} is already installed at {self.dest}, kept"
        was = f" (was {self.previous})" if self.previous else ""
        return f"- {what} installed to {self.dest}{was}"


def collections_base(path: Path) -> Path:
    """ansible-galaxy accepts both ``DIR`` and ``DIR/ansible_collections``."""
    return path / "ansible_collections" if path.name != "ansible_collections" else path


def install_one(req: Requirement, roles_dir: Path, collections_dir: Path, *, force: bool,
                locked: dict | None = None) -> Outcome:  # fmt: skip
    """``locked``: the lock entry this requirement must match exactly."""
    base = roles_dir if req.kind == "role" else collections_base(collections_dir)
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".edgeauto-galaxy-", dir=base))
    try:
        staged = stage(req, work, commit=(locked or {}).get("commit"))
        if locked is not None:
            _check_locked(req, staged, locked)
        dest = base / staged.name if req.kind == "role" else base.joinpath(*staged.name.split("."))
        _recover_interrupted_swap(dest)
        current = read_info(dest)
        if current is None and dest.exists() and not force:
            raise GalaxyError(f"{req.describe()}: {dest} exists but was not installed by "
                              "edgeauto galaxy (use --force to replace it)", req.pos)  # fmt: skip
        if current is not None and not force and _same(current, staged, strict=locked is not None):
            return Outcome(req, staged, dest, "kept")
        content = staged.root
        if not content.is_relative_to(work):  # a directory source: copy, never move it
            content = work / "copy"
            shutil.copytree(staged.root, content, symlinks=True,
                            ignore=shutil.ignore_patterns(".git"))  # fmt: skip
        _write_info(content, req, staged)
        _swap_in(content, dest)
        previous = current and (current.get("version") or str(current.get("digest", ""))[:19])
        return Outcome(req, staged, dest, "replaced" if current else "installed", previous)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_info(dest: Path) -> dict | None:
    try:
        data = yaml.safe_load((dest / INFO).read_text())
    except (OSError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _same(current: dict, staged: Staged, *, strict: bool) -> bool:
    if current.get("digest") == staged.digest:
        return True
    return not strict and bool(staged.version) and current.get("version") == staged.version


def _check_locked(req: Requirement, staged: Staged, locked: dict) -> None:
    want = lock_digest(locked)
    if staged.digest != want:
        raise GalaxyError(f"{req.describe()}: {req.src} is {staged.digest}, the lock file pins "
                          f"{want} (source changed or tampered; refusing)", req.pos)  # fmt: skip


def lock_digest(entry: dict) -> str:
    return f"git:{entry['commit']}" if entry.get("commit") else f"sha256:{entry.get('sha256')}"


def _write_info(content: Path, req: Requirement, staged: Staged) -> None:
    now = time.strftime("%c")
    info = {"name": staged.name, "kind": req.kind, "source": req.src, "type": req.type,
            "version": staged.version, "digest": staged.digest, "install_date": now}  # fmt: skip
    (content / INFO).write_text(yaml.safe_dump(info, sort_keys=False))
    if req.kind == "role":  # what `ansible-galaxy role list` reads
        (content / "meta").mkdir(exist_ok=True)
        galaxy_info = {"install_date": now, "version": staged.version}
        (content / "meta" / ".galaxy_install_info").write_text(yaml.safe_dump(galaxy_info))


def _recover_interrupted_swap(dest: Path) -> None:
    """A kill between the two renames of :func:`_swap_in` leaves the old version aside and no
    destination: put it back, so the comparison below sees what was really installed."""
    if dest.exists() or not dest.parent.is_dir():
        return
    aside = sorted(dest.parent.glob(f".{dest.name}.edgeauto-old-*"))
    if aside:
        os.rename(aside[-1], dest)


def _swap_in(content: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if dest.exists() or dest.is_symlink():
        old = dest.parent / f".{dest.name}.edgeauto-old-{os.getpid()}"
        os.rename(dest, old)
    try:
        os.rename(content, dest)
    except OSError:
        if old is not None:
            os.rename(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
