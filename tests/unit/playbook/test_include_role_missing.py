"""include_role is dynamic: a role that is not installed is a warning at load time (as with
ansible-playbook, which looks it up only when the task runs) and the task's error if it runs;
import_role stays a load-time problem."""

from __future__ import annotations

import subprocess
import sys

from edgeauto.playbook import check_playbook

PLAY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Open the firewall only when asked
      ansible.builtin.include_role:
        name: acme.net.firewall
      when: manage_firewall | default(false)
    - ansible.builtin.debug:
        msg: after
"""


def test_a_missing_included_role_is_a_warning(tmp_path):
    (tmp_path / "pb.yml").write_text(PLAY)
    playbook, problems = check_playbook(tmp_path / "pb.yml")
    assert problems == []
    (warning,) = [str(w) for w in playbook.warnings]
    assert "role 'acme.net.firewall' not found" in warning
    assert "fails only if it runs" in warning


def test_a_missing_imported_role_is_still_a_problem(tmp_path):
    (tmp_path / "pb.yml").write_text(PLAY.replace("include_role", "import_role"))
    (problem,) = [str(p) for p in check_playbook(tmp_path / "pb.yml")[1]]
    assert "role 'acme.net.firewall' not found" in problem


def test_the_run_skips_it_or_fails_only_that_task(tmp_path):
    (tmp_path / "pb.yml").write_text(PLAY)
    run = [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "-c", "local"]
    skipped = subprocess.run([*run, "pb.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "after" in skipped.stdout
    ran = subprocess.run(
        [*run, "pb.yml", "-e", "manage_firewall=true"], cwd=tmp_path, capture_output=True, text=True
    )
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "acme.net.firewall" in ran.stdout + ran.stderr
