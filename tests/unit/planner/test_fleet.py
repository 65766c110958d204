"""Fleet behaviour: check mode, tags, limit, serial batches, failure budgets, unreachable hosts."""

import io
import json
import socket

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_HOST_UNREACHABLE, EXIT_OK
from edgeauto.output.jsonout import JsonReporter
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run

TEN_TASKS = """
- hosts: all
  gather_facts: false
  tasks:
    - file: {path: "WORK/{{ inventory_hostname }}", state: directory}
    - copy: {dest: "WORK/{{ inventory_hostname }}/a", content: "a"}
    - copy: {dest: "WORK/{{ inventory_hostname }}/b", content: "b"}
    - lineinfile: {path: "WORK/{{ inventory_hostname }}/c", line: "k=v", create: true}
    - command: {cmd: "touch WORK/{{ inventory_hostname }}/d", creates: "WORK/{{ inventory_hostname }}/d"}
"""


def changed_names(rep, host):
    return [n for n, s in rep.statuses(host) if s == "changed"]


def test_check_mode_changes_nothing_and_predicts_the_real_run(lab):
    pb = lab.playbook(TEN_TASKS)
    result, check_rep, _ = lab.run(pb, check=True)
    assert result.exit_code == EXIT_OK
    assert not (lab.work / "h1").exists()
    result, real_rep, _ = lab.run(pb)
    assert changed_names(check_rep, "h1") == changed_names(real_rep, "h1")
    assert len(changed_names(real_rep, "h1")) == 5
    result, again, _ = lab.run(pb, check=True)
    assert changed_names(again, "h1") == []


def test_tags_select_tasks_and_skip_tags_remove_them(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {dest: WORK/web, content: "x"}
              tags: web
            - copy: {dest: WORK/db, content: "x"}
              tags: [db]
            - copy: {dest: WORK/always, content: "x"}
              tags: always
            - copy: {dest: WORK/never, content: "x"}
              tags: [never, debug]
        """
    )
    lab.run(pb, tags=["web"])
    assert sorted(p.name for p in lab.work.iterdir()) == ["always", "web"]
    lab.run(pb, skip_tags=["web"], tags=["debug"])
    assert sorted(p.name for p in lab.work.iterdir()) == ["always", "never", "web"]


def test_start_at_task_skips_everything_before_it(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: first
              copy: {dest: WORK/first, content: "x"}
            - name: second
              copy: {dest: WORK/second, content: "x"}
        """
    )
    lab.run(pb, start_at_task="second")
    assert [p.name for p in lab.work.iterdir()] == ["second"]


def test_limit_restricts_hosts(lab3):
    pb = lab3.playbook(TEN_TASKS)
    result, rep, run = lab3.run(pb, limit=["h2"])
    assert result.exit_code == EXIT_OK
    assert sorted(p.name for p in lab3.work.iterdir()) == ["h2"]


def test_all_hosts_run_in_parallel_and_each_converges(lab3):
    pb = lab3.playbook(TEN_TASKS)
    result, rep, run = lab3.run(pb, forks=2)
    assert result.exit_code == EXIT_OK
    assert sorted(p.name for p in lab3.work.iterdir()) == ["h1", "h2", "h3"]
    assert all(run.states[h].transport.round_trips == 1 for h in ("h1", "h2", "h3"))


FAIL_ON_H1 = """
- hosts: all
  gather_facts: false
  serial: 1
  max_fail_percentage: 0
  tasks:
    - shell: "test {{ inventory_hostname }} != h1"
    - copy: {dest: "WORK/{{ inventory_hostname }}", content: "x"}
"""


def test_serial_batches_stop_when_a_batch_exceeds_max_fail_percentage(lab3):
    pb = lab3.playbook(FAIL_ON_H1)
    result, rep, run = lab3.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert list(lab3.work.iterdir()) == []  # h2 and h3 never started
    assert "h2" not in run.states or run.states["h2"].stats.ok == 0
    assert any("max_fail_percentage" in e for e in rep.errors)


def test_fleet_max_fail_budget_counts_failed_hosts_across_batches(lab3):
    pb = lab3.playbook(FAIL_ON_H1.replace("  max_fail_percentage: 0\n", ""))
    result, rep, run = lab3.run(pb, max_fail="1")
    assert sorted(p.name for p in lab3.work.iterdir()) == ["h2", "h3"]  # 1 failure is allowed
    result, rep, run = lab3.run(pb, max_fail="0")
    assert list(p.name for p in lab3.work.iterdir()) == ["h2", "h3"]
    assert any("--max-fail" in e for e in rep.errors)
    assert run.states["h2"].stats.as_dict() == run.states["h3"].stats.as_dict()
    assert run.states["h2"].stats.ok == 0  # the second batch never started


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the with-block ends


def test_an_unreachable_host_is_reported_and_does_not_stop_the_others(tmp_path, make_lab):
    lab = make_lab(
        tmp_path,
        hosts=("good", "gone"),
        host_vars={
            "gone": {
                "ansible_connection": "ssh",
                "ansible_host": "127.0.0.1",
                "ansible_port": _closed_port(),
            }
        },
    )
    # the Lab wrote `ansible_connection: local` first; the later key must win -> rewrite
    text = lab.inventory.read_text().replace(
        "    gone:\n      ansible_connection: local\n", "    gone:\n"
    )
    lab.inventory.write_text(text)
    pb = lab.playbook(TEN_TASKS)
    result, rep, run = lab.run(pb, retry_unreachable=1, retry_backoff=0.01)
    assert result.exit_code == EXIT_HOST_UNREACHABLE
    assert result.unreachable_hosts == ["gone"]
    assert (lab.work / "good" / "d").exists()
    assert run.states["gone"].stats.unreachable == 1
    assert any("retrying" in w for w in rep.warnings)
    retry = pb.with_suffix(".retry")
    assert retry.read_text() == "gone\n"


def test_json_report_has_results_per_task_and_host_and_the_recap(lab):
    pb = lab.playbook(TEN_TASKS)
    out = io.StringIO()
    run = Run([pb], RunOptions(inventory_sources=[str(lab.inventory)]), JsonReporter(out))
    result = run.execute()
    doc = json.loads(out.getvalue())
    assert doc["exit_code"] == result.exit_code == EXIT_OK
    assert doc["stats"]["h1"]["changed"] == 5
    tasks = doc["plays"][0]["tasks"]
    assert len(tasks) == 5 and tasks[0]["hosts"]["h1"]["status"] == "changed"


def test_two_runs_in_one_process_do_not_share_state(tmp_path, make_lab):
    a, b = make_lab(tmp_path / "a"), make_lab(tmp_path / "b")
    pa, pb = a.playbook(TEN_TASKS), b.playbook(TEN_TASKS)
    ra, _, run_a = a.run(pa)
    rb, _, run_b = b.run(pb)
    assert run_a.states["h1"] is not run_b.states["h1"]
    assert ra.stats["h1"]["changed"] == rb.stats["h1"]["changed"] == 5


def test_any_errors_fatal_stops_every_host_of_the_play(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          any_errors_fatal: true
          tasks:
            - shell: "test {{ inventory_hostname }} != h2"
            - shell: "sleep 1"
              when: true
            - copy: {dest: "WORK/{{ inventory_hostname }}", content: "x"}
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert list(lab3.work.iterdir()) == []


def test_diff_mode_returns_before_and_after_for_changed_files(lab):
    (lab.work / "conf").write_text("a=1\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {dest: WORK/conf, content: "a=2\\n"}
        """
    )
    result, rep, _ = lab.run(pb, diff=True, check=True)
    diff = rep.results[0].result.get("diff")
    assert diff, rep.results[0].result
    diffs = diff if isinstance(diff, list) else [diff]
    assert any("a=1" in str(d.get("before")) and "a=2" in str(d.get("after")) for d in diffs)
    assert (lab.work / "conf").read_text() == "a=1\n"


def test_check_mode_does_not_fail_on_values_only_a_real_run_would_produce(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - command: echo 3
              register: out
            - copy: {dest: WORK/n, content: "{{ out.stdout | int + 1 }}"}
        """
    )
    result, rep, _ = lab.run(pb, check=True)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    last = rep.results[-1]
    assert last.status in ("skipped", "changed")


def test_a_rescued_failure_does_not_trigger_any_errors_fatal(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          any_errors_fatal: true
          tasks:
            - block:
                - shell: "test {{ inventory_hostname }} != h2"
              rescue:
                - debug: {msg: recovered}
            - copy: {dest: "WORK/{{ inventory_hostname }}", content: "x"}
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.exit_code == EXIT_OK
    assert sorted(p.name for p in lab3.work.iterdir()) == ["h1", "h2", "h3"]


def test_any_errors_fatal_with_fewer_forks_than_hosts_does_not_deadlock(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          any_errors_fatal: true
          tasks:
            - shell: "true"
            - copy: {dest: "WORK/{{ inventory_hostname }}", content: "x"}
        """
    )
    result, rep, _ = lab3.run(pb, forks=1)
    assert result.exit_code == EXIT_OK
    assert sorted(p.name for p in lab3.work.iterdir()) == ["h1", "h2", "h3"]
