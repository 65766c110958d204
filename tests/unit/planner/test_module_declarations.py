"""What modules declare is what the planner acts on: the planner names no module."""

from __future__ import annotations

from edgeauto.modules.core.meta import META_ACTIONS
from edgeauto.modules.registry import all_modules
from edgeauto.planner.host import EXECUTOR_ACTIONS
from edgeauto.planner.meta import ACTIONS


def test_every_meta_action_validation_accepts_is_implemented_and_no_other():
    assert set(ACTIONS) == set(META_ACTIONS)


def test_every_module_the_executor_handles_is_implemented_by_the_executor():
    handled = {name for name, m in all_modules().items() if m.executor_handled}
    assert handled and handled <= EXECUTOR_ACTIONS


def test_commands_invalidate_every_checksum_and_file_modules_only_their_paths():
    mods = all_modules()
    assert mods["command"].invalidates == "all" and mods["shell"].invalidates == "all"
    assert mods["copy"].invalidates == "paths" and mods["file"].invalidates == "paths"
    assert mods["debug"].invalidates is None


def test_the_facts_module_declares_that_it_returns_facts():
    assert all_modules()["setup"].returns_facts
    assert not all_modules()["copy"].returns_facts


def test_meta_end_role_outside_a_role_fails_with_a_clear_message(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - meta: end_role
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == 2
    failed = [r for r in rep.results if r.status == "failed"]
    assert "end_role can only be used inside a role" in failed[0].result["msg"]
