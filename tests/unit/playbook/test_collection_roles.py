"""Roles named by collection FQCN (``acme.edge.ntp``) are found through the collection search
path as ansible-core finds them: ``collections/`` beside the playbook,
``$ANSIBLE_COLLECTIONS_PATH`` (else ansible.cfg's ``collections_path``), ``sys.path``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.playbook import check_playbook

PLAY = """\
- hosts: all
  gather_facts: false
  roles:
    - acme.edge.ntp
  tasks:
    - include_role: {name: acme.edge.ntp, tasks_from: extra}
    - import_role: {name: acme.edge.ntp}
"""


def _collection(base: Path) -> Path:
    role = base / "ansible_collections" / "acme" / "edge" / "roles" / "ntp"
    (role / "tasks").mkdir(parents=True)
    (role / "tasks" / "main.yml").write_text("- debug: msg=ntp-main\n")
    (role / "tasks" / "extra.yml").write_text("- debug: msg=ntp-extra\n")
    (role / "defaults").mkdir()
    (role / "defaults" / "main.yml").write_text("ntp_servers: [a]\n")
    return role


def test_a_collection_role_beside_the_playbook_is_found(tmp_path):
    _collection(tmp_path / "collections")
    (tmp_path / "pb.yml").write_text(PLAY)
    playbook, problems = check_playbook(tmp_path / "pb.yml")
    assert problems == []
    assert playbook.plays[0].roles[0].path.name == "ntp"


def test_the_environment_path_is_searched_and_a_missing_role_says_where_it_looked(
    tmp_path, monkeypatch
):
    _collection(tmp_path / "elsewhere")
    (tmp_path / "pb.yml").write_text(PLAY)
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", str(tmp_path / "elsewhere"))
    assert check_playbook(tmp_path / "pb.yml")[1] == []
    (tmp_path / "pb.yml").write_text(PLAY.replace("acme.edge.ntp", "acme.edge.chrony", 1))
    (problem,) = [str(p) for p in check_playbook(tmp_path / "pb.yml")[1]]
    assert "role 'acme.edge.chrony' not found; looked in: " in problem
    assert str(tmp_path / "elsewhere" / "ansible_collections/acme/edge/roles") in problem
    assert "ansible-galaxy collection install" in problem


def test_runs_like_ansible_playbook(tmp_path):
    ansible = Path(sys.executable).with_name("ansible-playbook")
    if not ansible.exists():
        pytest.skip("ansible-core (the oracle) not installed")
    _collection(tmp_path / "colls")
    (tmp_path / "pb.yml").write_text(PLAY)
    (tmp_path / "ansible.cfg").write_text(f"[defaults]\ncollections_path = {tmp_path / 'colls'}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["HOME"] = str(tmp_path)

    def run(argv):
        return subprocess.run(
            [*argv, "-i", "localhost,", "-c", "local", "pb.yml"], cwd=tmp_path, env=env,
            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
        )  # fmt: skip

    ours = run([sys.executable, "-m", "edgeauto", "run"])
    theirs = run([str(ansible), "-e", f"ansible_python_interpreter={sys.executable}"])
    assert ours.returncode == theirs.returncode == 0, ours.stdout + ours.stderr + theirs.stdout
    msgs = re.compile(r'"msg": "(ntp-\w+)"')
    assert msgs.findall(ours.stdout) == msgs.findall(theirs.stdout) == [
        "ntp-main", "ntp-extra", "ntp-main",
    ]  # fmt: skip
