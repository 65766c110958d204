"""Controller-side tasks (debug, set_fact, assert, meta, include_tasks), run_once, delegate_to:
they cost no round trip, and they are rolled back when an earlier pending task failed."""

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_OK


def trips(run, host="h1"):
    return run.states[host].transport.round_trips


def test_set_fact_and_debug_run_inline_without_an_extra_round_trip(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {dest: WORK/a, content: "a"}
            - set_fact: {greeting: "hello {{ inventory_hostname }}"}
            - debug: {msg: "{{ greeting }}"}
            - copy: {dest: WORK/b, content: "{{ greeting }}"}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert trips(run) == 1
    assert (lab.work / "b").read_text() == "hello h1"
    assert [r.task.action for r in rep.results] == ["copy", "set_fact", "debug", "copy"]
    assert rep.results[2].result["msg"] == "hello h1"


def test_controller_tasks_after_a_failed_pending_task_are_rolled_back(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - shell: exit 1
                - set_fact: {leaked: true}
                - debug: {msg: should not print}
              rescue:
                - copy: {dest: WORK/leaked, content: "{{ leaked | default(false) }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "leaked").read_text() == "False"
    assert "debug" not in [r.task.action for r in rep.results]


def test_debug_of_a_registered_result_flushes_first(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: echo 42
              register: out
            - debug: {var: out.stdout}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.results[-1].result["out.stdout"] == "42"


def test_assert_failure_fails_the_host_with_its_message(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - assert:
                that: [1 == 2]
                fail_msg: numbers are hard
            - copy: {dest: WORK/after, content: "x"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert "numbers are hard" in rep.results[0].result["msg"]
    assert not (lab.work / "after").exists()


def test_a_template_error_names_the_task_file_and_line(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: bad
              copy: {dest: WORK/x, content: "{{ nope.missing }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert "site.yml:" in rep.results[0].result["msg"]


def test_meta_end_host_stops_only_that_host(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - meta: end_host
              when: inventory_hostname == 'h2'
            - copy: {dest: "WORK/{{ inventory_hostname }}", content: "x"}
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.exit_code == EXIT_OK
    assert sorted(p.name for p in lab3.work.iterdir()) == ["h1", "h3"]


def test_flush_handlers_runs_notified_handlers_mid_play(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {dest: WORK/conf, content: "x"}
              notify: h
            - meta: flush_handlers
            - shell: test -e WORK/handled
          handlers:
            - name: h
              file: {path: WORK/handled, state: touch}
        """
    )
    result, _, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK


def test_include_tasks_with_a_templated_name_and_a_loop(lab):
    (lab.root / "inc-one.yml").write_text(
        f"- copy: {{dest: '{lab.work}/{{{{ item }}}}', content: x}}\n"
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {which: one}
          tasks:
            - include_tasks: "inc-{{ which }}.yml"
              loop: [p, q]
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert sorted(p.name for p in lab.work.iterdir()) == ["p", "q"]


def test_run_once_runs_on_one_host_and_shares_the_registered_result(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: echo x >> WORK/once; echo "{{ inventory_hostname }}"
              register: who
              run_once: true
            - copy: {dest: "WORK/{{ inventory_hostname }}", content: "{{ who.stdout }}"}
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab3.work / "once").read_text() == "x\n"
    contents = {(lab3.work / h).read_text() for h in ("h1", "h2", "h3")}
    assert len(contents) == 1


def test_delegate_to_localhost_runs_on_the_controller(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {dest: WORK/delegated, content: "{{ inventory_hostname }}"}
              delegate_to: localhost
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "delegated").read_text() == "h1"
    assert rep.results[0].delegated_to == "localhost"


def test_a_skipped_tasks_register_is_rolled_back_when_an_earlier_task_failed(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - shell: exit 1
                - shell: echo never
                  when: false
                  register: skipped_one
              rescue:
                - copy: {dest: WORK/seen, content: "{{ skipped_one is defined }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "seen").read_text() == "False"


def test_registered_output_and_set_fact_values_are_never_templated_again(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: echo '{{ "{{" }} nope {{ "}}" }}'
              register: r
            - debug: var=r.stdout
            - set_fact:
                copied: "{{ r.stdout }}"
            - debug: {msg: "{{ copied }}"}
            - copy: {dest: WORK/out, content: "{{ copied }}"}
              when: r.stdout is search('nope')
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert rep.results[1].result["r.stdout"] == "{{ nope }}"
    assert rep.results[3].result["msg"] == "{{ nope }}"
    assert (lab.work / "out").read_text() == "{{ nope }}"


def test_run_once_runs_on_the_first_host_of_the_batch_even_when_it_arrives_last(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: "{{ 'sleep 1' if inventory_hostname == 'h1' else 'true' }}"
            - shell: echo "{{ inventory_hostname }}" > WORK/once
              register: who
              run_once: true
            - copy: {dest: "WORK/{{ inventory_hostname }}", content: "{{ who.stdout }}"}
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab3.work / "once").read_text() == "h1\n"
    assert [r.host for r in rep.results if r.task.run_once] == ["h1"]


def test_run_once_skips_a_failed_first_host_and_runs_on_the_next(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: "{{ 'exit 1' if inventory_hostname == 'h1' else 'sleep 0.3' }}"
            - shell: echo "{{ inventory_hostname }}" > WORK/once
              run_once: true
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.failed_hosts == ["h1"]
    assert (lab3.work / "once").read_text() == "h2\n"


def test_run_once_runs_once_per_serial_batch_on_its_first_host(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          serial: 2
          tasks:
            - shell: echo "{{ inventory_hostname }}" >> WORK/once
              run_once: true
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab3.work / "once").read_text() == "h1\nh3\n"
