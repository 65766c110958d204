"""The differential harness's own logic (no lab needed): snapshot parsing, the comparisons and
the check-mode cut-off, so a harness bug cannot make the differential tests pass vacuously."""

from __future__ import annotations

import subprocess

from differential import harness as H


class FakeHostRun:
    """FAKE LabHost.run: returns canned `find -printf`/sha256sum output (no lab needed)."""

    def __init__(self, stdout: str):
        self.stdout = stdout

    def __call__(self, script, check=False):
        return subprocess.CompletedProcess(["ssh"], 0, self.stdout, "")


def target(stdout: str) -> H.Target:
    return H.Target("127.0.0.1", 22, "key", "kh", FakeHostRun(stdout))


def record(task, status="ok", action="copy", ignored=False, result=None, play="p"):
    return {
        "play": play,
        "task": task,
        "action": action,
        "handler": False,
        "host": "node1",
        "status": status,
        "ignored": ignored,
        "result": result or {},
    }


def test_snapshot_reads_types_modes_owners_links_and_content_digests():
    out = (
        "E\t/srv/diff/a\td\t755\troot\troot\t\n"
        "E\t/srv/diff/a/f\tf\t644\ttester\ttester\t\n"
        "E\t/srv/diff/a/l\tl\t777\troot\troot\t/srv/diff/a/f\n"
        "E\t/srv/diff/a/f.123.2026-11-25@23:00:01~\tf\t644\troot\troot\t\n"
        "S\tabc  /srv/diff/a/f\n"
        "S\tdef  /srv/diff/a/f.123.2026-11-25@23:00:01~\n"
    )
    state = H.snapshot(target(out))
    assert state["/srv/diff/a/f"] == {
        "type": "f",
        "mode": "644",
        "owner": "tester",
        "group": "tester",
        "link": "",
        "sha256": "abc",
    }
    assert state["/srv/diff/a/l"]["link"] == "/srv/diff/a/f"
    assert state["/srv/diff/a/f.BACKUP~"]["sha256"] == "def"  # timestamp normalised


def test_state_differences_name_the_path_and_the_differing_attribute():
    a = {"/x": {"mode": "644", "owner": "root"}, "/only-a": {"mode": "600"}}
    b = {"/x": {"mode": "600", "owner": "root"}}
    lines = H.state_differences(a, b)
    assert any(line.startswith("/x:") and "'mode': ('644', '600')" in line for line in lines)
    assert any(line.startswith("/only-a: only ansible") for line in lines)
    assert H.state_differences(a, dict(a)) == []


def test_include_task_results_do_not_count_as_task_statuses():
    run = H.ToolRun("ansible", 0, [record("inc", action="include_tasks"), record("t")], {}, "")
    assert run.statuses() == [("p", "t", False, "ok", False)]


def test_debug_values_show_what_was_printed_without_tool_bookkeeping():
    looped = {
        "results": [{"msg": 1, "item": 1, "_ansible_item_label": 1, "failed": False}],
        "changed": False,
    }
    run = H.ToolRun(
        "ansible",
        0,
        [record("d", action="ansible.builtin.debug", result=looped)],
        {},
        "",
    )
    assert run.debug_values() == [("node1", "d", '[{"msg": 1}]')]


def test_check_predictions_stop_at_the_oracles_first_failure_and_skip_commands():
    records = [
        record("mkdir", status="changed", action="file"),
        record("run", status="skipped", action="command"),
        record("edit", status="failed", action="lineinfile"),
        record("later", status="changed"),
    ]
    run = H.ToolRun("ansible", 2, records, {}, "")
    stop = run.first_failure()
    assert stop == ("p", "edit")
    assert run.predictions(stop) == [("p", "mkdir", True)]


def test_snapshot_roots_come_from_the_playbook_header(tmp_path):
    pb = tmp_path / "x.yml"
    pb.write_text("# what it does\n# snapshot: /srv/a /home/b\n- hosts: all\n")
    assert H.snapshot_roots(pb) == ("/srv/a", "/home/b")
    assert H.under({"/srv/a/x": 1, "/srv/ab": 2, "/home/b": 3}, ("/srv/a", "/home/b")) == {
        "/srv/a/x": 1,
        "/home/b": 3,
    }
