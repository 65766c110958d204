"""What happens when a segment comes back: results folded per task, in order (layer 4).

``flush`` sends the pending segment, then walks the outbox in task order: each task's item
results become one :class:`TaskResult` (``fold.py``), ``register`` and ``notify`` take effect,
and the result is reported. The first unignored failure stops the walk; speculative controller
tasks after it are rolled back to the snapshot taken before them. The host runner decides
*what* goes into a segment; this decides what its results do.
"""

from __future__ import annotations

from edgeauto.planner import fold
from edgeauto.planner.records import Flow, HostWalk, ItemSlot, TaskExec
from edgeauto.planner.segment import Call, SegmentRun
from edgeauto.planner.services import PlayServices
from edgeauto.planner.state import HostState
from edgeauto.playbook.model import Task
from edgeauto.templating import as_data


class Outbox:
    """One host's pending results and their folding (see module docstring)."""

    def __init__(self, services: PlayServices, state: HostState, walk: HostWalk):
        self.services = services
        self.state = state
        self.walk = walk
        self.name = state.name

    # ------------------------------------------------------------------ speculation

    def snapshot(self) -> dict:
        st = self.state
        return {
            "included_vars": dict(st.included_vars),
            "set_facts": dict(st.set_facts),
            "registered": dict(st.registered),
            "facts": dict(st.facts),
            "notified": list(self.walk.notified),
        }

    def restore(self, snap: dict) -> None:
        st = self.state
        st.included_vars = snap["included_vars"]
        st.set_facts = snap["set_facts"]
        st.registered = snap["registered"]
        st.facts = snap["facts"]
        self.walk.notified = snap["notified"]

    # ------------------------------------------------------------------ flushing

    def flush(self) -> Flow:
        """Run the pending segment (if any), then report every waiting task in order.

        While the script runs, tasks whose records are in are already folded and reported
        in order (:class:`LiveEmitter`), so output streams; what it did not report (a
        failure, a cut, a resend) is handled here after the script, as always."""
        walk = self.walk
        run_info = None
        live = LiveEmitter(self, walk.outbox)
        if walk.segment:
            if not self.services.barrier.before_send():
                return self._stopped_before_send()
            run_info = self.services.dispatch.run_segment(
                self.state, walk.segment, on_settled=live.settled
            )
        walk.reset_segment()
        outbox, walk.outbox = walk.outbox, []
        outcome = Flow.OK
        for number, te in enumerate(outbox[live.emitted :], live.emitted):
            if te.final is None:
                self.finalize(te, run_info)
            res = te.final
            if res.status == "skipped" and any(
                s.call is not None and s.call.outcome == "not_run" for s in te.items
            ):
                self.record_not_run(outbox[number:])  # an earlier task in the script stopped it
                break
            if res.status == "unreachable" and self.services.cancelled():
                # Ctrl-C reached the ssh session too: these tasks were cut short by the user,
                # the host is fine. Report them as not run instead of unreachable.
                self.record_not_run(outbox[number:], interrupted=True)
                outcome = Flow.STOPPED
                break
            self.emit(te)
            if res.status == "unreachable":
                outcome = Flow.UNREACHABLE
            elif res.status == "failed" and not res.ignored:
                outcome = Flow.FAILED
            if outcome != Flow.OK:
                rest = outbox[number + 1 :]
                snap = next((t.snapshot for t in rest if t.snapshot is not None), None)
                if snap is not None:
                    self.restore(snap)
                break
        if outcome == Flow.FAILED:
            return self.mark_failed(outbox[number].task, outbox[number].wctx)
        if outcome == Flow.UNREACHABLE:
            self.state.unreachable = True
            self.services.scope.status_changed()
        return outcome

    def _stopped_before_send(self) -> Flow:
        """Another host failed under any_errors_fatal: the pending tasks are not sent."""
        walk = self.walk
        for te in walk.outbox:
            if not te.remote:
                self.finalize(te)
                self.emit(te)
        self.record_not_run(walk.outbox)
        walk.reset_segment()
        walk.outbox = []
        return Flow.STOPPED

    def mark_failed(self, task: Task, wctx) -> Flow:
        """The host failed at ``task``. Whether that stops other hosts (any_errors_fatal,
        max_fail_percentage) is decided when the failure leaves the play unrescued."""
        self.state.failed = True
        self.walk.failed_at = (task, wctx)
        return Flow.FAILED

    def record_not_run(self, rest: list[TaskExec], interrupted: bool = False) -> None:
        for te in rest:
            if not te.remote or te.hidden:
                continue
            ran = [s for s in te.items if s.call is not None and s.call.outcome == "done"]
            name = te.task.display_name
            if interrupted and ran:
                name += " (interrupted while running: its change may be partial)"
            self.state.not_run.append(name)

    # ------------------------------------------------------------------ folding

    def fold(self, te: TaskExec, run_info: SegmentRun | None = None):
        scope = self.services.scope
        return fold.build_result(
            te,
            host=self.name,
            templar_for=lambda: scope.make_templar(
                {**te.tvars, **self.state.registered}, te.wctx.role
            ),
            unreachable_msg=lambda: self.services.dispatch.unreachable_message(self.name),
            predicted_paths=self.walk.predicted_paths,
            run_info=run_info,
        )

    def finalize(self, te: TaskExec, run_info: SegmentRun | None = None) -> None:
        """Fold item results into one TaskResult; apply register/notify."""
        if te.final is not None:
            return
        te.final = self.fold(te, run_info)
        self.commit(te)

    def commit(self, te: TaskExec) -> None:
        """The side effects of a finished task: stale checksums, ``register``, notification."""
        task, final = te.task, te.final
        if te.callback is not None and final.status != "unreachable":
            try:
                te.callback(final.result)
            except Exception as exc:  # noqa: BLE001 - bookkeeping must not break a run
                self.services.reporter.warning(f"{self.name}: {task.name}: {exc}")
        if final.status == "changed" and self.state.checksums:
            self._invalidate_checksums(te)
        warnings = final.result.get("warnings") if te.remote and not te.no_log else None
        for warning in warnings if isinstance(warnings, list) else []:
            # what a remote module warned about is printed, as ansible-playbook prints it
            self.services.reporter.warning(f"{self.name}: {_warning_text(warning)}")
        if te.remote and final.status in ("ok", "changed"):
            self._module_facts(final)
        if task.register and final.status != "unreachable":
            # Wrapped as data: a registered stdout holding '{{ x }}' must never be rendered.
            self.state.register(
                task.register,
                fold.registered_value(final.result),
                fold.only_predicted(final.result, te.check),
            )
        if final.status == "changed" and (task.notify or te.wctx.notify):
            templar = self.services.scope.make_templar(te.tvars, te.wctx.role)
            names = [str(templar.render(n)) for n in [*task.notify, *te.wctx.notify]]
            self.notify(names)

    def _module_facts(self, final) -> None:
        """Facts a remote module returned (getent, service_facts, hostname…) join the host's
        facts as Ansible namespaces them: ``ansible_facts.hostname`` for ``ansible_hostname``,
        ``ansible_facts.getent_passwd`` and, injected as a variable, ``getent_passwd``."""
        for res in final.item_results or [final.result]:
            facts = res.get("ansible_facts")
            if not isinstance(facts, dict) or res.get("failed"):
                continue
            self.state.facts.update({str(k).removeprefix("ansible_"): v for k, v in facts.items()})
            plain = {k: as_data(v) for k, v in facts.items() if not str(k).startswith("ansible_")}
            self.state.set_facts.update(plain)

    def notify(self, names: list) -> None:
        warn = self.services.reporter.warning
        self.services.handlers.notify(self.walk, names, lambda m: warn(f"{self.name}: {m}"))

    def _invalidate_checksums(self, te: TaskExec) -> None:
        """What the facts round trip saw is stale now: for the paths the module reported
        (``invalidates = "paths"``) or for every file (``"all"``: commands)."""
        module = next((s.call.module for s in te.items if s.call is not None), None)
        scope = getattr(module, "invalidates", None)
        if scope == "all":
            self.state.checksums.clear()
            return
        for res in te.final.item_results or [te.final.result]:
            for key in ("dest", "path"):
                value = res.get(key)
                if isinstance(value, str):
                    self.state.checksums.pop(value, None)

    def emit(self, te: TaskExec) -> None:
        res = te.final
        if res is None or res.hidden:
            return
        self.state.stats.count(res)
        self.walk.last_result = res
        if res.status == "failed" and not res.ignored:
            self.walk.last_failure = res  # what a rescue reads as ansible_failed_task/_result
        self.services.fleet.record(res)

    # ------------------------------------------------------------------ until

    def until_loop(self, te: TaskExec, templar) -> Flow:
        """``until``/``retries``/``delay``: re-run the task alone until its condition holds."""
        task = te.task
        retries = int(templar.render(task.retries)) if task.retries is not None else 3
        delay = float(templar.render(task.delay)) if task.delay is not None else 5.0
        attempt, done = 0, False
        while True:
            attempt += 1
            run_info = self.services.dispatch.run_segment(self.state, self.walk.segment)
            res = self.fold(te, run_info)
            if res.status in ("unreachable", "skipped"):
                break
            bound = dict(res.result)
            extra = {task.register: bound} if task.register else {}
            done = templar.with_vars({**bound, **extra}).is_true(fold.as_list(task.until), task.pos)
            if done or attempt > retries:
                break
            self.services.reporter.retrying(self.name, task, retries - attempt + 1, res)
            if self.services.fleet.sleep(delay):
                break
            for slot in te.items:
                if slot.call is not None:
                    slot.call.outcome, slot.call.result = "pending", None
        self.walk.reset_segment()
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

    # ------------------------------------------------------------------ bookkeeping calls

    def add_hidden_shell(self, name: str, script: str, become, callback) -> None:
        """Queue an engine bookkeeping command (not printed, never fails the host)."""
        from edgeauto.modules.base import CompileContext
        from edgeauto.modules.registry import get_module

        module = get_module("shell")
        walk = self.walk
        if module is None or (walk.segment and not walk.segment.accepts(become)):
            return
        services = self.services
        key = module.spec.free_form or "_raw_params"
        task = Task("shell", {key: script}, services.play.pos, name=name)
        te = TaskExec(task, services.scope.base_ctx(), (services.index, "hidden", name), {})
        te.remote, te.hidden, te.callback, te.ignore_errors = True, True, callback, True
        args = module.validate({key: script}, task.pos, final=True)
        cctx = CompileContext(pos=task.pos, host=self.name, become=bool(become))
        slot = ItemSlot()
        slot.call = Call(
            module=module,
            args=args,
            shell=module.compile(args, cctx),
            cctx=cctx,
            check=False,
            diff=False,
            ignore_errors=True,
            environment={},
            sink=slot,
        )
        te.items = [slot]
        walk.segment.add(slot.call, become)
        walk.hidden_become = become
        walk.outbox.append(te)


class LiveEmitter:
    """Report the outbox's tasks in order as their records arrive, while the script runs.

    Only the plain case is reported live: every item of the task came back complete and the
    folded task is ok, changed, skipped by its own condition, or failed but ignored. At the
    first anything else (a failure that stops the host, a resend, a controller task still to
    be decided) live reporting stops and :meth:`Outbox.flush` goes on from there with the
    whole run's information, exactly as without streaming.
    """

    def __init__(self, outbox: Outbox, pending: list[TaskExec]):
        self.outbox = outbox
        self.pending = pending
        self.emitted = 0
        self.stopped = False

    def settled(self, call: Call, run_info: SegmentRun) -> None:
        try:
            self._advance(run_info)
        except Exception:  # noqa: BLE001 - never let reporting kill the script in flight
            self.stopped = True  # flush() folds the rest after the script and reports errors

    def _advance(self, run_info: SegmentRun) -> None:
        while not self.stopped and self.emitted < len(self.pending):
            te = self.pending[self.emitted]
            if not self._ready(te):
                return
            if te.final is None:
                final = self.outbox.fold(te, run_info)
                if not _plain(final):
                    self.stopped = True
                    return
                te.final = final
                self.outbox.commit(te)
            elif not _plain(te.final):
                self.stopped = True
                return
            self.outbox.emit(te)
            self.emitted += 1

    def _ready(self, te: TaskExec) -> bool:
        if not te.remote:
            return te.final is not None
        for slot in te.items:
            call = slot.call
            if call is None:
                continue
            if call.outcome != "done" or (call.result or {}).get("resend"):
                return False
        return True


def _plain(final) -> bool:
    if final.status in ("ok", "changed"):
        return True
    if final.status == "failed":
        return bool(final.ignored)
    if final.status == "skipped":
        return not final.result.get("not_run")
    return False


def _warning_text(warning) -> str:
    if isinstance(warning, dict):
        return str(warning.get("msg") or warning.get("message") or warning)
    return str(warning)
