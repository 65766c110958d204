"""Table-driven: each malformed playbook gives its error at the expected file:line:col.

The table is ``tests/fixtures/playbooks/malformed/cases.yml``; each row names a small playbook,
the position edgeauto must report, a message fragment and (optionally) the did-you-mean hint.
Rows marked ``ansible: rejects`` are also run through ``ansible-playbook --syntax-check``
(ansible-core as the oracle) to confirm the file is invalid in Ansible too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from edgeauto.cli import main as cli_main
from edgeauto.playbook import check_playbook

from .conftest import FIXTURES

MALFORMED = FIXTURES / "malformed"
CASES = yaml.safe_load((MALFORMED / "cases.yml").read_text())
IDS = [c["file"].removesuffix(".yml") for c in CASES]


def test_the_table_has_at_least_thirty_distinct_cases():
    assert len(CASES) >= 30
    assert len({c["file"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert (MALFORMED / case["file"]).is_file(), case["file"]


def _problems(case, monkeypatch):
    """The problems check-syntax reports; a row marked ``strict`` (Ansible finds it only when
    the task runs, edgeauto warns) is checked with ``--strict`` and must warn without it."""
    monkeypatch.chdir(MALFORMED)  # positions are then relative to the malformed dir
    playbook, problems = check_playbook(case["file"], strict=bool(case.get("strict")))
    if case.get("strict"):
        lenient, lenient_problems = check_playbook(case["file"])
        assert not [p for p in lenient_problems if str(p.pos) == case["at"]]
        assert any(str(w.pos) == case["at"] for w in lenient.warnings), lenient.warnings
    return problems


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_malformed_playbook_reports_the_expected_position_and_message(case, monkeypatch):
    problems = _problems(case, monkeypatch)
    assert problems, "expected at least one problem"
    matching = [p for p in problems if str(p.pos) == case["at"]]
    assert matching, f"no problem at {case['at']}; got: " + "; ".join(map(str, problems))
    text = " ".join(str(p) for p in matching)
    assert case["message"] in text
    if case.get("hint"):
        assert case["hint"] in text


@pytest.mark.parametrize("case", CASES[:3] + CASES[20:22], ids=IDS[:3] + IDS[20:22])
def test_check_syntax_command_prints_file_line_col_and_exits_1(case, monkeypatch, capsys):
    monkeypatch.chdir(MALFORMED)
    code = cli_main(["check-syntax", case["file"]])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{case['at']}: " in err
    assert case["message"] in err


def _ansible_playbook() -> str | None:
    candidate = Path(sys.executable).parent / "ansible-playbook"
    return str(candidate) if candidate.exists() else shutil.which("ansible-playbook")


REJECTED = [c for c in CASES if c["ansible"] == "rejects"]


@pytest.mark.slow
@pytest.mark.parametrize("case", REJECTED, ids=[c["file"].removesuffix(".yml") for c in REJECTED])
def test_ansible_syntax_check_rejects_the_same_playbook(case, tmp_path):
    binary = _ansible_playbook()
    if binary is None:
        pytest.skip("ansible-core (test oracle) is not installed")
    env = dict(os.environ, ANSIBLE_LOCAL_TEMP=str(tmp_path), ANSIBLE_HOME=str(tmp_path))
    env.pop("ANSIBLE_ROLES_PATH", None)
    result = subprocess.run(
        [binary, "-i", "localhost,", "--syntax-check", case["file"]],
        cwd=MALFORMED,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0, result.stdout + result.stderr


AT_RUNTIME = [c for c in CASES if c["ansible"] == "runtime"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", AT_RUNTIME, ids=[c["file"].removesuffix(".yml") for c in AT_RUNTIME]
)
def test_ansible_fails_on_the_same_playbook_when_it_runs(case, tmp_path):
    """Rows marked `runtime` pass Ansible's syntax check but fail when run. Ansible runs them
    here against localhost (connection local, --check: nothing on the machine changes); each
    must fail, which shows edgeauto's early error is a real error and not over-strictness."""
    binary = _ansible_playbook()
    if binary is None:
        pytest.skip("ansible-core (test oracle) is not installed")
    env = dict(
        os.environ,
        ANSIBLE_LOCAL_TEMP=str(tmp_path),
        ANSIBLE_HOME=str(tmp_path),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_NOCOLOR="1",
    )
    env.pop("ANSIBLE_ROLES_PATH", None)
    result = subprocess.run(
        [binary, "-i", "localhost,", "-c", "local", "--check", case["file"]],
        cwd=MALFORMED,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0 or "[ERROR]" in output, output[-2000:]
