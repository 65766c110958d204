"""The play's handler table: definition order, name/``listen`` resolution, notifications.

Layer 1. One table per play, shared by its host threads: ``include_role`` adds the handlers of
the roles it pulls in at run time (under the table's lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from edgeauto.planner.records import HostWalk
from edgeauto.playbook.model import Play, Task


class HandlerTable:
    """Ansible's handler list for one play (see :meth:`order`)."""

    def __init__(self, play: Play, all_roles: list):
        self.play = play
        self.all_roles = all_roles
        self.extra: list[Task] = []  # handlers of roles include_role pulled in
        # include_role's params, seen by that inclusion's handlers too (id(handler) -> params)
        self._include_params: dict[int, tuple] = {}
        self._lock = threading.Lock()

    def order(self) -> list[Task]:
        """Every handler in Ansible's definition order, each object once.

        Like Ansible's play handler list: the handlers of each ``roles:`` role instance in run
        order (dependencies first), then the play's own (and ``import_role``'d) handlers, then
        those of roles pulled in by ``include_role`` at run time. ``Play.handlers`` already
        holds the role handlers it merged, so deduplicating by identity keeps a handler from
        running twice; a role listed again with other params has its own handler objects,
        placed where Ansible places them (which matters: see :meth:`find`).
        """
        out: list[Task] = []
        seen: set[int] = set()
        sources = [*(role.handlers for role in self.all_roles), self.play.handlers, self.extra]
        for handlers in sources:
            for handler in handlers:
                if id(handler) not in seen:
                    seen.add(id(handler))
                    out.append(handler)
        return out

    def register_role(self, role, include_params: tuple = ()) -> None:
        """``include_role``: the role's handlers join the table."""
        with self._lock:
            for handler in role.handlers:
                if all(h is not handler for h in self.extra):
                    self.extra.append(handler)
                if include_params:
                    self._include_params[id(handler)] = include_params

    def include_params_of(self, handler: Task) -> tuple:
        return self._include_params.get(id(handler), ())

    def find(self, name: str) -> list[Task]:
        """Handlers a notification reaches, as Ansible resolves it: by name the LAST handler
        defined with that name wins; by ``listen`` topic every listener, one per handler name
        (again the last defined)."""
        order = list(reversed(self.order()))
        by_name: list[Task] = []
        for handler in order:
            names = {handler.name, handler.display_name}
            if handler.role is not None and handler.name:
                names |= {f"{p} : {handler.name}" for p in handler.role.prefixes}
            if name in names:
                by_name.append(handler)
                break
        by_topic: list[Task] = []
        seen_names: set[str] = set()
        for handler in order:
            if name not in handler.listen_topics:
                continue
            if handler.name:
                if handler.name in seen_names:
                    continue
                seen_names.add(str(handler.name))
            by_topic.append(handler)
        return by_name + [h for h in reversed(by_topic) if all(h is not b for b in by_name)]

    def current(self, handler: Task) -> Task:
        """The handler a by-name notification runs NOW: Ansible resolves names against the
        handler list when handlers run, so a same-named handler added later (``include_role``
        of the role again) replaces the one notified earlier — it runs once, the last one."""
        if not handler.name or handler.listen:
            return handler
        found = self.find(str(handler.name))
        return found[0] if found else handler

    def due(self, walk: HostWalk) -> list[Task]:
        """The notified handlers to run now, in definition order; taken off ``walk.notified``."""
        current: list[Task] = []
        for handler in (self.current(h) for h in walk.notified):
            if all(handler is not c for c in current):
                current.append(handler)
        todo = [h for h in self.order() if any(h is n for n in current)]
        walk.notified = [n for n in current if all(n is not h for h in todo)]
        return todo

    def notify(self, walk: HostWalk, names: list, warn: Callable[[str], None]) -> bool:
        """Add the handlers ``names`` reach to ``walk.notified``; True if any was new."""
        added = False
        for name in names:
            handlers = self.find(str(name))
            if not handlers:
                warn(f"notified handler '{name}' is not defined in this play")
            for handler in handlers:
                if all(h is not handler for h in walk.notified):
                    walk.notified.append(handler)
                    added = True
        if added:
            walk.pending.unsaved = True
        return added
