"""Apply edgeauto's own roles (top-level ``roles/``) to one lab host through the real engine,
and the converge routine the role tests share: run, run again (nothing may change)."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "integration" / "modules"))

import kata_standin  # noqa: E402  (re-exported for the kata role's tests)
from sys_play import Recorder  # noqa: E402

from edgeauto.planner.options import RunOptions  # noqa: E402
from edgeauto.planner.run import Run  # noqa: E402

__all__ = ["apply_roles", "by_name", "converge_roles", "kata_standin"]


def apply_roles(tmp_path, inventory, host, roles, role_vars=None, *, check=False, post_tasks=()):
    """One play applying ``roles`` with ``role_vars`` (facts gathered), then ``post_tasks``;
    returns (exit code, visible results in order, recorder)."""
    doc = [{"hosts": "all", "gather_facts": True, "vars": role_vars or {}, "roles": roles}]
    if post_tasks:
        doc[0]["post_tasks"] = list(post_tasks)
    path = tmp_path / "roles_play.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    rec = Recorder()
    opts = RunOptions(
        inventory_sources=[str(inventory)],
        limit=[host.name],
        check=check,
        roles_path=[str(REPO / "roles")],
    )
    result = Run([path], opts, rec).execute()
    return result.exit_code, [r for r in rec.results if not r.hidden], rec


def converge_roles(tmp_path, inventory, host, roles, role_vars=None):
    """Run twice; the first must succeed, the second must change nothing. Returns the first
    run's results (TaskResult objects: ``.task.name``, ``.status``, ``.result``)."""
    code, first, rec = apply_roles(tmp_path, inventory, host, roles, role_vars)
    assert code == 0, failures(first, rec)
    code, again, rec = apply_roles(tmp_path, inventory, host, roles, role_vars)
    assert code == 0, failures(again, rec)
    changed = [(r.task.name, r.result) for r in again if r.status == "changed"]
    assert changed == [], changed
    return first


def failures(results, rec) -> list:
    return [(r.task.name, r.result) for r in results if r.failed] or rec.errors


def by_name(results) -> dict:
    """Task name -> status of its (last) result."""
    return {r.task.name: r.status for r in results}
