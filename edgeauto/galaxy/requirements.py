"""requirements.yml as ansible-galaxy reads it: a mapping with ``roles:`` and
``collections:`` lists, or (the old role-only format) a plain list of roles. Entries are
mappings (``name``, ``src``, ``version``, ``scm``, ``type``) or one string (the source).
Every entry keeps its file:line so a bad one is reported where it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from edgeauto.errors import Position
from edgeauto.galaxy import GalaxyError
from edgeauto.yamlsrc import load_yaml, position_of

KNOWN_KEYS = {"name", "src", "source", "version", "scm", "type", "include"}
TYPES = ("file", "dir", "git", "galaxy", "url", "subdirs")
OFFLINE_TYPES = ("file", "dir", "git")
TARBALL = re.compile(r"\.(tar\.gz|tgz|tar)$")


@dataclass
class Requirement:
    kind: str  # "role" | "collection"
    name: str | None  # as written (may be None: derived from the source)
    src: str  # a path or a git URL, resolved against the requirements file's directory
    version: str | None
    type: str  # "file" | "dir" | "git"
    pos: Position | None = None

    def describe(self) -> str:
        return f"{self.kind} {self.name or self.src}"


def load_requirements(path: Path) -> list[Requirement]:
    data = load_yaml(path)
    where = Position(str(path), 1)
    if data is None:
        return []
    if isinstance(data, list):  # old format: a list of roles
        return [parse_entry(e, "role", path.parent, where) for e in data]
    if not isinstance(data, dict):
        raise GalaxyError("expected a mapping with roles:/collections: or a list of roles", where)
    unknown = set(data) - {"roles", "collections"}
    if unknown:
        key = sorted(unknown)[0]
        raise GalaxyError(
            f"unknown top-level key {key!r}, expected roles and/or collections",
            data.pos_of(key) if hasattr(data, "pos_of") else where,
        )
    out: list[Requirement] = []
    for key, kind in (("roles", "role"), ("collections", "collection")):
        entries = data.get(key) or []
        if not isinstance(entries, list):
            raise GalaxyError(f"{key}: expected a list of entries", position_of(entries, where))
        out += [parse_entry(e, kind, path.parent, position_of(entries, where)) for e in entries]
    return out


def parse_entry(entry, kind: str, base: Path, where: Position | None) -> Requirement:
    """One roles:/collections: entry (or one SRC from the command line)."""
    pos = position_of(entry, where)
    if isinstance(entry, str):
        entry = {"src": entry}
    if not isinstance(entry, dict):
        raise GalaxyError(f"{kind} entry: expected a mapping or a string, found {entry!r}", pos)
    unknown = set(entry) - KNOWN_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise GalaxyError(
            f"{kind} entry: unknown key {key!r} (expected one of {', '.join(sorted(KNOWN_KEYS))})",
            entry.pos_of(key) if hasattr(entry, "pos_of") else pos,
        )
    name = _opt_str(entry, "name", kind, pos)
    src = _opt_str(entry, "src", kind, pos) or _opt_str(entry, "source", kind, pos)
    version = entry.get("version")
    version = None if version in (None, "") else str(version)
    scm = _opt_str(entry, "scm", kind, pos)
    type_ = _opt_str(entry, "type", kind, pos)
    if src is None and name and (kind == "collection" or _looks_like_source(name)):
        src, name = name, None  # collections: `name: ./x.tar.gz, type: file` is the source
    if src is None:
        raise GalaxyError(
            f"{kind} {name!r}: no src; only local sources are supported (offline: tarballs, "
            "directories, git repositories), Galaxy server names are not looked up",
            pos,
        )
    if src.startswith("git+"):
        src, scm = src[4:], "git"
        if "," in src:
            src, version = src.rsplit(",", 1)[0], version or src.rsplit(",", 1)[1]
    if scm not in (None, "git"):
        raise GalaxyError(f"{kind} {name or src!r}: scm {scm!r} is not supported, only git", pos)
    if type_ is not None and type_ not in TYPES:
        raise GalaxyError(
            f"{kind} {name or src!r}: type must be file, dir or git, found {type_!r}", pos
        )
    if type_ is not None and type_ not in OFFLINE_TYPES:
        raise GalaxyError(
            f"{kind} {name or src!r}: type {type_!r} needs a server; offline installs take "
            "file, dir or git",
            pos,
        )
    type_ = type_ or ("git" if scm == "git" else _guess_type(src, base))
    if type_ != "git":
        src = str(_local_path(src, base))
    elif _is_local_git(src):
        src = str(_local_path(src, base))
    return Requirement(kind, name, src, version, type_, pos)


def _opt_str(entry: dict, key: str, kind: str, pos) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise GalaxyError(
            f"{kind} entry: {key} must be a non-empty string, found {value!r}",
            entry.pos_of(key) if hasattr(entry, "pos_of") else pos,
        )
    return str(value)


def _looks_like_source(value: str) -> bool:
    return "/" in value or value.startswith(("git+", "file:")) or bool(TARBALL.search(value))


def _is_local_git(src: str) -> bool:
    return "://" not in src and ":" not in src.split("/")[0] or src.startswith("file://")


def _local_path(src: str, base: Path) -> Path:
    path = Path(src.removeprefix("file://")).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _guess_type(src: str, base: Path) -> str:
    if TARBALL.search(src):
        return "file"
    if src.endswith(".git"):
        return "git"
    return "dir"


def role_name_from_src(src: str) -> str:
    """ansible-galaxy's rule: the last path component without .git / .tar.gz / ,version."""
    tail = src.rstrip("/").rsplit("/", 1)[-1].split(",")[0]
    return TARBALL.sub("", tail.removesuffix(".git"))
