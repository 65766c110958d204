"""Parse the framed stdout of a compiled script back into one record per task.

Wire format (written by ``remote/prelude.sh``; ``N`` is the per-run random nonce)::

    \\n@@EA:N:BEGIN id1 id2 id3\\n          planned task ids, in order
    \\n@@EA:N:START id1\\n
    F stdout 5\\nhello\\n                     fields: name, byte length, raw bytes, newline
    K dest /etc/motd\\n                   one-line field: name and value up to the newline
    @@EA:N:END id1 changed 0\\n             status (ok/changed/failed/skipped) and rc
    \\n@@EA:N:STOP id2\\n                    a failed task stopped the script
    \\n@@EA:N:DONE\\n                        the script ran to its end

Why this shape: field values are length-prefixed, so binary output or text that looks like a
marker cannot confuse the parser; the nonce makes markers unforgeable by anything printed outside
a record (motd, sudo lecture, stray output). Bytes outside records are ignored.

A stream that ends early (connection dropped) parses up to the last complete record; the task
that was running is reported ``failed`` with ``incomplete`` set, and planned tasks after it are
``not_run``. :class:`~edgeauto.errors.RemoteProtocolError` is raised only for garbage *inside* a
record (a framing bug or corruption), never for truncation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edgeauto.errors import RemoteProtocolError

STATUSES = ("ok", "changed", "failed", "skipped", "not_run")
_FIELD_HEADER = re.compile(rb"F ([A-Za-z0-9_.-]+) ([0-9]+)\n")
_LINE_FIELD = re.compile(rb"K ([A-Za-z0-9_.-]+) ([^\n]*)\n")
_END = re.compile(
    rb"@@EA:(?P<nonce>[0-9A-Za-z]+):END (\S+) (ok|changed|failed|skipped) (-?[0-9]*)\n"
)


@dataclass
class TaskRecord:
    """One task's outcome as the target reported it.

    ``fields`` are decoded text (UTF-8, undecodable bytes replaced); ``raw`` keeps the exact
    bytes for modules that need them (e.g. binary ``slurp``-like output).
    """

    task_id: str
    status: str
    rc: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)
    incomplete: bool = False

    def as_dict(self) -> dict:
        return {
            "task_id": self.task_id,
            "status": self.status,
            "rc": self.rc,
            "fields": dict(self.fields),
            "incomplete": self.incomplete,
        }


@dataclass
class RunOutput:
    """Everything parsed from one script run."""

    records: list[TaskRecord]
    planned: list[str]
    complete: bool  # the DONE marker was seen
    stopped_at: str | None  # task id whose failure stopped the script
    truncated: bool  # the stream ended inside a record or before DONE
    fatal: str | None = None  # the prelude could not even start (e.g. no temp dir)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def parse_run(data: bytes, nonce: str, expected_ids: list[str] | None = None) -> RunOutput:
    """Parse a whole stdout stream; see the module docstring for the guarantees."""
    marker = f"@@EA:{nonce}:".encode()
    planned: list[str] = list(expected_ids or [])
    records: list[TaskRecord] = []
    complete = False
    truncated = False
    stopped_at = None
    fatal = None
    pos = 0
    while True:
        at = data.find(marker, pos)
        if at < 0:
            break
        eol = data.find(b"\n", at)
        if eol < 0:
            truncated = True
            break
        line = data[at + len(marker) : eol]
        word, _, rest = line.partition(b" ")
        pos = eol + 1
        if word == b"BEGIN":
            if not expected_ids:
                planned = [_decode(t) for t in rest.split()]
        elif word == b"START":
            task_id = _decode(rest.strip())
            record, pos = _parse_record(data, pos, task_id, nonce)
            records.append(record)
            if record.incomplete:
                truncated = True
                break
        elif word == b"STOP":
            stopped_at = _decode(rest.strip())
        elif word == b"DONE":
            complete = True
            break
        elif word == b"FATAL":
            fatal = _decode(rest)
            break
        else:
            raise RemoteProtocolError(f"unknown marker {line[:60]!r} in script output")
    if not complete and fatal is None:
        truncated = True
    seen = {r.task_id for r in records}
    for task_id in planned:
        if task_id not in seen:
            reason = (
                f"not run: task {stopped_at} failed and stopped the script"
                if stopped_at
                else "not run: the script ended before reaching this task (connection lost?)"
                if truncated
                else "not run: the script did not reach this task"
            )
            if fatal:
                reason = f"not run: the script could not start: {fatal}"
            records.append(TaskRecord(task_id, "not_run", None, {"msg": reason}))
    return RunOutput(records, planned, complete, stopped_at, truncated, fatal)


def parse_stream(
    data: bytes, nonce: str, expected_ids: list[str] | None = None
) -> list[TaskRecord]:
    """Records for every planned task, in order: reported ones first as reported, then not_run."""
    return parse_run(data, nonce, expected_ids).records


def _parse_record(data: bytes, pos: int, task_id: str, nonce: str) -> tuple[TaskRecord, int]:
    record = TaskRecord(task_id, "failed")
    end_marker = f"@@EA:{nonce}:END ".encode()
    while True:
        if pos >= len(data):
            return _incomplete(record), pos
        if data.startswith(b"F ", pos):
            eol = data.find(b"\n", pos)
            if eol < 0:
                return _incomplete(record), len(data)
            header = _FIELD_HEADER.fullmatch(data, pos, eol + 1)
            if header is None:
                raise RemoteProtocolError(
                    f"task {task_id}: malformed field header {data[pos:eol][:60]!r}"
                )
            name = header.group(1).decode()
            length = int(header.group(2))
            start = eol + 1
            stop = start + length
            if stop + 1 > len(data):
                return _incomplete(record), len(data)
            if data[stop : stop + 1] != b"\n":
                raise RemoteProtocolError(
                    f"task {task_id}: field '{name}' is not followed by a newline after "
                    f"{length} bytes (length mismatch)"
                )
            value = data[start:stop]
            record.raw[name] = value
            record.fields[name] = _decode(value)
            pos = stop + 1
            continue
        if data.startswith(b"K ", pos):
            eol = data.find(b"\n", pos)
            if eol < 0:
                return _incomplete(record), len(data)
            line = _LINE_FIELD.fullmatch(data, pos, eol + 1)
            if line is None:
                raise RemoteProtocolError(
                    f"task {task_id}: malformed line field {data[pos:eol][:60]!r}"
                )
            name = line.group(1).decode()
            record.raw[name] = line.group(2)
            record.fields[name] = _decode(line.group(2))
            pos = eol + 1
            continue
        if data.startswith(end_marker, pos):
            eol = data.find(b"\n", pos)
            if eol < 0:
                return _incomplete(record), len(data)
            match = _END.fullmatch(data, pos, eol + 1)
            if match is None or match.group(2).decode() != task_id:
                raise RemoteProtocolError(
                    f"task {task_id}: malformed end marker {data[pos:eol][:80]!r}"
                )
            record.status = match.group(3).decode()
            rc_text = match.group(4)
            record.rc = int(rc_text) if rc_text else None
            return record, eol + 1
        if end_marker.startswith(data[pos:]) or data[pos:] in (b"F", b"K"):
            return _incomplete(record), len(data)
        raise RemoteProtocolError(
            f"task {task_id}: unexpected bytes inside a record: {data[pos : pos + 60]!r}"
        )


def _incomplete(record: TaskRecord) -> TaskRecord:
    record.incomplete = True
    record.status = "failed"
    record.fields.setdefault(
        "msg",
        "the output ended while this task was running (connection lost?); "
        "its effect on the host is unknown",
    )
    return record


class RecordStream:
    """Complete records from a stream still arriving (live progress while a script runs).

    ``feed`` takes each chunk of stdout and returns the records completed by it, in order.
    It never guesses: a record counts only once its END marker is in, so what it yields is
    exactly what :func:`parse_run` will find in the whole stream (which stays the authority
    for truncation, STOP and not_run).
    """

    def __init__(self, nonce: str):
        self.nonce = nonce
        self.start = f"@@EA:{nonce}:START ".encode()
        self.end = f"@@EA:{nonce}:END ".encode()
        self.data = bytearray()
        self.end_seen = False  # an END marker is in the unconsumed data

    def feed(self, chunk: bytes) -> list[TaskRecord]:
        seen = len(self.data)
        self.data += chunk
        # a record can only complete once its END marker is in: parse then, not on every
        # chunk of a large output (that would be quadratic)
        if not self.end_seen:
            self.end_seen = self.data.find(self.end, max(0, seen - len(self.end))) >= 0
        if not self.end_seen:
            return []
        data = bytes(self.data)
        done: list[TaskRecord] = []
        pos = 0
        while True:
            at = data.find(self.start, pos)
            eol = data.find(b"\n", at) if at >= 0 else -1
            if eol < 0:
                break
            task_id = _decode(data[at + len(self.start) : eol].strip())
            try:
                record, end = _parse_record(data, eol + 1, task_id, self.nonce)
            except RemoteProtocolError:
                break  # the whole-stream parse reports it
            if record.incomplete:
                break
            done.append(record)
            pos = end
        del self.data[:pos]
        self.end_seen = self.data.find(self.end) >= 0
        return done


_JOB_START = re.compile(rb"@@EA:([0-9A-Za-z]+):START (\S+)\n")


def parse_job_record(data: bytes) -> TaskRecord:
    """The record a background job (``async`` + ``poll: 0``) left in its status file: the
    bytes its script's ``ea__finish`` printed, with that script's nonce."""
    found = _JOB_START.search(data)
    if found is None:
        raise RemoteProtocolError("the async job's status file holds no task record")
    nonce, task_id = found.group(1).decode(), found.group(2).decode()
    record, _end = _parse_record(data, found.end(), task_id, nonce)
    return record
