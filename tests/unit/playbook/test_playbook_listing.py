"""Differential: edgeauto's task listing equals ``ansible-playbook --list-tasks``.

Same tasks, same order (pre_tasks, role dependencies, roles, tasks, post_tasks; imports
expanded; include_* listed as one entry), same display names (``role : name``, the action for
unnamed tasks) and the same effective tags (play + role + dependency + block + import + task).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.playbook import iter_playbook_tasks, load_playbook

from .conftest import FIXTURES

LISTING = FIXTURES / "listing"


def _ours(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    playbook = load_playbook(path)
    return [
        (entry.play.name or entry.play.hosts, entry.task.display_name, tuple(entry.tags))
        for entry in iter_playbook_tasks(playbook)
    ]


def _ansible(path: Path, tmp_path) -> list[tuple[str, str, tuple[str, ...]]]:
    binary = Path(sys.executable).parent / "ansible-playbook"
    if not binary.exists():
        pytest.skip("ansible-core (test oracle) is not installed")
    env = dict(os.environ, ANSIBLE_LOCAL_TEMP=str(tmp_path), ANSIBLE_HOME=str(tmp_path))
    out = subprocess.run(
        [str(binary), "-i", "localhost,", "--list-tasks", path.name],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    rows, play = [], None
    for line in out.splitlines():
        head = re.match(r"  play #\d+ \(.*?\): (.*)\tTAGS: \[.*\]$", line)
        if head:
            play = head.group(1)
            continue
        task = re.match(r"      (.*)\tTAGS: \[(.*)\]$", line)
        if task and play is not None:
            tags = tuple(t for t in task.group(2).split(", ") if t)
            rows.append((play, task.group(1), tags))
    return rows


def test_listing_fixture_is_listed_as_the_test_expects():
    rows = _ours(LISTING / "site.yml")
    assert rows[1] == ("first play", "base : base task", ("apptag", "basetag", "deptag", "playtag"))
    assert ("first play", "rescuer", ("blocktag", "playtag")) not in rows


@pytest.mark.slow
def test_task_listing_matches_ansible_playbook_list_tasks(tmp_path):
    path = LISTING / "site.yml"
    assert _ours(path) == _ansible(path, tmp_path)
