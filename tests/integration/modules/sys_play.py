"""Run a few tasks of the sys group's modules on one lab host through the real engine, and
the converge routine every sys lab test shares: check → real → real again → check again."""

from __future__ import annotations

import textwrap

import yaml

from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder  # noqa: F401 - re-exported to the tests


def play(tmp_path, inventory, host, tasks, *, check=False, diff=True, name="sys.yml", facts=False):
    """Run ``tasks`` (a list of task dicts) on ``host``; returns (exit code, results, recorder)
    where results are the Ansible-shaped dicts of the visible tasks in order. ``facts``:
    gather facts first (that round trip also reads the checksums modules ask for); its own
    result is left out of ``results``."""
    doc = [{"hosts": "all", "gather_facts": facts, "tasks": tasks}]
    path = tmp_path / name
    path.write_text(textwrap.dedent(yaml.safe_dump(doc, sort_keys=False)))
    rec = Recorder()
    opts = RunOptions(inventory_sources=[str(inventory)], limit=[host.name], check=check, diff=diff)
    result = Run([path], opts, rec).execute()
    visible = [r for r in rec.results if not r.hidden]
    if facts and visible and visible[0].task.name == "Gathering Facts":
        visible = visible[1:]
    return result.exit_code, [r.result for r in visible], rec


def converge(tmp_path, inventory, host, tasks, *, changes=None, facts=False):
    """check → real → real → check; every task's check prediction equals the real run's
    ``changed`` (``changes``: the expected list of the first run), then nothing changes.
    Returns the first real run's results."""
    code, predicted, rec = play(tmp_path, inventory, host, tasks, check=True, facts=facts)
    assert code == 0, (predicted, rec.errors)
    code, first, rec = play(tmp_path, inventory, host, tasks, facts=facts)
    assert code == 0, (first, rec.errors)
    assert [r.get("changed") for r in predicted] == [r.get("changed") for r in first]
    if changes is not None:
        assert [r.get("changed") for r in first] == changes, first
    for check in (False, True):
        code, again, rec = play(tmp_path, inventory, host, tasks, check=check, facts=facts)
        assert code == 0, (again, rec.errors)
        assert [r.get("changed") for r in again] == [False] * len(tasks), again
    return first
