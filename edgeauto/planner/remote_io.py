"""The play's conversations with hosts: facts (+ checksums), segments (with reconnect and
content re-send), delegated tasks, and failure explanations.

Mixed into :class:`edgeauto.planner.play.PlayRun`; kept apart so the play file stays about
batches and sync points.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from edgeauto.errors import ConnectionFailed, EdgeautoError
from edgeauto.modules.base import RemoteModule
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.results import TaskResult
from edgeauto.planner.segment import Segment, SegmentRun
from edgeauto.planner.state import HostState
from edgeauto.planner.taskexec import OK
from edgeauto.playbook.model import Task

if TYPE_CHECKING:  # pragma: no cover
    from edgeauto.planner.host import HostRunner


class RemoteIOMixin:
    def run_segment(self, runner: HostRunner, segment: Segment) -> SegmentRun:
        state = runner.state
        opts = self.run.options
        attempts = max(0, int(opts.retry_unreachable))
        backoff = opts.retry_backoff
        resends = 0
        while True:
            info = segment.run(state.transport, timeout=opts.task_timeout, host=state.name)
            self.run.reporter.script_ran(state.name, info, len(segment.calls))
            if info.unreachable is None and resends < 3 and self._resend(state, segment):
                # A file changed since the facts round trip: the module asked for its content
                # to be sent after all. Only that task and the ones after it run again.
                resends += 1
                continue
            if info.unreachable is not None and self._skip_ignored_unreachable(
                state, segment, info
            ):
                continue
            if info.unreachable is None or attempts <= 0 or self.run.cancelled.is_set():
                break
            attempts -= 1
            self.run.reporter.warning(
                f"{state.name}: connection lost ({info.unreachable.message.splitlines()[0]}); "
                f"retrying in {backoff:g}s ({attempts} retries left)"
            )
            if self.sleep(backoff):
                break
            backoff = min(backoff * 2, 30.0)
            try:
                state.transport.close()
                state.transport.connect(opts.connect_timeout)
            except ConnectionFailed as exc:
                info.unreachable = exc
                continue
            for call in segment.calls:
                if call.outcome == "unreachable":
                    call.outcome = "pending"
        if info.unreachable is not None:
            state.last_unreachable = info.unreachable
        elif info.fatal or not any(c.outcome == "done" for c in segment.calls):
            first = next((c for c in segment.calls if c.outcome != "done"), None)
            if first is not None and (info.fatal or info.rc not in (0, None)):
                tail = _tail(info.stderr)
                first.outcome = "done"
                first.result = {
                    "failed": True,
                    "rc": info.rc,
                    "msg": (info.fatal or "the script stopped before this task reported")
                    + (f"; stderr: {tail}" if tail else ""),
                }
        else:
            # The script died in the middle (no STOP marker): blame the first unreported task.
            ran = [c for c in segment.calls if c.outcome == "done"]
            failed_seen = any(
                c.result and c.result.get("failed") and not c.ignore_errors for c in ran
            )
            if not failed_seen:
                first = next((c for c in segment.calls if c.outcome == "not_run"), None)
                if first is not None and info.rc not in (0, None):
                    tail = _tail(info.stderr)
                    first.outcome = "done"
                    first.result = {
                        "failed": True,
                        "rc": info.rc,
                        "msg": f"the script exited with code {info.rc} while running this task"
                        + (f"; stderr: {tail}" if tail else ""),
                    }
        runner.scripts.append(info.script)
        return info

    def run_delegated(self, runner: HostRunner, te, delegate: str, become) -> None:
        """Run a task's calls on another host (``delegate_to``) in one script of their own."""
        from edgeauto.inventory.model import LOCALHOST_NAMES
        from edgeauto.transport.factory import make_transport

        if delegate in self.run.inventory.hosts:
            host_vars = self.run.host_inventory_vars(delegate)
        elif delegate in LOCALHOST_NAMES:
            host_vars = {"ansible_connection": "local"}
        else:
            host_vars = {"ansible_host": delegate}
        host_vars.setdefault("inventory_hostname", delegate)
        segment = Segment()
        for slot in te.items:
            if slot.call is not None:
                segment.add(slot.call, become)
        try:
            transport = make_transport(host_vars, options=self.run.transport_options())
            transport.connect(self.run.options.connect_timeout)
        except ConnectionFailed as exc:
            for call in segment.calls:
                call.outcome = "done"
                call.result = {"failed": True, "msg": f"delegate_to {delegate}: {exc.message}"}
            return
        try:
            info = segment.run(transport, timeout=self.run.options.task_timeout, host=delegate)
            self.run.reporter.script_ran(f"{runner.name} -> {delegate}", info, len(segment.calls))
        finally:
            transport.close()
        for call in segment.calls:
            if call.outcome != "done":
                call.outcome = "done"
                call.result = {
                    "failed": True,
                    "msg": f"delegate_to {delegate}: the task did not run"
                    + (f" ({info.unreachable.message})" if info.unreachable else ""),
                }

    def _skip_ignored_unreachable(self, state: HostState, segment: Segment, info) -> bool:
        """``ignore_unreachable``: the task that hit the dead connection is reported skipped
        (as ansible-playbook does) and the rest of the script is tried again on a fresh
        connection. True when there is something left to try."""
        first = next((c for c in segment.calls if c.outcome == "unreachable"), None)
        if first is None or not first.ignore_unreachable:
            return False
        first.outcome = "done"
        first.result = {
            "changed": False,
            "skipped": True,
            "skip_reason": f"Host {state.name} is unreachable",
            "msg": info.unreachable.message,
        }
        rest = [c for c in segment.calls if c.outcome == "unreachable"]
        if not rest:
            info.unreachable = None
            return False
        try:
            state.transport.close()
            state.transport.connect(self.run.options.connect_timeout)
        except ConnectionFailed as exc:
            info.unreachable = exc
            return any(c.ignore_unreachable for c in rest[:1]) and self._skip_ignored_unreachable(
                state, segment, info
            )
        for call in rest:
            call.outcome = "pending"
        return True

    def _resend(self, state: HostState, segment: Segment) -> bool:
        call = next(
            (c for c in segment.calls if c.outcome == "done" and (c.result or {}).get("resend")),
            None,
        )
        if call is None:
            return False
        for source in (call.result, call.args):
            for key in ("dest", "path"):
                value = source.get(key)
                if isinstance(value, str):
                    state.checksums.pop(value, None)
                    state.checksums.pop(value.rstrip("/"), None)
        call.cctx.remote_checksums = {}
        try:
            call.shell = call.module.compile(call.args, call.cctx)
        except EdgeautoError:
            return False
        call.outcome, call.result, call.record_status = "pending", None, None
        return True

    def unreachable_message(self, name: str) -> str:
        exc = getattr(self.run.state(name), "last_unreachable", None)
        return exc.message if exc is not None else "the host became unreachable"

    def explain_failure(self, runner, te, final: TaskResult, info: SegmentRun) -> None:
        """What a user needs to act: where the task is, what ran, exit code, stderr tail."""
        result = final.result
        failed_items = [r for r in (final.item_results or [result]) if r.get("failed")]
        first = failed_items[0] if failed_items else result
        call = None
        for slot in te.items:
            if (
                slot.call is not None
                and slot.call.result is not None
                and slot.call.result.get("failed")
            ):
                call = slot.call
                break
        command = first.get("cmd")
        if isinstance(command, list):
            command = " ".join(str(c) for c in command)
        if not command and call is not None:
            command = " ".join([call.shell.function, *(_short(a) for a in call.shell.argv)])
        final.explain = {
            "task": te.task.display_name,
            "at": str(te.task.pos) if te.task.pos else None,
            "command": None if final.no_log else command,
            "rc": first.get("rc"),
            "stderr_tail": None if final.no_log else _tail(first.get("stderr") or ""),
        }

    def gather_facts_task(self, runner: HostRunner, task: Task | None, wctx: WalkCtx) -> str:
        """Gather facts (plus checksums of files the play will write) in one round trip."""
        state = runner.state
        subset = list(self.play.gather_subset or ["all"])
        if task is not None and task.args.get("gather_subset"):
            value = task.args["gather_subset"]
            subset = value if isinstance(value, list) else [str(value)]
        paths = self.checksum_paths(runner)
        fake = task or Task("gather_facts", {}, self.play.pos, name="Gathering Facts")
        te_key = runner.next_key(fake) if task is not None else (self.index, "facts", 1)
        started = time.monotonic()
        try:
            become = self.become_spec(
                state,
                self.base_ctx().become,
                self.make_templar(self.compose_vars(state, None, self.base_ctx())),
            )
            facts, checksums = self.run.gather(state.transport, subset, paths, become)
        except ConnectionFailed as exc:
            state.last_unreachable = exc
            res = TaskResult(
                state.name,
                fake,
                "unreachable",
                {"unreachable": True, "msg": exc.message},
                key=te_key,
            )
            state.stats.count(res)
            self.report(res)
            state.unreachable = True
            return "unreachable"
        except EdgeautoError as exc:
            res = TaskResult(
                state.name, fake, "failed", {"failed": True, "msg": str(exc)}, key=te_key
            )
            state.stats.count(res)
            self.report(res)
            return runner.mark_failed(fake, wctx)
        state.facts.update(facts or {})
        state.checksums.update(checksums or {})
        state.facts_gathered = True
        res = TaskResult(
            state.name,
            fake,
            "ok",
            {"changed": False},
            key=te_key,
            duration=time.monotonic() - started,
        )
        state.stats.count(res)
        self.report(res)
        return OK

    def checksum_paths(self, runner: HostRunner) -> list[str]:
        """Remote files copy/template tasks of this play will write, templated for this host
        with what is known before facts (tasks whose path needs facts are skipped)."""
        paths: list[str] = []
        base = self.base_ctx()
        variables = self.compose_vars(runner.state, None, base)
        templar = self.make_templar(variables)
        from edgeauto.planner.play import _static_tasks

        for task in _static_tasks(self.play):
            module = self.module_for(task.action)
            if not isinstance(module, RemoteModule):
                continue
            if type(module).checksum_paths is RemoteModule.checksum_paths:
                continue
            try:
                tpl = templar.with_vars(task.vars) if task.vars else templar
                if task.loop is not None:
                    items = tpl.render(task.loop)
                    if not isinstance(items, list):
                        continue
                else:
                    items = [None]
                for item in items:
                    itpl = tpl.with_vars({"item": item}) if item is not None else tpl
                    args = runner.render_args(task, itpl)
                    args = module.validate(args, task.pos, final=True)
                    for path in module.checksum_paths(args):
                        if path not in paths:
                            paths.append(path)
            except Exception:  # noqa: BLE001 - best effort; the module sends content instead
                continue
        return paths


def _tail(text, lines: int = 6) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    kept = [ln.rstrip() for ln in str(text).splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


def _short(arg: str, limit: int = 80) -> str:
    arg = str(arg)
    if arg.startswith("@payload:"):
        return "<content>"
    return arg if len(arg) <= limit else arg[: limit - 3] + "..."
