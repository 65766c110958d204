"""A mistake on the command line is one clear line and an exit code, never a traceback; a bug
says it is one, asks for a report and exits 250 like ansible (issue 14, defect 4)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from edgeauto import cli
from edgeauto.errors import EXIT_UNEXPECTED

CASES = {
    "limit_file_missing": (
        ["run", "-i", "localhost,", "PB", "-l", "@missing"],
        "limit file not found",
    ),
    "limit_file_is_a_directory": (
        ["run", "-i", "localhost,", "PB", "-l", "@DIR"],
        "must be a file",
    ),
    "extra_vars_file_is_a_directory": (
        ["run", "-i", "localhost,", "PB", "-e", "@DIR"],
        "is a directory",
    ),
    "check_syntax_extra_vars_directory": (["check-syntax", "PB", "-e", "@DIR"], "is a directory"),
    "limit_matching_no_host": (
        ["run", "-i", "localhost,", "PB", "-l", "nomatch"],
        "--limit 'nomatch' matches no host",
    ),
    "start_at_task_naming_no_task": (
        ["run", "-i", "localhost,", "PB", "--start-at-task", "nosuch"],
        "no task named 'nosuch'",
    ),
    "hosts_is_a_number": (["run", "-i", "localhost,", "HOSTS5"], "found the number 5"),
    "adhoc_limit_file_missing": (
        ["adhoc", "-i", "localhost,", "all", "-m", "ping", "-l", "@missing"],
        "limit file not found",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_command_line_is_one_clear_line(tmp_path, name):
    argv, expected = CASES[name]
    playbook = tmp_path / "pb.yml"
    playbook.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: x}\n")
    (tmp_path / "hosts5.yml").write_text("- hosts: 5\n  tasks: []\n")
    (tmp_path / "DIR").mkdir()
    names = {"PB": playbook, "DIR": tmp_path / "DIR", "HOSTS5": tmp_path / "hosts5.yml"}
    argv = [str(names.get(a, a)).replace("@DIR", f"@{tmp_path / 'DIR'}") for a in argv]
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", *argv],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.strip().splitlines() if not ln.startswith("playbook:")]
    assert len(lines) == 1 and lines[0].startswith("ERROR: ") and expected in lines[0], lines


def test_forks_below_one_is_refused_by_the_parser():
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "x.yml", "-f", "0"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "-f/--forks: must be at least 1, found 0" in proc.stderr


def test_an_unexpected_error_says_it_is_a_bug_and_exits_250(monkeypatch, capsys):
    def buggy(args):
        raise KeyError("boom")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda cfg=None, command=None: parser)
    monkeypatch.setattr(
        parser, "parse_args", lambda argv=None: type("A", (), {"func": staticmethod(buggy)})()
    )
    assert cli.main([]) == EXIT_UNEXPECTED
    err = capsys.readouterr().err
    assert "unexpected internal error: KeyError" in err and "please report it" in err
    assert "Traceback" not in err
