"""Sending work to hosts: a host's segment (with reconnect, content re-send and
``ignore_unreachable``), delegated tasks, and the facts round trip.

Layer 2: a :class:`Dispatcher` object the host runner is given, not a mixin. It knows
transports and the segment protocol, never the walk.
"""

from __future__ import annotations

from edgeauto.errors import ConnectionFailed, EdgeautoError
from edgeauto.planner.fold import tail
from edgeauto.planner.records import TaskExec
from edgeauto.planner.runstate import RunState
from edgeauto.planner.segment import Segment, SegmentRun
from edgeauto.planner.state import HostState

MAX_RESENDS = 3  # a file that keeps changing under us is sent at most this often


class Dispatcher:
    """One play's conversations with its hosts (see module docstring)."""

    def __init__(self, fleet: RunState):
        self.fleet = fleet
        self.options = fleet.options
        self.reporter = fleet.reporter

    def run_segment(self, state: HostState, segment: Segment, on_settled=None) -> SegmentRun:
        """Run ``segment`` on the host; every call ends ``done``, ``not_run`` or
        ``unreachable``. Lost connections are retried (``--retry-unreachable``).
        ``on_settled`` sees calls settled while a script runs (see :meth:`Segment.run`)."""
        opts = self.options
        attempts = max(0, int(opts.retry_unreachable))
        backoff = opts.retry_backoff
        resends = 0
        try:
            transport = self._transport(state, segment.login)
        except ConnectionFailed as exc:
            _fail_all(segment, f"remote_user {segment.login}: {exc.message}")
            return SegmentRun(b"", None, b"", 0.0)
        while True:
            info = segment.run(
                transport, timeout=opts.task_timeout, host=state.name, on_settled=on_settled
            )
            self.reporter.script_ran(state.name, info, len(segment.calls))
            if info.unreachable is None and resends < MAX_RESENDS and _resend(state, segment):
                # A file changed since the facts round trip: the module asked for its content
                # to be sent after all. Only that task and the ones after it run again.
                resends += 1
                continue
            if info.unreachable is not None and self._skip_ignored_unreachable(
                state, segment, info
            ):
                continue
            if info.unreachable is None or attempts <= 0 or self.fleet.cancelled.is_set():
                break
            attempts -= 1
            self.reporter.warning(
                f"{state.name}: connection lost ({info.unreachable.message.splitlines()[0]}); "
                f"retrying in {backoff:g}s ({attempts} retries left)"
            )
            if self.fleet.sleep(backoff):
                break
            backoff = min(backoff * 2, 30.0)
            try:
                transport.close()
                transport.connect(self.options.connect_timeout)
            except ConnectionFailed as exc:
                info.unreachable = exc
                continue
            for call in segment.calls:
                if call.outcome == "unreachable":
                    call.outcome = "pending"
        if info.unreachable is not None:
            state.last_unreachable = info.unreachable
        else:
            _blame_first_unreported(segment, info)
        return info

    def _transport(self, state: HostState, login: str | None):
        """The host's connection, or (``remote_user``) one as that login user, kept open for
        the rest of the run like the host's own."""
        if login is None:
            return state.transport
        transport = state.login_transports.get(login)
        if transport is None:
            from edgeauto.transport.factory import make_transport

            host_vars = {**self.fleet.host_inventory_vars(state.name), "ansible_user": login}
            host_vars.setdefault("inventory_hostname", state.name)
            transport = make_transport(host_vars, options=self.fleet.transport_options())
            transport.connect(self.options.connect_timeout)
            state.login_transports[login] = transport
        return transport

    def _reconnect(self, state: HostState) -> None:
        state.transport.close()
        state.transport.connect(self.options.connect_timeout)

    def _skip_ignored_unreachable(self, state: HostState, segment: Segment, info) -> bool:
        """``ignore_unreachable``: the task that hit the dead connection is reported skipped
        (as ansible-playbook does) and the rest of the script is tried again on a fresh
        connection. True when there is something left to try."""
        while True:
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
                self._reconnect(state)
            except ConnectionFailed as exc:
                info.unreachable = exc
                continue  # the next task met the same dead connection
            for call in rest:
                call.outcome = "pending"
            return True

    def run_delegated(self, host: str, te: TaskExec, delegate: str, become) -> None:
        """Run a task's calls on another host (``delegate_to``) in one script of their own."""
        from edgeauto.inventory.model import LOCALHOST_NAMES
        from edgeauto.transport.factory import make_transport

        if delegate in self.fleet.inventory.hosts:
            host_vars = self.fleet.host_inventory_vars(delegate)
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
            transport = make_transport(host_vars, options=self.fleet.transport_options())
            transport.connect(self.options.connect_timeout)
        except ConnectionFailed as exc:
            _fail_all(segment, f"delegate_to {delegate}: {exc.message}")
            return
        try:
            info = segment.run(transport, timeout=self.options.task_timeout, host=delegate)
            self.reporter.script_ran(f"{host} -> {delegate}", info, len(segment.calls))
        finally:
            transport.close()
        why = f" ({info.unreachable.message})" if info.unreachable else ""
        _fail_all(
            segment, f"delegate_to {delegate}: the task did not run{why}", only_unfinished=True
        )

    def gather(self, state: HostState, subset: list[str], paths: list[str], become=None):
        """Facts and checksums of ``paths`` in one round trip (the facts package's ``gather``)."""
        from edgeauto.facts.gather import gather

        timeout = self.options.task_timeout or 600.0
        return gather(state.transport, subset, paths, timeout, become=become)

    def unreachable_message(self, name: str) -> str:
        exc = getattr(self.fleet.states.get(name), "last_unreachable", None)
        return exc.message if exc is not None else "the host became unreachable"


def _fail_all(segment: Segment, msg: str, only_unfinished: bool = False) -> None:
    for call in segment.calls:
        if only_unfinished and call.outcome == "done":
            continue
        call.outcome = "done"
        call.result = {"failed": True, "msg": msg}


def _blame_first_unreported(segment: Segment, info: SegmentRun) -> None:
    """A script that died (fatal protocol error, or an exit code without the task's record)
    is reported on the first task that did not report, with the exit code and stderr tail."""
    calls = segment.calls
    stderr = tail(info.stderr)
    suffix = f"; stderr: {stderr}" if stderr else ""
    if info.fatal or not any(c.outcome == "done" for c in calls):
        first = next((c for c in calls if c.outcome != "done"), None)
        if first is not None and (info.fatal or info.rc not in (0, None)):
            msg = info.fatal or "the script stopped before this task reported"
            first.outcome, first.result = (
                "done",
                {"failed": True, "rc": info.rc, "msg": msg + suffix},
            )
        return
    ran = [c for c in calls if c.outcome == "done"]
    if any(c.result and c.result.get("failed") and not c.ignore_errors for c in ran):
        return
    first = next((c for c in calls if c.outcome == "not_run"), None)
    if first is not None and info.rc not in (0, None):
        msg = f"the script exited with code {info.rc} while running this task"
        first.outcome, first.result = "done", {"failed": True, "rc": info.rc, "msg": msg + suffix}


def _resend(state: HostState, segment: Segment) -> bool:
    """A call reported ``resend`` (its file changed since facts): recompile it with the
    content and run again from there. False when no call asked."""
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
