"""Hosts, groups and their variables, with Ansible's semantics.

The loaders (INI, YAML, dynamic sources) only call :meth:`Inventory.add_host`,
:meth:`Inventory.add_group` and :meth:`Inventory.add_child`; everything Ansible derives from
that graph (the implicit ``all``/``ungrouped`` groups, group depth, the ``groups`` magic
variable, variable precedence) is computed here, so every source behaves the same.

Variables live in layers because Ansible's precedence depends on *where* a value was written,
not only on which group it belongs to: inline inventory vars < ``group_vars/`` beside the
inventory < ``group_vars/`` beside the playbook, and the same for hosts (see
:meth:`Inventory.host_vars`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from edgeauto.errors import InventoryError, Position

LOCALHOST_NAMES = ("localhost", "127.0.0.1", "::1")

log = logging.getLogger("edgeauto.inventory")

# Tiers of vars-directory data, lowest precedence first.
VARS_TIERS = ("inventory", "playbook")


@dataclass
class Host:
    """One inventory host. ``groups`` are its direct groups, in the order they were added."""

    name: str
    vars: dict = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    pos: Position | None = None


@dataclass
class Group:
    """One group; ``hosts`` are direct members, ``children`` direct child groups (in order)."""

    name: str
    vars: dict = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    pos: Position | None = None
    priority: int = 1  # ansible_group_priority; kept out of vars as Ansible does


def set_var(target: dict, key: str, value: Any) -> None:
    """Assign one inventory variable (top-level replace, Ansible's default hash_behaviour)."""
    target[key] = value


class Inventory:
    """The host/group graph plus variable layers; see the module docstring."""

    def __init__(self) -> None:
        self.hosts: dict[str, Host] = {}
        self.groups: dict[str, Group] = {}
        # tier -> entity name -> vars, loaded from group_vars/ and host_vars/ directories
        self.dir_group_vars: dict[str, dict[str, dict]] = {t: {} for t in VARS_TIERS}
        self.dir_host_vars: dict[str, dict[str, dict]] = {t: {} for t in VARS_TIERS}
        self.sources: list[str] = []  # every -i source that was parsed, in order
        self.current_source: str | None = None  # set by loaders: becomes inventory_file
        # Non-fatal source problems (an unreachable hypervisor, one failing cloud): the load
        # goes on, and callers that want more than the log line can read them here.
        self.warnings: list[str] = []
        # True after a change until reconcile() runs; queries reconcile first, so hosts and
        # groups added at run time (add_host, group_by) are visible like in Ansible.
        self._dirty = False
        self.add_group("all")
        self.add_group("ungrouped")
        self.add_child("all", "ungrouped")

    @property
    def dynamic_warnings(self) -> list[str]:
        """Older name of :attr:`warnings` (the dynamic sources used it first)."""
        return self.warnings

    def warn(self, message: str) -> None:
        """Record a non-fatal problem once and log it as Ansible prints it (``[WARNING]: …``
        on stderr, via logging so every command that loads an inventory shows it)."""
        if message not in self.warnings:
            self.warnings.append(message)
            log.warning("[WARNING]: %s", message)

    # ---- building -------------------------------------------------------------------------

    def add_group(
        self, name: str, parent: str | None = None, vars: dict | None = None, pos=None
    ) -> Group:
        """Create (or return) a group; optionally attach it under ``parent`` and set vars."""
        self._dirty = True
        name = str(name)
        if not name:
            raise InventoryError("a group name must not be empty", pos)
        group = self.groups.get(name)
        if group is None:
            group = Group(name, pos=pos)
            self.groups[name] = group
        if vars:
            for key, value in vars.items():
                self.set_group_var(name, key, value, pos)
        if parent is not None:
            if parent not in self.groups:
                self.add_group(parent, pos=pos)
            self.add_child(parent, name, pos=pos)
        return group

    def add_host(
        self, name: str, group: str | None = None, vars: dict | None = None, pos=None
    ) -> Host:
        """Create (or return) a host, add it to ``group`` (created if missing) and set vars."""
        self._dirty = True
        name = str(name)
        if not name:
            raise InventoryError("a host name must not be empty", pos)
        host = self.hosts.get(name)
        if host is None:
            host = Host(name, pos=pos)
            self.hosts[name] = host
            # Ansible records the first source a host was seen in.
            source = self.current_source
            host.vars["inventory_file"] = source
            host.vars["inventory_dir"] = _source_dir(source) if source else None
        if group is not None:
            if group not in self.groups:
                self.add_group(group, pos=pos)
            grp = self.groups[group]
            if name not in grp.hosts:
                grp.hosts.append(name)
            if group not in host.groups:
                host.groups.append(group)
        if vars:
            for key, value in vars.items():
                set_var(host.vars, str(key), value)
        return host

    def set_group_var(self, group: str, key: str, value: Any, pos=None) -> None:
        """Set an inline group variable; ``ansible_group_priority`` sets the priority."""
        grp = self.groups[group]
        key = str(key)
        if key == "ansible_group_priority":
            try:
                grp.priority = int(value)
            except (TypeError, ValueError):
                raise InventoryError(
                    f"ansible_group_priority must be an integer, found {value!r}", pos
                ) from None
            return
        set_var(grp.vars, key, value)

    def add_child(self, parent: str, child: str, pos=None) -> None:
        """Make ``child`` (a group, else a host) a member of ``parent``; refuse cycles."""
        self._dirty = True
        if parent not in self.groups:
            raise InventoryError(f"'{parent}' is not a known group", pos)
        if child in self.groups:
            if child == parent:
                raise InventoryError(f"group '{parent}' cannot be a child of itself", pos)
            if child in self.groups[parent].children:
                return
            if child in self._ancestors(parent):
                raise InventoryError(
                    f"adding group '{child}' as a child of '{parent}' creates a dependency loop",
                    pos,
                )
            self.groups[parent].children.append(child)
            if parent not in self.groups[child].parents:
                self.groups[child].parents.append(parent)
        elif child in self.hosts:
            self.add_host(child, parent)
        else:
            raise InventoryError(f"'{child}' is not a known host nor group", pos)

    def reconcile(self) -> None:
        """Apply Ansible's implicit rules after loading: top groups under ``all``, lone hosts
        in ``ungrouped`` and hosts with a real group out of it."""
        for name, group in list(self.groups.items()):
            if name != "all" and not group.parents:
                self.add_child("all", name)
        ungrouped = self.groups["ungrouped"]
        for host in self.hosts.values():
            real = [g for g in host.groups if g not in ("all", "ungrouped")]
            if "ungrouped" in host.groups and real:
                host.groups.remove("ungrouped")
                ungrouped.hosts.remove(host.name)
            elif not real and "ungrouped" not in host.groups:
                self.add_host(host.name, "ungrouped")
        self._dirty = False

    def _ensure_reconciled(self) -> None:
        if self._dirty:
            self.reconcile()

    def merge(self, other: Inventory) -> None:
        """Add every host, group, membership and variable of ``other`` (later wins)."""
        for gname, g in other.groups.items():
            mine = self.add_group(gname, pos=g.pos)
            mine.vars.update(g.vars)
            if g.priority != 1:
                mine.priority = g.priority
        for hname, h in other.hosts.items():
            existed = hname in self.hosts
            mine = self.add_host(hname, pos=h.pos)
            new_vars = dict(h.vars)
            if existed:  # inventory_file stays the first source the host was seen in
                new_vars.pop("inventory_file", None)
                new_vars.pop("inventory_dir", None)
            mine.vars.update(new_vars)
        for gname, g in other.groups.items():
            for child in g.children:
                self.add_child(gname, child)
            for hname in g.hosts:
                self.add_host(hname, gname)
        for tier in VARS_TIERS:
            for name, data in other.dir_group_vars[tier].items():
                self.dir_group_vars[tier].setdefault(name, {}).update(data)
            for name, data in other.dir_host_vars[tier].items():
                self.dir_host_vars[tier].setdefault(name, {}).update(data)
        self.sources.extend(s for s in other.sources if s not in self.sources)
        self.warnings.extend(w for w in other.warnings if w not in self.warnings)
        self.reconcile()

    def load_playbook_vars(self, playbook_dir, vault=None) -> None:
        """Load ``group_vars/``/``host_vars/`` beside a playbook (the highest vars-dir tier).

        For callers that load the inventory before they know the playbook; calling it again
        for another playbook replaces the previous playbook tier.
        """
        from edgeauto.inventory.varsdirs import load_vars_dirs

        self.dir_group_vars["playbook"] = {}
        self.dir_host_vars["playbook"] = {}
        load_vars_dirs(self, playbook_dir, "playbook", vault)

    # ---- graph queries ----------------------------------------------------------------------

    def _ancestors(self, group: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.groups[group].parents)
        while todo:
            g = todo.pop()
            if g not in seen:
                seen.add(g)
                todo.extend(self.groups[g].parents)
        return seen

    def depth(self, group: str) -> int:
        """Longest path from ``all`` (Ansible sorts group vars by this)."""
        self._ensure_reconciled()
        memo: dict[str, int] = {}

        def walk(name: str) -> int:
            if name not in memo:
                parents = self.groups[name].parents
                memo[name] = 1 + max(walk(p) for p in parents) if parents else 0
            return memo[name]

        return walk(group)

    def descendants(self, group: str, include_self: bool = True) -> list[str]:
        """Breadth-first list of child groups (each once), the order Ansible walks them."""
        ordered = [group] if include_self else []
        seen = {group}
        level = [group]
        while level:
            nxt = []
            for g in level:
                for child in self.groups[g].children:
                    if child not in seen:
                        seen.add(child)
                        ordered.append(child)
                        nxt.append(child)
            level = nxt
        return ordered

    def group_hosts(self, group: str) -> list[str]:
        """All hosts of a group and its descendants, in Ansible's order, each once."""
        self._ensure_reconciled()
        result: list[str] = []
        seen: set[str] = set()
        for g in self.descendants(group):
            for h in self.groups[g].hosts:
                if h not in seen:
                    seen.add(h)
                    result.append(h)
        return result

    def host_groups(self, host_name: str) -> list[str]:
        """Direct groups of a host plus all their ancestors (including ``all``)."""
        self._ensure_reconciled()
        host = self.hosts[host_name]
        result: list[str] = []
        for g in host.groups:
            for a in [g, *sorted(self._ancestors(g))]:
                if a not in result:
                    result.append(a)
        if "all" not in result:
            result.append("all")
        return result

    def group_names(self, host_name: str) -> list[str]:
        """The ``group_names`` magic variable: every group of the host but ``all``, sorted."""
        return sorted(g for g in self.host_groups(host_name) if g != "all")

    def groups_map(self) -> dict[str, list[str]]:
        """The ``groups`` magic variable: every group (incl. all/ungrouped) -> host names."""
        self._ensure_reconciled()
        return {name: self.group_hosts(name) for name in self.groups}

    def sorted_groups(self, names) -> list[str]:
        """Ansible's group-vars order: depth, then ansible_group_priority, then name."""
        return sorted(names, key=lambda n: (self.depth(n), self.groups[n].priority, n))

    # ---- variables ----------------------------------------------------------------------------

    def host_vars(self, host_name: str) -> dict:
        """Inventory-level variables of one host, merged in Ansible's precedence order:

        1 inline vars of ``all``; 2 inline vars of the host's other groups (by depth, priority,
        name); 3 ``group_vars/all`` beside the inventory; 4 ``group_vars/all`` beside the
        playbook; 5 inventory ``group_vars/<group>``; 6 playbook ``group_vars/<group>``;
        7 inline host vars; 8 inventory ``host_vars/<host>``; 9 playbook ``host_vars/<host>``.
        """
        self._ensure_reconciled()
        host = self.hosts.get(host_name)
        if host is None:
            if host_name not in LOCALHOST_NAMES:
                raise InventoryError(f"unknown host '{host_name}'")
            host = self.implicit_localhost(host_name)  # in no group; 'all' vars still apply
            groups = []
        else:
            groups = self.sorted_groups(g for g in self.host_groups(host_name) if g != "all")
        result: dict = {}
        result.update(self.groups["all"].vars)
        for g in groups:
            result.update(self.groups[g].vars)
        for tier in VARS_TIERS:
            result.update(self.dir_group_vars[tier].get("all", {}))
        for tier in VARS_TIERS:
            for g in groups:
                result.update(self.dir_group_vars[tier].get(g, {}))
        result.update(host.vars)
        for tier in VARS_TIERS:
            result.update(self.dir_host_vars[tier].get(host_name, {}))
        return result

    def group_vars(self, group: str) -> dict:
        """A group's own vars (inline, then its vars-directory files), as ``--export`` shows."""
        result = dict(self.groups[group].vars)
        for tier in VARS_TIERS:
            result.update(self.dir_group_vars[tier].get(group, {}))
        return result

    # ---- selection ------------------------------------------------------------------------

    def select(self, pattern: str | list[str], limit: str | list[str] | None = None) -> list:
        """Hosts matching an Ansible host pattern, restricted by ``--limit`` (ordered, unique)."""
        self._ensure_reconciled()
        from edgeauto.inventory.patterns import select_hosts

        names = select_hosts(self, pattern, limit)
        return [self.get_host(n) for n in names]

    def get_host(self, name: str) -> Host | None:
        """A host by name; ``localhost`` exists implicitly (not in ``all``) as in Ansible."""
        host = self.hosts.get(name)
        if host is None and name in LOCALHOST_NAMES:
            host = self.implicit_localhost(name)
        return host

    def implicit_localhost(self, name: str = "localhost") -> Host:
        """Ansible's implicit localhost: local connection, in no group, never matched by all."""
        for host in self.hosts.values():
            if host.name in LOCALHOST_NAMES:
                return host
        host = Host(name, vars={"ansible_connection": "local"})
        return host


def _source_dir(source: str) -> str:
    import os

    return source if os.path.isdir(source) else os.path.dirname(source)
