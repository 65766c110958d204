"""Running a few tasks of the package modules against one lab host and reading the results.

``play(tmp_path, inventory, host, tasks, check=False, diff=False)`` runs a one-play playbook
(``tasks`` as YAML text) limited to ``host`` and returns ``(exit_code, {task name: result})``;
``converge(...)`` does what every module test needs: check mode first (nothing may change on
the host and its ``changed`` must predict the real run), the real run, then a second run that
must change nothing.
"""

from __future__ import annotations

import textwrap

from edgeauto.errors import EdgeautoError
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder  # noqa: F401 - re-exported to the tests


def play(tmp_path, inventory, host, tasks: str, check=False, diff=False, name="site.yml"):
    text = "- hosts: all\n  gather_facts: false\n  tasks:\n" + textwrap.indent(
        textwrap.dedent(tasks).strip("\n") + "\n", "    "
    )
    path = tmp_path / name
    path.write_text(text)
    rec = Recorder()
    opts = RunOptions(inventory_sources=[str(inventory)], limit=[host.name], check=check, diff=diff)
    try:
        result = Run([path], opts, rec).execute()
    except EdgeautoError as exc:  # refused before anything ran (validation)
        rec.errors.append(str(exc))
        return 1, {}, rec
    out = {}
    for res in rec.results:
        if res.hidden:
            continue
        value = dict(res.result)
        value["_status"] = res.status
        if res.item_results:
            value["results"] = res.item_results
        out[res.task.display_name] = value
    return result.exit_code, out, rec


def changed(results: dict) -> list[str]:
    return [name for name, r in results.items() if r["_status"] == "changed"]


def converge(tmp_path, inventory, host, tasks: str, probe: str | None = None, diff=True):
    """check → real → second run; returns the three result maps. ``probe`` is a shell
    command whose output must not change in check mode."""
    before = host.run(probe).stdout if probe else None
    code, check, rec = play(tmp_path, inventory, host, tasks, check=True, diff=diff)
    assert code == 0, (check, rec.errors)
    if probe:
        assert host.run(probe).stdout == before, "check mode changed the host"
    code, real, rec = play(tmp_path, inventory, host, tasks, diff=diff)
    assert code == 0, (real, rec.errors)
    assert changed(check) == changed(real), (check, real)
    code, again, rec = play(tmp_path, inventory, host, tasks)
    assert code == 0, (again, rec.errors)
    assert changed(again) == [], again
    return check, real, again
