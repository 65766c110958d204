"""The framing parser: length-prefixed records survive binary and marker-like output;
truncated streams parse up to the last complete record; only garbage raises."""

import random
import subprocess

import pytest

from edgeauto.errors import RemoteProtocolError
from edgeauto.modules.base import ShellCall
from edgeauto.remote.builder import TaskInvocation, build_script
from edgeauto.remote.framing import parse_run, parse_stream

NONCE = "0123456789abcdef"


def field(name: str, value: bytes) -> bytes:
    return b"F %s %d\n" % (name.encode(), len(value)) + value + b"\n"


def record(task_id: str, status: str, rc: int, *fields: bytes) -> bytes:
    head = f"\n@@EA:{NONCE}:START {task_id}\n".encode()
    tail = f"@@EA:{NONCE}:END {task_id} {status} {rc}\n".encode()
    return head + b"".join(fields) + tail


def begin(*ids: str) -> bytes:
    return f"\n@@EA:{NONCE}:BEGIN {' '.join(ids)}\n".encode()


DONE = f"\n@@EA:{NONCE}:DONE\n".encode()


def test_fields_are_returned_as_text_and_raw_bytes():
    data = (
        begin("a")
        + record("a", "changed", 0, field("stdout", b"hi\n"), field("dest", b"/x"))
        + DONE
    )
    (rec,) = parse_stream(data, NONCE)
    assert rec.status == "changed" and rec.rc == 0
    assert rec.fields == {"stdout": "hi\n", "dest": "/x"}
    assert rec.raw["stdout"] == b"hi\n"


def test_binary_and_marker_looking_field_content_does_not_confuse_the_parser():
    evil = bytes(range(256)) + f"\n@@EA:{NONCE}:END a failed 9\nF msg 3\n".encode()
    data = (
        begin("a", "b") + record("a", "ok", 0, field("stdout", evil)) + record("b", "ok", 0) + DONE
    )
    recs = parse_stream(data, NONCE)
    assert [r.status for r in recs] == ["ok", "ok"]
    assert recs[0].raw["stdout"] == evil


def test_stray_output_with_another_nonce_is_ignored():
    stray = b"Last login: yesterday\n@@EA:ffffffffffffffff:END a failed 1\n"
    data = stray + begin("a") + record("a", "ok", 0) + b"motd junk" + DONE
    assert parse_stream(data, NONCE)[0].status == "ok"


def test_tasks_after_a_stop_are_reported_not_run_with_the_reason():
    stop = f"\n@@EA:{NONCE}:STOP a\n".encode()
    data = begin("a", "b", "c") + record("a", "failed", 2, field("msg", b"boom")) + stop + DONE
    out = parse_run(data, NONCE)
    assert out.stopped_at == "a" and out.complete
    assert [r.status for r in out.records] == ["failed", "not_run", "not_run"]
    assert "task a failed" in out.records[1].fields["msg"]


def test_truncation_at_every_byte_never_raises_and_keeps_complete_records():
    data = (
        begin("a", "b", "c")
        + record("a", "changed", 0, field("stdout", b"x" * 40))
        + record("b", "ok", 0, field("msg", b"F 3 \n@@EA"), b"K dest /x y\n", b"K empty \n")
        + record("c", "ok", 0)
        + DONE
    )
    full = parse_stream(data, NONCE)
    for cut in range(len(data)):
        out = parse_run(data[:cut], NONCE)
        assert not out.complete
        done = [r for r in out.records if r.status not in ("not_run",) and not r.incomplete]
        for got, want in zip(done, full, strict=False):
            assert got.task_id == want.task_id and got.fields == want.fields
        if out.planned:
            assert [r.task_id for r in out.records] == ["a", "b", "c"]


def test_incomplete_record_is_failed_with_an_explanation():
    data = begin("a", "b") + record("a", "ok", 0)[:-10]
    out = parse_run(data, NONCE)
    assert out.truncated
    assert out.records[0].incomplete and out.records[0].status == "failed"
    assert "connection lost" in out.records[0].fields["msg"]
    assert out.records[1].status == "not_run"


@pytest.mark.parametrize(
    "garbage",
    [
        b"F stdout 5\nhello world\n",  # length says 5, no newline after 5 bytes
        b"X what is this\n",
        b"F bad name 1\nx\n",
    ],
)
def test_garbage_inside_a_record_raises_remote_protocol_error(garbage):
    data = begin("a") + f"\n@@EA:{NONCE}:START a\n".encode() + garbage + DONE
    with pytest.raises(RemoteProtocolError):
        parse_stream(data, NONCE)


def test_expected_ids_give_not_run_records_even_without_output():
    recs = parse_stream(b"", NONCE, expected_ids=["t0", "t1"])
    assert [r.status for r in recs] == ["not_run", "not_run"]


def test_fatal_marker_reports_why_the_script_could_not_start():
    out = parse_run(begin("a")[:0] + f"\n@@EA:{NONCE}:FATAL no temp dir\n".encode(), NONCE, ["a"])
    assert out.fatal and "no temp dir" in out.records[0].fields["msg"]


@pytest.mark.parametrize("shell", [["dash", "-s"], ["busybox", "sh", "-s"]])
def test_real_script_output_with_random_binary_stdout_round_trips(shell):
    rng = random.Random(7)
    blob = bytes(rng.randrange(256) for _ in range(3000)).replace(b"\0", b"\1")
    calls = [
        TaskInvocation(
            "t0",
            ShellCall(
                "ea_command",
                ["shell", "", "", "", "", "0", "0", "cat"],
                payloads={"in": blob},
                stdin="in",
                files=["command.sh"],
            ),
        )
    ]
    script = build_script(calls, nonce=NONCE)
    proc = subprocess.run(shell, input=script, capture_output=True, check=True)
    (rec,) = parse_stream(proc.stdout, NONCE)
    assert rec.raw["cmd_stdout"] == blob


def test_one_line_fields_hold_marker_looking_text_and_empty_values():
    line = f"K msg @@EA:{NONCE}:END a failed 1 F x 9\n".encode()
    data = begin("a") + record("a", "ok", 0, line, b"K empty \n") + DONE
    (rec,) = parse_stream(data, NONCE)
    assert rec.status == "ok"
    assert rec.fields == {"msg": f"@@EA:{NONCE}:END a failed 1 F x 9", "empty": ""}
