"""The xfer group's modules (raw, script, wait_for, get_url, uri, unarchive) run as compiled
scripts on this machine under dash and BusyBox sh (BusyBox applets only on PATH): real run,
check mode predicting it, second run unchanged. HTTP tests use a server on 127.0.0.1."""

from __future__ import annotations

import pytest

from edgeauto.remote.localrun import LocalTask

from .harness import run_under


def run1(shell, module, args, check=False, diff=False, ok=True, **kw):
    out = run_under(shell, [LocalTask(module, args, check=check, diff=diff, **kw)])
    result = out.results[0]
    if ok:
        assert not result.get("failed"), (result, out.stderr)
    return result


# ---------------------------------------------------------------- raw


def test_raw_runs_the_text_with_the_shell_and_keeps_output_exact(shell):
    result = run1(shell, "raw", {"_raw_params": "echo out; echo err >&2; printf 'x\\n\\n'"})
    assert result["changed"] is True and result["rc"] == 0
    assert result["stdout"] == "out\nx\n\n" and result["stdout_lines"] == ["out", "x", ""]
    assert result["stderr"] == "err\n"


def test_raw_non_zero_fails_like_ansible(shell):
    result = run1(shell, "raw", {"_raw_params": "echo no; exit 3"}, ok=False)
    assert result["failed"] is True and result["rc"] == 3
    assert result["msg"] == "non-zero return code" and result["stdout"] == "no\n"


def test_raw_is_skipped_in_check_mode(shell, tmp_path):
    marker = tmp_path / "m"
    result = run1(shell, "raw", {"_raw_params": f"touch {marker}"}, check=True)
    assert result == {"changed": False, "skipped": True}
    assert not marker.exists()


def test_raw_executable(shell):
    result = run1(shell, "raw", {"_raw_params": "echo $0", "executable": "/bin/sh"})
    assert result["stdout"] == "/bin/sh\n"


# ---------------------------------------------------------------- script


@pytest.fixture
def local_script(tmp_path):
    path = tmp_path / "my script.sh"
    path.write_text('#!/bin/sh\necho "args:$#:$1:$2"\necho "$PWD" >&2\ntouch "$3"\n')
    return path


def test_script_runs_with_its_arguments_then_creates_guards_it(shell, tmp_path, local_script):
    marker = tmp_path / "done"
    cmd = f"'{local_script}' 'a b' c {marker}"
    args = {"cmd": cmd, "creates": str(marker), "chdir": str(tmp_path)}
    predicted = run1(shell, "script", args, check=True)
    assert predicted == {"changed": True}
    first = run1(shell, "script", args)
    assert first["changed"] is True and first["rc"] == 0
    assert first["stdout"] == "args:3:a b:c\n" and first["stderr"] == f"{tmp_path}\n"
    assert marker.exists()
    second = run1(shell, "script", args)
    assert second["changed"] is False and second["skipped"] is True
    assert second["msg"] == f"{marker} exists, matching creates option"
    assert run1(shell, "script", args, check=True)["skipped"] is True


def test_script_unguarded_is_skipped_in_check_mode(shell, local_script):
    result = run1(shell, "script", {"cmd": f"'{local_script}' x y /nonexistent/z"}, check=True)
    assert result == {
        "changed": False,
        "skipped": True,
        "msg": "Check mode is not supported for this task.",
    }


def test_script_removes_and_failure(shell, tmp_path):
    path = tmp_path / "fail.sh"
    path.write_text("echo bad; exit 4\n")  # no #! line: run by sh
    assert run1(shell, "script", {"cmd": str(path), "removes": str(tmp_path / "x")})["skipped"]
    result = run1(shell, "script", {"cmd": str(path)}, ok=False)
    assert result["rc"] == 4 and result["msg"] == "non-zero return code"
    assert result["stdout"] == "bad\n"


def test_script_executable(shell, tmp_path):
    path = tmp_path / "s"
    path.write_text("echo $#\n")
    assert run1(shell, "script", {"cmd": f"{path} 1 2", "executable": "sh"})["stdout"] == "2\n"
