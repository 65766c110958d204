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
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from edgeauto.modules.base import Module

PACKAGES = ("edgeauto.modules.core", "edgeauto.modules.edge")


@lru_cache(maxsize=1)
def _discover() -> tuple[dict[str, Module], dict[str, Module]]:
    """Import every module file; return (canonical name -> module, any accepted name -> module)."""
    canonical: dict[str, Module] = {}
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
    names: dict[str, Module] = {}
    for module in canonical.values():
        for name in module.spec.names():
            names.setdefault(name, module)
    return canonical, names


def get_module(name: str) -> Module | None:
    """Resolve a short name or FQCN to a module, or None if edgeauto has no such module."""
    canonical, names = _discover()
    if name in names:
        return names[name]
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "edgeauto":
        return canonical.get(parts[2])
    return None


def all_modules() -> dict[str, Module]:
    """Canonical name -> module, for ``edgeauto doc --list`` and tests."""
    return dict(_discover()[0])


def module_names() -> list[str]:
    """Every accepted name (short and FQCN), for did-you-mean hints."""
    return sorted(_discover()[1])
