"""``--step``: one question per task for all hosts, y/n/c as ansible-playbook asks them.

The engine tests drive a real run (local connection, three inventory hosts, commands that
only echo) with the gate's question answered by a scripted person; the CLI test runs
``edgeauto run --step`` in a real pseudo-terminal and answers over it.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from edgeauto.errors import EdgeautoError
from edgeauto.output.reporter import CollectingReporter
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from edgeauto.planner.step import StepGate, require_terminal

REPO = Path(__file__).resolve().parents[3]
PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: one
      command: echo one
    - name: two
      command: echo two
    - name: three
      command: echo three
"""


class Recorder(CollectingReporter):
    def __init__(self):
        super().__init__()
        self.seen = []

    def task_result(self, res):
        with self.lock:
            self.seen.append((res.host, res.task.display_name, res.status))


def stepped_run(tmp_path, answers):
    inv = tmp_path / "inv.yml"
    inv.write_text(
        "all:\n  hosts:\n"
        + "".join(f"    h{i}: {{ansible_connection: local}}\n" for i in (1, 2, 3))
    )
    pb = tmp_path / "pb.yml"
    pb.write_text(textwrap.dedent(PLAY))
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return answers.pop(0)

    rec = Recorder()
    run = Run(
        [pb], RunOptions(inventory_sources=[str(inv)], write_retry_file=False, step=True), rec
    )
    run.step_gate = StepGate(ask=ask, show=lambda text: asked.append(text))
    result = run.execute()
    return result, asked, rec.seen


def test_each_task_is_asked_once_for_all_hosts_and_no_skips_it(tmp_path):
    result, asked, seen = stepped_run(tmp_path, ["y", "n", "y"])
    assert asked == [
        "Perform task: TASK: one (N)o/(y)es/(c)ontinue: ",
        "Perform task: TASK: two (N)o/(y)es/(c)ontinue: ",
        "Perform task: TASK: three (N)o/(y)es/(c)ontinue: ",
    ]
    assert sorted(t for _, t, _ in seen) == ["one"] * 3 + ["three"] * 3
    assert result.exit_code == 0


def test_continue_stops_asking_and_runs_the_rest(tmp_path):
    _, asked, seen = stepped_run(tmp_path, ["c"])
    assert len(asked) == 1
    assert sorted({t for _, t, _ in seen}) == ["one", "three", "two"]


def test_an_unclear_answer_is_asked_again_and_an_empty_one_means_no(tmp_path):
    _, asked, seen = stepped_run(tmp_path, ["maybe", "", "y", "n"])
    assert "please answer y, n or c (found 'maybe')" in asked
    assert sorted({t for _, t, _ in seen}) == ["two"]


def test_step_without_a_terminal_is_refused_before_anything_runs():
    with pytest.raises(EdgeautoError, match="needs a terminal on stdin"):
        require_terminal(open(os.devnull))


def test_the_cli_asks_on_the_terminal_and_runs_what_was_confirmed(tmp_path):
    inv = tmp_path / "inv.yml"
    inv.write_text("all:\n  hosts:\n    h1: {ansible_connection: local}\n")
    pb = tmp_path / "pb.yml"
    pb.write_text(textwrap.dedent(PLAY))
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "edgeauto", "run", "-i", str(inv), str(pb), "--step"],
        stdin=child,
        stdout=child,
        stderr=child,
        cwd=REPO,
        env={**os.environ, "NO_COLOR": "1"},
    )
    os.close(child)
    text = b""
    answers = [b"y\n", b"n\n", b"y\n"]
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            proc.kill()
            pytest.fail(f"no output for 120 s:\n{text.decode(errors='replace')}")
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        text += chunk
        if text.count(b"(c)ontinue: ") > 3 - len(answers) and answers:
            os.write(main, answers.pop(0))
    assert proc.wait(timeout=60) == 0
    out = text.decode(errors="replace").replace("\r", "")
    assert out.count("Perform task: TASK: ") == 3
    assert "TASK [one]" in out and "TASK [three]" in out and "TASK [two]" not in out
