"""``run --diff --report`` against a real lab host over SSH: the page lists the files the run
changed with their diffs, and the second run (converged) reports no changed file."""

from __future__ import annotations

import subprocess
import sys

PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: site config
      copy:
        content: "mode=edge\\nsite=alpha\\n"
        dest: /etc/edgeauto-report.conf
    - name: motd line
      lineinfile:
        path: /etc/motd
        line: "managed by edgeauto"
"""


def _run(tmp_path, inventory, host: str, report: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", str(inventory), "-l", host, "pb.yml"]
        + ["--diff", "--no-retry-file", "--report", report],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return (tmp_path / report).read_text(encoding="utf-8")


def test_report_shows_changed_files_with_diffs_then_none(tmp_path, lab_inventory, fresh_host):
    (tmp_path / "pb.yml").write_text(PLAYBOOK)
    first = _run(tmp_path, lab_inventory, fresh_host.name, "first.html")
    changed = first.split('<section id="changed-files"')[1].split("</section>")[0]
    assert f"{fresh_host.name}: /etc/edgeauto-report.conf" in changed
    assert '<span class="add">+site=alpha</span>' in changed
    assert f"{fresh_host.name}: /etc/motd" in changed
    assert '<span class="add">+managed by edgeauto</span>' in changed
    assert "No failures." in first

    second = _run(tmp_path, lab_inventory, fresh_host.name, "second.html")
    assert 'id="changed-files"' not in second
    assert second.count('class="badge ok"') == 2
