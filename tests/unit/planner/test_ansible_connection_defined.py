"""``ansible_connection`` is always defined, as ansible-core defines it from the play context
(willshersystems.sshd gates its service task on ``ansible_connection != 'chroot'``); the
inventory and ``-c`` still decide its value."""

from __future__ import annotations

import json
import subprocess
import sys

PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.debug:
        var: ansible_connection
"""


def _shown(tmp_path, *args: str) -> str:
    (tmp_path / "pb.yml").write_text(PLAY)
    argv = [sys.executable, "-m", "edgeauto", "run", "--json", *args, "pb.yml"]
    proc = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (entry,) = json.loads(proc.stdout)["plays"][0]["tasks"]
    return next(iter(entry["hosts"].values()))["ansible_connection"]


def test_the_command_line_connection_is_shown(tmp_path):
    assert _shown(tmp_path, "-i", "localhost,", "-c", "local") == "local"


def test_the_inventory_value_wins(tmp_path):
    (tmp_path / "inv").write_text("h1 ansible_connection=local\n")
    assert _shown(tmp_path, "-i", "inv") == "local"
