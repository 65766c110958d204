"""Find a module by any name a playbook may use for it.

Discovery: every Python file in ``edgeauto/modules/core/`` and ``edgeauto/modules/edge/`` (not
starting with ``_``) is imported and must define ``MODULE`` (a :class:`~edgeauto.modules.base.Module`
instance) or ``MODULES`` (a list of them, for files that declare several related modules).
Names accepted for a module whose spec name is ``X``:

* ``X``, ``ansible.builtin.X``, ``ansible.legacy.X``, ``edgeauto.builtin.X``;
* ``edgeauto.<anything>.X`` (our own collections, e.g. ``edgeauto.edge.docker_container``);
* whatever the spec lists in ``aliases`` (e.g. ``community.general.ovs_bridge``,
  ``community.docker.docker_container``).

The registry is built once per process on first use (module files are pure declarations; no
global *run* state lives here). ``get_module`` returns ``None`` for unknown names so the
playbook validator can report ``did_you_mean`` against :func:`module_names`.

Start-up: importing all ~80 module files is ~25 ms of every run, which needs a handful. So
:func:`get_module` answers from a name index (accepted name -> module file) kept in a cache
file keyed by every module file's name, size and mtime (like a ``.pyc``), and imports only
the file it names. A new, removed or edited module file changes the key: the index is then
rebuilt by importing everything, as without it. ``all_modules``/``module_names`` always
import everything.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pkgutil
import tempfile
from functools import lru_cache
from pathlib import Path

from edgeauto.modules.base import Module

PACKAGES = ("edgeauto.modules.core", "edgeauto.modules.edge")
INDEX_VERSION = 1


def _discover() -> tuple[dict[str, Module], dict[str, Module]]:
    """Import every module file; return (canonical name -> module, any accepted name -> module)."""
    canonical, names, _ = _discover_files()
    return canonical, names


@lru_cache(maxsize=1)
def _discover_files() -> tuple[dict[str, Module], dict[str, Module], dict[str, list[str]]]:
    """:func:`_discover` plus canonical name -> [package, file] it was found in."""
    canonical: dict[str, Module] = {}
    files: dict[str, list[str]] = {}
    for package_name in PACKAGES:
        try:
            package = importlib.import_module(package_name)
        except ImportError:
            continue
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{package_name}.{info.name}")
            found = list(getattr(mod, "MODULES", []))
            if hasattr(mod, "MODULE"):
                found.append(mod.MODULE)
            for module in found:
                if module.spec.name in canonical:
                    raise RuntimeError(
                        f"module name '{module.spec.name}' defined twice "
                        f"({package_name}.{info.name})"
                    )
                canonical[module.spec.name] = module
                files[module.spec.name] = [package_name, info.name]
    names: dict[str, Module] = {}
    for module in canonical.values():
        for name in module.spec.names():
            names.setdefault(name, module)
    return canonical, names, files


def get_module(name: str) -> Module | None:
    """Resolve a short name or FQCN to a module, or None if edgeauto has no such module."""
    index = _index()
    if index is not None:
        where = index["names"].get(name)
        parts = name.split(".")
        if where is None and len(parts) == 3 and parts[0] == "edgeauto":
            where = index["canonical"].get(parts[2])
        if where is None:
            return None
        found = _load(*where)
        if found is not None:
            return found
    canonical, names = _discover()  # no index, or it named a file that lacks the module
    if name in names:
        return names[name]
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "edgeauto":
        return canonical.get(parts[2])
    return None


def _load(package_name: str, file: str, spec_name: str) -> Module | None:
    """The module ``spec_name`` from one module file (None if the file no longer has it)."""
    mod = importlib.import_module(f"{package_name}.{file}")
    found = [*getattr(mod, "MODULES", []), *([mod.MODULE] if hasattr(mod, "MODULE") else [])]
    return next((m for m in found if m.spec.name == spec_name), None)


def _module_files() -> list[list]:
    """[package, file, size, mtime_ns] of every module file: the index's key."""
    here = Path(__file__).resolve().parent
    out = []
    for package_name in PACKAGES:
        folder = here / package_name.rsplit(".", 1)[1]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py") and not entry.name.startswith("_"):
                info = entry.stat()
                out.append([package_name, entry.name[:-3], info.st_size, info.st_mtime_ns])
    return out


def _index_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    tree = hashlib.sha256(str(Path(__file__).resolve().parent).encode()).hexdigest()[:16]
    return Path(base) / "edgeauto" / f"module-index-{tree}.json"


@lru_cache(maxsize=1)
def _index() -> dict | None:
    """The name index for the module files as they are now, from the cache file when its key
    matches, else built (one full discovery) and saved. None when it cannot be had."""
    key = [INDEX_VERSION, _module_files()]
    path = _index_path()
    try:
        data = json.loads(path.read_text())
        if data.get("key") == key:
            return data
    except (OSError, ValueError, AttributeError):
        pass
    canonical, names, files = _discover_files()
    data = {
        "key": key,
        "names": {name: [*files[m.spec.name], m.spec.name] for name, m in names.items()},
        "canonical": {name: [*files[name], name] for name in canonical},
    }
    _save(path, data)
    return data


def _save(path: Path, data: dict) -> None:
    """Write the index atomically; a cache dir we cannot write only costs the next run."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".module-index.")
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    except OSError:
        pass


def all_modules() -> dict[str, Module]:
    """Canonical name -> module, for ``edgeauto doc --list`` and tests."""
    return dict(_discover()[0])


def module_names() -> list[str]:
    """Every accepted name (short and FQCN), for did-you-mean hints."""
    return sorted(_discover()[1])
