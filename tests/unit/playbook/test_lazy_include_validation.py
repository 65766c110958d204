"""Ansible's rule for dynamic content: an unknown module in a file reached only by
include_tasks/include_role (per-OS files such as setup-RedHat.yml) is a warning at
validation time with file:line, and an error only if that task runs; statically imported
content stays strict, and ``check-syntax --strict`` keeps every unknown module an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from edgeauto.playbook import check_playbook

PLAY = """\
- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: setup-RedHat.yml
      when: ansible_os_family | default('Debian') == 'RedHat'
    - include_tasks: setup-Debian.yml
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root / "pb.yml"


def _project(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {
            "pb.yml": PLAY,
            "setup-RedHat.yml": "- name: install\n  dnf: name=nginx\n- action: yum name=x\n",
            "setup-Debian.yml": "- debug: msg=debian\n- frobnicate: level=3\n  when: false\n",
            "hosts": "localhost ansible_connection=local\n",
        },
    )


def test_unknown_modules_in_included_files_are_warnings_with_file_and_line(tmp_path):
    playbook, problems = check_playbook(_project(tmp_path))
    assert problems == []
    warnings = [str(w) for w in playbook.warnings]
    assert [w.split(": ")[0].rsplit("/", 1)[-1] for w in warnings] == [
        "setup-Debian.yml:2:3",
        "setup-RedHat.yml:2:3",
        "setup-RedHat.yml:3:11",
    ]
    assert "module 'dnf' cannot run with edgeauto" in warnings[1]
    assert "in a file reached only by include_tasks" in warnings[1]


def test_strict_keeps_them_errors(tmp_path):
    _, problems = check_playbook(_project(tmp_path), strict=True)
    assert len(problems) == 3
    # dnf and yum are Ansible modules with action plugins, which edgeauto cannot run
    assert "module 'dnf' cannot run with edgeauto" in str(problems[1])


def test_imported_content_stays_strict(tmp_path):
    pb = _write(
        tmp_path,
        {
            "pb.yml": "- hosts: all\n  tasks:\n    - import_tasks: t.yml\n  roles: [r]\n",
            "t.yml": "- dnf_frob: name=x\n",
            "roles/r/tasks/main.yml": "- apk_frob: name=y\n",
        },
    )
    _, problems = check_playbook(pb)
    assert sorted(str(p).split(": ")[0].rsplit("/", 1)[-1] for p in problems) == [
        "main.yml:1:3",
        "t.yml:1:3",
    ]


def test_a_role_applied_by_include_role_is_dynamic(tmp_path):
    pb = _write(
        tmp_path,
        {
            "pb.yml": "- hosts: all\n  tasks:\n    - include_role: {name: r}\n",
            "roles/r/tasks/main.yml": "- frob: name=y\n- include_tasks: more.yml\n",
            "roles/r/tasks/more.yml": "- import_tasks: deeper.yml\n",
            "roles/r/tasks/deeper.yml": "- grob: {x: 1}\n",
        },
    )
    playbook, problems = check_playbook(pb)
    assert problems == [] and len(playbook.warnings) == 2


def test_a_typo_of_a_keyword_stays_an_error_even_in_an_included_file(tmp_path):
    pb = _write(
        tmp_path,
        {
            "pb.yml": PLAY,
            "setup-RedHat.yml": "- debug: msg=x\n",
            "setup-Debian.yml": "- debug: msg=x\n  whn: true\n",
        },
    )
    _, problems = check_playbook(pb)
    assert len(problems) == 1 and "unknown task keyword 'whn'" in str(problems[0])


def _edgeauto(cwd: Path, *argv: str):
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *argv],
        cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


def test_the_run_fails_only_the_task_that_runs_and_says_which_module(tmp_path):
    pb = _project(tmp_path)
    (tmp_path / "setup-Debian.yml").write_text(
        "- debug: msg=debian\n- frobnicate: level=3\n  when: false\n- name: runs\n  frobnicate: level=4\n"
    )
    proc = _edgeauto(tmp_path, "run", "-i", "hosts", str(pb), "--json")
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    assert any("setup-RedHat.yml:2:3" in w for w in doc["warnings"])
    tasks = doc["plays"][0]["tasks"]
    outcome = {t["task"]["name"]: t["hosts"]["localhost"] for t in tasks}
    assert outcome["debug"].get("msg") == "debian"
    assert outcome["frobnicate"].get("skipped") is True
    assert outcome["runs"]["failed"] is True
    assert outcome["runs"]["msg"].endswith("setup-Debian.yml:5:3: unknown module 'frobnicate'")


def test_check_syntax_prints_warnings_and_passes_and_strict_fails(tmp_path):
    _project(tmp_path)
    proc = _edgeauto(tmp_path, "check-syntax", "pb.yml")
    assert proc.returncode == 0 and proc.stderr.count("[WARNING]:") == 3
    assert _edgeauto(tmp_path, "check-syntax", "--strict", "pb.yml").returncode == 1


def test_a_real_ansible_module_edgeauto_cannot_run_is_deferred_even_in_static_content(tmp_path):
    """`dnf` under a RedHat-only `when` in the playbook itself: a warning, not a stop (a typo
    of a module name in static content stays an error)."""
    pb = _write(
        tmp_path,
        {
            "pb.yml": "- hosts: all\n  gather_facts: false\n  tasks:\n"
            "    - dnf: name=nginx\n      when: false\n    - debug: msg=ran\n",
        },
    )
    playbook, problems = check_playbook(pb)
    assert problems == []
    (warning,) = [str(w) for w in playbook.warnings]
    assert "module 'dnf' cannot run with edgeauto" in warning
    assert warning.endswith("(the task fails only if it runs)")
    assert len(check_playbook(pb, strict=True)[1]) == 1
    (tmp_path / "pb.yml").write_text("- hosts: all\n  tasks:\n    - frobnicatex: a=1\n")
    assert len(check_playbook(pb)[1]) == 1
