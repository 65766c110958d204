"""The run half's verdict (tests/compat/targets.py): a failure a block's rescue caught is not
the target's failure — the one nothing rescued is (the host's last failure)."""

from __future__ import annotations

import json

from . import targets as T


def _doc(*tasks):
    plays = [{"tasks": [{"task": {"name": n, "action": "x"}, "hosts": {"h": r}} for n, r in tasks]}]
    return json.dumps({"plays": plays, "errors": []})


def test_a_rescued_failure_is_not_named_as_the_targets_failure():
    doc = _doc(
        ("EXPECTED FAILURE", {"status": "failed", "msg": "does not exist"}),
        ("validate failure", {"status": "ok"}),
        ("real problem", {"status": "failed", "msg": "boom"}),
    )
    report = T.verdict_of_run("t", 2, doc, "")
    assert not report.passed and report.failed_task == "real problem" and report.ok == 1


def test_exit_code_zero_passes_even_with_rescued_failures():
    doc = _doc(("EXPECTED FAILURE", {"status": "failed", "msg": "x"}), ("ok", {"status": "ok"}))
    assert T.verdict_of_run("t", 0, doc, "").passed
