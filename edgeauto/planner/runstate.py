"""What every play of one run shares: the inventory, each host's state, results, cancellation.

Layer 0 of the planner: the play, host and dispatch layers read and change the fleet through
this object only; loading playbooks and the exit code belong to :class:`~edgeauto.planner.run.Run`,
which is a ``RunState`` plus those. No globals: tests make two runs in one process.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from edgeauto.errors import ParseError
from edgeauto.planner.options import RunOptions
from edgeauto.planner.results import TaskResult
from edgeauto.planner.state import HostState


class RunState:
    """Fleet-wide state of one run, safe to use from every host thread."""

    def __init__(self, options: RunOptions, reporter):
        self.options = options
        self.reporter = reporter
        self.tag_selection = options.tag_selection()
        self.cancelled = threading.Event()
        self.aborted = False
        self.inventory = None
        self.vault = None
        self.playbook_paths: list[Path] = []
        self.extra_vars: dict[str, Any] = dict(options.extra_vars)
        self.states: dict[str, HostState] = {}
        self.results: list[TaskResult] = []
        self._states_lock = threading.Lock()
        self._results_lock = threading.Lock()
        self.inventory_lock = threading.RLock()
        self._groups: dict | None = None
        self.step_gate = None  # planner/step.StepGate under --step
        if options.step:
            from edgeauto.planner.step import StepGate

            self.step_gate = StepGate()

    # ------------------------------------------------------------------ hosts

    def state(self, name: str) -> HostState:
        with self._states_lock:
            st = self.states.get(name)
            if st is None:
                st = self.states[name] = HostState(name)
            return st

    def host_inventory_vars(self, name: str) -> dict:
        with self.inventory_lock:
            inv = self.inventory
            if name in inv.hosts:
                return dict(inv.host_vars(name))
            host = inv.get_host(name)
            return dict(host.vars) if host is not None else {}

    def groups_map(self) -> dict:
        with self.inventory_lock:
            if self._groups is None:
                self._groups = self.inventory.groups_map()
            return self._groups

    def hostvars_of(self, name: str) -> dict | None:
        if name not in self.inventory.hosts:
            return None
        out = self.host_inventory_vars(name)
        out["inventory_hostname"] = name
        st = self.states.get(name)
        if st is not None:
            out.update(st.public_vars())
        return out

    def apply_inventory_change(self, host: str, result: dict) -> None:
        """``add_host`` / ``group_by`` results change the shared inventory (under its lock)."""
        inv = self.inventory
        with self.inventory_lock:
            add = result.get("add_host")
            if isinstance(add, dict) and add.get("host_name"):
                name = str(add["host_name"])
                inv.add_host(name, vars=dict(add.get("host_vars") or {}))
                for group in add.get("groups") or []:
                    inv.add_host(name, str(group))
                inv.reconcile()
            group = result.get("add_group")
            if group:
                inv.add_host(host, str(group))
                for parent in result.get("parent_groups") or []:
                    inv.add_group(str(group), parent=str(parent))
                inv.reconcile()
            self._groups = None

    def select_hosts(self, pattern: str, play_vars: dict | None = None) -> list[str]:
        """Hosts of a play's ``hosts:`` pattern; a templated pattern (``"{{ target }}"``) is
        rendered with the play's vars and the extra vars, as ansible-playbook does."""
        from edgeauto.modules.spec import is_templated

        if is_templated(pattern):
            from edgeauto.templating import Templar

            pattern = str(Templar({**(play_vars or {}), **self.extra_vars}).render(pattern))
        with self.inventory_lock:
            hosts = self.inventory.select(pattern, self.options.limit)
        return [h.name for h in hosts]

    def roles_path(self, play) -> list:
        from edgeauto.playbook import roles_search_path

        return roles_search_path(play.basedir, self.options.roles_path)

    def load_play_vars(self, play) -> dict:
        """Play vars plus vars_files (first existing file of each list entry)."""
        from edgeauto.inventory.varsdirs import load_vars_file
        from edgeauto.templating import Templar

        out = dict(play.vars)
        for entry in play.vars_files:
            choices = entry if isinstance(entry, list) else [entry]
            templar = Templar({**out, **self.extra_vars}, basedir=play.basedir, vault=self.vault)
            for choice in choices:
                path = Path(str(templar.render(choice)))
                if not path.is_absolute():
                    path = play.basedir / path
                if path.is_file():
                    out.update(load_vars_file(path, self.vault))
                    break
            else:
                raise ParseError(
                    f"vars_files: none of {', '.join(map(str, choices))} exists",
                    getattr(entry, "pos", None) or play.pos,
                )
        return out

    # ------------------------------------------------------------------ results and budgets

    def record(self, res: TaskResult) -> None:
        with self._results_lock:
            self.results.append(res)
        self.reporter.task_result(res)

    def failed_hosts(self) -> list[str]:
        return [n for n, s in self.states.items() if s.failed]

    def unreachable_hosts(self) -> list[str]:
        return [n for n, s in self.states.items() if s.unreachable and not s.failed]

    def over_fleet_budget(self) -> bool:
        """``--max-fail N`` or ``N%`` of all hosts the run touched: failed hosts only."""
        budget = self.options.max_fail
        if budget in (None, ""):
            return False
        failed = len(self.failed_hosts())
        text = str(budget).strip()
        if text.endswith("%"):
            return failed * 100.0 / max(1, len(self.states)) > float(text[:-1])
        return failed > int(text)

    def sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the run is cancelled; True if it was."""
        return self.cancelled.wait(seconds)

    def transport_options(self):
        """The controller-side transport settings of this run (command line over defaults)."""
        from edgeauto.transport.options import TransportOptions

        opts = TransportOptions.coerce(self.options.transport_options)
        opts.connect_timeout = self.options.connect_timeout
        if self.options.remote_user:
            opts.user = self.options.remote_user
        if self.options.private_key_file:
            opts.private_key_file = self.options.private_key_file
        if self.options.connection_password:
            opts.password = self.options.connection_password
        if self.options.become_password:
            opts.become_password = self.options.become_password
        return opts
