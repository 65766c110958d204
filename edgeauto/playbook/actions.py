"""Resolve the action name of a task through the module registry.

The registry (:mod:`edgeauto.modules.registry`) knows real modules by short name and FQCN.
Load-time directives (import_*/include_*) and a few controller actions the executor implements
itself (include_vars, add_host, group_by, …) are known here even when no module file declares
them, so a playbook using them is not reported as calling an unknown module.
"""

from __future__ import annotations

from edgeauto.playbook.keywords import CONTROL_ACTIONS

_PREFIXES = ("ansible.builtin.", "ansible.legacy.", "edgeauto.builtin.")


def _registry():
    try:
        from edgeauto.modules import registry
    except ImportError:  # pragma: no cover - only while the registry is being written
        return None
    return registry


def get_module(name: str):
    """The registry's module for ``name`` (any accepted spelling) or None."""
    reg = _registry()
    return reg.get_module(str(name)) if reg else None


def without_builtin_prefix(name: str) -> str:
    """``ansible.builtin.X`` / ``ansible.legacy.X`` / ``edgeauto.builtin.X`` -> ``X``; other
    names unchanged. The one place that knows the built-in collection prefixes."""
    name = str(name)
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def canonical_action(name: str) -> str | None:
    """Short canonical action name for ``name``, or None when edgeauto has no such action."""
    module = get_module(str(name))
    if module is not None:
        return module.spec.name
    name = without_builtin_prefix(name)
    return name if name in CONTROL_ACTIONS else None


def known_action_names() -> list[str]:
    """Every accepted action spelling, for did-you-mean hints."""
    reg = _registry()
    names = set(reg.module_names()) if reg else set()
    names |= CONTROL_ACTIONS
    names |= {f"ansible.builtin.{n}" for n in CONTROL_ACTIONS}
    return sorted(names)


def module_hint(name: str) -> str | None:
    """'did you mean' for an unknown module, comparing short names only (so that
    'ansible.builtin.service' is not 'close' to 'ansible.builtin.assert' by its prefix)."""
    from edgeauto.errors import did_you_mean

    prefix, _, short = str(name).rpartition(".")
    shorts = {n.rpartition(".")[2] for n in known_action_names()}
    hint = did_you_mean(short, shorts)
    if hint and prefix:
        return hint.replace("'", f"'{prefix}.", 1)
    return hint


def control_spec(action: str):
    """Argument specs for controller actions the executor implements without a module file,
    so their arguments are validated like any module's (None for load-time directives)."""
    return control_specs().get(action)


def control_specs() -> dict:
    """Every controller action's spec by name (``edgeauto doc`` lists them with the modules)."""
    from edgeauto.modules.spec import ModuleSpec, Option

    specs = {
        "include_vars": ModuleSpec(
            "include_vars",
            "Load variables from a YAML/JSON file or directory on the controller",
            options={
                "file": Option(type="path"),
                "dir": Option(type="path"),
                "name": Option(),
                "depth": Option(type="int"),
                "files_matching": Option(),
                "ignore_files": Option(type="list"),
                "extensions": Option(type="list"),
                "ignore_unknown_extensions": Option(type="bool"),
                "hash_behaviour": Option(choices=("replace", "merge")),
            },
            mutually_exclusive=(("file", "dir"),),
            required_one_of=(("file", "dir"),),
        ),
        "group_by": ModuleSpec(
            "group_by",
            "Put the current host into groups named by a key",
            options={"key": Option(required=True), "parents": Option(type="list")},
            action_plugin_args=True,
        ),
    }
    return specs
