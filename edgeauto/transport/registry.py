"""Every transport edgeauto has, found by what the classes declare.

Discovery: each module of ``edgeauto/transport/`` (not starting with ``_``, not one of the
shared-machinery modules in ``SUPPORT_MODULES``) is imported, and every
:class:`~edgeauto.transport.base.Transport` subclass *defined* there that declares ``names`` is
a transport. Adding one is a new file; nothing else lists transports.

The registry is built once per process on first use (transport modules are declarations; no
run state lives here).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from edgeauto.transport.base import Transport

PACKAGE = "edgeauto.transport"

# The modules that hold no transport. Skipping them only saves imports at start-up (yaml via
# hostvars, the test sshd helper); a module missing here is imported and finds nothing.
SUPPORT_MODULES = frozenset(
    {
        "base",
        "become",
        "control",
        "errors",
        "factory",
        "hostvars",
        "options",
        "pipe",
        "registry",
        "streams",
        "testing_sshd",
    }
)


@lru_cache(maxsize=1)
def all_transports() -> tuple[type[Transport], ...]:
    """The transport classes, in module order."""
    package = importlib.import_module(PACKAGE)
    found: list[type[Transport]] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in SUPPORT_MODULES:
            continue
        module = importlib.import_module(f"{PACKAGE}.{info.name}")
        found += [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Transport)
            and obj.__module__ == module.__name__
            and obj.names
        ]
    _check_unique(found)
    return tuple(found)


def _check_unique(classes: list[type[Transport]]) -> None:
    seen: dict[str, type[Transport]] = {}
    for cls in classes:
        for name in cls.names:
            if name in seen:
                raise RuntimeError(
                    f"connection name {name!r} declared by both {seen[name].__qualname__} "
                    f"and {cls.__qualname__}"
                )
            seen[name] = cls


def transport_for(connection: str) -> type[Transport] | None:
    """The class for an ``ansible_connection`` value (short name or FQCN), or None."""
    for cls in all_transports():
        if connection in cls.names:
            return cls
    return None


def connection_names() -> list[str]:
    """Every accepted ``ansible_connection`` value: the short names first, then the FQCNs."""
    names = [name for cls in all_transports() for name in cls.names]
    return [n for n in names if "." not in n] + [n for n in names if "." in n]


def transport_vars() -> tuple[str, ...]:
    """Every host variable some transport reads, each once, in declaration order."""
    names = (
        var for cls in all_transports() for variables in cls.host_vars.values() for var in variables
    )
    return tuple(dict.fromkeys(names))
