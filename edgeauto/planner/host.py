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

import copy
import time
from dataclasses import dataclass, field
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
from edgeauto.planner.loops import loop_items
from edgeauto.planner.results import TaskResult
from edgeauto.planner.segment import Call, Segment
from edgeauto.planner.state import HostState
from edgeauto.playbook.model import Block, Task
from edgeauto.transport.base import BecomeSpec

if TYPE_CHECKING:  # pragma: no cover
    from edgeauto.planner.play import PlayRun

OK, FAILED, UNREACHABLE, END_HOST, END_PLAY, STOPPED = (
    "ok",
    "failed",
    "unreachable",
    "end_host",
    "end_play",
    "stopped",
)
INCLUDE_TASKS = {"include_tasks", "import_tasks", "include"}
INCLUDE_ROLE = {"include_role", "import_role"}
FACT_ACTIONS = {"setup", "gather_facts"}
_NO_ITEM = object()


def short_action(name: str) -> str:
    for prefix in ("ansible.builtin.", "ansible.legacy.", "edgeauto.builtin."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass
class ItemSlot:
    """One loop item (or the single run of an unlooped task)."""

    item: Any = _NO_ITEM
    index: int = 0
    result: dict[str, Any] | None = None
    call: Call | None = None
    label: Any = None


@dataclass
class TaskExec:
    """One execution of a task on this host, waiting in the outbox until it is reported."""

    task: Task
    wctx: WalkCtx
    key: tuple
    tvars: dict[str, Any]
    items: list[ItemSlot] = field(default_factory=list)
    looped: bool = False
    loop_var: str = "item"
    remote: bool = False
    final: TaskResult | None = None
    snapshot: dict | None = None  # state before a speculative controller task ran
    check: bool = False
    no_log: bool = False
    ignore_errors: bool = False
    delegated_to: str | None = None
    started: float = field(default_factory=time.monotonic)
    hidden: bool = False  # engine bookkeeping (pending-handler file): never printed/counted
    callback: Any = None  # hidden tasks: called with the result dict


class HostRunner:
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
            if id(dep) in seen:
                continue
            out = self.run_role(dep, wctx, seen)
            if out != OK:
                return out
        seen.add(id(role))
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
        if not is_remote and self.segment:
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
        out = {te.loop_var: slot.item, "ansible_loop_var": te.loop_var}
        if "index_var" in loop_control:
            out[str(loop_control["index_var"])] = slot.index
        if loop_control.get("extended"):
            out["ansible_loop"] = {
                "index": slot.index + 1,
                "index0": slot.index,
                "first": slot.index == 0,
                "last": slot.index == count - 1,
                "length": count,
                "revindex": count - slot.index,
                "revindex0": count - slot.index - 1,
            }
        return out

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
            self.state.set_facts.update(ctx.set_facts)
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
        for slot in items:
            extra = {} if slot.item is _NO_ITEM else {loop_var: slot.item}
            itempl = templar.with_vars(extra) if extra else templar
            if (wctx.when or conditions) and not itempl.is_true(
                list(wctx.when) + conditions, task.pos
            ):
                continue
            args = self.render_args(task, itempl)
            target = args.get("file") or args.get("_raw_params") or task.include_target
            if not target:
                raise EdgeautoError("include_tasks needs a file name", task.pos)
            nodes = self.prun.load_included_tasks(str(target), task, wctx)
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
            return OK
        args = self.render_args(task, templar)
        name = args.get("name") or args.get("role") or task.include_target
        if not name:
            raise EdgeautoError("include_role needs a role name (name:)", task.pos)
        role = self.prun.load_included_role(str(name), task, args)
        params = dict(task.vars or {})
        sub = wctx.with_include(params, tags=task.tags)
        self.prun.register_role_handlers(role)
        return self.run_role(role, sub, set())

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
            order = self.prun.handler_order()
            todo = [h for h in order if any(h is n for n in self.notified)]
            self.notified = [n for n in self.notified if all(n is not h for h in todo)]
            if not todo:
                break
            for handler in todo:
                hctx = replace(self.prun.base_ctx(handler.role), in_handlers=True)
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

    def snapshot(self) -> dict:
        return {
            "set_facts": dict(self.state.set_facts),
            "registered": dict(self.state.registered),
            "facts": dict(self.state.facts),
            "notified": list(self.notified),
        }

    def restore(self, snap: dict) -> None:
        self.state.set_facts = snap["set_facts"]
        self.state.registered = snap["registered"]
        self.state.facts = snap["facts"]
        self.notified = snap["notified"]

    # ------------------------------------------------------------------ flushing

    def flush(self) -> str:
        """Run the pending segment (if any), then report every waiting task in order."""
        run_info = None
        if self.segment and self.prun.phaser is not None:
            self.prun.phaser.arrive_and_wait(self.run.cancelled)
            if self.prun.abort.is_set() or self.run.cancelled.is_set():
                # Another host failed under any_errors_fatal: this task is not sent.
                for te in self.outbox:
                    if not te.remote:
                        self.finalize(te)
                        self.emit(te)
                self.record_not_run(self.outbox)
                self.segment, self.outbox, self.pending = Segment(), [], set()
                return STOPPED
        if self.segment:
            run_info = self.prun.run_segment(self, self.segment)
            self.segment = Segment()
        self.pending = set()
        outbox, self.outbox = self.outbox, []
        outcome = OK
        for number, te in enumerate(outbox):
            if te.final is None:
                self.finalize(te, run_info)
            res = te.final
            if res.status == "skipped" and any(
                s.call is not None and s.call.outcome == "not_run" for s in te.items
            ):
                res = None  # never reached: an earlier task in the script stopped it
            if res is None:
                self.record_not_run(outbox[number:])
                break
            if res.status == "unreachable" and self.run.cancelled.is_set():
                # Ctrl-C reached the ssh session too: these tasks were cut short by the user,
                # the host is fine. Report them as not run instead of unreachable.
                self.record_not_run(outbox[number:], interrupted=True)
                outcome = STOPPED
                break
            self.emit(te)
            if res.status == "unreachable":
                outcome = UNREACHABLE
            elif res.status == "failed" and not res.ignored:
                outcome = FAILED
            if outcome != OK:
                rest = outbox[number + 1 :]
                spec = next((t.snapshot for t in rest if t.snapshot is not None), None)
                if spec is not None:
                    self.restore(spec)
                break
        if outcome == FAILED:
            te = outbox[number]
            return self.mark_failed(te.task, te.wctx)
        if outcome == UNREACHABLE:
            self.state.unreachable = True
            self.prun.host_unreachable(self.name)
        return outcome

    def record_not_run(self, rest: list[TaskExec], interrupted: bool = False) -> None:
        for te in rest:
            if not te.remote or te.hidden:
                continue
            ran = [s for s in te.items if s.call is not None and s.call.outcome == "done"]
            name = te.task.display_name
            if interrupted and ran:
                name += " (interrupted while running: its change may be partial)"
            self.state.not_run.append(name)

    def finalize(self, te: TaskExec, run_info=None) -> None:
        """Fold item results into one TaskResult; apply changed_when/failed_when/register/notify."""
        if te.final is not None:
            return
        te.final = self.build_result(te, run_info)
        self.commit(te)

    def commit(self, te: TaskExec) -> None:
        """The side effects of a finished task: ``register`` and handler notification."""
        task, final = te.task, te.final
        if te.callback is not None and final.status not in ("unreachable",):
            try:
                te.callback(final.result)
            except Exception as exc:  # noqa: BLE001 - bookkeeping must not break a run
                self.run.reporter.warning(f"{self.name}: {task.name}: {exc}")
        if final.status == "changed" and self.state.checksums:
            # What the facts round trip saw for this path is stale now.
            for res in final.item_results or [final.result]:
                for key in ("dest", "path"):
                    value = res.get(key)
                    if isinstance(value, str):
                        self.state.checksums.pop(value, None)
            if short_action(task.action) in ("command", "shell", "script", "raw"):
                self.state.checksums.clear()
        if task.register and final.status != "unreachable":
            self.state.registered[task.register] = copy.copy(final.result)
        if final.status == "changed" and (task.notify or te.wctx.notify):
            self.notify(list(task.notify) + list(te.wctx.notify), self.templar(te.tvars, te.wctx))

    def until_loop(self, te: TaskExec, templar) -> str:
        """``until``/``retries``/``delay``: re-run the task alone until its condition holds."""
        task = te.task
        retries = int(templar.render(task.retries)) if task.retries is not None else 3
        delay = float(templar.render(task.delay)) if task.delay is not None else 5.0
        attempt = 0
        while True:
            attempt += 1
            run_info = self.prun.run_segment(self, self.segment)
            res = self.build_result(te, run_info)
            if res.status in ("unreachable", "skipped"):
                break
            bound = dict(res.result)
            extra = {task.register: bound} if task.register else {}
            done = templar.with_vars({**bound, **extra}).is_true(_as_list(task.until), task.pos)
            if done or attempt > retries:
                break
            self.run.reporter.retrying(self.name, task, retries - attempt + 1, res)
            if self.prun.sleep(delay):
                break
            for slot in te.items:
                if slot.call is not None:
                    slot.call.outcome, slot.call.result = "pending", None
        self.segment = Segment()
        self.pending = set()
        if res.status not in ("unreachable", "skipped"):
            res.result["attempts"] = attempt
            if not done:
                res.status = "failed"
                res.result["failed"] = True
                res.result.setdefault(
                    "msg", f"the until condition was still false after {attempt} attempts"
                )
                res.ignored = te.ignore_errors
        te.final = res
        self.commit(te)
        return self.flush()

    def build_result(self, te: TaskExec, run_info=None) -> TaskResult:
        task = te.task
        templar = None
        item_results = []
        for slot in te.items:
            res = slot.result
            if slot.call is not None:
                call = slot.call
                if call.outcome == "done":
                    res = dict(call.result or {})
                elif call.outcome == "unreachable":
                    res = {"unreachable": True, "msg": self.prun.unreachable_message(self.name)}
                else:  # not_run
                    res = {"skipped": True, "not_run": True, "changed": False}
            if res is None:
                res = {"skipped": True, "changed": False}
            if slot.item is not _NO_ITEM:
                res["item"] = slot.item
                res["ansible_loop_var"] = te.loop_var
                if slot.label is not None:
                    res["_ansible_item_label"] = slot.label
            if te.remote and slot.call is not None and slot.call.outcome == "done":
                templar = templar or self.templar({**te.tvars, **self.state.registered}, te.wctx)
                res = self.apply_conditions(te, slot, res, templar)
                if te.check:
                    res = self.check_mode_shadow(slot, res)
            item_results.append(res)
        if te.looped:
            result = {
                "results": item_results,
                "changed": any(r.get("changed") for r in item_results),
                "msg": "All items completed",
            }
            if any(r.get("failed") for r in item_results):
                result["failed"] = True
                result["msg"] = "One or more items failed"
            if item_results and all(r.get("skipped") for r in item_results):
                result["skipped"] = True
            if any(r.get("unreachable") for r in item_results):
                result["unreachable"] = True
        else:
            result = item_results[0] if item_results else {"skipped": True}
        if result.get("unreachable"):
            status = "unreachable"
        elif result.get("failed"):
            status = "failed"
        elif result.get("skipped") and not result.get("changed"):
            status = "skipped"
        elif result.get("changed"):
            status = "changed"
        else:
            status = "ok"
        if te.check:
            result.setdefault("changed", status == "changed")
        final = TaskResult(
            self.name,
            task,
            status,
            result,
            ignored=status == "failed" and te.ignore_errors,
            item_results=item_results if te.looped else [],
            key=te.key,
            delegated_to=te.delegated_to,
            duration=time.monotonic() - te.started,
            no_log=te.no_log,
            check_mode=te.check,
            is_handler=task.is_handler,
            hidden=te.hidden,
        )
        if te.hidden:
            final.ignored = True
        if run_info is not None and te.remote:
            final.script = run_info.script.decode("utf-8", "replace") if run_info.script else None
            if status == "failed":
                self.prun.explain_failure(self, te, final, run_info)
        return final

    def check_mode_shadow(self, slot: ItemSlot, res: dict) -> dict:
        """Check mode: a failure on a path an earlier task only *predicted* to create is not a
        failure but 'would change' (a real run creates the path first); changed paths are
        remembered for later tasks."""
        paths = _paths_of(slot.call.args if slot.call else {}, res)
        if res.get("failed") and not res.get("failed_when_result"):
            if any(_under(p, q) for p in paths for q in self.predicted_paths):
                return {
                    "changed": True,
                    "check_mode_uncertain": True,
                    "msg": "would change; the exact outcome depends on an earlier change that "
                    "check mode only predicted (" + str(res.get("msg", "")).strip() + ")",
                }
        elif res.get("changed"):
            self.predicted_paths.update(paths)
        return res

    def apply_conditions(self, te: TaskExec, slot: ItemSlot, res: dict, templar) -> dict:
        """changed_when / failed_when, evaluated on the controller with the result bound."""
        task = te.task
        if task.changed_when is None and task.failed_when is None:
            return res
        bound = dict(res)
        extra = {}
        if task.register:
            extra[task.register] = bound
        if slot.item is not _NO_ITEM:
            extra[te.loop_var] = slot.item
        # Ansible also exposes the result's keys directly in these conditions.
        tpl = templar.with_vars({**bound, **extra})
        if task.changed_when is not None:
            res["changed"] = bool(tpl.is_true(_as_list(task.changed_when), task.pos))
        if task.failed_when is not None:
            failed = (
                bool(tpl.is_true(_as_list(task.failed_when), task.pos))
                if task.failed_when
                else False
            )
            res["failed_when_result"] = failed
            res["failed"] = failed
            if failed and "msg" not in res:
                res["msg"] = "the failed_when condition was true"
        return res

    def emit(self, te: TaskExec) -> None:
        res = te.final
        if res is None or res.hidden:
            return
        self.state.stats.count(res)
        self.last_result = res
        self.prun.report(res)


def _paths_of(args: dict, res: dict) -> set[str]:
    out = set()
    for key in ("path", "dest", "src", "chdir", "creates", "removes"):
        for source in (args, res):
            value = source.get(key)
            if isinstance(value, str) and value.startswith("/"):
                out.add(value.rstrip("/") or "/")
    return out


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


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
