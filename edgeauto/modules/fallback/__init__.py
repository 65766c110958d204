"""The long tail: modules edgeauto does not implement run as Ansible's own modules.

A task whose module is not native resolves (at load time, :mod:`.resolve`) to a module of
ansible-core, of an installed collection, or of a role's / the playbook's ``library/``. On a
target with Python it runs as the real module, packaged by ansible-core's own code
(:mod:`.package`) and embedded in the host's one script as a payload (:mod:`.module`,
``remote/ansible_module.sh``). On a target without Python the host is refused before anything
runs there (:mod:`.preflight`). See docs/fallback.md.
"""

from __future__ import annotations

import threading

from edgeauto.modules.fallback.resolve import ModuleSource, Refusal, find_module

_MODULES: dict[ModuleSource, object] = {}
_LOCK = threading.Lock()


def module_for(source: ModuleSource):
    """The (shared) :class:`~.module.FallbackModule` for a resolved source."""
    from edgeauto.modules.fallback.module import FallbackModule

    with _LOCK:
        module = _MODULES.get(source)
        if module is None:
            module = _MODULES[source] = FallbackModule(source)
        return module


def module_for_task(task):
    """The fallback module a loaded task resolved to, or None (native or unknown)."""
    source = getattr(task, "fallback", None)
    return module_for(source) if isinstance(source, ModuleSource) else None


__all__ = ["ModuleSource", "Refusal", "find_module", "module_for", "module_for_task"]
