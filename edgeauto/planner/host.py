"""One host's walk through a play: blocks, roles, tasks, includes, meta, handlers (layer 6).

The runner walks tasks in order and, instead of running each remote task at once, appends its
compiled call to the pending :class:`~edgeauto.planner.segment.Segment`. The segment is sent
(one round trip) only when the walk cannot go on without a remote result:

* a template/condition of the next task reads a value a pending task will produce
  (``register`` names, facts set by a module that declares ``returns_facts``);
* the task itself needs its result on the controller right away (``until``, ``failed_when``,
  ``run_once``, ``delegate_to``, facts gathering, ``include_*``);
* a block with ``rescue``/``always`` starts or ends (the controller must know whether it failed);
* handlers are due, ``meta`` runs, the become user changes, or the section ends.

Controller-side tasks (``debug``, ``set_fact``, ``assert`` …) run inline while calls are pending.
That is speculative: if a pending remote task turns out to have failed, everything the walk did
after it is rolled back (vars restored, results dropped) — the host then continues exactly as if
it had stopped at the failure, which is what Ansible would have done. Flushes at block
boundaries guarantee that a failure is always detected inside the block that owns it.

Thread-per-host recursion: the call stack *is* the host's position in the play, so no
iterator state machine is needed (ansible's PlayIterator exists because its linear strategy
interleaves all hosts on one thread).
"""

from __future__ import annotations

from dataclasses import replace

from edgeauto.errors import EdgeautoError, InternalError, ModuleArgumentError, TemplateError
from edgeauto.modules.base import ControllerModule
from edgeauto.modules.fallback import module_for_task
from edgeauto.modules.registry import get_module
from edgeauto.modules.spec import is_templated
from edgeauto.planner.context import WalkCtx, check_include_depth
from edgeauto.planner.deps import condition_names, expand_names, reads_pending, template_names
from edgeauto.planner.facts_task import gather_facts
from edgeauto.planner.failinfo import failed_task_vars
from edgeauto.planner.fold import error_text, only_predicted, registered_value
from edgeauto.planner.includes import include_entry
from edgeauto.planner.loops import loop_var_name
from edgeauto.planner.meta import meta_action_of, run_meta_action
from edgeauto.planner.outbox import Outbox
from edgeauto.planner.pending import PendingHandlers
from edgeauto.planner.records import NO_ITEM, Flow, HostWalk, TaskExec
from edgeauto.planner.results import TaskResult
from edgeauto.planner.services import PlayServices
from edgeauto.planner.state import HostState
from edgeauto.planner.taskargs import task_with_action
from edgeauto.planner.taskplan import TaskPlanner, bool_of, item_vars, loop_slots, render_args
from edgeauto.playbook.model import Block, Task
from edgeauto.playbook.serial import is_no_serial, serial_problem

INCLUDE_TASKS = frozenset({"include_tasks", "import_tasks", "include"})
INCLUDE_ROLE = frozenset({"include_role", "import_role"})
FACTS = frozenset({"setup", "gather_facts"})
#: actions whose behaviour is the executor's (modules declare ``executor_handled``)
EXECUTOR_ACTIONS = frozenset({"meta"}) | INCLUDE_TASKS | INCLUDE_ROLE | FACTS
#: meta actions that act on the whole batch: run once, by the batch's first host
BATCH_META = frozenset({"end_batch", "end_play"})


class HostRunner:
    """Walks one play for one host; see the module docstring for the segment rules."""

    def __init__(self, services: PlayServices, state: HostState):
        self.services = services
        self.state = state
        self.name = state.name
        self.walk_state = HostWalk(started=services.options.start_at_task is None)
        self.outbox = Outbox(services, state, self.walk_state)
        self.pending = PendingHandlers(self.outbox)
        self.planner = TaskPlanner(self.outbox, self.pending)
        #: (handler, fn): fn runs before that serial handler's script is sent — the pending-
        #: handler file's clear rides along when it is the last handler due
        self.after_serial: tuple | None = None
        self.handler_flushes = 0  # times handlers were flushed: the phase of handler gates

    # ------------------------------------------------------------------ helpers

    def flush(self) -> Flow:
        return self.outbox.flush()

    def next_key(self, task: Task) -> tuple:
        occurrences = self.walk_state.occurrences
        n = occurrences[id(task)] = occurrences.get(id(task), 0) + 1
        return (self.services.index, id(task), n)

    def task_vars(self, task: Task | None, wctx: WalkCtx) -> dict:
        return self.services.scope.compose_vars(self.state, task, wctx)

    def templar(self, variables: dict, wctx: WalkCtx):
        return self.services.scope.make_templar(variables, wctx.role)

    # ------------------------------------------------------------------ walking

    def walk(self, nodes: list, wctx: WalkCtx) -> Flow:
        for node in nodes:
            if self.services.barrier.should_stop():
                out = self.flush()
                if self.services.cancelled():
                    name = node.name or getattr(node, "display_name", None) or "block"
                    self.state.not_run.append(f"'{name}' and every task after it (interrupted)")
                return out if out != Flow.OK else Flow.STOPPED
            out = (
                self.run_block(node, wctx) if isinstance(node, Block) else self.run_task(node, wctx)
            )
            if out != Flow.OK:
                return out
        return Flow.OK

    def run_block(self, block: Block, wctx: WalkCtx) -> Flow:
        bctx = wctx.child_block(block)
        guarded = bool(block.rescue or block.always)
        out = self.flush() if guarded else Flow.OK
        if out != Flow.OK:
            return out
        out = self._section(block.block, bctx, flush=guarded)
        if out == Flow.FAILED and block.rescue:
            self._rescued()
            out = self._section(block.rescue, replace(bctx, in_rescue=True))
        if block.always and out in (Flow.OK, Flow.FAILED):
            was = out
            if was == Flow.FAILED:
                self.state.failed = False  # always runs as if nothing failed …
            out = self._section(block.always, bctx)
            if out == Flow.OK and was == Flow.FAILED:
                self.state.failed = True  # … and the block's failure stands after it
                out = Flow.FAILED
        return out

    def _section(self, nodes: list, wctx: WalkCtx, flush: bool = True) -> Flow:
        out = self.walk(nodes, wctx)
        return self.flush() if out == Flow.OK and flush else out

    def _rescued(self) -> None:
        self.services.barrier.gates.release(self.name)  # a failed serial task's turn ends
        stats = self.state.stats
        stats.failed = max(0, stats.failed - 1)
        stats.rescued += 1
        self.state.failed = False
        self.services.scope.status_changed()
        if self.walk_state.last_failure is not None:
            self.state.registered.update(failed_task_vars(self.walk_state.last_failure))

    def run_role(self, role, wctx: WalkCtx) -> Flow:
        seen = self.services.roles_done.setdefault(self.name, set())
        for dep in role.dependencies:
            if id(dep) in seen or (not dep.allow_duplicates and role_signature(dep) in seen):
                continue  # a dependency runs once per play unless its parameters differ
            out = self.run_role(dep, wctx)
            if out != Flow.OK:
                return out
        seen.add(id(role))
        seen.add(role_signature(role))
        out = self.walk(role.tasks, wctx.child_role(role))
        return Flow.OK if out == Flow.END_ROLE else out

    # ------------------------------------------------------------------ one task

    def run_task(self, task: Task, wctx: WalkCtx, *, retried: bool = False) -> Flow:
        action = task.action_name
        including = action in INCLUDE_TASKS or action in INCLUDE_ROLE
        walk = self.walk_state
        if not wctx.in_handlers:
            tags = wctx.tags + tuple(task.tags)
            if not including and not self.services.fleet.tag_selection.selects(tags):
                return Flow.OK
            if not walk.started:
                if self.services.options.start_at_task in (task.name, task.display_name):
                    walk.started = True
                elif not including:  # the start task may be inside an include
                    return Flow.OK
        gate = self.services.fleet.step_gate
        if gate is not None and not including:
            out = self.flush()  # what ran so far is reported before the next question
            if out != Flow.OK:
                return out
            if not gate.perform(task):
                return Flow.OK
        try:
            return self._run_task(task, wctx)
        except RecursionError:
            raise  # no stack left to report it here: the host's walk reports it
        except Exception as exc:  # noqa: BLE001 - a bug in one task fails that task only
            error = exc if isinstance(exc, EdgeautoError) else InternalError.of(exc, task.pos)
            if (walk.segment or walk.outbox) and not retried:
                # The error may come from a value a pending task produces: run those first,
                # then plan this task again with their results.
                out = self.flush()
                if out != Flow.OK:
                    return out
                return self.run_task(task, wctx, retried=True)
            return self.controller_failure(task, wctx, error)

    def controller_failure(self, task: Task, wctx: WalkCtx, exc: EdgeautoError) -> Flow:
        """A task failed on the controller (template error, bad argument, module bug)."""
        msg = error_text(exc, task.pos)
        te = TaskExec(task, wctx, self.next_key(task), {})
        if isinstance(exc, TemplateError) and self._reads_unpredicted(task, wctx):
            # Dry run: the value of an earlier task that check mode only predicted (a command
            # it did not run) is unknown. Say so instead of failing the whole dry run; every
            # other template error fails here exactly as it fails the real run.
            result = {
                "skipped": True,
                "changed": False,
                "check_mode_unknown": True,
                "msg": f"cannot be predicted in check mode: {msg}",
            }
            te.final = self._final(task, te, "skipped", result)
            self.walk_state.outbox.append(te)
            return self.flush()
        if self._argument_failure_passes(task, wctx, exc):
            return self._argument_failure_accepted(task, te, exc)
        te.final = self._final(task, te, "failed", {"failed": True, "msg": msg})
        te.ignore_errors = te.final.ignored = self._ignores_failure(task, wctx)
        if task.register:  # as ansible registers a module's argument failure
            registered = registered_value(te.final.result)
            if isinstance(exc, ModuleArgumentError) and isinstance(registered, dict):
                # the module's words alone, in ansible-core's wording where we know it
                registered = {**registered, "msg": exc.ansible_msg or exc.message}
            self.state.register(task.register, registered, False)
        self.walk_state.outbox.append(te)
        out = self.flush()
        if out != Flow.OK:
            return out
        return Flow.OK if te.ignore_errors else self.outbox.mark_failed(task, wctx)

    def _argument_failure_passes(self, task: Task, wctx: WalkCtx, exc: EdgeautoError) -> bool:
        """A module's argument failure under ``failed_when`` that says it is fine (targets
        write ``failed_when: not result.failed`` to expect one): Ansible runs the module, binds
        its failure and evaluates the condition, so do we."""
        if not isinstance(exc, ModuleArgumentError) or task.failed_when is None:
            return False
        failure = {"failed": True, "changed": False, "msg": exc.ansible_msg or exc.message}
        bound = {**failure, **({task.register: failure} if task.register else {})}
        conditions = task.failed_when if isinstance(task.failed_when, list) else [task.failed_when]
        try:
            templar = self.templar(self.task_vars(task, wctx), wctx).with_vars(bound)
            return not (conditions and templar.is_true(conditions, task.pos))
        except (EdgeautoError, ValueError):
            return False  # the condition's own error: the argument failure stands

    def _argument_failure_accepted(self, task: Task, te: TaskExec, exc) -> Flow:
        result = {
            "changed": False,
            "failed": False,
            "failed_when_result": False,
            "msg": exc.ansible_msg or exc.message,
        }
        te.final = self._final(task, te, "ok", result)
        if task.register:
            self.state.register(task.register, registered_value(result), False)
        self.walk_state.outbox.append(te)
        return self.flush()

    def _reads_unpredicted(self, task: Task, wctx: WalkCtx) -> bool:
        unknown = self.state.unpredicted
        if not unknown:
            return False
        try:
            names = self._names_of(task, wctx, self.task_vars(task, wctx), controller=True)
        except (EdgeautoError, ValueError):
            return False
        return bool(names & unknown)

    def _final(self, task: Task, te: TaskExec, status: str, result: dict) -> TaskResult:
        return TaskResult(self.name, task, status, result, key=te.key, is_handler=task.is_handler)

    def _ignores_failure(self, task: Task, wctx: WalkCtx) -> bool:
        """ignore_errors for a task that failed before it was planned. When ignore_errors
        itself cannot be rendered, that template error is what was reported, and — as
        ansible-playbook does — the unrendered keyword (a non-empty string) counts as true."""
        try:
            templar = self.templar(self.task_vars(task, wctx), wctx)
            return self.planner.ignore_errors(task, wctx, templar)
        except (EdgeautoError, ValueError):
            raw = task.ignore_errors
            return bool(raw if raw not in (None, False) else wctx.ignore_errors)

    def _names_of(self, task: Task, wctx: WalkCtx, variables: dict, controller: bool):
        names = condition_names(list(wctx.when) + list(task.when))
        names |= template_names(task.loop) | template_names(task.args)
        names |= template_names(task.environment) | template_names(list(wctx.environment))
        names |= template_names(task.delegate_to) | template_names(task.ignore_errors)
        names |= template_names(task.loop_control) | template_names(task.vars)
        for layer in wctx.vars_chain + wctx.include_params:
            names |= template_names(layer)
        if controller:
            # Controller actions read their arguments as expressions too (debug var=, assert).
            for value in task.args.values():
                names |= condition_names(value) if isinstance(value, str) else template_names(value)
                if isinstance(value, list):  # assert's that: a list of bare expressions
                    names |= condition_names([v for v in value if isinstance(v, str)])
        return expand_names(names, variables)

    def _run_task(self, task: Task, wctx: WalkCtx, once: bool = True) -> Flow:
        if is_templated(task.action):  # `action: "{{ ansible_facts.pkg_mgr }}"`
            if self.walk_state.segment and reads_pending(
                expand_names(template_names(task.action), self.task_vars(task, wctx)),
                self.walk_state.pending_names,
            ):
                out = self.flush()
                if out != Flow.OK:
                    return out
            templar = self.templar(self.task_vars(task, wctx), wctx)
            task = task_with_action(task, str(templar.render(task.action, task.pos)).strip())
        action = task.action_name
        walk = self.walk_state
        variables = self.task_vars(task, wctx)
        module = get_module(task.action) or module_for_task(task)
        controller = isinstance(module, ControllerModule) or action in EXECUTOR_ACTIONS
        names = self._names_of(task, wctx, variables, controller)
        talks = getattr(module, "uses_connection", False)  # it needs the host's state as is
        if walk.segment and (
            reads_pending(names, walk.pending_names) or task.until is not None or talks
        ):
            out = self.flush()
            if out != Flow.OK:
                return out
            variables = self.task_vars(task, wctx)
        templar = self.templar(variables, wctx)
        if action in EXECUTOR_ACTIONS:
            return self._run_executor_action(action, task, wctx, templar, variables)
        run_once = bool_of(task.run_once if task.run_once else wctx.run_once, templar)
        if once and run_once and not wctx.in_handlers:
            return self.run_once(task, wctx)
        if once and task.serial is not None:
            return self.run_serial(task, wctx)
        delegate = task.delegate_to if task.delegate_to is not None else wctx.delegate_to
        if delegate is not None:
            delegate = str(templar.render(delegate))
        te = self.planner.new_exec(task, wctx, self.next_key(task), variables, templar)
        return self.planner.plan(te, module, templar, delegate)

    def _run_executor_action(self, action, task, wctx, templar, variables) -> Flow:
        if action == "meta":
            return self.run_meta(task, wctx, templar)
        if action in INCLUDE_TASKS:
            return self.run_include_tasks(task, wctx, templar, variables)
        if action in INCLUDE_ROLE:
            return self.run_include_role(task, wctx, templar)
        if not self._when(task, wctx, templar):
            return Flow.OK
        out = self.flush()
        if out != Flow.OK:
            return out
        return gather_facts(self.outbox, task, wctx, self.next_key(task))

    def _when(self, task: Task, wctx: WalkCtx, templar) -> bool:
        conditions = list(wctx.when) + list(task.when)
        return not conditions or templar.is_true(conditions, task.pos)

    def execute_now(self, task: Task, wctx: WalkCtx) -> Flow:
        """Run a task now, ignoring run_once (the run_once owner calls this)."""
        out = self._run_task(task, wctx, once=False)
        return self.flush() if out == Flow.OK else out

    def run_once(self, task: Task, wctx: WalkCtx) -> Flow:
        """The first active host of the batch runs the task; the others take its result."""
        out = self.flush()
        if out != Flow.OK:
            return out
        barrier = self.services.barrier
        key = (id(task), self.walk_state.occurrences.get(id(task), 0) + 1)
        entry = barrier.claim_once(key, self.name)
        if entry is None:
            return Flow.STOPPED
        if entry.owner == self.name:
            try:
                self.walk_state.last_result = None
                out = self.execute_now(task, wctx)
                entry.result = self.walk_state.last_result
            finally:
                entry.event.set()
            return out
        self.next_key(task)
        if not barrier.wait_once(entry, self.name):
            return Flow.STOPPED
        if entry.result is not None and task.register:
            res = entry.result.result
            self.state.register(
                task.register,
                registered_value(res),
                only_predicted(res, self.services.options.check),
            )
        return Flow.OK

    def run_serial(self, task: Task, wctx: WalkCtx) -> Flow:
        """``serial:`` on a task or handler: a segment boundary and a sync point. What is
        pending goes first (one script), then the host waits for its batch's turn
        (:mod:`.serialgate`) and runs the task in a script of its own. A failed task keeps the
        host's turn until the failure is settled (rescue, or the host leaving the play)."""
        out = self.flush()
        if out != Flow.OK:
            return out
        templar = self.templar(self.task_vars(task, wctx), wctx)
        serial = serial_value(task, templar)
        if is_no_serial(serial):
            return self.execute_now(task, wctx)
        barrier = self.services.barrier
        key = ("serial", id(task))
        phase = self.handler_flushes if wctx.in_handlers else 0
        if task.loop is None and not self._when(task, wctx, templar):
            barrier.gates.pass_by(key, self.name, task.display_name, phase)
            return self.execute_now(task, wctx)  # reported skipped, nothing is sent
        if not barrier.serial_enter(key, self.name, serial, task.display_name, phase):
            return Flow.STOPPED
        out = Flow.FAILED
        try:
            out = self._run_task(task, wctx, once=False)
            after = self.after_serial
            if out == Flow.OK and after is not None and after[0] is task:
                after[1]()
            if out == Flow.OK:
                out = self.flush()
        finally:
            if out != Flow.FAILED or not self.state.failed:
                barrier.serial_release(self.name)
        return out

    # ------------------------------------------------------------------ includes and meta

    def _report_include(self, task, wctx, entries, looped: bool) -> Flow:
        tags = wctx.tags + tuple(task.tags)
        selected = wctx.in_handlers or self.services.fleet.tag_selection.selects(tags)
        if not self.walk_state.started or not selected:
            return Flow.OK
        te = include_entry(self.name, task, wctx, self.next_key(task), entries, looped)
        if te is None:
            return Flow.OK
        self.walk_state.outbox.append(te)
        return self.flush()

    def run_include_tasks(self, task, wctx, templar, variables) -> Flow:
        out = self.flush()  # included tasks may read anything; keep ordering simple
        if out != Flow.OK:
            return out
        slots = loop_slots(task, templar)
        loop_control = task.loop_control or {}
        loop_var = loop_var_name(task, templar)
        # Like ansible-playbook: every item is evaluated and reported first, then run.
        planned, entries = [], []
        for slot in slots:
            extra = item_vars(loop_var, loop_control, slots, slot)
            itempl = templar.with_vars(extra) if extra else templar
            if not self._when(task, wctx, itempl):
                entries.append((slot.item, None))
                continue
            args = render_args(task, itempl)
            target = args.get("file") or args.get("_raw_params") or task.include_target
            if not target:
                raise EdgeautoError("include_tasks needs a file name", task.pos)
            check_include_depth(wctx, str(target), task.pos)
            includes = self.services.includes
            nodes = includes.tasks(str(target), task, wctx, {**variables, **extra})
            shown = nodes[0].pos.file if nodes and getattr(nodes[0], "pos", None) else target
            entries.append((slot.item, str(shown)))
            planned.append((nodes, extra, str(target)))
        out = self._report_include(task, wctx, entries, task.loop is not None)
        for nodes, extra, written in planned:
            if out != Flow.OK:
                break
            params = {**extra, **(task.vars or {})}
            out = self.walk(nodes, wctx.with_include(params, tags=task.tags, via=written))
        return out

    def run_include_role(self, task, wctx, templar) -> Flow:
        out = self.flush()
        if out != Flow.OK:
            return out
        if not self._when(task, wctx, templar):
            return self._report_include(task, wctx, [(NO_ITEM, None)], False)
        args = render_args(task, templar)
        name = args.get("name") or args.get("role") or task.include_target
        if not name:
            raise EdgeautoError("include_role needs a role name (name:)", task.pos)
        check_include_depth(wctx, str(name), task.pos)
        role = self.services.includes.role(str(name), task, args)
        out = self._report_include(task, wctx, [(NO_ITEM, str(name))], False)
        if out != Flow.OK:
            return out
        sub = wctx.with_include(dict(task.vars or {}), tags=task.tags, via=str(name))
        self.services.handlers.register_role(role, sub.include_params)
        return self.run_role(role, sub)

    def run_meta(self, task, wctx, templar) -> Flow:
        action = meta_action_of(task, templar)
        if action in BATCH_META and not wctx.in_handlers:
            return self._batch_meta(action, task, wctx, templar)
        if not self._when(task, wctx, templar):
            return Flow.OK
        out = self.flush()
        if out != Flow.OK:
            return out
        return run_meta_action(self, action, task, wctx)

    def _batch_meta(self, action: str, task, wctx, templar) -> Flow:
        """``end_batch``/``end_play`` act on every host, so — as ansible-playbook runs them —
        they are a sync point: the batch's first host evaluates the condition and acts, the
        others wait for it, then every host stops or goes on together."""
        out = self.flush()
        if out != Flow.OK:
            return out
        barrier = self.services.barrier
        entry = barrier.claim_once(("meta",) + self.next_key(task), self.name)
        if entry is None:
            return Flow.STOPPED
        if entry.owner == self.name:
            try:
                if self._when(task, wctx, templar):
                    run_meta_action(self, action, task, wctx)
            finally:
                entry.event.set()
        elif not barrier.wait_once(entry, self.name):
            return Flow.STOPPED
        if barrier.end_play:
            return Flow.END_PLAY
        return Flow.END_HOST if barrier.end_batch else Flow.OK

    # ------------------------------------------------------------------ handlers

    def run_handlers(self) -> Flow:
        """Run notified handlers in their definition order until none is left (per host)."""
        out = self.flush()
        if out != Flow.OK:
            return out
        table = self.services.handlers
        walk = self.walk_state
        self.handler_flushes += 1
        self._pass_serial_handlers(walk)
        while walk.notified:
            todo = table.due(walk)
            if not todo:
                break
            for number, handler in enumerate(todo, 1):
                hctx = replace(
                    self.services.scope.base_ctx(handler.role),
                    in_handlers=True,
                    include_params=table.include_params_of(handler),
                )
                if number == len(todo):
                    self.after_serial = (handler, lambda: self._clear_if_done(walk))
                try:
                    out = self.run_task(handler, hctx)
                finally:
                    self.after_serial = None
                if out != Flow.OK:
                    return out
            self._clear_if_done(walk)
            out = self.flush()
            if out != Flow.OK:
                return out
        return Flow.OK

    def _pass_serial_handlers(self, walk) -> None:
        """Serial handlers this host was not notified for: their gates need not wait for it
        (the notified hosts restart while this one goes on with the play)."""
        table = self.services.handlers
        notified = [table.current(h) for h in walk.notified]
        for handler in table.order():
            if handler.serial is not None and all(handler is not n for n in notified):
                self.services.barrier.gates.pass_by(
                    ("serial", id(handler)), self.name, handler.display_name, self.handler_flushes
                )

    def _clear_if_done(self, walk) -> None:
        """No handler left to run: the script that runs the last one removes the host's
        pending-handler file (``pending.py``)."""
        if not walk.notified:
            self.pending.clear_call(walk.segment.become)


def serial_value(task: Task, templar):
    """The task's ``serial``, rendered with the host's variables when templated, and checked
    again once rendered (a bad value fails the task on this host, naming its line)."""
    value = task.serial
    if not is_templated(value):
        return value
    rendered = templar.render(value, task.pos)
    problem = serial_problem(rendered, templates_ok=False)
    if problem:
        raise EdgeautoError(f"{problem} (rendered from {value!r})", task.pos)
    return rendered


def role_signature(role) -> tuple:
    """Two loads of the same role with the same parameters are one role for Ansible's
    run-once rule (``include_role`` loads its own copy of a dependency already run)."""
    return ("role", str(role.path), role.tasks_from, role.entry_key or repr(role.params))
