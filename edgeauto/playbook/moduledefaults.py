"""The ``module_defaults`` keyword (play, block, task): default arguments per module.

Applied once the tasks are loaded — before validation, so a task that leaves a required
argument to its defaults (``service:`` + ``module_defaults: {service: {name: x}}``) is checked
with it — by merging the defaults under the task's own arguments, outer levels first
(play, then blocks, then the task; a task's own arguments always win). Keys name a module the
way a task may (``copy``, ``ansible.builtin.copy``); ``group/<name>`` keys name an action
group, of which edgeauto's modules declare none, so they apply to nothing. Values are kept as
written: templates in them are rendered per host with the task's other arguments.
Tasks of files included at run time get them from the walk (``planner/includes.py``).
A generic action that hands the task to another module (``service`` to ``systemd``,
``package`` to ``apt``: the module's ``backend_modules``) also takes that module's defaults,
kept aside per backend and merged once the host's backend is known (``with_backend_defaults``).
"""

from __future__ import annotations

from typing import Any

from edgeauto.playbook.model import Block, Node, Task


def loaded_module_defaults(loader, ds: dict) -> list[dict]:
    """The ``module_defaults`` of one play/block/task mapping: a mapping, or a list of them,
    of module name -> mapping of arguments. Problems are reported at their line."""
    from edgeauto.playbook.base import describe
    from edgeauto.yamlsrc import position_of

    if "module_defaults" not in ds:
        return []
    value = ds["module_defaults"]
    pos = position_of(value, ds.pos_of("module_defaults"))
    layers = value if isinstance(value, list) else [value]
    out: list[dict] = []
    for layer in layers:
        if layer is None:
            continue
        if not isinstance(layer, dict):
            loader.problem(
                f"'module_defaults' expects a mapping of module names to arguments (or a list "
                f"of them), found {describe(layer)}",
                position_of(layer, pos),
            )
            continue
        for name, args in layer.items():
            if not isinstance(args, dict):
                loader.problem(
                    f"module_defaults for '{name}' expects a mapping of arguments, found "
                    f"{describe(args)}",
                    position_of(args, pos),
                )
                break
        else:
            out.append(dict(layer))
    return out


def apply_module_defaults(nodes: list[Node], outer: list[dict]) -> None:
    """Merge the defaults in scope under the arguments of every task in ``nodes``."""
    for node in nodes:
        layers = [*outer, *node.module_defaults]
        if isinstance(node, Block):
            for part in (node.block, node.rescue, node.always):
                apply_module_defaults(part, layers)
        elif layers:
            defaults_into(node, layers)


def defaults_into(task: Task, layers: list[dict]) -> None:
    defaults: dict[str, Any] = {}
    backends = _backend_names(task)
    for layer in layers:
        for name, args in layer.items():
            if _names_module(str(name), task):
                defaults.update(args)
            elif (backend := _canonical(str(name))) in backends:
                task.backend_defaults.setdefault(backend, {}).update(args)
    if not defaults:
        return
    merged = type(task.args)({**defaults, **task.args}) if isinstance(task.args, dict) else {}
    for attr in ("pos", "key_pos"):  # keep the file:line of the arguments as written
        if hasattr(task.args, attr):
            setattr(merged, attr, getattr(task.args, attr))
    task.args = merged


def candidate_args(task: Task) -> list[dict]:
    """The arguments a task may run with: its own, then merged with each backend's defaults
    (the load-time check accepts a task any of them makes valid; the run merges the host's)."""
    own = dict(task.args)
    return [own, *({**defaults, **own} for defaults in task.backend_defaults.values())]


def with_backend_defaults(task: Task, module, args: dict, render, task_vars: dict) -> dict:
    """``args`` (rendered) with the defaults of the backend this host hands the task to, as
    Ansible's package/service actions apply them; defaults are rendered with ``render``."""
    if not task.backend_defaults:
        return args
    backend = module.backend(args, task_vars)
    defaults = task.backend_defaults.get(_canonical(backend)) if backend else None
    if not defaults:
        return args
    return {**render(defaults), **args}


def _backend_names(task: Task) -> frozenset[str]:
    from edgeauto.playbook.actions import get_module

    module = get_module(task.action)
    return frozenset(_canonical(b) for b in getattr(module, "backend_modules", ()))


def _canonical(name: str) -> str:
    from edgeauto.playbook.actions import canonical_action, without_builtin_prefix

    return canonical_action(name) or without_builtin_prefix(name)


def _names_module(name: str, task: Task) -> bool:
    if name.startswith("group/"):
        return False
    return _canonical(name) == task.action_name
