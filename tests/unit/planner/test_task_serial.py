"""``serial:`` on tasks and handlers (an edgeauto extension): the batching rules, the validation
before anything runs, and the gate on local-connection hosts (real sh, real files).

Overlap is proven without clocks: each run of the serial task appends ``start HOST`` and
``end HOST`` lines to one shared log (O_APPEND writes of a few bytes are atomic), and a short
sleep between them leaves room for another host to interleave if the gate let it.
"""

from __future__ import annotations

import pytest

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_OK, ValidationError
from edgeauto.playbook import load_and_validate
from edgeauto.playbook.serial import serial_batches, serial_problem
from tests.unit.planner.conftest import Lab

HOSTS4 = ("h1", "h2", "h3", "h4")


def sizes(hosts, serial):
    return [len(b) for b in serial_batches(list(hosts), serial)]


# ---------------------------------------------------------------- batching (pure)


def test_sizes_numbers_percentages_and_lists():
    assert sizes(range(4), 1) == [1, 1, 1, 1]
    assert sizes(range(4), 2) == [2, 2]
    assert sizes(range(5), "2") == [2, 2, 1]
    assert sizes(range(4), "50%") == [2, 2]
    assert sizes(range(10), "30%") == [3, 3, 3, 1]
    assert sizes(range(3), "10%") == [1, 1, 1]  # never an empty batch
    assert sizes(range(4), [1, "50%"]) == [1, 2, 1]  # a canary, then halves of all hosts
    assert sizes(range(4), 0) == [4]
    assert sizes(range(4), 9) == [4]
    assert serial_batches([], 2) == []


def test_values_that_are_not_a_serial_are_explained():
    assert serial_problem(2) is None and serial_problem("25%") is None
    assert serial_problem([1, "50%"]) is None and serial_problem("{{ n }}") is None
    for bad in (True, -1, "half", "1.5", "150%", [], [1, "x"], {"a": 1}, 1.5):
        assert "'serial' expects" in serial_problem(bad), bad
    assert "found the string 'x'" in serial_problem("{{ n }}x".replace("{{ n }}", ""))
    assert serial_problem("{{ n }}", templates_ok=False) is not None  # rendered: must be real


# ---------------------------------------------------------------- validation (before any run)


def load(tmp_path, text):
    path = tmp_path / "site.yml"
    path.write_text(text)
    return load_and_validate(path)


def test_serial_on_tasks_and_handlers_loads(tmp_path):
    book = load(
        tmp_path,
        "- hosts: all\n  tasks:\n    - command: 'true'\n      serial: 1\n"
        "    - command: 'true'\n      serial: '{{ batch }}'\n"
        "  handlers:\n    - name: restart\n      command: 'true'\n      serial: [1, '50%']\n",
    )
    play = book.plays[0]
    assert [t.serial for t in play.tasks] == [1, "{{ batch }}"]
    assert play.handlers[0].serial == [1, "50%"]


def test_a_bad_serial_is_a_file_line_error(tmp_path):
    with pytest.raises(ValidationError) as err:
        load(
            tmp_path,
            "- hosts: all\n  tasks:\n    - command: 'true'\n      serial: [1, half]\n"
            "    - include_tasks: other.yml\n      serial: 1\n",
        )
    text = str(err.value)
    assert "site.yml:4:19: 'serial' expects a number of hosts" in text
    assert "found the string 'half'" in text
    assert "site.yml:6:7: 'serial' cannot be set on include_tasks" in text


def test_check_syntax_lint_and_doc_know_it_as_an_edgeauto_extension(tmp_path, capsys):
    from edgeauto.cli import main
    from edgeauto.lint import lint_paths

    path = tmp_path / "site.yml"
    path.write_text(
        "- name: Rolling\n  hosts: all\n  tasks:\n    - name: Drain\n      command: 'true'\n"
        "      changed_when: false\n      serial: 2\n"
    )
    assert main(["check-syntax", str(path)]) == 0
    findings = lint_paths([str(path)])
    assert [(f.rule, f.pos.line) for f in findings] == [("edgeauto-extension", 7)]
    assert "not portable" in findings[0].message or "no longer" in findings[0].message
    capsys.readouterr()
    assert main(["doc", "-t", "keyword", "serial"]) == 0
    page = capsys.readouterr().out
    assert "edgeauto extension" in page and "conflicting action statements" in page
    assert main(["doc", "-t", "keyword", "-l"]) == 0
    assert "serial" in capsys.readouterr().out


# ---------------------------------------------------------------- the gate on local hosts

SERVICE = """
- hosts: all
  gather_facts: false
  tasks:
    - name: config
      copy: {dest: "WORK/{{ inventory_hostname }}.conf", content: "v2\\n"}
      notify: restart
    - name: version
      copy: {dest: "WORK/{{ inventory_hostname }}.version", content: "2\\n"}
  handlers:
    - name: restart
      shell: |
        echo "start {{ inventory_hostname }}" >> WORK/restarts
        sleep 0.2
        echo "end {{ inventory_hostname }}" >> WORK/restarts
      serial: SERIAL
"""


def runs(lab: Lab, name: str) -> list[list[str]]:
    """The log as [event, host] pairs."""
    path = lab.work / name
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def assert_batches(events: list[list[str]], batches: list[list[str]]) -> None:
    """Each batch's hosts all start, then all end, before the next batch starts."""
    index = 0
    for batch in batches:
        chunk = events[index : index + 2 * len(batch)]
        starts = [h for e, h in chunk[: len(batch)] if e == "start"]
        ends = [h for e, h in chunk[len(batch) :] if e == "end"]
        assert sorted(starts) == sorted(batch) and sorted(ends) == sorted(batch), events
        index += 2 * len(batch)
    assert index == len(events), events


def test_a_serial_1_handler_restarts_one_host_at_a_time_in_inventory_order(tmp_path):
    lab = Lab(tmp_path, hosts=HOSTS4)
    pb = lab.playbook(SERVICE.replace("SERIAL", "1"))
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.errors
    assert_batches(runs(lab, "restarts"), [["h1"], ["h2"], ["h3"], ["h4"]])
    # as without serial: the tasks in one script per host (with the pending-handler file's
    # read), the handler in one more
    for host in HOSTS4:
        assert [c for h, c in rep.scripts if h == host] == [3, 1], rep.scripts
    (lab.work / "restarts").unlink()
    result, rep, _ = lab.run(pb)
    assert [r for r in rep.results if r.status == "changed"] == []  # converged: no restart
    assert not (lab.work / "restarts").exists()


@pytest.mark.parametrize(
    ("serial", "batches"),
    [
        (2, [["h1", "h2"], ["h3", "h4"]]),
        ('"50%"', [["h1", "h2"], ["h3", "h4"]]),
        ('[1, "50%"]', [["h1"], ["h2", "h3"], ["h4"]]),
        ('"{{ restart_batch }}"', [["h1", "h2", "h3"], ["h4"]]),
    ],
)
def test_sizes_percentages_lists_and_templates_make_the_batches(tmp_path, serial, batches):
    lab = Lab(tmp_path, hosts=HOSTS4, host_vars={h: {"restart_batch": 3} for h in HOSTS4})
    result, rep, _ = lab.run(lab.playbook(SERVICE.replace("SERIAL", str(serial))))
    assert result.exit_code == EXIT_OK, rep.errors
    assert_batches(runs(lab, "restarts"), batches)


def test_a_templated_serial_that_renders_badly_fails_that_task_with_its_line(tmp_path):
    lab = Lab(tmp_path, hosts=("h1", "h2"))
    pb = lab.playbook(SERVICE.replace("SERIAL", "\"{{ 'half' }}\""))
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    msg = rep.result_of("h1", "restart")["msg"]
    assert "site.yml:" in msg and "found the string 'half'" in msg, msg


ROLLOUT = """
- hosts: all
  gather_facts: false
  PLAYKW
  tasks:
    - name: before
      copy: {dest: "WORK/{{ inventory_hostname }}.before", content: "x"}
    - name: rolling
      shell: |
        echo "start {{ inventory_hostname }}" >> WORK/log
        sleep 0.2
        test "{{ inventory_hostname }}" != "FAILING" || exit 1
        echo "end {{ inventory_hostname }}" >> WORK/log
      serial: SERIAL
      TASKKW
    - name: after
      copy: {dest: "WORK/{{ inventory_hostname }}.after", content: "x"}
"""


def rollout(tmp_path, serial=2, failing="none", playkw="", taskkw="", **options):
    lab = Lab(tmp_path, hosts=HOSTS4)
    text = ROLLOUT.replace("SERIAL", str(serial)).replace("FAILING", failing)
    pb = lab.playbook(text.replace("PLAYKW", playkw).replace("TASKKW", taskkw))
    result, rep, _ = lab.run(pb, **options)
    after = sorted(p.name.split(".")[0] for p in lab.work.glob("*.after"))
    return result, rep, runs(lab, "log"), after


def test_a_serial_2_task_runs_two_hosts_at_a_time_and_the_rest_in_one_script_each(tmp_path):
    result, rep, log, after = rollout(tmp_path)
    assert result.exit_code == EXIT_OK, rep.errors
    assert_batches(log, [["h1", "h2"], ["h3", "h4"]])
    assert after == list(HOSTS4)
    for host in HOSTS4:  # before | the serial task | after
        assert [c for h, c in rep.scripts if h == host] == [1, 1, 1], rep.scripts


def test_a_failed_host_leaves_its_batch_and_the_next_batches_go_on(tmp_path):
    result, rep, log, after = rollout(tmp_path, failing="h2")
    assert result.exit_code == EXIT_HOST_FAILED
    assert result.failed_hosts == ["h2"]
    starts = [h for e, h in log if e == "start"]
    assert sorted(starts[:2]) == ["h1", "h2"] and sorted(starts[2:]) == ["h3", "h4"], log
    assert after == ["h1", "h3", "h4"]


def test_a_batch_where_every_host_failed_stops_the_rollout(tmp_path):
    result, rep, log, after = rollout(tmp_path, serial=1, failing="h1")
    assert result.exit_code == EXIT_HOST_FAILED
    assert [h for e, h in log if e == "start"] == ["h1"]  # nobody else restarted
    assert any("every host of its batch failed" in e for e in rep.errors), rep.errors
    assert after == []


def test_max_fail_percentage_over_the_play_batch_stops_the_hosts_still_waiting(tmp_path):
    result, rep, log, after = rollout(tmp_path, failing="h1", playkw="max_fail_percentage: 20")
    assert result.exit_code == EXIT_HOST_FAILED
    assert sorted(h for e, h in log if e == "start") == ["h1", "h2"]  # h3, h4 never ran it


def test_any_errors_fatal_on_the_serial_task_stops_every_host(tmp_path):
    result, rep, log, after = rollout(tmp_path, failing="h1", taskkw="any_errors_fatal: true")
    assert result.exit_code == EXIT_HOST_FAILED
    # the play runs in lockstep (any_errors_fatal): h2, h1's batch mate, may or may not have
    # sent its script before h1's failure stopped it; the next batch never runs
    starts = sorted(h for e, h in log if e == "start")
    assert starts in (["h1"], ["h1", "h2"]), log
    assert after == []


def test_a_rescued_failure_gives_the_turn_back_and_counts_as_rescued(tmp_path):
    lab = Lab(tmp_path, hosts=("h1", "h2", "h3"))
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - name: rolling
                  shell: |
                    echo "start {{ inventory_hostname }}" >> WORK/log
                    test "{{ inventory_hostname }}" != h1 || exit 1
                    echo "end {{ inventory_hostname }}" >> WORK/log
                  serial: 1
              rescue:
                - name: undo
                  copy: {dest: "WORK/{{ inventory_hostname }}.undo", content: "x"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.errors
    assert [h for e, h in runs(lab, "log") if e == "start"] == ["h1", "h2", "h3"]
    assert result.stats["h1"]["rescued"] == 1
    assert (lab.work / "h1.undo").exists()


def test_check_mode_predicts_the_serial_task_and_changes_nothing(tmp_path):
    lab = Lab(tmp_path, hosts=HOSTS4)
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: rolling
              copy: {dest: "WORK/{{ inventory_hostname }}.v", content: "2"}
              serial: 1
        """
    )
    _, check, _ = lab.run(pb, check=True)
    assert list(lab.work.iterdir()) == []
    _, real, _ = lab.run(pb)
    changed = sorted(r.host for r in real.results if r.status == "changed")
    assert sorted(r.host for r in check.results if r.status == "changed") == changed
    assert changed == list(HOSTS4)


def test_hosts_whose_when_skips_it_and_hosts_beyond_forks_do_not_block_the_gate(tmp_path):
    lab = Lab(tmp_path, hosts=HOSTS4)
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: rolling
              shell: |
                echo "start {{ inventory_hostname }}" >> WORK/log
                sleep 0.1
                echo "end {{ inventory_hostname }}" >> WORK/log
              when: inventory_hostname != 'h2'
              serial: 1
        """
    )
    result, rep, _ = lab.run(pb, forks=2)
    assert result.exit_code == EXIT_OK, rep.errors
    assert_batches(runs(lab, "log"), [["h1"], ["h3"], ["h4"]])
    assert rep.status_of("h2", "rolling") == "skipped"


def test_serial_tasks_around_run_once_and_a_diverging_include_never_wait_for_each_other(tmp_path):
    lab = Lab(tmp_path, hosts=HOSTS4)
    (tmp_path / "odd.yml").write_text(
        '- name: inner\n  shell: echo "start {{ inventory_hostname }}" >> WORK/inner\n'
        "  serial: 1\n".replace("WORK", str(lab.work))
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: first
              shell: echo "start {{ inventory_hostname }}" >> WORK/first
              serial: 2
            - include_tasks: odd.yml
              when: inventory_hostname in ['h1', 'h3']
            - name: once
              command: "true"
              run_once: true
              register: once
            - name: second
              shell: echo "start {{ inventory_hostname }} {{ once.rc }}" >> WORK/second
              serial: "50%"
        """
    )
    result, rep, _ = lab.run(pb, forks=3)
    assert result.exit_code == EXIT_OK, rep.errors
    assert sorted(h for _, h in runs(lab, "inner")) == ["h1", "h3"]
    assert sorted(line[1] for line in runs(lab, "second")) == list(HOSTS4)


def test_hosts_not_notified_go_on_with_the_play_while_the_others_restart(tmp_path):
    lab = Lab(tmp_path, hosts=HOSTS4)
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: config
              copy: {dest: "WORK/{{ inventory_hostname }}.conf", content: "v2"}
              when: inventory_hostname in ['h1', 'h3']
              notify: restart
          post_tasks:
            - name: later
              shell: echo "later {{ inventory_hostname }}" >> WORK/log
          handlers:
            - name: restart
              shell: echo "start {{ inventory_hostname }}" >> WORK/log
              serial: 1
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.errors
    log = runs(lab, "log")
    assert [h for e, h in log if e == "start"] == ["h1", "h3"]
    assert sorted(h for e, h in log if e == "later") == list(HOSTS4)


def test_a_templated_play_serial_is_rendered_with_play_vars(tmp_path):
    lab = Lab(tmp_path, hosts=HOSTS4)
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          serial: "{{ batch }}"
          vars: {batch: 3}
          tasks:
            - name: mark
              shell: echo "start {{ inventory_hostname }} {{ ansible_play_batch | length }}" >> WORK/log
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.errors
    assert sorted((h, n) for _, h, n in runs(lab, "log")) == [
        ("h1", "3"), ("h2", "3"), ("h3", "3"), ("h4", "1")
    ]  # fmt: skip
