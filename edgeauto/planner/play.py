"""One play over the fleet: host selection, ``serial`` batches, parallel host walks, sync points.

Hosts run independently, one thread each (bounded by ``--forks``); they meet only where the
semantics need it:

* ``run_once`` — a sync point, as in Ansible: the first host of the batch (inventory order)
  that is still running runs it, the others wait for its result. Hosts that failed, ended or
  wait at another ``run_once`` are passed over, so diverging walks cannot deadlock;
* ``any_errors_fatal`` and ``max_fail_percentage`` — a failure sets the batch's stop flag, which
  the other hosts honour at their next task/segment boundary (a script already on its way is not
  interrupted: a host is never left mid-task by another host's failure);
* the end of a ``serial`` batch — the next batch starts only after every host of this one ended,
  and only if the batch stayed within its failure budget.

Unreachable is not failed: unreachable hosts are reported and retried (``--retry-unreachable``)
but do not consume the failure budget (``max_fail_percentage`` / ``--max-fail``).
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgeauto.errors import EdgeautoError, ModuleArgumentError
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.host import FAILED, OK, HostRunner
from edgeauto.planner.remote_io import RemoteIOMixin
from edgeauto.planner.results import TaskResult
from edgeauto.planner.state import HostState
from edgeauto.planner.varscope import compose, inject_facts
from edgeauto.playbook.model import Become, Block, Play, Task
from edgeauto.transport.base import BecomeSpec

if TYPE_CHECKING:  # pragma: no cover
    from edgeauto.planner.run import Run


@dataclass
class _Once:
    owner: str | None = None
    arrived: set[str] = field(default_factory=set)
    event: threading.Event = field(default_factory=threading.Event)
    result: TaskResult | None = None


def serial_batches(hosts: list, serial: Any) -> list[list]:
    """Split hosts into batches: ``serial`` is an int, ``"30%"``, or a list of those (the last
    size repeats), as in Ansible."""
    if serial in (None, "", 0, "0"):
        return [hosts] if hosts else []
    sizes = serial if isinstance(serial, list) else [serial]
    total = len(hosts)
    batches: list[list] = []
    index = 0
    step = 0
    while index < total:
        spec = sizes[min(step, len(sizes) - 1)]
        text = str(spec).strip()
        if text.endswith("%"):
            size = int(math.floor(total * float(text[:-1]) / 100.0)) or 1
        else:
            size = int(text)
        size = max(1, size)
        batches.append(hosts[index : index + size])
        index += size
        step += 1
    return batches


class PlayRun(RemoteIOMixin):
    """Everything one play needs while its hosts run (see module docstring)."""

    def __init__(self, run: Run, play: Play, index: int):
        self.run = run
        self.play = play
        self.index = index
        self.lock = threading.Lock()
        self.play_vars: dict[str, Any] = {}
        self.hosts: list[str] = []
        self.batch: list[str] = []
        self.batch_failed: set[str] = set()
        self.abort = threading.Event()
        self.end_play_requested = False
        self.end_batch_requested = False
        self.once: dict[tuple, _Once] = {}
        self.once_cond = threading.Condition()
        self.walking: set[str] = set()  # batch hosts whose walk has not ended (run_once)
        self.deciding_at: dict[str, tuple] = {}  # host -> run_once key it waits to decide
        self.roles_done: dict[str, set[int]] = {}
        self.extra_handlers: list[Task] = []
        # include_role's params, seen by that inclusion's handlers too (id(handler) -> params)
        self.handler_include_params: dict[int, tuple] = {}
        self._inventory_vars: dict[str, dict] = {}
        self.status_version = 0
        self._active = None
        self.lockstep = _wants_lockstep(play)
        self.phaser = None
        self.all_roles = _flatten_roles(play.roles)

    # ------------------------------------------------------------------ variables

    def compose_vars(self, state: HostState, task: Task | None, wctx: WalkCtx, extra=None) -> dict:
        role = wctx.role
        layers: list = [r.defaults for r in self.all_roles]
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
        layers.append(state.included_vars)
        layers.append(state.set_facts)
        layers.append(state.registered)
        if role is not None:
            layers.append(role.params)
        layers.extend(wctx.include_params)
        layers.append(self.run.extra_vars)
        layers.append(self.magic_vars(state, role))
        if extra:
            layers.append(extra)
        return compose(layers)

    def inventory_vars(self, name: str) -> dict:
        cached = self._inventory_vars.get(name)
        if cached is None:
            cached = self.run.host_inventory_vars(name)
            self._inventory_vars[name] = cached
        return cached

    def magic_vars(self, state: HostState, role) -> dict:
        from edgeauto.templating import OMIT

        inv = self.run.inventory
        name = state.name
        out = {
            "inventory_hostname": name,
            "inventory_hostname_short": name.split(".")[0],
            "group_names": inv.group_names(name) if name in inv.hosts else [],
            "groups": self.run.groups_map(),
            "hostvars": self.hostvars(),
            "play_hosts": self.active_lists()[1],
            "ansible_play_hosts": self.active_lists()[0],
            "ansible_play_hosts_all": list(self.hosts),
            "ansible_play_batch": self.active_lists()[1],
            "ansible_play_name": self.play.display_name,
            "playbook_dir": str(self.play.basedir.resolve()),
            "ansible_check_mode": self.run.options.check,
            "ansible_diff_mode": self.run.options.diff,
            "ansible_verbosity": self.run.options.verbosity,
            "ansible_run_tags": sorted(self.run.tag_selection.only),
            "ansible_skip_tags": sorted(self.run.tag_selection.skip),
            "ansible_version": {
                "full": "2.17.0",
                "major": 2,
                "minor": 17,
                "revision": 0,
                "string": "2.17.0 (edgeauto)",
            },
            "omit": OMIT,
        }
        if role is not None:
            out["role_path"] = str(role.path)
            out["role_name"] = role.name
            out["ansible_role_name"] = role.name
        return out

    def hostvars(self):
        """``hostvars``: lazy, and each host's values are templated in THAT host's context
        (``hostvars['h2'].greeting`` with ``{{ inventory_hostname }}`` inside says h2), as in
        Ansible. A fresh object per composition: hosts change their set_fact/register/facts
        all the time, so a shared cache would need invalidating from every thread; building
        it costs one list of names, composing a host happens only when a template reads it."""
        from edgeauto.templating.variables import HostVars

        return HostVars(
            self.run.inventory.hosts,
            self._hostvars_compose,
            vault=self.run.vault,
            basedir=self.play.basedir,
        )

    def _hostvars_compose(self, name: str) -> dict:
        """What ``hostvars[name]`` holds (inventory vars, facts, set_fact, register) plus the
        magic names its templates may use."""
        from edgeauto.templating import OMIT

        inv = self.run.inventory
        out = {
            "groups": self.run.groups_map(),
            "group_names": inv.group_names(name) if name in inv.hosts else [],
            "inventory_hostname_short": name.split(".")[0],
            "playbook_dir": str(self.play.basedir.resolve()),
            "omit": OMIT,
        }
        out.update(self.run.hostvars_of(name) or {})
        return out

    def active_lists(self) -> tuple[list[str], list[str]]:
        """(active play hosts, active batch hosts), recomputed only after a host's status
        changed — every task of every host reads them, fleets are large."""
        key = (self.status_version, id(self.batch))
        cached = self._active
        if cached is None or cached[0] != key:
            states = self.run.states

            def alive(h):
                st = states.get(h)
                return st is None or st.active

            cached = (key, [h for h in self.hosts if alive(h)], [h for h in self.batch if alive(h)])
            self._active = cached
        return cached[1], cached[2]

    def status_changed(self) -> None:
        self.status_version += 1

    def make_templar(self, variables: dict, role=None):
        from edgeauto.templating import Templar

        search = []
        if role is not None:
            search.append(Path(role.path))
        search.append(self.play.basedir)
        return Templar(
            variables, basedir=self.play.basedir, search_paths=search, vault=self.run.vault
        )

    def base_ctx(self, role=None) -> WalkCtx:
        play = self.play
        opts = self.run.options
        default = Become(opts.become, opts.become_user, opts.become_method)
        ctx = WalkCtx(
            tags=tuple(play.tags),
            become=play.become.merged_over(default),
            environment=(play.environment,) if play.environment else (),
            check_mode=play.check_mode,
            diff=play.diff,
            no_log=play.no_log,
            any_errors_fatal=play.any_errors_fatal or None,
        )
        if role is not None:
            ctx = ctx.child_role(role)
        return ctx

    # ------------------------------------------------------------------ modules and files

    def module_for(self, action: str):
        from edgeauto.modules.registry import get_module

        return get_module(action)

    def file_finder(self, role, task: Task):
        task_dir = Path(task.pos.file).parent if task.pos and task.pos.file else None

        def find(kind: str, name: str) -> Path:
            bases = []
            if role is not None:
                bases.append(Path(role.path))
            if task_dir is not None:
                bases.extend([task_dir, task_dir.parent])
            bases.append(self.play.basedir)
            for base in bases:
                for candidate in (base / kind / name, base / name):
                    # copy also takes a directory (a tree) from files/
                    if candidate.is_file() or (kind == "files" and candidate.is_dir()):
                        return candidate
            searched = ", ".join(str(b / kind) for b in bases)
            raise ModuleArgumentError(
                f"could not find {kind[:-1]} file '{name}' (searched {searched})", task.pos
            )

        return find

    def environment(self, task: Task, wctx: WalkCtx, templar) -> dict[str, str]:
        merged: dict[str, Any] = {}
        for layer in wctx.environment:
            merged.update(layer)
        merged.update(task.environment or {})
        if not merged:
            return {}
        rendered = templar.render(merged, task.pos)
        return {str(k): str(v) for k, v in rendered.items() if v is not None}

    def become_spec(self, state: HostState, become: Become, templar) -> BecomeSpec | None:
        # As in Ansible, connection variables (ansible_become*) outrank playbook keywords.
        hv = self.inventory_vars(state.name)
        wanted = hv["ansible_become"] if "ansible_become" in hv else become.become
        if isinstance(wanted, str):
            from edgeauto.modules.spec import to_bool

            wanted = to_bool(templar.render(wanted))
        if not wanted:
            return None
        user = hv.get("ansible_become_user") or become.user or "root"
        method = hv.get("ansible_become_method") or become.method or "sudo"
        password = (
            self.run.options.become_password
            or hv.get("ansible_become_password")
            or hv.get("ansible_become_pass")
        )
        if password is not None:
            password = str(templar.render(password))
        flags = hv.get("ansible_become_flags") or become.flags or ""
        return BecomeSpec(
            method=str(templar.render(method)),
            user=str(templar.render(user)),
            password=password,
            flags=str(flags),
        )

    # ------------------------------------------------------------------ handlers

    def handler_order(self) -> list[Task]:
        """Every handler in Ansible's definition order, each object once.

        Like Ansible's play handler list: the handlers of each ``roles:`` role instance in run
        order (dependencies first), then the play's own (and ``import_role``'d) handlers, then
        those of roles pulled in by ``include_role`` at run time. ``Play.handlers`` already
        holds the role handlers it merged, so deduplicating by identity keeps a handler from
        running twice; a role listed again with other params has its own handler objects,
        placed where Ansible places them (which matters: see :meth:`find_handlers`).
        """
        out: list[Task] = []
        seen: set[int] = set()
        sources = [*(role.handlers for role in self.all_roles), self.play.handlers]
        for handlers in (*sources, self.extra_handlers):
            for handler in handlers:
                if id(handler) not in seen:
                    seen.add(id(handler))
                    out.append(handler)
        return out

    def register_role_handlers(self, role, include_params: tuple = ()) -> None:
        with self.lock:
            for handler in role.handlers:
                if all(h is not handler for h in self.extra_handlers):
                    self.extra_handlers.append(handler)
                if include_params:
                    self.handler_include_params[id(handler)] = include_params

    def find_handlers(self, name: str) -> list[Task]:
        """Handlers a notification reaches, as Ansible resolves it: by name the LAST handler
        defined with that name wins; by ``listen`` topic every listener, one per handler name
        (again the last defined)."""
        order = list(reversed(self.handler_order()))
        by_name: list[Task] = []
        for handler in order:
            names = {handler.name, handler.display_name}
            if handler.role is not None and handler.name:
                names.add(f"{handler.role.name} : {handler.name}")
            if name in names:
                by_name.append(handler)
                break
        by_topic: list[Task] = []
        seen_names: set[str] = set()
        for handler in order:
            if name not in (handler.listen or []):
                continue
            if handler.name:
                if handler.name in seen_names:
                    continue
                seen_names.add(str(handler.name))
            by_topic.append(handler)
        return by_name + [h for h in reversed(by_topic) if all(h is not b for b in by_name)]

    def current_handler(self, handler: Task) -> Task:
        """The handler a by-name notification runs NOW: Ansible resolves names against the
        handler list when handlers run, so a same-named handler added later (``include_role``
        of the role again) replaces the one notified earlier — it runs once, the last one."""
        if not handler.name or handler.listen:
            return handler
        found = self.find_handlers(str(handler.name))
        return found[0] if found else handler

    def handlers_done(self, runner: HostRunner) -> None:
        self.run.pending_handlers.cleared(runner)

    # ------------------------------------------------------------------ includes

    def load_included_tasks(
        self, target: str, task: Task, wctx: WalkCtx, host_vars: dict | None = None
    ) -> list:
        """Load an include_tasks file; ``host_vars`` (the including task's variables) render
        templated ``import_*`` names inside it, ``roles_path`` finds roles it imports."""
        from edgeauto.playbook import load_task_file

        path = Path(target)
        if not path.is_absolute():
            bases = []
            if wctx.role is not None:
                bases.append(Path(wctx.role.path) / "tasks")
            if task.pos and task.pos.file:
                bases.append(Path(task.pos.file).parent)
            bases.append(self.play.basedir)
            for base in bases:
                if (base / target).is_file():
                    path = base / target
                    break
            else:
                raise EdgeautoError(
                    f"included task file '{target}' not found (searched "
                    + ", ".join(str(b) for b in bases)
                    + ")",
                    task.pos,
                )
        return list(
            load_task_file(
                path,
                role=wctx.role,
                pos=task.pos,
                basedir=self.play.basedir,
                roles_path=self.run.roles_path(self.play),
                extra_vars=self.run.extra_vars,
                static_vars=host_vars or {},
            )
        )

    def load_included_role(self, name: str, task: Task, args: dict):
        from edgeauto.playbook import load_role

        return load_role(
            name,
            roles_path=self.run.roles_path(self.play),
            pos=task.pos,
            params=dict(args.get("vars") or {}),
            tasks_from=args.get("tasks_from"),
        )

    # ------------------------------------------------------------------ sync points

    def should_stop(self, name: str) -> bool:
        return self.run.cancelled.is_set() or self.abort.is_set() or self.end_play_requested

    def sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the run is cancelled; True if it was."""
        return self.run.cancelled.wait(seconds)

    def host_failed(self, name: str, task: Task, wctx: WalkCtx) -> None:
        self.status_changed()
        with self.lock:
            self.batch_failed.add(name)
            fatal = task.any_errors_fatal if task.any_errors_fatal is not None else None
            if fatal is None:
                fatal = wctx.any_errors_fatal
            if fatal is None:
                fatal = self.play.any_errors_fatal
            if fatal:
                self.abort.set()
                self.run.reporter.warning(
                    f"any_errors_fatal: {name} failed, stopping the play for every host"
                )
            if self.over_batch_budget():
                self.abort.set()

    def host_unreachable(self, name: str) -> None:
        """Unreachable hosts do not count against max_fail_percentage (see module docstring)."""
        self.status_changed()

    def over_batch_budget(self) -> bool:
        pct = self.play.max_fail_percentage
        if pct is None or not self.batch:
            return False
        failed = len(self.batch_failed)
        return failed * 100.0 / len(self.batch) > float(pct)

    def run_once(self, runner: HostRunner, task: Task, wctx: WalkCtx) -> str:
        out = runner.flush()
        if out != OK:
            return out
        key = (id(task), runner.occurrences.get(id(task), 0) + 1)
        name = runner.name
        if self.phaser is not None:
            self.phaser.park()
        try:
            with self.once_cond:
                entry = self.once.setdefault(key, _Once())
                entry.arrived.add(name)
                self.deciding_at[name] = key
                self.once_cond.notify_all()
                while entry.owner is None:
                    entry.owner = self._once_owner(entry, key)
                    if entry.owner is not None:
                        self.once_cond.notify_all()
                        break
                    if self.run.cancelled.is_set():
                        self.deciding_at.pop(name, None)
                        return "stopped"
                    self.once_cond.wait(0.2)
                self.deciding_at.pop(name, None)
        finally:
            if self.phaser is not None:
                self.phaser.unpark()
        owner = entry.owner == name
        if owner:
            try:
                runner.last_result = None
                out = runner.execute_now(task, wctx)
                entry.result = runner.last_result
            finally:
                entry.event.set()
            return out
        runner.next_key(task)
        if self.phaser is not None:
            self.phaser.park()
        try:
            while not entry.event.wait(0.2):
                if self.run.cancelled.is_set():
                    return "stopped"
        finally:
            if self.phaser is not None:
                self.phaser.unpark()
        if entry.result is not None and task.register:
            from edgeauto.planner.outcome import registered_value

            runner.state.registered[task.register] = registered_value(entry.result.result)
        return OK

    def _once_owner(self, entry: _Once, key: tuple) -> str | None:
        """Who runs a run_once task: the first batch host (inventory order) still walking and
        active. None = that host is still on its way (wait for it). A host waiting at another
        run_once is passed over, so two run_once tasks reached in different orders by diverging
        walks cannot wait for each other. Called with ``once_cond`` held."""
        states = self.run.states
        for host in self.batch:
            if host not in self.walking:
                continue
            st = states.get(host)
            if st is not None and (not st.active or st.ended):
                continue
            if host in entry.arrived:
                return host
            if self.deciding_at.get(host, key) != key:
                continue
            return None
        return min(entry.arrived, key=self.batch.index) if entry.arrived else None

    def walk_ended(self, name: str) -> None:
        """A host left the play: run_once decisions waiting for it can go on."""
        with self.once_cond:
            self.walking.discard(name)
            self.once_cond.notify_all()

    def apply_inventory_change(self, host: str, result: dict) -> None:
        inv = self.run.inventory
        with self.run.inventory_lock:
            add = result.get("add_host")
            if isinstance(add, dict) and add.get("host_name"):
                name = str(add["host_name"])
                groups = add.get("groups") or []
                inv.add_host(name, vars=dict(add.get("host_vars") or {}))
                for group in groups:
                    inv.add_host(name, str(group))
                inv.reconcile()
            group = result.get("add_group")
            if group:
                inv.add_host(host, str(group))
                for parent in result.get("parent_groups") or []:
                    inv.add_group(str(group), parent=str(parent))
                inv.reconcile()
            self.run.invalidate_groups()

    # ------------------------------------------------------------------ remote execution

    def report(self, res: TaskResult) -> None:
        self.run.record(res)

    # ------------------------------------------------------------------ facts

    # ------------------------------------------------------------------ the play

    def execute(self) -> None:
        run = self.run
        play = self.play
        selected = run.select_hosts(play.hosts, play.vars)
        self.hosts = [h for h in selected if run.state(h).active]
        run.reporter.play_start(play, self.hosts)
        if not self.hosts:
            run.reporter.no_hosts(play)
            return
        self.play_vars = run.load_play_vars(play)
        for batch in serial_batches(self.hosts, play.serial):
            if run.cancelled.is_set() or run.aborted:
                break
            self.batch = [h for h in batch if run.state(h).active]
            self.batch_failed = set()
            self.abort.clear()
            self.end_batch_requested = False
            if not self.batch:
                continue
            run.reporter.batch_start(self.batch)
            if self.lockstep:
                from edgeauto.planner.sync import Phaser

                # the first `workers` hosts start together; later ones join when they start
                self.phaser = Phaser(max(1, min(run.options.forks, len(self.batch))))
            workers = max(1, min(run.options.forks, len(self.batch)))
            with self.once_cond:
                self.walking = set(self.batch)
                self.once = {}  # run_once runs once per batch, as with Ansible's serial
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="host") as pool:
                futures = [
                    pool.submit(self.run_host, run.state(h), number >= workers)
                    for number, h in enumerate(self.batch)
                ]
                for fut in futures:
                    exc = fut.exception()
                    if exc is not None:
                        raise exc
            run.reporter.batch_end(self.batch)
            if self.over_batch_budget():
                run.reporter.error(
                    f"max_fail_percentage {play.max_fail_percentage}% exceeded in this batch "
                    f"({len(self.batch_failed)}/{len(self.batch)} hosts failed): stopping the play"
                )
                run.aborted = True
                break
            if self.abort.is_set() and not run.cancelled.is_set():
                run.aborted = True
                break
            if run.over_fleet_budget():
                run.reporter.error(
                    f"--max-fail {run.options.max_fail} exceeded "
                    f"({len(run.failed_hosts())} hosts failed so far): stopping"
                )
                run.aborted = True
                break
            if self.end_play_requested:
                break

    def run_host(self, state: HostState, late: bool = False) -> None:
        if self.phaser is not None and late:
            self.phaser.join()
        try:
            self._run_host(state)
        except EdgeautoError as exc:
            self._host_crashed(state, str(exc))
        except Exception as exc:  # noqa: BLE001 - one host's bug must not stop the fleet
            import traceback

            where = traceback.extract_tb(exc.__traceback__)[-1]
            self._host_crashed(
                state,
                f"internal error: {type(exc).__name__}: {exc} "
                f"(at {Path(where.filename).name}:{where.lineno}; please report it)",
            )
        finally:
            self.walk_ended(state.name)
            if self.phaser is not None:
                self.phaser.leave()
            self.run.reporter.host_done(state.name)

    def _host_crashed(self, state: HostState, message: str) -> None:
        task = Task("edgeauto", {}, self.play.pos, name="(engine)")
        res = TaskResult(
            state.name,
            task,
            "failed",
            {"failed": True, "msg": message},
            key=(self.index, "crash", 1),
        )
        state.stats.count(res)
        state.failed = True
        self.status_changed()
        with self.lock:
            self.batch_failed.add(state.name)
        self.report(res)

    def _run_host(self, state: HostState) -> None:
        runner = HostRunner(self, state)
        state.ended = False
        if not self.run.connect(state, self):
            return
        play = self.play
        gather = play.gather_facts
        if isinstance(gather, str):
            from edgeauto.modules.spec import to_bool

            gather = to_bool(gather)
        if gather and not self.run.tag_selection_skips_facts():
            if self.gather_facts_task(runner, None, self.base_ctx()) != OK:
                if state.failed and runner.failed_at is not None:
                    self.host_failed(state.name, *runner.failed_at)
                return
        self.run.pending_handlers.load(runner)
        sections = [
            ("pre_tasks", lambda ctx: runner.walk(play.pre_tasks, ctx)),
            ("tasks", lambda ctx: self._roles_then_tasks(runner, ctx)),
            ("post_tasks", lambda ctx: runner.walk(play.post_tasks, ctx)),
        ]
        for _name, body in sections:
            out = body(self.base_ctx())
            if out == OK:
                out = runner.flush()
            if out in (FAILED, "unreachable", "stopped", "end_play") or state.ended:
                if out == FAILED and (play.force_handlers or self.run.options.force_handlers):
                    state.failed = False
                    runner.run_handlers()
                    state.failed = True
                break
            out = runner.run_handlers()
            if out != OK:
                break
        if state.failed and runner.failed_at is not None:
            self.host_failed(state.name, *runner.failed_at)
        self.run.pending_handlers.save(runner)

    def _roles_then_tasks(self, runner: HostRunner, ctx: WalkCtx) -> str:
        done = self.roles_done.setdefault(runner.name, set())
        for role in self.play.roles:
            if id(role) in done:
                continue
            out = runner.run_role(role, ctx)
            if out != OK:
                return out
        return runner.walk(self.play.tasks, ctx)


def _wants_lockstep(play: Play) -> bool:
    """any_errors_fatal anywhere in the play switches it to per-task lockstep (sync.py)."""
    if play.any_errors_fatal:
        return True

    def walk(nodes) -> bool:
        for node in nodes:
            if getattr(node, "any_errors_fatal", None) is True:
                return True
            if isinstance(node, Block) and (
                walk(node.block) or walk(node.rescue) or walk(node.always)
            ):
                return True
        return False

    roles = _flatten_roles(play.roles)
    return (
        walk(play.pre_tasks)
        or walk(play.tasks)
        or walk(play.post_tasks)
        or any(walk(r.tasks) for r in roles)
    )


def _flatten_roles(roles) -> list:
    out = []
    for role in roles:
        for dep in _flatten_roles(role.dependencies):
            if all(dep is not r for r in out):
                out.append(dep)
        if all(role is not r for r in out):
            out.append(role)
    return out


def _static_tasks(play: Play):
    def walk(nodes):
        for node in nodes:
            if isinstance(node, Block):
                yield from walk(node.block)
                yield from walk(node.rescue)
                yield from walk(node.always)
            elif isinstance(node, Task):
                yield node

    yield from walk(play.pre_tasks)
    for role in _flatten_roles(play.roles):
        yield from walk(role.tasks)
        yield from walk(role.handlers)
    yield from walk(play.tasks)
    yield from walk(play.post_tasks)
    yield from walk(play.handlers)


__all__ = ["PlayRun", "serial_batches"]
