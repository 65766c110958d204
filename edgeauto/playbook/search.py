"""Stand-in (replaced by the playbook branch): the controller-file search rule."""

from __future__ import annotations

from pathlib import Path


def search_bases(kind, *, role_path=None, task_file=None, basedir) -> list[Path]:
    bases = [Path(role_path)] if role_path is not None else []
    if task_file:
        task_dir = Path(task_file).parent
        bases += [task_dir, task_dir.parent]
    bases.append(Path(basedir))
    return bases


def find_controller_file(
    kind, name, *, role_path=None, task_file=None, basedir, exts=(), allow_dir=False
):
    if Path(name).is_absolute():
        return Path(name) if Path(name).exists() else None
    for base in search_bases(kind, role_path=role_path, task_file=task_file, basedir=basedir):
        for candidate in (base / kind / name, base / name):
            if candidate.is_file() or (allow_dir and candidate.is_dir()):
                return candidate
    return None


def searched_text(kind, *, role_path=None, task_file=None, basedir) -> str:
    bases = search_bases(kind, role_path=role_path, task_file=task_file, basedir=basedir)
    return ", ".join(str(b / kind) for b in bases)
