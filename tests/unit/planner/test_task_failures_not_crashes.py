"""Bad values and bugs fail the task they come from, after the tasks before it ran (issue 14,
defect 6): a loop over a number, a circular include_tasks, an internal error inside a task."""

from __future__ import annotations

from edgeauto.planner import taskplan


def test_a_loop_over_a_number_fails_that_task_after_the_ones_before_it_ran(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - file: {path: WORK/before, state: touch}
            - debug: {msg: "{{ item }}"}
              loop: "{{ 7 }}"
        """
    )
    _, rep, _ = lab.run(pb)
    assert (lab.work / "before").exists()
    assert rep.statuses("h1") == [("file", "changed"), ("debug", "failed")]
    failed = rep.results[-1].result["msg"]
    assert "loop expects a list, found the number 7" in failed
    assert "site.yml:6:" in failed


def test_a_circular_include_fails_at_the_include_with_the_files_that_loop(lab):
    (lab.root / "a.yml").write_text("- include_tasks: b.yml\n")
    # a templated name hides the loop from check-syntax (see test_include_cycles.py):
    # the run's depth limit must catch it
    (lab.root / "b.yml").write_text("- debug: {msg: b}\n- include_tasks: '{{ back }}'\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {back: a.yml}
          tasks:
            - include_tasks: a.yml
            - debug: {msg: never}
        """
    )
    _, rep, _ = lab.run(pb)
    last = rep.results[-1]
    assert last.status == "failed" and last.task.display_name == "include_tasks"
    assert "a circular include?" in last.result["msg"]
    assert "a.yml → b.yml" in last.result["msg"]
    assert str(last.task.pos).endswith("b.yml:2:3")
    assert ("debug", "ok") in rep.statuses("h1")  # the levels before ran
    assert not any("RecursionError" in str(r.result.get("msg")) for r in rep.results)


def test_a_recursive_include_that_ends_by_a_condition_still_runs(lab):
    (lab.root / "count.yml").write_text(
        "- set_fact: {n: '{{ n | int + 1 }}'}\n- include_tasks: count.yml\n  when: n | int < 5\n"
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {n: 0}
          tasks:
            - include_tasks: count.yml
            - assert: {that: [n | int == 5]}
        """
    )
    _, rep, _ = lab.run(pb)
    assert rep.status_of("h1", "assert") == "ok", rep.statuses("h1")


def test_an_internal_error_fails_its_task_and_asks_for_a_report(lab, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(taskplan, "loop_items", broken)  # a bug planted in the loop code
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - file: {path: WORK/before, state: touch}
            - debug: {msg: "{{ item }}"}
              loop: [1]
        """
    )
    result, rep, _ = lab.run(pb)
    assert (lab.work / "before").exists()
    msg = rep.results[-1].result["msg"]
    assert rep.results[-1].task.display_name == "debug"
    assert "internal error: ZeroDivisionError" in msg and "please report it" in msg
