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


def _walk(nodes: list[Node], play, section, tags, when, rescue: bool) -> Iterator[TaskEntry]:
    for node in nodes:
        if isinstance(node, Block):
            inner_tags, inner_when = tags + node.tags, when + node.when
            parts = (node.block, node.rescue, node.always) if rescue else (node.block,)
            for part in parts:
                yield from _walk(part, play, section, inner_tags, inner_when, rescue)
        else:
            yield TaskEntry(play, node, sorted(set(tags + node.tags)), when + node.when, section)


def iter_play_tasks(
    play: Play, handlers: bool = False, rescue: bool = False
) -> Iterator[TaskEntry]:
    """Tasks of one play in run order: pre_tasks, roles, tasks, post_tasks (then handlers).

    Like ``ansible-playbook --list-tasks``, rescue/always sections are left out unless
    ``rescue=True``; tags are the effective ones (play + role + blocks + task), sorted.
    """
    yield from _walk(play.pre_tasks, play, "pre_tasks", list(play.tags), [], rescue)
    for role in play.roles:
        yield from iter_role_tasks(play, role, rescue)
    yield from _walk(play.tasks, play, "tasks", list(play.tags), [], rescue)
    yield from _walk(play.post_tasks, play, "post_tasks", list(play.tags), [], rescue)
    if handlers:
        yield from _walk(play.handlers, play, "handlers", list(play.tags), [], rescue)


def iter_role_tasks(play: Play, role: Role, rescue: bool = False) -> Iterator[TaskEntry]:
    tags = list(play.tags) + role.tags
    yield from _walk(role.tasks, play, "roles", tags, list(role.when), rescue)


def iter_tasks(
    playbook: Playbook, handlers: bool = False, rescue: bool = False
) -> Iterator[TaskEntry]:
    """Every task of every play (``edgeauto run --list-tasks`` prints these)."""
    for play in playbook.plays:
        yield from iter_play_tasks(play, handlers=handlers, rescue=rescue)


def all_tags(playbook: Playbook) -> list[str]:
    """Every tag used anywhere (``--list-tags``)."""
    tags: list[str] = []
    for entry in iter_tasks(playbook, handlers=True, rescue=True):
        tags += entry.tags
    return sorted(set(tags))


def flatten_roles(roles) -> list:
    """Every role of a play, dependencies first, each role object once."""
    out: list = []
    for role in roles:
        for dep in flatten_roles(role.dependencies):
            if all(dep is not r for r in out):
                out.append(dep)
        if all(role is not r for r in out):
            out.append(role)
    return out


def iter_nodes(nodes) -> Iterator:
    """Every block and task below ``nodes`` (block, rescue, always), depth first."""
    for node in nodes:
        yield node
        if isinstance(node, Block):
            yield from iter_nodes(node.block)
            yield from iter_nodes(node.rescue)
            yield from iter_nodes(node.always)


def static_tasks(play: Play) -> Iterator[Task]:
    """Every task the play loads statically, handlers included, in run order."""
    sections = [play.pre_tasks]
    for role in flatten_roles(play.roles):
        sections += [role.tasks, role.handlers]
    sections += [play.tasks, play.post_tasks, play.handlers]
    for nodes in sections:
        yield from (n for n in iter_nodes(nodes) if isinstance(n, Task))


def any_node(play: Play, predicate) -> bool:
    """Whether any block or task of the play's task sections (roles included) matches."""
    sections = [play.pre_tasks, play.tasks, play.post_tasks]
    sections += [role.tasks for role in flatten_roles(play.roles)]
    return any(predicate(n) for nodes in sections for n in iter_nodes(nodes))
