"""Find the source of a module edgeauto does not implement natively.

Where Ansible would look, in the same order for the names that matter:

1. a short name (or ``ansible.legacy.X``) in a ``library/`` directory: the task's role and the
   roles it depends on, then the playbook's own ``library/`` next to it (``X.py`` or ``X``);
2. everything else through ansible-core's own plugin loader (``module_loader``), so that
   ``ansible.builtin.*``, the playbook's own ``collections/``, installed collections
   (``collections_path`` /
   ``ANSIBLE_COLLECTIONS_PATH``, default ``~/.ansible/collections``, and ``ansible_collections``
   packages in site-packages), ``ANSIBLE_LIBRARY`` and the routing of ``meta/runtime.yml``
   (redirects, tombstones) behave exactly as with ansible-playbook.

A module that ansible-core runs through a controller-side *action plugin* (``pause``,
``unarchive``, ``uri`` …) is not a plain module: running only its remote half would do
something else than Ansible does, so it resolves to a :class:`Refusal` with the reason.

ansible-core is an optional dependency (``pip install edgeauto[ansible]``); without it only
``library/`` modules resolve (and only those that do not import ``ansible.module_utils``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_LEGACY = "ansible.legacy."
_LOCK = threading.RLock()


@dataclass(frozen=True)
class ModuleSource:
    """Where a non-native module's code lives.

    ``name`` is the spelling the task used (shown in messages, passed to the module as
    ``_ansible_module_name``), ``fqcn`` what it resolved to (``ansible.builtin.debconf``,
    ``ansible.legacy.mymod`` for a ``library/`` module), ``origin`` a human description.
    """

    name: str
    fqcn: str
    path: Path
    origin: str

    @property
    def short(self) -> str:
        return self.fqcn.rpartition(".")[2]


@dataclass(frozen=True)
class Refusal:
    """A name that resolves to something edgeauto cannot run (an action plugin, Windows)."""

    name: str
    reason: str


def find_module(
    name: str, dirs: Iterable[Path] = (), playbook_dir: Path | None = None
) -> ModuleSource | Refusal | None:
    """Resolve ``name`` (see the module docstring); None when it names no module at all.
    ``playbook_dir``: its ``collections/`` is searched first, as ansible-playbook does."""
    name = str(name)
    if playbook_dir is not None and (Path(playbook_dir) / "collections").is_dir():
        _add_playbook_dir(Path(playbook_dir))
    short = name[len(_LEGACY) :] if name.startswith(_LEGACY) else name
    if "." not in short:
        for directory in dirs:
            for candidate in (directory / f"{short}.py", directory / short):
                if candidate.is_file():
                    return ModuleSource(
                        name, _LEGACY + short, candidate, f"library module {candidate}"
                    )
    if not _valid_name(name):
        return None
    return _from_ansible(name)


def _valid_name(name: str) -> bool:
    parts = name.split(".")
    return all(p.isidentifier() for p in parts) and len(parts) in (1, 3, 4, 5, 6)


@lru_cache(maxsize=512)
def _from_ansible(name: str) -> ModuleSource | Refusal | None:
    loaders = plugin_loaders()
    if loaders is None:
        return None
    module_loader, action_loader = loaders
    with _LOCK, _quiet():
        found = module_loader.find_plugin_with_context(name)
        if not found.resolved or not found.plugin_resolved_path:
            return None
        path = Path(found.plugin_resolved_path)
        fqcn = found.resolved_fqcn or name
        action = action_loader.find_plugin_with_context(fqcn)
    if path.suffix == ".ps1":
        return Refusal(name, f"'{fqcn}' is a Windows (PowerShell) module")
    if action.resolved and action.resolved_fqcn not in (None, "ansible.builtin.normal"):
        return Refusal(
            name,
            f"Ansible runs '{fqcn}' through its controller-side action plugin of that name; "
            "edgeauto runs only plain modules (use a native module or a command)",
        )
    origin = "ansible-core" if fqcn.startswith("ansible.builtin.") else f"collection at {path}"
    return ModuleSource(name, fqcn, path, origin)


_PLAYBOOK_DIRS: list[str] = []


def _add_playbook_dir(path: Path) -> None:
    """Collections next to a playbook (``<dir>/collections/ansible_collections``): ansible-core's
    collection finder is told, as ansible-playbook tells it, and earlier answers are dropped."""
    text = str(path.resolve())
    if text in _PLAYBOOK_DIRS or plugin_loaders() is None:
        return
    with _LOCK, _quiet():
        from ansible.utils.collection_loader import AnsibleCollectionConfig

        _PLAYBOOK_DIRS.append(text)
        AnsibleCollectionConfig.playbook_paths = list(_PLAYBOOK_DIRS)
    _from_ansible.cache_clear()


@lru_cache(maxsize=1)
def plugin_loaders():
    """ansible-core's module and action plugin loaders, initialised once as the CLI does
    (collection finder installed with the configured collections paths); None without
    ansible-core."""
    global LOADER_ERROR
    try:
        with _LOCK, _quiet():
            from ansible.plugins.loader import action_loader, init_plugin_loader, module_loader

            init_plugin_loader()
    except ImportError:
        LOADER_ERROR = "ansible-core is not installed"
        return None
    except Exception as exc:  # noqa: BLE001 - a broken ansible.cfg, collection path …
        LOADER_ERROR = f"ansible-core could not start its plugin loader: {exc}"
        return None
    return module_loader, action_loader


#: why :func:`plugin_loaders` returned None ("" while it did not)
LOADER_ERROR = ""


def ansible_available() -> bool:
    return plugin_loaders() is not None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """ansible-core prints warnings (a collection that is not installed, a deprecated
    redirect) on its own stderr while resolving; edgeauto reports its own errors instead."""
    try:
        from ansible.utils.display import Display
    except ImportError:
        yield
        return
    display = Display()
    saved = {n: display.__dict__.get(n) for n in ("warning", "deprecated", "error_as_warning")}
    for attr in saved:
        setattr(display, attr, lambda *a, **k: None)
    try:
        yield
    finally:
        for attr, value in saved.items():
            if value is None:
                display.__dict__.pop(attr, None)
            else:
                setattr(display, attr, value)


def native_alternatives(name: str) -> list[str]:
    """edgeauto's own modules a user could use instead (by the same short name, or the
    modules that do the same job on hosts without Python)."""
    from edgeauto.modules.registry import module_names

    short = str(name).rpartition(".")[2]
    related = _RELATED.get(short, ())
    names = set(module_names())
    out = [n for n in (short, *related) if n in names]
    return list(dict.fromkeys(out))


# jobs a Python-only module does, and the native modules that do them without Python
_RELATED: dict[str, tuple[str, ...]] = {
    "debconf": ("command", "lineinfile"),
    "sysvinit": ("service", "command"),
    "systemd": ("systemd_service", "service"),
    "systemd_service": ("service",),
    "replace": ("lineinfile",),
    "blockinfile": ("lineinfile", "template"),
    "ini_file": ("lineinfile", "template"),
    "assemble": ("template", "copy"),
    "get_url": ("command",),
    "uri": ("command",),
    "stat": ("file", "command"),
    "slurp": ("command",),
    "find": ("command",),
    "known_hosts": ("lineinfile",),
    "authorized_key": ("lineinfile", "copy"),
    "cron": ("copy", "template"),
    "hostname": ("copy", "command"),
    "apt": ("package", "command"),
    "apt_repository": ("copy",),
    "pip": ("command",),
    "git": ("command",),
    "user": ("command",),
    "group": ("command",),
}


def similar_module(name: str) -> str | None:
    """'did you mean' among ansible-core's own module names (for a misspelt one)."""
    from edgeauto.errors import did_you_mean

    try:
        import ansible.modules as core
    except ImportError:
        return None
    names = {p.stem for p in Path(core.__file__).parent.glob("*.py") if p.stem != "__init__"}
    prefix, _, short = str(name).rpartition(".")
    if prefix not in ("", "ansible.builtin", "ansible.legacy"):
        return None
    hint = did_you_mean(short, names)
    if hint and prefix:
        return hint.replace("'", f"'{prefix}.", 1)
    return hint
