"""Each module's real compiled script, run locally under dash and busybox sh:
check mode predicts the real run's `changed`, the real run changes, the second run changes
nothing, and check mode afterwards predicts no change."""

import hashlib
import os
from pathlib import Path

import pytest

from edgeauto.modules.registry import all_modules
from edgeauto.remote.localrun import LocalTask

from .harness import run_under


def run(shell, module, args, check=False, diff=False, **kw):
    out = run_under(shell, [LocalTask(module, args, check=check, diff=diff, **kw)])
    result = out.results[0]
    assert not result.get("failed"), (result, out.stderr)
    return result


def copy_with_facts(shell, args, remote_checksums):
    """copy as the planner sends it after facts: with the target's sha1 of each dest path."""
    return run_under(shell, [LocalTask("copy", args, remote_checksums=remote_checksums)])


def converge(shell, module, args, expect_first_change=True):
    """check → real → real again → check again; returns the first real result."""
    predicted = run(shell, module, args, check=True, diff=True)
    first = run(shell, module, args, diff=True)
    second = run(shell, module, args, diff=True)
    after = run(shell, module, args, check=True)
    assert predicted["changed"] == first["changed"] == expect_first_change
    assert second["changed"] is False, second
    assert after["changed"] is False, after
    return first


SCENARIOS = {
    "file_directory_tree": (
        "file",
        lambda d: {"path": f"{d}/a/b/c", "state": "directory", "mode": "0750"},
    ),
    "file_touch_mode": (
        "file",
        lambda d: {
            "path": f"{d}/t",
            "state": "touch",
            "mode": "0600",
            "modification_time": "preserve",
            "access_time": "preserve",
        },
    ),
    "file_touch_stamp": (
        "file",
        lambda d: {
            "path": f"{d}/ts",
            "state": "touch",
            "modification_time": "202401021530.00",
            "access_time": "202401021530.00",
        },
    ),
    "file_link": (
        "file",
        lambda d: {"path": f"{d}/lnk", "state": "link", "src": "/etc/hostname", "force": True},
    ),
    "file_absent": ("file", lambda d: {"path": f"{d}/gone", "state": "absent"}),
    "copy_content": (
        "copy",
        lambda d: {"content": "a=1\nb='2'\n", "dest": f"{d}/c.conf", "mode": "0640"},
    ),
    "copy_no_trailing_newline": ("copy", lambda d: {"content": "x", "dest": f"{d}/x"}),
    "copy_into_dir": ("copy", lambda d: {"content": "dirtest", "dest": f"{d}/made/f"}),
    "lineinfile_create": (
        "lineinfile",
        lambda d: {"path": f"{d}/l.conf", "line": "key=value", "create": True},
    ),
    "command_creates": (
        "command",
        lambda d: {"cmd": f"touch {d}/marker", "creates": f"{d}/marker"},
    ),
    "shell_removes": ("shell", lambda d: {"cmd": f"rm {d}/victim", "removes": f"{d}/victim"}),
    "ping_never_changes": ("ping", lambda d: {}),
}
# remote modules whose real/check/second-run test lives in another file, and why
CONVERGED_ELSEWHERE = {"template": "test_template_module.py: rendering needs a Templar"}


def test_every_remote_module_has_a_converge_scenario():
    remote = {name for name, module in all_modules().items() if module.runs_on == "remote"}
    declared = {name for name, m in all_modules().items() if getattr(m, "converged_in", "")}
    covered = {module for module, _ in SCENARIOS.values()} | set(CONVERGED_ELSEWHERE) | declared
    assert remote - covered == set()


def test_every_declared_converge_test_file_exists():
    root = Path(__file__).resolve().parents[2]
    for name, module in all_modules().items():
        where = getattr(module, "converged_in", "")
        if where:
            assert ": " in where, f"{name}.converged_in must be 'tests/<file>.py: why'"
            assert (root / where.split(": ", 1)[0]).is_file(), f"{name}: {where}"


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_module_converges_and_check_mode_predicts_the_real_run(shell, tmp_path, name):
    module, make_args = SCENARIOS[name]
    if name == "file_absent":
        (tmp_path / "gone").mkdir()
        (tmp_path / "gone" / "inner").write_text("x")
    if name == "shell_removes":
        (tmp_path / "victim").write_text("x")
    if name == "copy_into_dir":
        (tmp_path / "made").mkdir()
    converge(shell, module, make_args(tmp_path), expect_first_change=module != "ping")


def test_file_mode_symbolic_and_octal_agree(shell, tmp_path):
    path = tmp_path / "m"
    path.write_text("")
    os.chmod(path, 0o644)
    converge(shell, "file", {"path": str(path), "mode": "u=rwx,g=rx,o="})
    assert oct(path.stat().st_mode & 0o7777) == "0o750"
    result = run(shell, "file", {"path": str(path), "mode": 0o750})
    assert result["changed"] is False and result["mode"] == "0750"


def test_copy_reports_ansible_keys_and_diff(shell, tmp_path):
    dest = tmp_path / "f"
    dest.write_text("old\n")
    result = run(shell, "copy", {"content": "new\n", "dest": str(dest), "backup": True}, diff=True)
    assert result["changed"] is True
    assert result["checksum"] == hashlib.sha1(b"new\n").hexdigest()
    assert result["dest"] == str(dest) and result["state"] == "file" and result["size"] == 4
    assert result["diff"]["before"] == "old\n" and result["diff"]["after"] == "new\n"
    assert open(result["backup_file"]).read() == "old\n"


def test_copy_content_into_an_existing_directory_fails_as_ansibles_copy_action(shell, tmp_path):
    """copy target: content has no file name to put into a directory dest (no trailing /),
    in check mode too; nothing is written."""
    for check in (True, False):
        task = LocalTask("copy", {"content": "x", "dest": str(tmp_path)}, check=check)
        result = run_under(shell, [task]).results[0]
        assert result["failed"] and result["msg"] == "can not use content with a dir as dest"
    assert list(tmp_path.iterdir()) == []


def test_copy_preserves_existing_file_mode_when_none_given(shell, tmp_path):
    dest = tmp_path / "f"
    dest.write_text("old\n")
    os.chmod(dest, 0o600)
    run(shell, "copy", {"content": "new\n", "dest": str(dest)})
    assert dest.stat().st_mode & 0o777 == 0o600


def test_copy_omits_content_when_facts_show_the_same_checksum(shell, tmp_path):
    dest = tmp_path / "same"
    dest.write_bytes(b"SECRET-PAYLOAD-MARKER\n")
    sha = hashlib.sha1(b"SECRET-PAYLOAD-MARKER\n").hexdigest()
    out = copy_with_facts(
        shell, {"content": "SECRET-PAYLOAD-MARKER\n", "dest": str(dest)}, {str(dest): sha}
    )
    assert b"SECRET-PAYLOAD-MARKER" not in out.script
    assert out.results[0]["changed"] is False and not out.results[0]["failed"]


def test_copy_fails_clearly_when_the_file_changed_since_facts(shell, tmp_path):
    dest = tmp_path / "moved"
    dest.write_bytes(b"someone edited me\n")
    sha = hashlib.sha1(b"expected\n").hexdigest()
    out = copy_with_facts(shell, {"content": "expected\n", "dest": str(dest)}, {str(dest): sha})
    result = out.results[0]
    assert result["failed"] and result["resend"] is True
    assert "changed since facts" in result["msg"]
    assert dest.read_bytes() == b"someone edited me\n"


def test_copy_validate_failure_leaves_the_destination_untouched(shell, tmp_path):
    dest = tmp_path / "v"
    dest.write_text("good\n")
    out = run_under(
        shell,
        [LocalTask("copy", {"content": "bad\n", "dest": str(dest), "validate": "grep -q good %s"})],
    )
    assert out.results[0]["failed"] and "failed to validate" in out.results[0]["msg"]
    assert dest.read_text() == "good\n"


def test_command_result_keys_and_stdin(shell, tmp_path):
    result = run(shell, "command", {"argv": ["cat"], "stdin": "hello"})
    assert result["stdout"] == "hello" and result["rc"] == 0 and result["changed"] is True
    assert result["cmd"] == ["cat"] and result["delta"] is not None
    assert result["stdout_lines"] == ["hello"]


def test_command_check_mode_without_guards_says_it_might_change(shell):
    result = run(shell, "command", {"cmd": "false"}, check=True)
    assert result["changed"] is True and result["might_change"] is True


def test_command_failure_and_missing_program(shell):
    out = run_under(shell, [LocalTask("command", {"cmd": "sh -c 'echo err >&2; exit 4'"})])
    result = out.results[0]
    assert result["failed"] and result["rc"] == 4 and result["stderr"] == "err"
    assert result["msg"] == "non-zero return code"
    out = run_under(shell, [LocalTask("command", {"cmd": "no-such-program-xyz"})])
    assert out.results[0]["failed"] and out.results[0]["rc"] == 2


def test_command_expands_environment_variables_like_ansible(shell):
    result = run(
        shell, "command", {"cmd": "echo $EA_X ${EA_X} $EA_UNSET"}, environment={"EA_X": "v"}
    )
    assert result["stdout"] == "v v $EA_UNSET"


def test_shell_module_runs_pipes_with_chdir(shell, tmp_path):
    (tmp_path / "f1").write_text("")
    result = run(shell, "shell", {"cmd": "ls | wc -l", "chdir": str(tmp_path)})
    assert result["stdout"].strip() == "1" and result["cmd"] == "ls | wc -l"


def test_lineinfile_diff_shows_content_before_and_after(shell, tmp_path):
    path = tmp_path / "cfg"
    path.write_text("a\nb\n")
    result = run(shell, "lineinfile", {"path": str(path), "regexp": "^b", "line": "B"}, diff=True)
    assert result["msg"] == "line replaced"
    assert result["diff"]["before"] == "a\nb\n" and result["diff"]["after"] == "a\nB\n"


def test_ping_returns_pong(shell):
    assert run(shell, "ping", {})["ping"] == "pong"


def test_ping_with_data_crash_fails_in_ansible_core_2_19s_words(shell):
    result = run_under(shell, [LocalTask("ping", {"data": "crash"})]).results[0]
    assert result["failed"] and result["changed"] is False
    assert result["msg"] == "Task failed: Module failed: boom"  # the ping target matches it


@pytest.mark.parametrize("trailing_slash", [True, False])
def test_copy_directory_tree_converges(shell, tmp_path, trailing_slash):
    src = tmp_path / "src"
    (src / "sub" / "empty").mkdir(parents=True)
    (src / "a.txt").write_text("A\n")
    (src / "sub" / "b.bin").write_bytes(b"\0\1\2")
    dest = tmp_path / "dest"
    dest.mkdir()
    args = {"src": str(src) + ("/" if trailing_slash else ""), "dest": str(dest), "mode": "0640"}
    converge(shell, "copy", args)
    root = dest if trailing_slash else dest / "src"
    assert (root / "a.txt").read_text() == "A\n"
    assert (root / "sub" / "b.bin").read_bytes() == b"\0\1\2"
    assert (root / "sub" / "empty").is_dir()
    assert (root / "a.txt").stat().st_mode & 0o777 == 0o640


def test_file_recurse_sets_mode_below_a_directory(shell, tmp_path):
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "e" / "f").write_text("")
    converge(
        shell,
        "file",
        {
            "path": str(tmp_path / "d"),
            "state": "directory",
            "recurse": True,
            "mode": "u=rwX,g=rX,o=",
        },
    )
    assert (tmp_path / "d" / "e" / "f").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "d" / "e").stat().st_mode & 0o777 == 0o750


def test_one_script_runs_many_modules_and_reports_each(shell, tmp_path):
    out = run_under(
        shell,
        [
            LocalTask("file", {"path": str(tmp_path / "etc"), "state": "directory"}),
            LocalTask("copy", {"content": "k=1\n", "dest": str(tmp_path / "etc" / "app.conf")}),
            LocalTask("lineinfile", {"path": str(tmp_path / "etc" / "app.conf"), "line": "k2=2"}),
            LocalTask("command", {"cmd": f"cat {tmp_path}/etc/app.conf"}),
        ],
    )
    assert [r["changed"] for r in out.results] == [True, True, True, True]
    assert out.results[3]["stdout_lines"] == ["k=1", "k2=2"]
    assert out.output.complete


def test_user_commands_and_created_parents_get_the_login_umask_not_077(shell, tmp_path):
    os.umask(0o022)
    run(shell, "shell", {"cmd": f"echo x > {tmp_path}/made-by-command"})
    assert (tmp_path / "made-by-command").stat().st_mode & 0o777 == 0o644
    run(shell, "lineinfile", {"path": str(tmp_path / "p" / "q" / "f"), "line": "x", "create": True})
    assert (tmp_path / "p").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "p" / "q" / "f").stat().st_mode & 0o777 == 0o644


def test_relinking_a_symlink_that_points_to_a_directory_replaces_the_link(shell, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    link = tmp_path / "current"
    link.symlink_to(tmp_path / "old")
    converge(shell, "file", {"path": str(link), "src": str(tmp_path / "new"), "state": "link"})
    assert os.readlink(link) == str(tmp_path / "new")
    assert list((tmp_path / "old").iterdir()) == []


def test_checksums_fall_back_to_openssl_when_sha1sum_is_missing(tmp_path):
    """A PATH of BusyBox applets without sha1sum (and without a `busybox` binary) plus openssl."""
    import shutil
    import subprocess

    from edgeauto.modules.base import CompileContext
    from edgeauto.modules.registry import get_module
    from edgeauto.remote.builder import TaskInvocation, build_script
    from edgeauto.remote.framing import parse_stream

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    busybox = shutil.which("busybox")
    applets = subprocess.run(
        [busybox, "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    for applet in applets:
        if applet not in ("sha1sum", "busybox"):
            (bindir / applet).symlink_to(busybox)
    (bindir / "openssl").symlink_to(openssl)
    dest = tmp_path / "f"
    dest.write_text("same\n")
    module = get_module("copy")
    args = module.validate({"content": "same\n", "dest": str(dest)}, final=True)
    script = build_script(
        [TaskInvocation("t0", module.compile(args, CompileContext()))], nonce="a1b2c3d4e5f60718"
    )
    proc = subprocess.run(
        [busybox, "sh", "-s"], input=script, capture_output=True, env={"PATH": str(bindir)}
    )
    (record,) = parse_stream(proc.stdout, "a1b2c3d4e5f60718")
    assert record.status == "ok", (record, proc.stderr)
    assert record.fields["checksum"] == hashlib.sha1(b"same\n").hexdigest()


def test_copy_into_an_existing_directory_is_not_resent_when_facts_match(shell, tmp_path):
    src = tmp_path / "app.conf"
    src.write_bytes(b"PAYLOAD-IN-DIR-MARKER\n")
    target_dir = tmp_path / "etc"
    target_dir.mkdir()
    (target_dir / "app.conf").write_bytes(b"PAYLOAD-IN-DIR-MARKER\n")
    from edgeauto.modules.registry import get_module

    args = {"src": str(src), "dest": str(target_dir)}
    paths = get_module("copy").checksum_paths(args)
    assert paths == [str(target_dir), f"{target_dir}/app.conf"]
    sha = hashlib.sha1(b"PAYLOAD-IN-DIR-MARKER\n").hexdigest()
    out = copy_with_facts(shell, args, {str(target_dir): None, f"{target_dir}/app.conf": sha})
    assert b"PAYLOAD-IN-DIR-MARKER" not in out.script
    assert out.results[0]["changed"] is False and not out.results[0]["failed"]
