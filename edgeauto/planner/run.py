"""A whole ``edgeauto run``: load and validate everything, then run the plays over the fleet.

``Run`` holds all state of one run (no globals: tests make two in one process). Nothing touches
a host before every playbook — all plays, all static imports, roles — loaded and validated.

Exit codes (ansible-playbook's): 0 all ok, 1 error before/while running, 2 some host failed,
4 some host unreachable (and none failed), 99 interrupted, 250 unexpected.
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.errors import (
    EXIT_HOST_FAILED,
    EXIT_HOST_UNREACHABLE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ConnectionFailed,
    EdgeautoError,
    ParseError,
    Position,
)
from edgeauto.planner.options import RunOptions
from edgeauto.planner.pending import PendingHandlers
from edgeauto.planner.results import TaskResult
from edgeauto.planner.state import HostState


@dataclass
class RunResult:
    exit_code: int
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    failed_hosts: list[str] = field(default_factory=list)
    unreachable_hosts: list[str] = field(default_factory=list)
    not_run: dict[str, list[str]] = field(default_factory=dict)
    interrupted: bool = False


class Run:
    """One run of one or more playbooks (see module docstring)."""

    def __init__(self, playbooks: list, options: RunOptions | None = None, reporter=None):
        from edgeauto.output.reporter import NullReporter

        self.playbook_paths = [Path(p) for p in playbooks]
        self.options = options or RunOptions()
        self.reporter = reporter or NullReporter()
        self.tag_selection = self.options.tag_selection()
        self.cancelled = threading.Event()
        self.aborted = False
        self.inventory = None
        self.vault = None
        self.playbooks: list = []
        self.extra_vars: dict[str, Any] = dict(self.options.extra_vars)
        self.states: dict[str, HostState] = {}
        self.states_lock = threading.Lock()
        self.inventory_lock = threading.RLock()
        self.results: list[TaskResult] = []
        self.results_lock = threading.Lock()
        self._groups: dict | None = None
        self.pending_handlers = PendingHandlers(self)
        self.loaded = False

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """Inventory, vault, every playbook; validation of everything before anything runs."""
        from edgeauto.inventory import load_inventory
        from edgeauto.playbook import load_and_validate

        self.vault = self._vault()
        first_dir = self.playbook_paths[0].resolve().parent if self.playbook_paths else None
        for path in self.playbook_paths:
            if not path.is_file():
                raise ParseError("playbook not found", Position(str(path)))
        self.inventory = load_inventory(
            self.options.inventory_sources or [], playbook_dir=first_dir, vault=self.vault
        )
        kwargs = {
            "roles_path": list(self.options.roles_path),
            "extra_vars": self.extra_vars,
            "inventory": self.inventory,
            "vault": self.vault,  # whole-file vaulted vars_files are validated too
        }
        for path in self.playbook_paths:
            self.playbooks.append(load_and_validate(path, **kwargs))
        self.loaded = True

    def _vault(self):
        from edgeauto.templating import VaultSecrets

        secrets = VaultSecrets()
        for spec in self.options.vault_ids:
            secrets = secrets.extend(VaultSecrets.from_vault_ids([spec]))
        for path in self.options.vault_password_files:
            secrets = secrets.extend(VaultSecrets.from_password_file(path))
        return secrets

    # ------------------------------------------------------------------ host state

    def state(self, name: str) -> HostState:
        with self.states_lock:
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

    def invalidate_groups(self) -> None:
        self._groups = None

    def hostvars_of(self, name: str) -> dict | None:
        if name not in self.inventory.hosts:
            return None
        out = self.host_inventory_vars(name)
        out["inventory_hostname"] = name
        st = self.states.get(name)
        if st is not None:
            out.update(st.public_vars())
        return out

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
                name = str(templar.render(choice))
                path = Path(name)
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

    # ------------------------------------------------------------------ connections and facts

    def connect(self, state: HostState, prun) -> bool:
        """Open the host's connection (kept for the whole run); report it unreachable if not."""
        from edgeauto.transport.factory import make_transport

        if state.transport is not None:
            return True
        attempts = max(0, int(self.options.retry_unreachable))
        backoff = self.options.retry_backoff
        host_vars = self.host_inventory_vars(state.name)
        host_vars.setdefault("inventory_hostname", state.name)
        if self.options.connection and "ansible_connection" not in host_vars:
            host_vars["ansible_connection"] = self.options.connection
        try:
            transport = make_transport(host_vars, options=self.transport_options())
        except EdgeautoError as exc:
            return self._unreachable(state, prun, exc)
        while True:
            try:
                transport.connect(self.options.connect_timeout)
                state.transport = transport
                return True
            except ConnectionFailed as exc:
                if attempts <= 0 or self.cancelled.is_set():
                    return self._unreachable(state, prun, exc)
                attempts -= 1
                self.reporter.warning(
                    f"{state.name}: unreachable ({exc.message.splitlines()[0]}); retrying in "
                    f"{backoff:g}s ({attempts} retries left)"
                )
                if self.cancelled.wait(backoff):
                    return self._unreachable(state, prun, exc)
                backoff = min(backoff * 2, 30.0)

    def _unreachable(self, state: HostState, prun, exc: EdgeautoError) -> bool:
        from edgeauto.playbook.model import Task

        gathering = prun.play.gather_facts not in (False, "false", "no", "False")
        name = "Gathering Facts" if gathering else "Connecting"
        task = Task("gather_facts" if gathering else "connect", {}, prun.play.pos, name=name)
        res = TaskResult(
            state.name,
            task,
            "unreachable",
            {"unreachable": True, "msg": exc.message},
            key=(prun.index, "facts", 1),
        )
        state.stats.count(res)
        state.unreachable = True
        state.last_unreachable = exc
        self.record(res)
        return False

    def transport_options(self):
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

    def gather(self, transport, subset: list[str], paths: list[str], become=None):
        """Facts and checksums in one round trip (the facts helper's ``gather``)."""
        from edgeauto.facts.gather import gather

        return gather(transport, subset, paths, self.options.task_timeout or 600.0, become=become)

    def tag_selection_skips_facts(self) -> bool:
        """Facts are gathered unless tags select nothing that is ``always`` (Ansible tags the
        implicit facts task ``always``), i.e. only ``--skip-tags always`` turns it off."""
        return "always" in self.tag_selection.skip

    # ------------------------------------------------------------------ results

    def record(self, res: TaskResult) -> None:
        with self.results_lock:
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
            total = max(1, len(self.states))
            return failed * 100.0 / total > float(text[:-1])
        return failed > int(text)

    # ------------------------------------------------------------------ running

    def cancel(self, interrupt_scripts: bool = True) -> None:
        """Stop the run (SIGINT/SIGTERM): no new script starts anywhere, and scripts in flight
        are cut by closing their SSH master connection. Modules change files atomically (temp
        file + rename), so a cut script leaves no half-written file; the records that did come
        back say exactly which tasks ran, the rest are reported as not run."""
        self.cancelled.set()
        if not interrupt_scripts:
            return

        def cut() -> None:
            for st in list(self.states.values()):
                stop = getattr(st.transport, "stop_master", None)
                if stop is not None:
                    try:
                        stop()
                    except Exception:  # noqa: BLE001 - best effort while shutting down
                        pass

        threading.Thread(target=cut, name="cancel", daemon=True).start()

    def execute(self) -> RunResult:
        from edgeauto.planner.play import PlayRun

        if not self.loaded:
            self.load()
        self.reporter.run_start(self)
        index = 0
        try:
            for playbook in self.playbooks:
                self.reporter.playbook_start(playbook)
                for play in playbook.plays:
                    if self.cancelled.is_set() or self.aborted:
                        break
                    PlayRun(self, play, index).execute()
                    index += 1
        finally:
            for st in self.states.values():
                if st.transport is not None:
                    try:
                        st.transport.close()
                    except Exception:  # noqa: BLE001 - closing must never hide the result
                        pass
        result = self.finish()
        self.reporter.run_end(self, result)
        return result

    def finish(self) -> RunResult:
        stats = {n: s.stats.as_dict() for n, s in self.states.items()}
        failed = self.failed_hosts()
        unreachable = self.unreachable_hosts()
        if self.cancelled.is_set():
            code = EXIT_INTERRUPTED
        elif failed:
            code = EXIT_HOST_FAILED
        elif unreachable:
            code = EXIT_HOST_UNREACHABLE
        elif self.aborted:
            code = EXIT_HOST_FAILED
        else:
            code = EXIT_OK
        not_run = {n: list(s.not_run) for n, s in self.states.items() if s.not_run}
        result = RunResult(code, stats, failed, unreachable, not_run, self.cancelled.is_set())
        self.write_retry_file(failed + unreachable)
        return result

    def write_retry_file(self, hosts: list[str]) -> None:
        """``<playbook>.retry`` with failed and unreachable hosts (use with ``--limit @file``)."""
        if not self.options.write_retry_file or not self.playbook_paths:
            return
        target = self.options.retry_file or self.playbook_paths[0].with_suffix(".retry")
        target = Path(target)
        try:
            if not hosts:
                if target.exists():
                    target.unlink()
                return
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_text("".join(f"{h}\n" for h in sorted(hosts)))
            os.replace(tmp, target)
        except OSError as exc:
            self.reporter.warning(f"could not write retry file {target}: {exc}")


def parse_extra_vars(values: list[str]) -> dict[str, Any]:
    """``-e`` values: ``k=v k2=v2``, a JSON/YAML mapping, or ``@file`` (YAML/JSON)."""
    from edgeauto.playbook.splitter import parse_kv
    from edgeauto.yamlsrc import load_yaml, load_yaml_text

    out: dict[str, Any] = {}
    for value in values or []:
        value = value.strip()
        if not value:
            continue
        if value.startswith("@"):
            path = Path(value[1:])
            data = load_yaml(path)
            where = str(path)
        elif value[0] in "{[":
            try:
                data = json.loads(value)
            except json.JSONDecodeError:
                data = load_yaml_text(value, "<extra vars>")
            where = "-e"
        else:
            data = parse_kv(value)
            where = "-e"
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ParseError(
                f"extra vars must be a mapping (key=value, JSON object or @file), found "
                f"{type(data).__name__}",
                Position(where),
            )
        out.update(data)
    return out


def percent(part: int, whole: int) -> float:
    return 0.0 if whole == 0 else math.floor(part * 1000.0 / whole) / 10.0
