"""Planning one task for one host: loop items, conditions, compiling remote calls into the
pending segment, running controller tasks inline (layer 5).

The rules for *when* the segment must be sent first live here and in ``host.py``; everything
that happens when results come back lives in ``outbox.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edgeauto.errors import EdgeautoError
from edgeauto.modules.base import CompileContext, ControllerContext, RemoteModule
from edgeauto.modules.spec import to_bool
from edgeauto.planner.asyncjobs import limits_of, not_supported
from edgeauto.planner.builtins import BuiltinCtx, run_builtin
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.deps import template_names
from edgeauto.planner.loops import loop_items, loop_keys, loop_var_name
from edgeauto.planner.outbox import Outbox
from edgeauto.planner.pending import PendingHandlers
from edgeauto.planner.records import NO_ITEM, Flow, ItemSlot, TaskExec
from edgeauto.planner.segment import Call
from edgeauto.planner.taskargs import rendered_args, rendered_backend_defaults
from edgeauto.playbook.model import Task
from edgeauto.playbook.moduledefaults import with_backend_defaults
from edgeauto.templating import as_data, is_secret

SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}


def bool_of(value: Any, templar, default: bool = False) -> bool:
    """A keyword's truth value; a templated value is rendered first. A template error is
    raised, never read as false (``ignore_errors: "{{ typo }}"`` must fail loudly)."""
    if value is None:
        return default
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        value = templar.render(value)
    try:
        return to_bool(value)
    except ValueError:
        return bool(value)


def loop_pause(task: Task, templar) -> float:
    """``loop_control.pause``: seconds between the items of a loop (0: none)."""
    value = (task.loop_control or {}).get("pause") if task.loop is not None else None
    if value in (None, ""):
        return 0.0
    try:
        return max(0.0, float(templar.render(value, task.pos)))
    except (TypeError, ValueError):
        from edgeauto.errors import EdgeautoError

        msg = f"loop_control 'pause' expects seconds, found {value!r}"
        raise EdgeautoError(msg, task.pos) from None


def render_args(task: Task, templar) -> dict:
    return rendered_args(task, templar)


def loop_slots(task: Task, templar) -> list[ItemSlot]:
    """The task's loop items as slots (one item-less slot for an unlooped task)."""
    if task.loop is None:
        return [ItemSlot()]
    rendered = templar.render(task.loop, task.pos)
    values = loop_items(task.loop_kind, rendered, templar, task.pos, task.action)
    return [ItemSlot(v, i) for i, v in enumerate(values)]


def item_vars(loop_var: str, loop_control: dict, slots: list[ItemSlot], slot: ItemSlot) -> dict:
    if slot.item is NO_ITEM:
        return {}
    return loop_keys(loop_var, loop_control, [s.item for s in slots], slot.index)


class TaskPlanner:
    """Turns one task into item results or compiled calls (see module docstring)."""

    def __init__(self, outbox: Outbox, pending: PendingHandlers):
        self.outbox = outbox
        self.pending = pending
        self.services = outbox.services
        self.state = outbox.state
        self.walk = outbox.walk
        self.name = outbox.name

    def ignore_errors(self, task: Task, wctx: WalkCtx, templar) -> bool:
        value = (
            task.ignore_errors if task.ignore_errors not in (None, False) else wctx.ignore_errors
        )
        if value is None:
            return False
        return bool_of(value, templar) if templar is not None else to_bool(value)

    def _mode(self, value, default: bool, templar) -> bool:
        return default if value is None else bool_of(value, templar)

    def new_exec(self, task: Task, wctx: WalkCtx, key: tuple, variables: dict, templar):
        te = TaskExec(task, wctx, key, variables)
        opts = self.services.options
        te.check = self._mode(_pick(task.check_mode, wctx.check_mode), opts.check, templar)
        te.no_log = bool_of(task.no_log if task.no_log else wctx.no_log, templar)
        te.ignore_errors = self.ignore_errors(task, wctx, templar)
        te.loop_var = loop_var_name(task, templar)
        te.looped = task.loop is not None
        return te

    def plan(self, te: TaskExec, module, templar, delegate: str | None) -> Flow:
        """Evaluate loop/when, compile remote calls into the segment or run controller tasks."""
        task, wctx, walk = te.task, te.wctx, self.walk
        te.delegated_to = delegate
        te.login = self.services.scope.login_user(self.name, task, wctx, templar)
        te.items = self._items_or_skip(te, templar)
        is_remote = te.remote = isinstance(module, RemoteModule)
        become = self.services.scope.become_spec(
            self.name, task.become.merged_over(wctx.become), templar, te.tvars
        )
        if is_remote and walk.segment:
            mixed = not te.check and any(c.check for c in walk.segment.calls)
            # (a real task must never run after a check-mode task whose failure was not yet
            # judged; a delegated task keeps order: this host's pending tasks run first)
            if delegate is not None or mixed or not walk.segment.accepts(become, te.login):
                out = self.outbox.flush()
                if out != Flow.OK:
                    return out
        pause = loop_pause(task, templar)
        if pause and not is_remote and walk.segment:
            out = self.outbox.flush()  # the pause happens after the tasks before it ran
            if out != Flow.OK:
                return out
        if walk.segment:
            # Anything this task changes on the controller (set_fact, or register of a task
            # whose items are all skipped) must be undone if a pending task fails.
            te.snapshot = self.outbox.snapshot()
        self._fill_items(te, module, templar, become, pause)
        walk.outbox.append(te)
        calls = any(s.call for s in te.items)
        if is_remote and calls and delegate is not None:
            self.services.dispatch.run_delegated(self.name, te, delegate, become)
            return self.outbox.flush()
        if is_remote and calls:
            return self._queued(te, module, templar, delegate)
        # Controller task (or everything skipped): report in order with pending results.
        if not walk.segment:
            return self.outbox.flush()
        if te.final is None:
            self.outbox.finalize(te)
        if te.final and te.final.status == "failed" and not te.final.ignored:
            return self.outbox.flush()
        return Flow.OK

    def _items_or_skip(self, te: TaskExec, templar) -> list[ItemSlot]:
        """The loop's items; a loop that cannot be templated under a ``when`` that is false
        without the item is skipped, not failed, as in ansible-core (ansible issue 45189)."""
        try:
            return loop_slots(te.task, templar)
        except EdgeautoError:
            conditions = list(te.wctx.when) + list(te.task.when)
            try:
                skip = bool(conditions) and not templar.is_true(conditions, te.task.pos)
            except EdgeautoError:
                skip = False
            if not skip:
                raise
            te.looped = False  # reported as the skipped task it is, with no item
            return [ItemSlot()]

    def _queued(self, te: TaskExec, module, templar, delegate) -> Flow:
        """A remote task's calls wait in the segment: note what later tasks must wait for."""
        task = te.task
        if task.register:
            self.walk.pending_names.add(task.register)
        if module.returns_facts:
            self.walk.pending_names.add("*facts*")
            # facts injected under their own names (getent_passwd) are pending names too
            fact_names = getattr(module, "fact_names", None)
            for slot in te.items if fact_names else ():
                if slot.call is not None:
                    self.walk.pending_names.update(fact_names(slot.call.args))
        if task.until is not None:
            return self.outbox.until_loop(te, templar)
        if task.failed_when is not None or delegate is not None or self.services.barrier.lockstep:
            return self.outbox.flush()
        return Flow.OK

    def _fill_items(self, te: TaskExec, module, templar, become, pause: float = 0) -> None:
        task, wctx = te.task, te.wctx
        loop_control = task.loop_control or {}
        conditions = list(wctx.when) + list(task.when)
        for number, slot in enumerate(te.items):
            if pause and number and not te.remote:  # loop_control.pause between items
                self.services.fleet.sleep(pause)
            itemvars = item_vars(te.loop_var, loop_control, te.items, slot)
            itempl = templar.with_vars(itemvars) if itemvars else templar
            skip = bool(conditions) and not itempl.is_true(conditions, task.pos)
            if "label" in loop_control and te.looped:
                label = loop_control["label"]
                if skip or (task.register and task.register in template_names(label)):
                    # rendered with the item's result (ansible issue 83619: `r.stdout` in the
                    # label of a task registering r); a skipped item still gets its label
                    slot.label_later = (itempl, label)
                else:
                    slot.label = itempl.render(label)
            if skip:
                slot.result = dict(SKIPPED, false_condition=str(conditions[-1]))
                continue
            if task.unresolved:  # an unknown module in a dynamic include, and it runs
                slot.result = {"failed": True, "msg": f"{task.pos}: {task.unresolved}"}
                continue
            args = render_args(task, itempl)
            variables = {**te.tvars, **itemvars}
            if te.remote:
                self.compile_call(te, slot, module, args, itempl, variables, become)
                if pause and number and slot.call is not None:
                    slot.call.pause = pause  # the script sleeps before this item
            elif task.async_val is not None and limits_of(task, wctx, itempl.render, {}).async_val:
                slot.result = not_supported(task.action)  # controller actions have no async
            else:
                slot.result = self.run_controller(te, module, args, itempl, variables, become)
                facts = slot.result.get("ansible_facts")
                if te.looped and isinstance(facts, dict) and not slot.result.get("failed"):
                    # the next item sees what this one set (`acc: "{{ acc + [item] }}"`),
                    # as ansible-core updates the loop's variables after each set_fact
                    templar = templar.with_vars({k: as_data(v) for k, v in facts.items()})
                    te.tvars = {**te.tvars, **facts}

    def compile_call(self, te: TaskExec, slot, module, args, templar, variables, become) -> None:
        task, scope = te.task, self.services.scope
        render = rendered_backend_defaults(task, templar)
        args = with_backend_defaults(task, module, args, render, variables)
        args = module.validate(args, task.pos, final=True)
        limits = None
        if task.async_val is not None or task.timeout is not None or te.wctx.timeout is not None:
            limits = limits_of(task, te.wctx, lambda v: templar.render(v, task.pos), variables)
            if limits.async_val and not module.supports_async:
                slot.result = not_supported(task.action)
                return
        cctx = CompileContext(
            check_mode=te.check,
            diff=self._mode(_pick(task.diff, te.wctx.diff), self.services.options.diff, templar),
            pos=task.pos,
            find_file=scope.file_finder(te.wctx.role, task),
            templar=templar,
            remote_checksums=self.state.checksums,
            become=bool(become),
            host=self.name,
            task_vars=variables,
            no_log=bool(te.no_log),
            async_jobs=self.state.async_jobs,
        )
        shell = module.compile(args, cctx)
        env = scope.environment(task, te.wctx, templar)
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
            ignore_unreachable=bool_of(task.ignore_unreachable, templar)
            or bool(self.services.play.ignore_unreachable),
            # no_log options (passwords, url_password…) travel in the script: mask the dump too
            secret=bool(te.no_log)
            or is_secret(args)
            or is_secret(env)
            or bool(module.spec.no_log_values(args)),
            limits=limits,
        )
        if limits is not None and limits.background:
            self.state.async_jobs[limits.job_id] = (module, args, cctx)
        if te.delegated_to is None:
            if not self.walk.segment:
                self.pending.segment_start(become)
            self.walk.segment.add(slot.call, become, te.login)

    def run_controller(self, te: TaskExec, module, args, templar, variables, become=None) -> dict:
        fleet = self.services.fleet
        task = te.task
        if module is None:
            role = te.wctx.role
            ctx = BuiltinCtx(
                state=self.state,
                vault=fleet.vault,
                basedir=self.services.play.basedir,
                role_path=None if role is None else role.path,
                sleep=fleet.sleep,
                variables=variables,
            )
            result = run_builtin(task, args, ctx)
        else:
            result = self._run_module(te, module, args, templar, variables, become)
        if "add_host" in result or "add_group" in result:
            fleet.apply_inventory_change(self.name, result)
        return result

    def _run_module(self, te: TaskExec, module, args, templar, variables, become=None) -> dict:
        pos = te.task.pos
        args = module.validate(args, pos, final=True)
        ctx = ControllerContext(
            host=self.name,
            templar=templar,
            host_vars=variables,
            check_mode=te.check,
            verbosity=self.services.options.verbosity,
            evaluate=lambda expr: templar.evaluate(expr, pos),
            pos=pos,
        )
        if getattr(module, "uses_connection", False):
            ctx.connection = HostLink(self.state.transport, become, self.services.fleet.sleep)
        result = dict(module.run(args, ctx) or {})
        if ctx.set_facts and not result.get("failed"):
            # set_fact values are rendered already: stored as data, never templated again.
            self.state.set_facts.update({k: as_data(v) for k, v in ctx.set_facts.items()})
        elif result.get("ansible_facts") and not result.get("failed"):
            self.state.facts.update(result["ansible_facts"])
        return result


@dataclass
class HostLink:
    """What a ``uses_connection`` controller module gets: the host's own transport, the
    task's become and the run's cancellable sleep (True = the run was cancelled)."""

    transport: Any
    become: Any
    sleep: Any


def _pick(inner, outer):
    return inner if inner is not None else outer
