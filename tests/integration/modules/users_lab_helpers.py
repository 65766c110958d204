"""Run task lists of the account modules against one lab host (used by test_users_lab.py).

Each call is a real edgeauto run over SSH: the tasks go in a one-play playbook limited to the
host; the results of that host come back in task order.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from edgeauto.errors import ValidationError
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder  # noqa: F401 - re-exported to the tests


def run_tasks(tmp_path: Path, inventory, host: str, tasks: list[dict], **options):
    """-> (exit_code, [result dict of each task on ``host``])"""
    play = [{"hosts": "all", "gather_facts": False, "tasks": tasks}]
    path = tmp_path / f"play{len(list(tmp_path.glob('play*.yml')))}.yml"
    path.write_text(json.dumps(play))
    rec = Recorder()
    opts = RunOptions(inventory_sources=[str(inventory)], limit=[host], **options)
    try:
        result = Run([path], opts, rec).execute()
    except ValidationError as exc:  # refused before anything ran
        return "invalid", [{"msg": str(exc), "_status": "invalid"}]
    out = [r for r in rec.results if r.host == host and not r.hidden]
    return result.exit_code, [dict(r.result, _status=r.status) for r in out]


def converge(tmp_path, inventory, host: str, tasks: list[dict]):
    """check (with diff) → real → real again → check: the check run predicts the real run's
    per-task `changed` exactly, the second run and the last check change nothing.
    Returns the first real run's results."""
    code, predicted = run_tasks(tmp_path, inventory, host, tasks, check=True, diff=True)
    assert code == 0, predicted
    code, first = run_tasks(tmp_path, inventory, host, tasks, diff=True)
    assert code == 0, first
    assert [r["changed"] for r in predicted] == [r["changed"] for r in first], (predicted, first)
    code, second = run_tasks(tmp_path, inventory, host, tasks)
    assert code == 0, second
    assert [r for r in second if r["changed"]] == [], second
    code, after = run_tasks(tmp_path, inventory, host, tasks, check=True)
    assert [r for r in after if r["changed"]] == []
    return first


def dedent(text: str) -> str:
    return textwrap.dedent(text)
