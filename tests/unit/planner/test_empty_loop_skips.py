"""An empty loop skips its task, as with ansible-playbook (geerlingguy.security's sudoers
tasks loop over empty lists): status skipped, registered value with ``skipped_reason``."""

from __future__ import annotations

import json
import subprocess
import sys

PLAY = """
- hosts: localhost
  gather_facts: false
  vars: {nobody: []}
  tasks:
    - name: Loops over nothing
      ansible.builtin.command: echo {{ item }}
      loop: "{{ nobody }}"
      register: r
    - ansible.builtin.debug:
        var: r
"""


def test_an_empty_loop_is_skipped(tmp_path):
    (tmp_path / "pb.yml").write_text(PLAY)
    argv = [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "-c", "local", "--json"]
    proc = subprocess.run([*argv, "pb.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    looped, shown = (entry["hosts"]["localhost"] for entry in doc["plays"][0]["tasks"])
    assert looped["status"] == "skipped"
    assert shown["r"] == {
        "changed": False,
        "results": [],
        "skipped": True,
        "skipped_reason": "No items in the list",
    }
    assert doc["stats"]["localhost"]["skipped"] == 1
