"""The script builder: only needed function files, each once; safe quoting; payloads of any
bytes; env/chdir per task; stop-after-failure unless ignore_errors; private temp dir cleanup."""

import subprocess

import pytest

from edgeauto.modules.base import ShellCall, payload_ref
from edgeauto.remote.builder import ScriptBuilder, TaskInvocation, build_script
from edgeauto.remote.framing import parse_run

NONCE = "feedfacecafebeef"


def shell_call(cmd: str, **kw) -> ShellCall:
    return ShellCall(
        "ea_command", ["shell", "", "", "", "", "0", "0", cmd], files=["command.sh"], **kw
    )


def run(invocations, shell=("dash", "-s"), env=None):
    script = build_script(invocations, nonce=NONCE)
    proc = subprocess.run(list(shell), input=script, capture_output=True, env=env)
    return parse_run(proc.stdout, NONCE), script, proc


def test_only_the_function_files_a_segment_uses_are_included_once():
    calls = [
        TaskInvocation("a", shell_call("true")),
        TaskInvocation("b", shell_call("true")),
        TaskInvocation("c", ShellCall("ea_ping", ["pong"], files=["ping.sh"])),
    ]
    script = build_script(calls, nonce=NONCE).decode()
    assert script.count("ea_command() {") == 1
    assert script.count("ea_ping() {") == 1
    assert "ea_lineinfile" not in script and "ea_copy()" not in script


@pytest.mark.parametrize("value", ["it's", 'a "b" $HOME `id` \\ \n newline', "-n", "*", ""])
def test_arguments_reach_the_function_byte_for_byte(value):
    out, _, _ = run([TaskInvocation("a", ShellCall("ea_ping", [value], files=["ping.sh"]))])
    assert out.records[0].fields["ping"] == value


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"no newline",
        b"ends\n\n\n",
        b"EA_feedfacecafebeef_PAYLOAD\nx",
        b"\0\1\2 bin\0ary",
        bytes(range(1, 256)) * 3,
        "caf\u00e9 \u2603\r\n".encode() + b"\xff\xfe latin1\n",
        bytes(range(256)) * 40,
    ],
)
@pytest.mark.parametrize("shell", [("dash", "-s"), ("busybox", "sh", "-s")])
def test_payloads_of_any_bytes_arrive_exactly(data, shell):
    call = ShellCall(
        "ea_command",
        ["argv", "", "", "", "", "0", "0", "cat", payload_ref("p")],
        payloads={"p": data},
        files=["command.sh"],
    )
    out, _, proc = run([TaskInvocation("a", call)], shell)
    assert out.records[0].raw["cmd_stdout"] == data, proc.stderr


def test_environment_and_chdir_apply_to_one_task_only(tmp_path):
    calls = [
        TaskInvocation(
            "a",
            shell_call('printf "%s:" "$EA_T"; pwd'),
            environment={"EA_T": "v 1"},
            chdir=str(tmp_path),
        ),
        TaskInvocation("b", shell_call('printf "%s:" "${EA_T-unset}"; pwd')),
    ]
    out, _, _ = run(calls)
    assert out.records[0].fields["cmd_stdout"] == f"v 1:{tmp_path}\n"
    assert out.records[1].fields["cmd_stdout"].startswith("unset:")
    assert out.records[1].fields["cmd_stdout"] != f"unset:{tmp_path}\n"


def test_a_failed_task_stops_the_script_and_later_tasks_are_not_run():
    out, _, proc = run(
        [TaskInvocation("a", shell_call("exit 3")), TaskInvocation("b", shell_call("echo no"))]
    )
    assert [r.status for r in out.records] == ["failed", "not_run"]
    assert out.records[0].rc == 3 and out.stopped_at == "a" and proc.returncode != 0


def test_ignore_errors_lets_the_script_continue():
    out, _, _ = run(
        [
            TaskInvocation("a", shell_call("exit 3"), ignore_errors=True),
            TaskInvocation("b", shell_call("echo yes")),
        ]
    )
    assert [r.status for r in out.records] == ["failed", "changed"]
    assert out.complete and out.stopped_at is None


def test_tasks_cannot_read_the_script_from_stdin():
    out, _, _ = run(
        [TaskInvocation("a", shell_call("cat")), TaskInvocation("b", shell_call("echo after"))]
    )
    assert out.records[0].fields["cmd_stdout"] == ""
    assert out.records[1].fields["cmd_stdout"] == "after\n"


def test_private_temp_dir_is_removed_at_exit_even_after_failure(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
    out, _, _ = run(
        [TaskInvocation("a", shell_call('ls -ld "$TMPDIR"/edgeauto.*; exit 1'))], env=env
    )
    assert "drwx------" in out.records[0].fields["cmd_stdout"]
    assert list(tmp_path.iterdir()) == []


def test_bad_task_ids_duplicate_ids_and_env_names_are_refused():
    builder = ScriptBuilder(NONCE)
    with pytest.raises(ValueError):
        builder.add(TaskInvocation("has space", shell_call("true")))
    builder.add(TaskInvocation("a", shell_call("true")))
    with pytest.raises(ValueError):
        builder.add(TaskInvocation("a", shell_call("true")))
    builder.add(TaskInvocation("b", shell_call("true"), environment={"BAD-NAME": "x"}))
    with pytest.raises(ValueError):
        builder.build()


def test_an_unwritable_tmpdir_falls_back_to_tmp():
    out, _, _ = run(
        [TaskInvocation("a", shell_call("true"))],
        env={"PATH": "/usr/bin:/bin", "TMPDIR": "/nonexistent-dir"},
    )
    assert out.complete and out.records[0].status == "changed"
