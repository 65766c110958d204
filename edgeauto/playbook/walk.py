"""Walking the loaded model: the one home of every task-tree walk.

* :func:`iter_nodes` / :func:`iter_tasks` — blocks opened recursively (block, rescue, always);
* :func:`flatten_roles` / :func:`static_tasks` / :func:`any_node` — a play's roles with their
  dependencies, every statically known task, "is there any node such that…" (the planner's
  checksum prefetch and lockstep switch);
* :func:`iter_play_tasks` / :func:`iter_playbook_tasks` — tasks with their inherited tags and
  conditions in run order (``--list-tasks``, ``--list-tags``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from edgeauto.playbook.model import Block, Node, Play, Playbook, Role, Task


def iter_nodes(nodes: Iterable[Node]) -> Iterator[Node]:
    """Every block and task, depth first: a block, then its block, rescue and always parts."""
    for node in nodes:
        yield node
        if isinstance(node, Block):
            yield from iter_nodes([*node.block, *node.rescue, *node.always])


def iter_tasks(nodes: Iterable[Node]) -> Iterator[Task]:
    """The tasks of ``nodes`` in source order, blocks (block, rescue, always) opened."""
    for node in iter_nodes(nodes):
        if isinstance(node, Task):
            yield node


def flatten_roles(roles: Iterable[Role]) -> list[Role]:
    """Roles with their dependencies first (depth first), each role object once."""
    out: list[Role] = []
    for role in roles:
        for dep in flatten_roles(role.dependencies):
            if all(dep is not r for r in out):
                out.append(dep)
        if all(role is not r for r in out):
            out.append(role)
    return out


def static_tasks(play: Play) -> Iterator[Task]:
    """Every task known before the run: pre_tasks, each role's tasks and handlers, tasks,
    post_tasks, handlers (dynamic includes are tasks here, their files are not opened)."""
    yield from iter_tasks(play.pre_tasks)
    for role in flatten_roles(play.roles):
        yield from iter_tasks(role.tasks)
        yield from iter_tasks(role.handlers)
    yield from iter_tasks(play.tasks)
    yield from iter_tasks(play.post_tasks)
    yield from iter_tasks(play.handlers)


def any_node(play: Play, predicate: Callable[[Node], bool], *, handlers: bool = False) -> bool:
    """Whether any block or task of the play (pre_tasks, tasks, post_tasks, the tasks of its
    flattened roles; handlers too when asked) satisfies ``predicate``."""
    sections = [play.pre_tasks, play.tasks, play.post_tasks]
    sections += [role.tasks for role in flatten_roles(play.roles)]
    if handlers:
        sections.append(play.handlers)
    return any(predicate(node) for section in sections for node in iter_nodes(section))


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


def iter_playbook_tasks(
    playbook: Playbook, handlers: bool = False, rescue: bool = False
) -> Iterator[TaskEntry]:
    """Every task of every play (``edgeauto run --list-tasks`` prints these)."""
    for play in playbook.plays:
        yield from iter_play_tasks(play, handlers=handlers, rescue=rescue)


def all_tags(playbook: Playbook) -> list[str]:
    """Every tag used anywhere (``--list-tags``)."""
    tags: list[str] = []
    for entry in iter_playbook_tasks(playbook, handlers=True, rescue=True):
        tags += entry.tags
    return sorted(set(tags))
