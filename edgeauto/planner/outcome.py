"""What happens when a segment comes back: results folded per task, in order.

``flush`` sends the pending segment, then walks the outbox in task order: each task's item
results become one :class:`TaskResult` (``changed_when``/``failed_when`` applied, check-mode
shadows judged), ``register`` and ``notify`` take effect, and the result is reported. The first
unignored failure stops the walk; speculative controller tasks after it are rolled back.
Kept apart from :mod:`edgeauto.planner.host` (which decides *what* goes into a segment).
"""

from __future__ import annotations

import time

from edgeauto.planner.loops import loop_keys
from edgeauto.planner.results import TaskResult
from edgeauto.planner.segment import Segment
from edgeauto.planner.taskexec import (
    _NO_ITEM,
    FAILED,
    OK,
    STOPPED,
    UNREACHABLE,
    ItemSlot,
    TaskExec,
    short_action,
)
from edgeauto.templating import as_data


class OutcomeMixin:
    def snapshot(self) -> dict:
        return {
            "included_vars": dict(self.state.included_vars),
            "set_facts": dict(self.state.set_facts),
            "registered": dict(self.state.registered),
            "facts": dict(self.state.facts),
            "notified": list(self.notified),
        }

    def restore(self, snap: dict) -> None:
        self.state.included_vars = snap["included_vars"]
        self.state.set_facts = snap["set_facts"]
        self.state.registered = snap["registered"]
        self.state.facts = snap["facts"]
        self.notified = snap["notified"]

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
            # Wrapped as data: a registered stdout holding '{{ x }}' must never be rendered.
            self.state.registered[task.register] = registered_value(final.result)
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
        loop_control = task.loop_control or {}
        all_items = [s.item for s in te.items]
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
                res.update(loop_keys(te.loop_var, loop_control, all_items, slot.index))
                res["_ansible_item_label"] = slot.label if slot.label is not None else slot.item
            if te.remote and slot.call is not None and slot.call.outcome == "done":
                templar = templar or self.templar({**te.tvars, **self.state.registered}, te.wctx)
                if te.check:
                    res = _predicted_defaults(res)
                res = self.apply_conditions(te, slot, res, templar)
                if te.check:
                    shadowed = self.check_mode_shadow(slot, res)
                    if shadowed is not res and te.task.changed_when is not None:
                        shadowed = self.changed_when_on_prediction(te, slot, shadowed, templar)
                    res = shadowed
            if slot.item is not _NO_ITEM and not res.get("skipped"):
                res.setdefault("changed", False)
                res.setdefault("failed", False)
            item_results.append(res)
        if te.looped:
            all_skipped = bool(item_results) and all(r.get("skipped") for r in item_results)
            result = {
                "results": item_results,
                "changed": any(r.get("changed") for r in item_results),
                "msg": "All items skipped" if all_skipped else "All items completed",
                "skipped": all_skipped,
            }
            if any(r.get("failed") for r in item_results):
                result["failed"] = True
                result["msg"] = "One or more items failed"
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

    def changed_when_on_prediction(self, te: TaskExec, slot: ItemSlot, res: dict, templar):
        """A shadowed check-mode failure still obeys ``changed_when`` when it can be decided
        without the real output (``changed_when: false`` → ok, as the real run reports)."""
        from edgeauto.errors import EdgeautoError

        bound = dict(res)
        extra = {te.task.register: bound} if te.task.register else {}
        if slot.item is not _NO_ITEM:
            extra[te.loop_var] = slot.item
        try:
            changed = templar.with_vars({**bound, **extra}).is_true(
                _as_list(te.task.changed_when), te.task.pos
            )
        except EdgeautoError:
            return res  # depends on output a prediction does not have: keep "would change"
        return {**res, "changed": bool(changed)}

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
        if res.status == "failed" and not res.ignored:
            self.last_failure = res  # what a rescue reads as ansible_failed_task/_result
        self.prun.report(res)


def registered_value(result: dict):
    """What ``register`` stores: the result without Ansible's internal ``_ansible_*`` keys
    (item labels …), as ansible-playbook strips them, wrapped as data so a registered stdout
    holding '{{ x }}' is never rendered."""

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not str(k).startswith("_ansible_")}
        return value

    out = clean(result)
    if isinstance(out.get("results"), list):
        out["results"] = [clean(r) for r in out["results"]]
    return as_data(out)


def _predicted_defaults(res: dict) -> dict:
    """A command check mode did not run still registers the keys Ansible's skipped check-mode
    result has (``rc: 0``, empty output), so later tasks reading ``r.rc`` can be predicted."""
    if not res.get("might_change") or "rc" in res:
        return res
    out = {"rc": 0, "stdout": "", "stderr": "", "stdout_lines": [], "stderr_lines": []}
    out.update(res)
    out.setdefault("failed", False)
    return out


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
