"""Where a controller-side file named in a playbook is looked for: one rule for validation
and for the run, so validation never accepts a file the run cannot find (or the reverse).

The rule is the union of what the run and validation accepted before they shared it
(``copy``/``template`` sources, ``include_vars``, ``include_tasks``/``import_tasks``):
for each base below, ``<base>/<kind>/NAME`` is tried before ``<base>/NAME``; the first
existing file wins.

1. the role (when the task belongs to one), then its ``tasks/`` directory;
2. the directory of the file the task was written in, then its parent (a role's
   ``tasks/sub/x.yml`` finds ``tasks/files/…``; a task file in ``includes/`` finds the
   playbook's ``files/``);
3. the playbook directory.

``kind`` is ``files``, ``templates``, ``vars``, ``tasks`` or ``handlers``. ``exts`` are
suffixes tried in order after each base (``("", ".yml", ".yaml", ".json")`` for vars and
task files); ``allow_dir`` accepts a directory (``copy`` copies a tree from ``files/``).
An absolute NAME is taken as it is, if it exists.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["KINDS", "YAML_EXTS", "find_controller_file", "search_bases", "searched_text"]

KINDS = ("files", "templates", "vars", "tasks", "handlers")
YAML_EXTS = ("", ".yml", ".yaml", ".json")


def _task_dir(task_file: str | Path | None) -> Path | None:
    if task_file is None or str(task_file) == "":
        return None
    return Path(task_file).parent


def search_bases(
    kind: str, *, role_path: Path | None, task_file: str | Path | None, basedir: Path
) -> list[Path]:
    """The directories NAME is tried in, in order, without duplicates."""
    if kind not in KINDS:
        raise ValueError(f"unknown controller file kind {kind!r}; expected one of {KINDS}")
    roots: list[Path] = []
    if role_path is not None:
        roots += [Path(role_path), Path(role_path) / "tasks"]
    task_dir = _task_dir(task_file)
    if task_dir is not None:
        roots += [task_dir, task_dir.parent]
    roots.append(Path(basedir))
    bases: list[Path] = []
    for root in roots:
        bases += [root / kind, root]
    return list(dict.fromkeys(bases))


def _usable(path: Path, allow_dir: bool) -> bool:
    return path.is_file() or (allow_dir and path.is_dir())


def find_controller_file(
    kind: str,
    name: str,
    *,
    role_path: Path | None = None,
    task_file: str | Path | None = None,
    basedir: Path,
    exts: tuple[str, ...] = (),
    allow_dir: bool = False,
) -> Path | None:
    """The file NAME (of ``kind``) the run will use, or None when there is none."""
    name = str(name)
    suffixes = exts or ("",)
    path = Path(name).expanduser()
    if path.is_absolute():
        return next(
            (Path(f"{path}{ext}") for ext in suffixes if _usable(Path(f"{path}{ext}"), allow_dir)),
            None,
        )
    bases = search_bases(kind, role_path=role_path, task_file=task_file, basedir=basedir)
    for base in bases:
        for ext in suffixes:
            candidate = base / (name + ext)
            if _usable(candidate, allow_dir):
                return candidate
    return None


def searched_text(
    kind: str,
    *,
    role_path: Path | None = None,
    task_file: str | Path | None = None,
    basedir: Path,
) -> str:
    """The searched directories as ``"a, b, c"``, for "not found (searched …)" messages."""
    bases = search_bases(kind, role_path=role_path, task_file=task_file, basedir=basedir)
    return ", ".join(str(b) for b in bases)
