"""One host's walk through a play: blocks, loops, conditions, segments, handlers.

The runner walks tasks in order and, instead of running each remote task at once, appends its
compiled call to the pending :class:`~edgeauto.planner.segment.Segment`. The segment is sent
(one round trip) only when the walk cannot go on without a remote result:

* a template/condition of the next task reads a value a pending task will produce
  (``register`` names, facts set by a module);
* the task itself needs its result on the controller right away (``until``, ``failed_when``,
  ``run_once``, ``delegate_to``, facts gathering, ``include_*`` whose file name is templated);
* a block with ``rescue``/``always`` starts or ends (the controller must know whether it failed);
* handlers are due, ``meta`` runs, the become user changes, or the section ends.

Controller-side tasks (``debug``, ``set_fact``, ``assert`` …) run inline while calls are pending.
That is speculative: if a pending remote task turns out to have failed, everything the walk did
after it is rolled back (vars restored, results dropped) — the host then continues exactly as if
it had stopped at the failure, which is what Ansible would have done. Flushes at block
boundaries guarantee that a failure is always detected inside the block that owns it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from edgeauto.errors import EdgeautoError, TemplateError
from edgeauto.modules.base import (
    CompileContext,
    ControllerContext,
    ControllerModule,
    RemoteModule,
)
from edgeauto.modules.spec import to_bool
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.deps import condition_names, reads_pending, template_names
from edgeauto.planner.include_record import report_include
from edgeauto.planner.loops import loop_items, loop_keys
from edgeauto.planner.outcome import OutcomeMixin
from edgeauto.planner.results import TaskResult
from edgeauto.planner.segment import Call, Segment
from edgeauto.planner.state import HostState
from edgeauto.planner.taskexec import (  # noqa: F401 - re-exported for play.py
    _NO_ITEM,
    END_HOST,
    END_PLAY,
    FACT_ACTIONS,
    FAILED,
    INCLUDE_ROLE,
    INCLUDE_TASKS,
    OK,
    STOPPED,
    UNREACHABLE,
    ItemSlot,
    TaskExec,
    short_action,
)
from edgeauto.playbook.model import Block, Task
from edgeauto.templating import as_data, is_secret
from edgeauto.transport.base import BecomeSpec

if TYPE_CHECKING:  # pragma: no cover
    from edgeauto.planner.play import PlayRun


class HostRunner(OutcomeMixin):
    """Walks one play for one host; see the module docstring for the segment rules."""

    def __init__(self, prun: PlayRun, state: HostState):
        self.prun = prun
        self.run = prun.run
        self.state = state
        self.name = state.name
        self.segment = Segment()
        self.outbox: list[TaskExec] = []
        self.pending: set[str] = set()
        self.occurrences: dict[int, int] = {}
        self.notified: list[Task] = []
        self.started = self.run.options.start_at_task is None
        self.end_play = False
        self.scripts: list[bytes] = []
        self.last_result: TaskResult | None = None
        self.last_failure: TaskResult | None = None
        self.failed_at: tuple | None = None
        self.pending_hook = None  # set by PendingHandlers.load: runs before the first call
        self.pending_file_exists = False
        self.pending_loaded = False
        self.pending_unsaved = False  # notifications no script has written to the host yet
        self.predicted_paths: set[str] = set()  # check mode: paths earlier tasks would change
        self.hidden_become: BecomeSpec | None = None

    # ------------------------------------------------------------------ helpers

    def next_key(self, task: Task) -> tuple:
        n = self.occurrences.get(id(task), 0) + 1
        self.occurrences[id(task)] = n
        return (self.prun.index, id(task), n)

    def task_vars(self, task: Task | None, wctx: WalkCtx, extra: dict | None = None) -> dict:
        return self.prun.compose_vars(self.state, task, wctx, extra)

    def templar(self, variables: dict, wctx: WalkCtx):
        return self.prun.make_templar(variables, wctx.role)

    def bool_of(self, value: Any, templar, default: bool = False) -> bool:
        if value is None:
            return default
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            value = templar.render(value)
        try:
            return to_bool(value)
        except ValueError:
            return bool(value)

    def stop_requested(self) -> bool:
        return self.prun.should_stop(self.name)

    # ------------------------------------------------------------------ walking

    def walk(self, nodes: list, wctx: WalkCtx) -> str:
        for node in nodes:
            if self.stop_requested():
                out = self.flush()
                if self.run.cancelled.is_set():
                    name = node.name or getattr(node, "display_name", None) or "block"
                    self.state.not_run.append(f"'{name}' and every task after it (interrupted)")
                return out if out != OK else STOPPED
            if isinstance(node, Block):
                out = self.run_block(node, wctx)
            else:
                out = self.run_task(node, wctx)
            if out != OK:
                return out
        return OK

    def run_block(self, block: Block, wctx: WalkCtx) -> str:
        bctx = wctx.child_block(block)
        guarded = bool(block.rescue or block.always)
        if guarded:
            out = self.flush()
            if out != OK:
                return out
        out = self.walk(block.block, bctx)
        if guarded and out == OK:
            out = self.flush()
        if out == FAILED and block.rescue:
            self.state.stats.failed = max(0, self.state.stats.failed - 1)
            self.state.stats.rescued += 1
            self.state.failed = False
            self.prun.status_changed()
            if self.last_failure is not None:
                from edgeauto.planner.failinfo import failed_task_vars

                self.state.registered.update(failed_task_vars(self.last_failure))
            from dataclasses import replace

            out = self.walk(block.rescue, replace(bctx, in_rescue=True))
            if out == OK:
                out = self.flush()
        if block.always and out in (OK, FAILED):
            was = out
            if was == FAILED:
                self.state.failed = False
            out = self.walk(block.always, bctx)
            if out == OK:
                out = self.flush()
            if out == OK and was == FAILED:
                self.state.failed = True
                out = FAILED
        return out

    def run_role(self, role, wctx: WalkCtx, seen: set[int] | None = None) -> str:
        seen = seen if seen is not None else self.prun.roles_done.setdefault(self.name, set())
        for dep in role.dependencies:
            if id(dep) in seen or (not dep.allow_duplicates and role_signature(dep) in seen):
                continue  # a dependency runs once per play unless its parameters differ
            out = self.run_role(dep, wctx, seen)
            if out != OK:
                return out
        seen.add(id(role))
        seen.add(role_signature(role))
        return self.walk(role.tasks, wctx.child_role(role))

    # ------------------------------------------------------------------ one task

    def run_task(self, task: Task, wctx: WalkCtx, *, retried: bool = False) -> str:
        action = short_action(task.action)
        tags = wctx.tags + tuple(task.tags)
        if not wctx.in_handlers:
            if (
                not self.run.tag_selection.selects(tags)
                and action not in INCLUDE_ROLE | INCLUDE_TASKS
            ):
                return OK
            if not self.started:
                wanted = self.run.options.start_at_task
                if wanted not in (task.name, task.display_name):
                    if action in INCLUDE_TASKS | INCLUDE_ROLE:
                        pass  # look for the start task inside includes too
                    else:
                        return OK
                else:
                    self.started = True
        try:
            return self._run_task(task, wctx, action)
        except EdgeautoError as exc:
            if (self.segment or self.outbox) and not retried:
                # The error may come from a value a pending task produces: run those first,
                # then plan this task again with their results.
                out = self.flush()
                if out != OK:
                    return out
                return self.run_task(task, wctx, retried=True)
            return self.controller_failure(task, wctx, exc)

    def controller_failure(self, task: Task, wctx: WalkCtx, exc: Exception) -> str:
        """A task failed on the controller (template error, bad argument, module bug)."""
        pos = getattr(exc, "pos", None) or task.pos
        message = getattr(exc, "message", None) or str(exc)
        te = TaskExec(task, wctx, self.next_key(task), {})
        if self.run.options.check and isinstance(exc, TemplateError):
            # Dry run: a value an earlier (predicted, not performed) task would have produced
            # is missing. Say so instead of failing the whole dry run.
            te.final = TaskResult(
                self.name,
                task,
                "skipped",
                {
                    "skipped": True,
                    "changed": False,
                    "check_mode_unknown": True,
                    "msg": f"cannot be predicted in check mode: {pos}: {message}",
                },
                key=te.key,
                is_handler=task.is_handler,
            )
            self.outbox.append(te)
            return self.flush()
        te.final = TaskResult(
            self.name,
            task,
            "failed",
            {"failed": True, "msg": f"{pos}: {message}" if pos else message},
            key=te.key,
            is_handler=task.is_handler,
        )
        te.ignore_errors = self._ignore_errors(task, wctx, None)
        te.final.ignored = te.ignore_errors
        self.outbox.append(te)
        out = self.flush()
        if out != OK:
            return out
        return OK if te.ignore_errors else self.mark_failed(task, wctx)

    def mark_failed(self, task: Task, wctx: WalkCtx) -> str:
        """The host failed at ``task``. Whether that stops other hosts (any_errors_fatal,
        max_fail_percentage) is decided when the failure leaves the play unrescued."""
        self.state.failed = True
        self.failed_at = (task, wctx)
        return FAILED

    def _ignore_errors(self, task: Task, wctx: WalkCtx, templar) -> bool:
        value = (
            task.ignore_errors if task.ignore_errors not in (None, False) else wctx.ignore_errors
        )
        if value is None:
            return False
        try:
            return self.bool_of(value, templar) if templar else to_bool(value)
        except Exception:
            return False

    def _names_of(self, task: Task, wctx: WalkCtx, variables: dict) -> frozenset[str]:
        names = condition_names(list(wctx.when) + list(task.when))
        names |= template_names(task.loop) | template_names(task.args)
        names |= template_names(task.environment) | template_names(list(wctx.environment))
        names |= template_names(task.delegate_to) | template_names(task.ignore_errors)
        names |= template_names(task.loop_control) | template_names(task.vars)
        for layer in wctx.vars_chain + wctx.include_params:
            names |= template_names(layer)
        return expand_names(names, variables)

    def execute_now(self, task: Task, wctx: WalkCtx) -> str:
        """Run a task now, ignoring run_once (the run_once owner calls this)."""
        out = self._run_task(task, wctx, short_action(task.action), once=False)
        if out == OK:
            out = self.flush()
        return out

    def _run_task(self, task: Task, wctx: WalkCtx, action: str, once: bool = True) -> str:
        variables = self.task_vars(task, wctx)
        names = self._names_of(task, wctx, variables)
        module = self.prun.module_for(task.action)
        if isinstance(module, ControllerModule) or action in INCLUDE_TASKS | INCLUDE_ROLE:
            # Controller actions read their arguments as expressions too (debug var=, assert).
            for value in task.args.values():
                names |= condition_names(value) if isinstance(value, str) else template_names(value)
        if self.segment and (reads_pending(names, self.pending) or task.until is not None):
            out = self.flush()
            if out != OK:
                return out
            variables = self.task_vars(task, wctx)
        templar = self.templar(variables, wctx)

        if action == "meta":
            return self.run_meta(task, wctx, templar)
        if action in INCLUDE_TASKS:
            return self.run_include_tasks(task, wctx, templar, variables)
        if action in INCLUDE_ROLE:
            return self.run_include_role(task, wctx, templar, variables)
        if action in FACT_ACTIONS:
            conditions = list(wctx.when) + list(task.when)
            if conditions and not templar.is_true(conditions, task.pos):
                return OK
            out = self.flush()
            if out != OK:
                return out
            return self.prun.gather_facts_task(self, task, wctx)

        run_once = self.bool_of(task.run_once if task.run_once else wctx.run_once, templar)
        if once and run_once and not wctx.in_handlers:
            return self.prun.run_once(self, task, wctx)
        delegate = task.delegate_to if task.delegate_to is not None else wctx.delegate_to
        if delegate is not None:
            delegate = str(templar.render(delegate))
        return self.plan_task(task, wctx, module, variables, templar, delegate)

    def plan_task(self, task, wctx, module, variables, templar, delegate) -> str:
        """Evaluate loop/when, compile remote calls into the segment or run controller tasks."""
        te = TaskExec(task, wctx, self.next_key(task), variables)
        te.check = self._check_mode(task, wctx, templar)
        te.no_log = self.bool_of(task.no_log if task.no_log else wctx.no_log, templar)
        te.ignore_errors = self._ignore_errors(task, wctx, templar)
        te.delegated_to = delegate
        loop_control = task.loop_control or {}
        te.loop_var = str(loop_control.get("loop_var", "item"))
        if task.loop is not None:
            te.looped = True
            rendered = (
                templar.render(task.loop, task.pos)
                if not isinstance(task.loop, list)
                else templar.render(task.loop, task.pos)
            )
            values = loop_items(task.loop_kind, rendered, templar, task.pos)
            te.items = [ItemSlot(v, i) for i, v in enumerate(values)]
        else:
            te.items = [ItemSlot()]
        conditions = list(wctx.when) + list(task.when)
        is_remote = isinstance(module, RemoteModule)
        te.remote = is_remote
        become = self.become_spec(task, wctx, templar)
        if is_remote and delegate is not None and self.segment:
            out = self.flush()  # keep order: this host's pending tasks run first
            if out != OK:
                return out
        mixed = not te.check and any(c.check for c in self.segment.calls)
        # (a real task must never run after a check-mode task whose failure was not yet judged)
        if is_remote and self.segment and (mixed or not self.segment.accepts(become)):
            out = self.flush()
            if out != OK:
                return out
        if self.segment:
            # Anything this task changes on the controller (set_fact, or register of a task
            # whose items are all skipped) must be undone if a pending task fails.
            te.snapshot = self.snapshot()
        for slot in te.items:
            itemvars = self.item_vars(te, slot, loop_control, len(te.items))
            itempl = templar.with_vars(itemvars) if itemvars else templar
            if conditions and not itempl.is_true(conditions, task.pos):
                slot.result = {
                    "changed": False,
                    "skipped": True,
                    "skip_reason": "Conditional result was False",
                }
                if task.when or wctx.when:
                    slot.result["false_condition"] = str(conditions[-1])
                continue
            if "label" in loop_control and te.looped:
                slot.label = itempl.render(loop_control["label"])
            args = self.render_args(task, itempl)
            if is_remote:
                self.compile_call(te, slot, module, args, itempl, variables, itemvars, become)
            else:
                slot.result = self.run_controller(
                    te, module, args, itempl, {**variables, **itemvars}
                )
        self.outbox.append(te)
        if is_remote and delegate is not None and any(s.call for s in te.items):
            self.prun.run_delegated(self, te, delegate, become)
            return self.flush()
        if is_remote and any(s.call for s in te.items):
            if task.register:
                self.pending.add(task.register)
            if getattr(module, "returns_facts", False) or short_action(task.action) in (
                "service_facts",
                "package_facts",
            ):
                self.pending.add("*facts*")
            if task.until is not None:
                return self.until_loop(te, templar)
            if task.failed_when is not None or delegate is not None or self.prun.lockstep:
                return self.flush()
            return OK
        # Controller task (or everything skipped): report in order with pending results.
        if not self.segment:
            return self.flush()
        if te.final is None:
            self.finalize(te)
        if te.final and te.final.status == "failed" and not te.final.ignored:
            return self.flush()
        return OK

    def item_vars(self, te: TaskExec, slot: ItemSlot, loop_control: dict, count: int) -> dict:
        if slot.item is _NO_ITEM:
            return {}
        return loop_keys(te.loop_var, loop_control, [s.item for s in te.items], slot.index)

    def render_args(self, task: Task, templar) -> dict:
        from edgeauto.templating import is_omit

        rendered = templar.render(task.args, task.pos)
        return {k: v for k, v in rendered.items() if not is_omit(v)}

    def _check_mode(self, task: Task, wctx: WalkCtx, templar) -> bool:
        value = task.check_mode if task.check_mode is not None else wctx.check_mode
        if value is None:
            return self.run.options.check
        return self.bool_of(value, templar)

    def _diff(self, task: Task, wctx: WalkCtx, templar) -> bool:
        value = task.diff if task.diff is not None else wctx.diff
        if value is None:
            return self.run.options.diff
        return self.bool_of(value, templar)

    def become_spec(self, task: Task, wctx: WalkCtx, templar) -> BecomeSpec | None:
        merged = task.become.merged_over(wctx.become)
        return self.prun.become_spec(self.state, merged, templar)

    def compile_call(self, te, slot, module, args, templar, variables, itemvars, become) -> None:
        task = te.task
        args = module.validate(args, task.pos, final=True)
        cctx = CompileContext(
            check_mode=te.check,
            diff=self._diff(task, te.wctx, templar),
            pos=task.pos,
            find_file=self.prun.file_finder(te.wctx.role, task),
            templar=templar,
            remote_checksums=self.state.checksums,
            become=bool(become),
            host=self.name,
            task_vars={**variables, **itemvars},
        )
        shell = module.compile(args, cctx)
        env = self.prun.environment(task, te.wctx, templar)
        slot.call = Call(
            module=module,
            args=args,
            shell=shell,
            cctx=cctx,
            check=te.check,
            diff=cctx.diff,
            # In check mode the script goes on after a failure: the controller decides whether
            # the failure is real or only the shadow of an earlier predicted change.
            ignore_errors=te.ignore_errors or task.failed_when is not None or te.check,
            environment=env,
            sink=slot,
            ignore_unreachable=self.bool_of(task.ignore_unreachable, templar)
            or bool(self.prun.play.ignore_unreachable),
            secret=bool(te.no_log) or is_secret(args) or is_secret(env),
        )
        if te.delegated_to is None:
            if not self.segment and self.pending_hook is not None:
                self.pending_hook(self, become)
            self.segment.add(slot.call, become)

    def add_hidden_shell(self, name: str, script: str, become, callback) -> None:
        """Queue an engine bookkeeping command (not printed, never fails the host)."""
        module = self.prun.module_for("shell")
        if module is None:
            return
        key = module.spec.free_form or "_raw_params"
        task = Task("shell", {key: script}, self.prun.play.pos, name=name)
        te = TaskExec(task, self.prun.base_ctx(), (self.prun.index, "hidden", name), {})
        te.remote, te.hidden, te.callback, te.ignore_errors = True, True, callback, True
        args = module.validate({key: script}, task.pos, final=True)
        cctx = CompileContext(pos=task.pos, host=self.name, become=bool(become))
        slot = ItemSlot()
        slot.call = Call(
            module, args, module.compile(args, cctx), cctx, False, False, True, {}, slot
        )
        te.items = [slot]
        if self.segment and not self.segment.accepts(become):
            return
        self.segment.add(slot.call, become)
        self.hidden_become = become
        self.outbox.append(te)

    def run_controller(self, te: TaskExec, module, args, templar, variables) -> dict:
        if module is None:
            from edgeauto.planner.builtins import run_builtin

            result = run_builtin(self, te.task, te.wctx, args)
            if "add_host" in result or "add_group" in result:
                self.prun.apply_inventory_change(self.name, result)
            return result
        args = module.validate(args, te.task.pos, final=True)
        ctx = ControllerContext(
            host=self.name,
            templar=templar,
            host_vars=variables,
            check_mode=te.check,
            verbosity=self.run.options.verbosity,
            evaluate=lambda expr: templar.evaluate(expr, te.task.pos),
            pos=te.task.pos,
        )
        result = dict(module.run(args, ctx) or {})
        if ctx.set_facts and not result.get("failed"):
            # set_fact values are rendered already: stored as data, never templated again.
            self.state.set_facts.update({k: as_data(v) for k, v in ctx.set_facts.items()})
        elif result.get("ansible_facts") and not result.get("failed"):
            self.state.facts.update(result["ansible_facts"])
        for key in ("add_host", "add_group"):
            if key in result:
                self.prun.apply_inventory_change(self.name, result)
                break
        return result

    # ------------------------------------------------------------------ includes and meta

    def run_include_tasks(self, task, wctx, templar, variables) -> str:
        out = self.flush()  # included tasks may read anything; keep ordering simple
        if out != OK:
            return out
        conditions = list(task.when)
        items = [ItemSlot()]
        loop_control = task.loop_control or {}
        loop_var = str(loop_control.get("loop_var", "item"))
        if task.loop is not None:
            values = loop_items(
                task.loop_kind, templar.render(task.loop, task.pos), templar, task.pos
            )
            items = [ItemSlot(v, i) for i, v in enumerate(values)]
        # Like ansible-playbook: every item is evaluated and reported first, then run.
        planned, entries = [], []
        for slot in items:
            extra = {}
            if slot.item is not _NO_ITEM:
                extra = loop_keys(loop_var, loop_control, [s.item for s in items], slot.index)
            itempl = templar.with_vars(extra) if extra else templar
            if (wctx.when or conditions) and not itempl.is_true(
                list(wctx.when) + conditions, task.pos
            ):
                entries.append((slot.item, None))
                continue
            args = self.render_args(task, itempl)
            target = args.get("file") or args.get("_raw_params") or task.include_target
            if not target:
                raise EdgeautoError("include_tasks needs a file name", task.pos)
            nodes = self.prun.load_included_tasks(str(target), task, wctx, {**variables, **extra})
            shown = nodes[0].pos.file if nodes and getattr(nodes[0], "pos", None) else target
            entries.append((slot.item, str(shown)))
            planned.append((nodes, extra))
        out = report_include(self, task, wctx, entries, task.loop is not None)
        if out != OK:
            return out
        for nodes, extra in planned:
            params = dict(extra)
            params.update(task.vars or {})
            sub = wctx.with_include(params, tags=task.tags)
            out = self.walk(nodes, sub)
            if out != OK:
                return out
        return OK

    def run_include_role(self, task, wctx, templar, variables) -> str:
        out = self.flush()
        if out != OK:
            return out
        if (wctx.when or task.when) and not templar.is_true(
            list(wctx.when) + list(task.when), task.pos
        ):
            return report_include(self, task, wctx, [(_NO_ITEM, None)], False)
        args = self.render_args(task, templar)
        name = args.get("name") or args.get("role") or task.include_target
        if not name:
            raise EdgeautoError("include_role needs a role name (name:)", task.pos)
        role = self.prun.load_included_role(str(name), task, args)
        out = report_include(self, task, wctx, [(_NO_ITEM, str(name))], False)
        if out != OK:
            return out
        params = dict(task.vars or {})
        sub = wctx.with_include(params, tags=task.tags)
        self.prun.register_role_handlers(role, sub.include_params)
        return self.run_role(role, sub, self.prun.roles_done.setdefault(self.name, set()))

    def run_meta(self, task, wctx, templar) -> str:
        args = task.args or {}
        action = (
            args.get("_raw_params")
            or args.get("free_form")
            or next((v for v in args.values() if isinstance(v, str)), "")
        )
        action = str(templar.render(action)).strip()
        if task.when or wctx.when:
            if not templar.is_true(list(wctx.when) + list(task.when), task.pos):
                return OK
        out = self.flush()
        if out != OK:
            return out
        if action == "flush_handlers":
            return self.run_handlers()
        if action == "end_host":
            self.state.ended = True
            return END_HOST
        if action == "end_play":
            self.prun.end_play_requested = True
            return END_PLAY
        if action == "end_batch":
            self.prun.end_batch_requested = True
            return END_HOST
        if action == "clear_facts":
            self.state.facts.clear()
            return OK
        if action == "clear_host_errors":
            self.state.failed = False
            return OK
        if action == "reset_connection":
            if self.state.transport is not None:
                self.state.transport.close()
            return OK
        if action in ("noop", "refresh_inventory", ""):
            return OK
        raise EdgeautoError(f"unknown meta action '{action}'", task.pos)

    # ------------------------------------------------------------------ handlers

    def notify(self, names: list[str], templar) -> None:
        for raw in names:
            name = str(templar.render(raw)) if templar else str(raw)
            handlers = self.prun.find_handlers(name)
            if not handlers:
                self.run.reporter.warning(
                    f"{self.name}: notified handler '{name}' is not defined in this play"
                )
            for handler in handlers:
                if all(h is not handler for h in self.notified):
                    self.notified.append(handler)
                    self.pending_unsaved = True

    def run_handlers(self) -> str:
        """Run notified handlers in their definition order until none is left (per host)."""
        from dataclasses import replace

        out = self.flush()
        if out != OK:
            return out
        ran_any = False
        while self.notified:
            current: list = []
            for handler in (self.prun.current_handler(h) for h in self.notified):
                if all(handler is not c for c in current):
                    current.append(handler)
            self.notified = current
            order = self.prun.handler_order()
            todo = [h for h in order if any(h is n for n in self.notified)]
            self.notified = [n for n in self.notified if all(n is not h for h in todo)]
            if not todo:
                break
            for handler in todo:
                hctx = replace(
                    self.prun.base_ctx(handler.role),
                    in_handlers=True,
                    include_params=self.prun.handler_include_params.get(id(handler), ()),
                )
                out = self.run_task(handler, hctx)
                if out != OK:
                    return out
                ran_any = True
            if not self.notified:
                self.run.pending_handlers.clear_call(self, self.segment.become)
            out = self.flush()
            if out != OK:
                return out
        if ran_any:
            self.prun.handlers_done(self)
        return OK

    # ------------------------------------------------------------------ speculation

    # ------------------------------------------------------------------ flushing


def role_signature(role) -> tuple:
    """Two loads of the same role with the same parameters are one role for Ansible's
    run-once rule (``include_role`` loads its own copy of a dependency already run)."""
    return ("role", str(role.path), role.tasks_from, role.entry_key or repr(role.params))


def expand_names(names: frozenset[str], variables: dict, limit: int = 200) -> frozenset[str]:
    """Names plus the names their (templated) values read — so `x: "{{ r.stdout }}"` counts."""
    if "*" in names:
        return names
    seen = set(names)
    todo = list(names)
    while todo and len(seen) < limit:
        name = todo.pop()
        value = variables.get(name)
        if value is None or not _might_template(value):
            continue
        for inner in template_names(value):
            if inner not in seen:
                seen.add(inner)
                todo.append(inner)
    return frozenset(seen)


def _might_template(value) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict | list):
        return True
    return False


__all__ = ["HostRunner", "TaskExec", "ItemSlot"]
