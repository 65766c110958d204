"""One play's view of variables: composition in precedence order, magic vars, ``hostvars``,
templars, inherited keywords, environment and become — and the roster of hosts it runs on.

Layer 1: reads the run's shared state (:class:`~edgeauto.planner.runstate.RunState`) and the
play; changes nothing but its own caches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgeauto.errors import ModuleArgumentError
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.runstate import RunState
from edgeauto.planner.state import HostState
from edgeauto.planner.varscope import compose, inject_facts
from edgeauto.playbook.model import Become, Play, Task
from edgeauto.playbook.walk import flatten_roles
from edgeauto.transport.base import BecomeSpec

ANSIBLE_VERSION = {
    "full": "2.17.0",
    "major": 2,
    "minor": 17,
    "revision": 0,
    "string": "2.17.0 (edgeauto)",
}


class PlayScope:
    """Variables and keywords of one play for each of its hosts (see module docstring)."""

    def __init__(self, fleet: RunState, play: Play):
        self.fleet = fleet
        self.play = play
        self.all_roles = flatten_roles(play.roles)
        self.play_vars: dict[str, Any] = {}
        self.hosts: list[str] = []  # the play's hosts (ansible_play_hosts_all)
        self.batch: list[str] = []  # the current serial batch
        self._inventory_vars: dict[str, dict] = {}
        self._status_version = 0
        self._active: tuple | None = None
        # resolved once: every task's magic variables carry it, and resolving is a realpath()
        # walk of syscalls (10% of a warm 10-host run's CPU when done per task)
        self.playbook_dir = str(play.basedir.resolve())

    # ------------------------------------------------------------------ roster

    def status_changed(self) -> None:
        """A host failed, was rescued or became unreachable: active lists are stale."""
        self._status_version += 1

    def active_lists(self) -> tuple[list[str], list[str]]:
        """(active play hosts, active batch hosts), recomputed only after a host's status
        changed — every task of every host reads them, fleets are large."""
        key = (self._status_version, id(self.batch))
        cached = self._active
        if cached is None or cached[0] != key:
            states = self.fleet.states

            def alive(h):
                st = states.get(h)
                return st is None or st.active

            cached = (key, [h for h in self.hosts if alive(h)], [h for h in self.batch if alive(h)])
            self._active = cached
        return cached[1], cached[2]

    # ------------------------------------------------------------------ variables

    def compose_vars(
        self, state: HostState, task: Task | None, wctx: WalkCtx, extra: dict | None = None
    ) -> dict:
        """The host's variables for ``task``, lowest precedence first (``varscope``)."""
        role = wctx.role
        layers: list = [self.command_line_vars]
        layers += [r.defaults for r in self.all_roles]
        if role is not None:
            layers.append(role.defaults)
        layers.append(self.inventory_vars(state.name))
        if state.facts:
            layers.append(inject_facts(state.facts))
        layers.append(self.play_vars)
        layers.extend(r.vars for r in self.all_roles)
        if role is not None:
            layers.append(role.vars)
        layers.extend(wctx.vars_chain)
        if task is not None and task.vars:
            layers.append(task.vars)
        layers += [state.included_vars, state.set_facts, state.registered]
        if role is not None:
            layers.append(role.params)
        layers.extend(wctx.include_params)
        layers.append(self.fleet.extra_vars)
        layers.append(self.magic_vars(state.name, role))
        if extra:
            layers.append(extra)
        return compose(layers)

    @property
    def command_line_vars(self) -> dict:
        """Connection variables the command line sets, below everything else (ansible: ``-u``
        is what ``ansible_user`` reads unless the inventory or a play sets it)."""
        from edgeauto.transport.factory import DEFAULT_CONNECTION

        opts = self.fleet.options
        # ansible-core always defines ansible_connection (from the play context) even when no
        # inventory sets it: roles test `ansible_connection != 'chroot'` (willshersystems.sshd)
        out = {"ansible_connection": getattr(opts, "connection", None) or DEFAULT_CONNECTION}
        if opts.remote_user:
            out["ansible_user"] = opts.remote_user
        return out

    def login_user(self, name: str, task, wctx, templar) -> str | None:
        """The ``remote_user`` keyword (task, block, play) when it changes who this host's
        connection logs in as: None when unset, the same as the connection's user, or when
        the inventory sets ``ansible_user`` (which outranks the keyword, as in Ansible)."""
        wanted = task.remote_user if task.remote_user is not None else wctx.remote_user
        if wanted in (None, ""):
            return None
        hv = self.inventory_vars(name)
        if any(hv.get(k) not in (None, "") for k in ("ansible_user", "ansible_ssh_user")):
            return None
        wanted = str(templar.render(wanted))
        return None if wanted in ("", self.fleet.options.remote_user) else wanted

    def inventory_vars(self, name: str) -> dict:
        cached = self._inventory_vars.get(name)
        if cached is None:
            cached = self._inventory_vars[name] = self.fleet.host_inventory_vars(name)
        return cached

    def magic_vars(self, name: str, role) -> dict:
        opts = self.fleet.options
        tags = self.fleet.tag_selection
        active, batch = self.active_lists()
        out = self._common_magic(name)
        out.update(
            {
                "inventory_hostname": name,
                "hostvars": self.hostvars(),
                "play_hosts": batch,
                "ansible_play_hosts": active,
                "ansible_play_hosts_all": list(self.hosts),
                "ansible_play_batch": batch,
                "ansible_play_name": self.play.display_name,
                "ansible_check_mode": opts.check,
                "ansible_diff_mode": opts.diff,
                "ansible_verbosity": opts.verbosity,
                "ansible_run_tags": sorted(tags.only),
                "ansible_skip_tags": sorted(tags.skip),
                "ansible_version": dict(ANSIBLE_VERSION),
            }
        )
        # the dirs controller files are searched in, as Ansible's ansible_search_path lists them
        search = [self.playbook_dir]
        if role is not None:
            out["role_path"] = str(role.path)
            out["role_name"] = role.name
            out["ansible_role_name"] = role.name
            search.insert(0, str(role.path))
        out["ansible_search_path"] = search
        return out

    def _common_magic(self, name: str) -> dict:
        """The magic names both a host's own variables and ``hostvars[name]`` carry."""
        from edgeauto.templating import OMIT

        inv = self.fleet.inventory
        return {
            "groups": self.fleet.groups_map(),
            "group_names": inv.group_names(name) if name in inv.hosts else [],
            "inventory_hostname_short": name.split(".")[0],
            "playbook_dir": self.playbook_dir,
            "omit": OMIT,
        }

    def hostvars(self):
        """``hostvars``: lazy, and each host's values are templated in THAT host's context
        (``hostvars['h2'].greeting`` with ``{{ inventory_hostname }}`` inside says h2), as in
        Ansible. A fresh object per composition: hosts change their set_fact/register/facts
        all the time, so a shared cache would need invalidating from every thread; building
        it costs one list of names, composing a host happens only when a template reads it."""
        from edgeauto.templating.variables import HostVars

        return HostVars(
            self.fleet.inventory.hosts,
            self._hostvars_compose,
            vault=self.fleet.vault,
            basedir=self.play.basedir,
        )

    def _hostvars_compose(self, name: str) -> dict:
        out = self._common_magic(name)
        out.update(self.fleet.hostvars_of(name) or {})
        return out

    # ------------------------------------------------------------------ templating and keywords

    def make_templar(self, variables: dict, role=None):
        from edgeauto.templating import Templar

        search = [Path(role.path)] if role is not None else []
        if role is not None:  # ansible also searches the task file's own dir (role/tasks)
            search.append(Path(role.path) / "tasks")
        search.append(self.play.basedir)
        return Templar(
            variables, basedir=self.play.basedir, search_paths=search, vault=self.fleet.vault
        )

    def base_ctx(self, role=None) -> WalkCtx:
        """The keywords every task of the play inherits (play level, command line defaults)."""
        play = self.play
        opts = self.fleet.options
        default = Become(opts.become, opts.become_user, opts.become_method)
        ctx = WalkCtx(
            tags=tuple(play.tags),
            become=play.become.merged_over(default),
            environment=(play.environment,) if play.environment else (),
            check_mode=play.check_mode,
            diff=play.diff,
            no_log=play.no_log,
            any_errors_fatal=play.any_errors_fatal or None,
            timeout=play.timeout,
            remote_user=play.remote_user,
            module_defaults=tuple(play.module_defaults),
        )
        return ctx.child_role(role) if role is not None else ctx

    def environment(self, task: Task, wctx: WalkCtx, templar) -> dict[str, str]:
        merged: dict[str, Any] = {}
        for layer in wctx.environment:
            merged.update(layer)
        merged.update(task.environment or {})
        if not merged:
            return {}
        rendered = templar.render(merged, task.pos)
        return {str(k): str(v) for k, v in rendered.items() if v is not None}

    def become_spec(self, name: str, become: Become, templar, variables=None) -> BecomeSpec | None:
        # As in Ansible, connection variables (ansible_become*) outrank playbook keywords,
        # wherever they are set: inventory, or the task's own variables (``vars:`` of the
        # task, block or play, set_fact …) when ``variables`` are given
        hv = dict(self.inventory_vars(name))
        for key, value in (variables or {}).items():
            if str(key).startswith("ansible_become"):
                hv[key] = value
        wanted = hv["ansible_become"] if "ansible_become" in hv else become.become
        if isinstance(wanted, str):
            from edgeauto.modules.spec import to_bool

            wanted = to_bool(templar.render(wanted))
        if not wanted:
            return None
        user = hv.get("ansible_become_user") or become.user or "root"
        method = hv.get("ansible_become_method") or become.method or "sudo"
        password = (
            self.fleet.options.become_password
            or hv.get("ansible_become_password")
            or hv.get("ansible_become_pass")
        )
        if password is not None:
            password = str(templar.render(password))
        return BecomeSpec(
            method=str(templar.render(method)),
            user=str(templar.render(user)),
            password=password,
            flags=str(hv.get("ansible_become_flags") or become.flags or ""),
        )

    def file_finder(self, role, task: Task):
        """``find(kind, name)`` for a module's controller files (``files/``, ``templates/``)."""
        from edgeauto.playbook.search import find_controller_file, searched_text

        where = {
            "role_path": Path(role.path) if role is not None else None,
            "task_file": task.pos.file if task.pos and task.pos.file else None,
            "basedir": self.play.basedir,
        }

        def find(kind: str, name: str) -> Path:
            # copy also takes a directory (a tree) from files/
            found = find_controller_file(kind, name, allow_dir=kind == "files", **where)
            if found is not None:
                return found
            raise ModuleArgumentError(
                f"could not find {kind[:-1]} file '{name}' (searched "
                f"{searched_text(kind, **where)})",
                task.pos,
            )

        return find
