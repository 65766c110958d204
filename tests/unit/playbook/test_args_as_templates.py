"""Module arguments given as one template — `lineinfile: "{{ rule.args }}"` (a mapping; a
string is refused, as ansible-core 2.19 refuses it) and `args: "{{ extra }}"` — render per host with Ansible's precedence, and end in the
same files as ansible-playbook (the oracle) on localhost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.playbook import check_playbook

PLAYBOOK = """\
- hosts: localhost
  gather_facts: false
  vars:
    rule: {{args: {{path: "{out}/kv.txt", line: from-rule, create: true}}}}
    mapping: {{path: "{out}/map.txt", line: from-mapping, create: true}}
    extra: {{path: "{out}/extra.txt", line: from-extra, create: true}}
  tasks:
    - lineinfile: "{{{{ rule.args }}}}"
    - lineinfile: "{{{{ mapping }}}}"
    - lineinfile:
        line: module-wins
      args: "{{{{ extra }}}}"
    - copy:
        dest: "{out}/copied.txt"
      args: "{{{{ {{'content': 'c\\n', 'mode': '0600'}} }}}}"
    - shell: "{{{{ 'echo free-form stays the command > ' ~ '{out}/cmd.txt' }}}}"
"""


def _run(tool: list[str], out: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    out.mkdir()
    pb = tmp_path / f"{out.name}.yml"
    pb.write_text(PLAYBOOK.format(out=out))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["ANSIBLE_LOCALHOST_WARNING"] = "false"
    return subprocess.run(
        [*tool, "-i", "localhost,", "-c", "local", str(pb)],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
        cwd=tmp_path,
    )  # fmt: skip


def _state(out: Path) -> dict:
    return {p.name: (p.read_text(), oct(p.stat().st_mode & 0o777)) for p in sorted(out.iterdir())}


def test_template_arguments_pass_validation_and_are_checked_per_host(tmp_path):
    pb = tmp_path / "pb.yml"
    pb.write_text(PLAYBOOK.format(out=tmp_path))
    assert check_playbook(pb)[1] == []


def test_a_template_that_renders_to_a_list_fails_its_task_clearly(tmp_path):
    pb = tmp_path / "pb.yml"
    pb.write_text(
        '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - lineinfile: "{{ [1, 2] }}"\n'
    )
    proc = _run([sys.executable, "-m", "edgeauto", "run"], tmp_path / "o", tmp_path)
    assert proc.returncode == 0  # the formatted playbook is fine; now the broken one:
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "-c", "local", str(pb)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "must render to a mapping, found list" in proc.stdout


def test_same_files_as_ansible_playbook(tmp_path):
    ansible = Path(sys.executable).with_name("ansible-playbook")
    if not ansible.exists():
        pytest.skip("ansible-core (the oracle) not installed")
    ours = _run([sys.executable, "-m", "edgeauto", "run"], tmp_path / "ours", tmp_path)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    interpreter = f"ansible_python_interpreter={sys.executable}"
    theirs = _run([str(ansible), "-e", interpreter], tmp_path / "theirs", tmp_path)
    assert theirs.returncode == 0, theirs.stdout + theirs.stderr
    expected = {
        k: (v[0].replace(str(tmp_path / "theirs"), "OUT"), v[1])
        for k, v in _state(tmp_path / "theirs").items()
    }
    got = {
        k: (v[0].replace(str(tmp_path / "ours"), "OUT"), v[1])
        for k, v in _state(tmp_path / "ours").items()
    }
    assert got == expected
    assert got["extra.txt"][0] == "module-wins\n"
    again = _run([sys.executable, "-m", "edgeauto", "run"], tmp_path / "again", tmp_path)
    assert again.returncode == 0
