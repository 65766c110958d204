"""``edgeauto lint`` end to end: exit codes, formats, --fix, noqa and config files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BAD = """\
- hosts: all
  sudo: yes
  tasks:
    - name: Build
      command: make
    - name: Curl
      apt: {name: curl, state: installed}
"""
CLEAN = """\
- name: Good
  hosts: all
  become: true
  tasks:
    - name: Curl
      apt: {name: curl, state: present}
"""


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", "lint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / "site.yml").write_text(BAD)
    return tmp_path


def test_findings_exit_2_and_name_file_line_rule(project):
    out = lint(project)
    assert out.returncode == 2, out.stderr
    assert "site.yml:2:3: [deprecated-spelling] 'sudo' is deprecated: use 'become'" in out.stdout
    assert "site.yml:4:7: [no-changed-when]" in out.stdout
    assert out.stdout.rstrip().endswith("4 finding(s) from 3 rule(s)")


def test_a_clean_project_exits_0(tmp_path):
    (tmp_path / "site.yml").write_text(CLEAN)
    out = lint(tmp_path)
    assert (out.returncode, out.stdout.strip()) == (0, "no findings")


def test_a_missing_path_or_unknown_rule_is_one_error_line_exit_1(tmp_path):
    missing = lint(tmp_path, "nope.yml")
    assert missing.returncode == 1 and "nope.yml: no such file" in missing.stderr
    unknown = lint(tmp_path, "-x", "no-such-rule")
    assert unknown.returncode == 1 and "unknown rule(s) no-such-rule" in unknown.stderr


def test_fix_rewrites_only_the_safe_renames_and_a_second_fix_changes_nothing(project):
    out = lint(project, "--fix")
    text = (project / "site.yml").read_text()
    assert "  become: yes\n" in text and "state: present}" in text
    assert text.replace("become", "sudo").replace("present", "installed") == BAD
    assert out.returncode == 2  # the command without changed_when and the names remain
    again = lint(project, "--fix")
    assert (project / "site.yml").read_text() == text and "fixed" not in again.stderr


def test_noqa_silences_one_rule_or_all_on_its_line(project):
    text = BAD.replace("sudo: yes", "sudo: yes  # noqa: deprecated-spelling")
    (project / "site.yml").write_text(text.replace("command: make", "command: make  # noqa"))
    out = lint(project, "-f", "json")
    rules = [(f["rule"], f["line"]) for f in json.loads(out.stdout)["findings"]]
    assert rules == [("name-missing", 1), ("deprecated-spelling", 7)]


def test_skip_list_and_warn_list_from_the_ansible_lint_config(project):
    (project / ".ansible-lint").write_text(
        "skip_list: [deprecated-spelling]\nwarn_list: [name-missing, no-changed-when]\n"
    )
    out = lint(project)
    assert out.returncode == 0, out.stdout  # what remains is only warned about
    assert "deprecated-spelling" not in out.stdout and "[name-missing]" in out.stdout


def test_json_and_sarif_outputs_are_machine_readable(project):
    data = json.loads(lint(project, "-f", "json").stdout)
    assert data["schema_version"] == 1
    first = data["findings"][0]
    assert set(first) == {"rule", "severity", "message", "file", "line", "col", "fixable"}
    sarif = json.loads(lint(project, "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"no-changed-when"}
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1


def test_broken_yaml_is_a_finding_not_a_crash(tmp_path):
    (tmp_path / "broken.yml").write_text("- hosts: all\n  tasks: [\n")
    out = lint(tmp_path)
    assert out.returncode == 2 and "[load-failure]" in out.stdout and "broken.yml:" in out.stdout


def test_roles_are_linted_by_where_their_files_live(tmp_path):
    tasks = tmp_path / "roles" / "web" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text("- shell: echo hi\n")
    (tmp_path / "roles" / "web" / "defaults").mkdir()
    (tmp_path / "roles" / "web" / "defaults" / "main.yml").write_text("web_token: s3cr3t\n")
    out = lint(tmp_path, "-f", "json")
    found = {(Path(f["file"]).parent.name, f["rule"]) for f in json.loads(out.stdout)["findings"]}
    assert found == {
        ("tasks", "name-missing"),
        ("tasks", "no-changed-when"),
        ("defaults", "no-plaintext-secrets"),
    }


def test_python_required_reads_the_inventory(tmp_path):
    (tmp_path / "inv.yml").write_text(
        "devices:\n  hosts:\n    box1: {edgeauto_has_python: false}\n"
    )
    (tmp_path / "site.yml").write_text(
        "- name: Devices\n  hosts: devices\n  tasks:\n    - name: Seed\n"
        "      ansible.builtin.debconf: {name: tzdata}\n"
    )
    out = lint(tmp_path, "-i", "inv.yml", "-f", "json")
    (finding,) = json.loads(out.stdout)["findings"]
    assert finding["rule"] == "python-required" and "box1" in finding["message"]
