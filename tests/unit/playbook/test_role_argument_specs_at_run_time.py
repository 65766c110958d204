"""meta/argument_specs.yml is checked per host for every way a role is applied (roles:, a
dependency, import_role, include_role), with the host's variables, by the task ansible-core
puts first in the role; statuses and recap match ansible-playbook (the oracle)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.modules.core.validate_argument_spec import spec_errors

SPEC = """\
argument_specs:
  main:
    short_description: The web role
    options:
      web_port: {type: int, required: true}
      web_mode: {type: str, choices: [fast, safe], default: safe}
      web_users:
        type: list
        elements: dict
        options:
          name: {type: str, required: true}
"""

PLAYBOOK = """\
- hosts: all
  gather_facts: false
  roles:
    - {role: web, web_port: 80}
    - app
  tasks:
    - include_role: {name: web}
      vars: {web_port: "8080", web_users: [{name: a}]}
    - import_role: {name: web}
      vars: {web_port: 90}
    - include_role: {name: web}
      vars: {web_port: x, web_mode: slow, web_users: [{nam: b}]}
"""


@pytest.fixture
def project(tmp_path) -> Path:
    files = {
        "roles/web/meta/argument_specs.yml": SPEC,
        "roles/web/tasks/main.yml": '- debug: msg="port {{ web_port }}"\n',
        "roles/app/tasks/main.yml": "- debug: msg=app\n",
        "roles/app/meta/main.yml": "dependencies:\n  - role: web\n    web_port: 81\n",
        "pb.yml": PLAYBOOK,
        "hosts": "localhost ansible_connection=local\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    return subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
        timeout=300,
    )  # fmt: skip


def test_every_way_of_applying_the_role_is_checked_and_the_last_one_fails(project):
    proc = _run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "hosts", "pb.yml", "--json"], project
    )
    assert proc.returncode == 2
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    checks = [t for t in tasks if t["task"]["name"].startswith("web : Validating arguments")]
    assert [c["hosts"]["localhost"].get("failed", False) for c in checks] == [
        False, False, False, False, True,
    ]  # fmt: skip
    failed = checks[-1]["hosts"]["localhost"]
    assert failed["argument_errors"] == [
        "argument 'web_port': expected an integer, found 'x'",
        "argument 'web_mode' must be one of fast, safe, found 'slow'",
        "unsupported parameters in web_users[0]: nam (supported: name)",
        "missing required arguments: web_users[0].name",
    ]
    assert failed["msg"].startswith("Validation of arguments failed:\n")


def test_a_required_option_may_come_from_the_inventory(project):
    (project / "pb.yml").write_text("- hosts: all\n  gather_facts: false\n  roles: [web]\n")
    (project / "hosts").write_text("localhost ansible_connection=local web_port=8443\n")
    proc = _run([sys.executable, "-m", "edgeauto", "run", "-i", "hosts", "pb.yml"], project)
    assert proc.returncode == 0 and "port 8443" in proc.stdout
    (project / "hosts").write_text("localhost ansible_connection=local\n")
    proc = _run([sys.executable, "-m", "edgeauto", "run", "-i", "hosts", "pb.yml"], project)
    assert proc.returncode == 2 and "missing required arguments: web_port" in proc.stdout


def test_statuses_and_recap_match_ansible_playbook(project):
    ansible = Path(sys.executable).with_name("ansible-playbook")
    if not ansible.exists():
        pytest.skip("ansible-core (the oracle) not installed")
    interpreter = f"ansible_python_interpreter={sys.executable}"
    theirs = _run([str(ansible), "-i", "hosts", "-e", interpreter, "pb.yml"], project)
    ours = _run([sys.executable, "-m", "edgeauto", "run", "-i", "hosts", "pb.yml"], project)
    recap = re.compile(r"localhost\s+:\s+(.*)")
    assert (
        recap.search(ours.stdout).group(1).split() == recap.search(theirs.stdout).group(1).split()
    )
    status = re.compile(r"^(ok|fatal|included|changed|skipping): ", re.M)
    assert status.findall(ours.stdout) == status.findall(theirs.stdout)
    assert (ours.returncode, theirs.returncode) == (2, 2)


def test_spec_errors_check_nested_options_of_a_dict():
    spec = {"db": {"type": "dict", "options": {"port": {"type": "int", "required": True}}}}
    assert spec_errors(spec, {"db": {"port": "5432"}}, "") == []
    assert spec_errors(spec, {"db": {}}, "") == ["missing required arguments: db.port"]
