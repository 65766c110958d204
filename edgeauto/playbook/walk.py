"""Walking the loaded model in run order (for --list-tasks, --list-tags and validation)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from edgeauto.playbook.model import Block, Node, Play, Playbook, Role, Task


@dataclass
class TaskEntry:
    """One task with what it inherits: effective tags and conditions from play/role/blocks."""

    play: Play
    task: Task
    tags: list[str] = field(default_factory=list)
    when: list[Any] = field(default_factory=list)
    section: str = "tasks"  # pre_tasks | roles | tasks | post_tasks | handlers


def _unique(items):
    return list(dict.fromkeys(items))


def _walk(nodes: list[Node], play, section, tags, when) -> Iterator[TaskEntry]:
    for node in nodes:
        if isinstance(node, Block):
            inner_tags, inner_when = tags + node.tags, when + node.when
            for part in (node.block, node.rescue, node.always):
                yield from _walk(part, play, section, inner_tags, inner_when)
        else:
            yield TaskEntry(play, node, _unique(tags + node.tags), when + node.when, section)


def iter_play_tasks(play: Play, handlers: bool = False) -> Iterator[TaskEntry]:
    """Tasks of one play in run order: pre_tasks, roles, tasks, post_tasks (then handlers)."""
    yield from _walk(play.pre_tasks, play, "pre_tasks", list(play.tags), [])
    for role in play.roles:
        yield from iter_role_tasks(play, role)
    yield from _walk(play.tasks, play, "tasks", list(play.tags), [])
    yield from _walk(play.post_tasks, play, "post_tasks", list(play.tags), [])
    if handlers:
        yield from _walk(play.handlers, play, "handlers", list(play.tags), [])


def iter_role_tasks(play: Play, role: Role) -> Iterator[TaskEntry]:
    yield from _walk(role.tasks, play, "roles", list(play.tags) + role.tags, list(role.when))


def iter_tasks(playbook: Playbook, handlers: bool = False) -> Iterator[TaskEntry]:
    """Every task of every play (``edgeauto run --list-tasks`` prints these)."""
    for play in playbook.plays:
        yield from iter_play_tasks(play, handlers=handlers)


def all_tags(playbook: Playbook) -> list[str]:
    """Every tag used anywhere (``--list-tags``)."""
    tags: list[str] = []
    for entry in iter_tasks(playbook, handlers=True):
        tags += entry.tags
    return sorted(set(tags))
