"""A segment: the remote tasks of one host that travel in ONE script (one round trip).

The host runner appends compiled calls while it walks the play; :meth:`Segment.run` builds the
script with :mod:`edgeauto.remote.builder`, sends it through the host's transport, parses the
framed records and turns each into the module's Ansible-shaped result. A connection that drops
or times out mid-script is not an error here: the parsed prefix still says which tasks finished,
and the rest come back as ``not_run`` / ``unreachable`` so the runner can report (and retry)
exactly those.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from edgeauto.errors import ConnectionFailed, RemoteProtocolError
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.transport.base import BecomeSpec, Transport


@dataclass
class Call:
    """One module call waiting in a segment, and where its result goes."""

    module: RemoteModule
    args: dict[str, Any]
    shell: ShellCall
    cctx: CompileContext
    check: bool
    diff: bool
    ignore_errors: bool
    environment: dict[str, str]
    sink: Any  # planner.host.ItemSlot: receives the result
    result: dict[str, Any] | None = None
    outcome: str = "pending"  # pending | done | not_run | unreachable
    record_status: str | None = None
    ignore_unreachable: bool = False
    secret: bool = False  # no_log or vault data in its arguments: masked in the -vvvv dump
    limits: Any = None  # planner.asyncjobs.TaskLimits: timeout / async / poll, when given
    pause: float = 0  # seconds the script waits before this call (loop_control.pause)


@dataclass
class SegmentRun:
    """What one script run reported, for -vvv output and error messages."""

    script: bytes
    rc: int | None
    stderr: bytes
    duration: float
    unreachable: ConnectionFailed | None = None
    fatal: str | None = None
    complete: bool = False
    masked: Any = None  # () -> bytes: the script with secret calls' data masked (for -vvvv)

    def shown_script(self) -> bytes:
        """The script as it may be printed: calls of no_log tasks and calls carrying vault
        data have every argument, payload and environment value replaced by ``********``."""
        return self.masked() if self.masked is not None else self.script


@dataclass
class Segment:
    become: BecomeSpec | None = None
    calls: list[Call] = field(default_factory=list)
    #: the login user of a task's ``remote_user`` keyword when it is not the host's
    #: connection user: the script runs over a connection of its own as that user
    login: str | None = None

    def __bool__(self) -> bool:
        return bool(self.calls)

    def accepts(self, become: BecomeSpec | None, login: str | None = None) -> bool:
        """A script runs under one become user and one login user; a different one needs a
        new segment."""
        return not self.calls or (
            _become_key(self.become) == _become_key(become) and self.login == login
        )

    def add(self, call: Call, become: BecomeSpec | None, login: str | None = None) -> None:
        if not self.calls:
            self.become = become
            self.login = login
        self.calls.append(call)

    def run(
        self, transport: Transport, *, timeout: float | None, host: str, on_settled=None
    ) -> SegmentRun:
        """Send the pending calls as one script; fill each call's ``result``/``outcome``.

        ``on_settled(call, run)``, when given, is told of each call whose record came back
        complete while the script still runs (``run`` is provisional: no rc or stderr yet),
        so its result can be reported live. The whole-stream parse afterwards stays the
        authority; calls it finds already settled from the same record are left as they are.
        """
        from edgeauto.remote.builder import build_script, new_nonce
        from edgeauto.remote.framing import RecordStream, parse_run

        todo = [c for c in self.calls if c.outcome in ("pending", "not_run")]
        nonce = new_nonce()
        ids = [f"t{number}" for number in range(len(todo))]
        invocations = [_invocation(i, c) for i, c in zip(ids, todo, strict=True)]
        script = build_script(invocations, nonce=nonce)
        masked = None
        if any(call.secret for call in todo):

            def masked() -> bytes:
                shown = [
                    _masked(i) if c.secret else i for i, c in zip(invocations, todo, strict=True)
                ]
                return build_script(shown, nonce=nonce)

        started = time.monotonic()
        unreachable = None
        live: dict[str, Call] = {}
        on_output = None
        if on_settled is not None:
            stream = RecordStream(nonce)
            by_task = dict(zip(ids, todo, strict=True))
            provisional = SegmentRun(script, None, b"", 0.0, masked=masked)

            def on_output(chunk: bytes) -> None:
                for record in stream.feed(chunk):
                    call = by_task.get(record.task_id)
                    if call is None or record.task_id in live or record.status == "not_run":
                        continue
                    _settle(call, record, False)
                    live[record.task_id] = call
                    on_settled(call, provisional)

        try:
            result = transport.run_script(
                script,
                timeout=timeout,
                become=self.become,
                on_output=on_output,
            )
            stdout, stderr, rc = result.stdout, result.stderr, result.rc
        except ConnectionFailed as exc:
            unreachable = exc
            partial = getattr(exc, "result", None)
            stdout = getattr(partial, "stdout", b"") or b""
            stderr = getattr(partial, "stderr", b"") or b""
            rc = getattr(partial, "rc", None)
        run = SegmentRun(script, rc, stderr, time.monotonic() - started, unreachable, masked=masked)
        try:
            parsed = parse_run(stdout, nonce, ids)
        except RemoteProtocolError as exc:
            run.fatal = str(exc)
            for call in todo:
                call.outcome = "not_run"
            return run
        run.fatal = parsed.fatal
        run.complete = parsed.complete
        if unreachable is None and _connection_died(parsed, rc):
            # ssh's own exit code (or a killed session) with the stream cut short: the
            # connection died under the script. That is unreachable, not a task failure.
            from edgeauto.transport.errors import ConnectionLost, stderr_tail

            tail = stderr_tail(stderr)
            unreachable = run.unreachable = ConnectionLost(
                f"host {host}: the connection was lost while the script ran (exit code {rc})"
                + (f": {tail}" if tail else "")
            )
        by_id = {r.task_id: r for r in parsed.records}
        for task_id, call in zip(ids, todo, strict=True):
            if task_id in live and call.outcome == "done":
                continue  # settled from the same complete record while the script ran
            _settle(call, by_id.get(task_id), unreachable is not None)
        if (
            parsed.fatal is None
            and not parsed.records
            and unreachable is None
            and rc not in (0, None)
        ):
            # The script died before its first record (sh missing, become refused …).
            run.fatal = f"the script exited with code {rc} before reporting any task"
        return run


def _invocation(task_id: str, call: Call):
    from edgeauto.remote.builder import TaskInvocation

    return TaskInvocation(
        task_id=task_id,
        call=call.shell,
        check=call.check,
        diff=call.diff,
        ignore_errors=call.ignore_errors,
        environment={str(k): str(v) for k, v in call.environment.items()},
        limit=call.limits.limit if call.limits is not None else None,
        job=call.limits.job if call.limits is not None else None,
        background=call.limits is not None and call.limits.background,
        pause=call.pause,
    )


def _connection_died(parsed, rc: int | None) -> bool:
    return (
        not parsed.complete
        and parsed.fatal is None
        and parsed.stopped_at is None
        and (rc is None or rc == 255 or rc < 0)
    )


def _settle(call: Call, record, unreachable: bool) -> None:
    """A call's outcome and result from its framed record (None: it never reported)."""
    if record is None or record.status == "not_run":
        call.outcome = "unreachable" if unreachable else "not_run"
        return
    if record.incomplete and unreachable:
        call.outcome = "unreachable"
        return
    call.record_status = record.status
    try:
        call.result = call.module.finish(record.as_dict(), call.args, call.cctx)
        if call.limits is not None:
            from edgeauto.planner.asyncjobs import shaped

            call.result = shaped(call.limits, record.fields, call.result)
    except Exception as exc:  # noqa: BLE001 - a module bug must not kill the run
        call.result = {
            "failed": True,
            "msg": f"module '{call.module.name}' could not read its result: {exc}",
        }
    if record.incomplete:
        call.result.setdefault("failed", True)
        call.result["incomplete"] = True
    call.outcome = "done"


_MASK = "********"


def _masked(invocation):
    """A copy of a task invocation with nothing secret left in it (display only)."""
    from dataclasses import replace

    from edgeauto.modules.base import payload_ref

    call = invocation.call
    refs = {payload_ref(name) for name in call.payloads}
    shell = ShellCall(
        function=call.function,
        argv=[a if a in refs else _MASK for a in call.argv],
        payloads={name: _MASK.encode() for name in call.payloads},
        files=list(call.files),
        stdin=call.stdin,
    )
    env = {k: _MASK for k in invocation.environment}
    return replace(invocation, call=shell, environment=env)


def _become_key(spec: BecomeSpec | None) -> tuple:
    if spec is None:
        return (None,)
    return (spec.method, spec.user, spec.flags)
