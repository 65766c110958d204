"""A task's arguments rendered for one host (layer 0), including arguments given as one
template (``lineinfile: "{{ rule }}"``, ``args: "{{ extra }}"``), as ansible-core allows.

Precedence, lowest first: ``args:``, the module's value, the module's own ``k=v``/mapping
keys. A template must render to a mapping, as in ansible-core 2.19 (a ``k=v`` string is refused
there too).
"""

from __future__ import annotations

from edgeauto.errors import TemplateError
from edgeauto.playbook.model import Task
from edgeauto.templating import is_omit


def rendered_args(task: Task, templar) -> dict:
    merged: dict = {}
    for template in task.args_templates:
        value = templar.render(template, task.pos)
        if not isinstance(value, dict):
            raise TemplateError(
                f"{task.pos}: arguments {template!r} must render to a mapping, found "
                f"{type(value).__name__}"
            )
        merged.update(value)
    merged.update(templar.render(task.args, task.pos))
    return without_omitted(merged)


def rendered_backend_defaults(task: Task, templar):
    """How the defaults of a task's backend module (``Task.backend_defaults``) are rendered:
    like its own arguments, ``omit`` dropped."""
    return lambda defaults: without_omitted(templar.render(defaults, task.pos))


def without_omitted(args: dict) -> dict:
    return {k: v for k, v in args.items() if not is_omit(v)}


def task_with_action(task: Task, name: str) -> Task:
    """A task whose module name was a template (``action: "{{ ansible_facts.pkg_mgr }}"``),
    with the name it rendered to for this host. A name edgeauto cannot run gives a task that
    fails only if it runs (its ``when`` may still skip it), as a dynamic include's would."""
    from dataclasses import replace

    from edgeauto.playbook.actions import canonical_action

    canon = canonical_action(name)
    if canon is not None:
        return replace(task, action=canon)
    return replace(task, action=name, unresolved=f"unknown module '{name}' (from {task.action!r})")
