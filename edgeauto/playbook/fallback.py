"""Load-time resolution of modules edgeauto does not implement (see docs/fallback.md).

A task key that is neither a keyword nor a native module may still name one of Ansible's own
modules: ansible-core's, an installed collection's, or one in a ``library/`` directory next
to the task's role or the playbook. Such a task is accepted (its arguments are the module's
business when it runs) and remembers where the module is (``Task.fallback``); a name that
resolves nowhere stays an "unknown module" error with its file and line.
"""

from __future__ import annotations

from pathlib import Path


def remember_role_library(loader, role_path: Path) -> None:
    """Note a loaded role's ``library/``: as with Ansible, its modules then serve every
    task loaded after it (roles load before the play's tasks)."""
    path = Path(role_path) / "library"
    seen = loader.__dict__.setdefault("role_libraries", [])
    if path.is_dir() and path not in seen:
        seen.append(path)


def library_dirs(role=None, basedir: Path | None = None, loader=None) -> list[Path]:
    """The ``library/`` directories a task sees: its role's, its dependencies', every role
    loaded so far, then the playbook's (existing ones only, in that order)."""
    from edgeauto.playbook.roles import with_dependencies

    dirs: list[Path] = []
    if role is not None:
        for each in [role, *reversed(with_dependencies(role))]:
            path = Path(each.path) / "library"
            if path.is_dir() and path not in dirs:
                dirs.append(path)
    for path in getattr(loader, "role_libraries", ()):
        if path not in dirs:
            dirs.append(path)
    if basedir is not None:
        path = Path(basedir) / "library"
        if path.is_dir() and path not in dirs:
            dirs.append(path)
    return dirs


def _resolve(name: str, ctx, loader=None):
    from edgeauto.modules.fallback import find_module

    role = getattr(ctx, "role", None)
    basedir = getattr(ctx, "basedir", None)
    return find_module(str(name), library_dirs(role, basedir, loader), basedir)


def fallback_source(name: str, ctx, loader=None):
    """The :class:`~edgeauto.modules.fallback.ModuleSource` ``name`` resolves to, or None."""
    from edgeauto.modules.fallback import ModuleSource

    found = _resolve(name, ctx, loader)
    return found if isinstance(found, ModuleSource) else None


def fallback_action(name: str, ctx, loader=None) -> str | None:
    """``name`` itself when it names a runnable non-native module, else None."""
    return str(name) if fallback_source(name, ctx, loader) is not None else None


def is_refused_ansible_module(name: str, ctx, loader=None) -> bool:
    """Whether ``name`` is a real Ansible module edgeauto cannot run (an action plugin's
    module such as ``dnf``): such a task is an error only if it runs, not a typo."""
    from edgeauto.modules.fallback import Refusal

    return isinstance(_resolve(name, ctx, loader), Refusal)


def fallback_refusal(name: str, ctx, loader=None) -> tuple[str, str | None] | None:
    """(message, hint) when ``name`` resolves to a module edgeauto cannot run, or when it
    could be an Ansible module but ansible-core is not installed; None otherwise."""
    from edgeauto.modules.fallback import Refusal
    from edgeauto.modules.fallback.resolve import ansible_available

    found = _resolve(name, ctx, loader)
    if isinstance(found, Refusal):
        return f"module '{name}' cannot run with edgeauto: {found.reason}", None
    if found is None and not ansible_available():
        from edgeauto.modules.fallback import resolve

        return (
            f"unknown module '{name}'; it may be one of Ansible's modules, but "
            f"{resolve.LOADER_ERROR or 'ansible-core is not available'}",
            "pip install 'edgeauto[ansible]' to run Ansible's own modules on hosts with Python",
        )
    return None


def fallback_hint(name: str) -> str | None:
    """A 'did you mean' among ansible-core's modules, for a name that is no module at all."""
    from edgeauto.modules.fallback.resolve import similar_module

    return similar_module(name)
