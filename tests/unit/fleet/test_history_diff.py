"""``history diff``'s comparison (pure): host outcomes, tasks matched by repetition, and
failures that failed differently."""

from __future__ import annotations

from edgeauto.fleet.history_diff import diff_runs
from edgeauto.output.history_view import diff_text


def _run(run_id, hosts, tasks):
    meta = {"id": run_id, "kind": "playbook", "what": "p.yml", "playbook": "[]", "started": 0.0}
    return {"run": {**meta, "rc": 0}, "hosts": {h: {"status": s} for h, s in hosts.items()},
            "tasks": [{"host": h, "play": "all", "task": n, "status": s, "changed": c,
                       "message": m} for h, n, s, c, m in tasks]}  # fmt: skip


def test_hosts_and_tasks_that_changed_are_reported_and_the_rest_is_not():
    before = _run(1, {"a": "ok", "b": "failed", "c": "ok"}, [
        ("a", "pkg", "ok", 0, ""), ("b", "pkg", "failed", 0, "no space"),
        ("c", "pkg", "ok", 0, ""), ("c", "loop", "ok", 0, ""), ("c", "loop", "ok", 0, ""),
    ])  # fmt: skip
    after = _run(2, {"a": "ok", "b": "failed", "d": "unreachable"}, [
        ("a", "pkg", "ok", 0, ""), ("b", "pkg", "failed", 0, "mirror down"),
        ("d", "Connecting", "unreachable", 0, "refused"),
    ])  # fmt: skip
    diff = diff_runs(before, after)
    assert diff["hosts"] == [
        {"host": "c", "before": "ok", "after": "absent"},
        {"host": "d", "before": "absent", "after": "unreachable"},
    ]
    tasks = {(t["host"], t["task"], t.get("occurrence", 1)): t for t in diff["tasks"]}
    assert set(tasks) == {("b", "pkg", 1), ("c", "pkg", 1), ("c", "loop", 1), ("c", "loop", 2),
                          ("d", "Connecting", 1)}  # fmt: skip
    assert tasks[("b", "pkg", 1)]["failed_differently"]
    assert tasks[("b", "pkg", 1)]["after_message"] == "mirror down"
    text = diff_text(diff)
    assert "b: pkg: failed differently" in text and "after: mirror down" in text
    assert "d: absent -> unreachable" in text


def test_a_task_that_now_changes_is_a_difference():
    before = _run(1, {"a": "ok"}, [("a", "conf", "ok", 0, "")])
    after = _run(2, {"a": "changed"}, [("a", "conf", "changed", 1, "")])
    diff = diff_runs(before, after)
    assert diff["tasks"][0]["before"] == "ok" and diff["tasks"][0]["after"] == "changed"
    assert diff_runs(before, before)["tasks"] == []
    assert "no difference" in diff_text(diff_runs(before, before))
