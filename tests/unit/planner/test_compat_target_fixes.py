"""Engine behaviours ansible-core's own integration targets (tests/compat, run half) found
wrong; each checked against what ansible-playbook does with the same tasks."""

from edgeauto.errors import EXIT_OK


def _msgs(rep, host="h1"):
    return [r.result.get("msg") for r in rep.results if r.host == host and "msg" in r.result]


def test_assert_with_a_list_of_conditions_waits_for_the_register_it_reads(lab):
    # The assemble target: the second assert read the first task's (stale) registered value
    # because the bare expressions of a `that:` list were not seen as reading `result`.
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {content: "x", dest: WORK/f}
              register: result
            - assert:
                that:
                  - result is changed
            - copy: {content: "x", dest: WORK/f}
              register: result
            - name: second
              assert:
                that:
                  - result is not changed
                  - result.changed == False
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "second") == "ok"


def test_an_argument_error_under_ignore_errors_fails_at_run_time_and_is_registered(lab):
    # The slurp and tempfile targets call modules with bad arguments under ignore_errors and
    # assert on the registered failure; ansible-playbook runs them, edgeauto refused the
    # playbook (missing argument) or left the variable undefined (bad value).
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - action: slurp
              register: no_args
              ignore_errors: true
            - tempfile: {prefix: "../x"}
              register: bad_prefix
              ignore_errors: true
            - name: both failed
              assert:
                that:
                  - no_args is failed
                  - bad_prefix is failed
                  - "'src' in no_args.msg"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "both failed") == "ok"


def test_tempfile_reports_the_new_paths_attributes(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - tempfile: {path: WORK}
              register: f
            - tempfile: {path: WORK, state: directory}
              register: d
            - debug: {msg: "{{ f.state }} {{ f.mode }} {{ d.state }} {{ d.mode }} {{ d.uid is number }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert "file 0600 directory 0700 True" in _msgs(rep)


def test_first_found_in_a_role_finds_a_task_file_beside_the_role_tasks(lab):
    # The hostname target: include_tasks of lookup('first_found', ['<distribution>.yml', …])
    # names files in the role's tasks/ dir (ansible searches the task file's own dir).
    tasks = lab.root / "roles" / "r" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(
        "- include_tasks:\n"
        "    file: \"{{ lookup('first_found', files) }}\"\n"
        "  vars:\n"
        "    files: [nosuch.yml, default.yml]\n"
    )
    (tasks / "default.yml").write_text("- debug: {msg: from default}\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          roles: [r]
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert "from default" in _msgs(rep)


def test_a_folded_free_form_argument_loses_its_final_newline(lab):
    # The include_vars target: `include_vars: >` + a file name on the next line.
    (lab.root / "vars").mkdir()
    (lab.root / "vars" / "v.yml").write_text("from_v: 1\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - include_vars: >
                v.yml
            - debug: {msg: "from_v={{ from_v }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert "from_v=1" in _msgs(rep)


def test_a_yaml_boolean_matches_the_one_boolean_spelling_among_the_choices():
    # The apt target: `upgrade: true` where upgrade's choices are dist/full/no/safe/yes.
    from edgeauto.modules.spec import _bool_choice

    choices = ["dist", "full", "no", "safe", "yes"]
    assert _bool_choice(True, choices) == "yes"
    assert _bool_choice("False", choices) == "no"
    assert _bool_choice("dist", choices) == "dist"
    assert _bool_choice(True, ["on", "yes"]) is True  # ambiguous: left for the error


def test_command_accepts_executable_and_ignores_it_with_ansibles_warning(lab):
    # The command_shell target's first task.
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - command: ls /dev/null
              args:
                executable: /bogus
              register: r
            - name: check
              assert:
                that:
                  - r.stdout == '/dev/null'
                  - "'executable' in r.warnings[0]"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "check") == "ok"


def test_an_option_with_a_default_satisfies_required_one_of():
    # The apt target's `apt: clean: yes`: Ansible fills defaults (upgrade='no') before its
    # required_one_of check, so that group never fails for apt.
    from edgeauto.modules.registry import get_module

    apt = get_module("apt")
    assert apt.spec.validate({"clean": True}, None, final=True)["clean"] is True


def test_failed_when_and_changed_when_apply_to_controller_actions(lab):
    # The assert target checks assert's own failures with failed_when on the assert task.
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - set_fact: {a_var: one}
              changed_when: true
            - name: failing assert, expected
              assert:
                that: a_var != "one"
              register: result
              failed_when: result is not failed or result.assertion is not contains('a_var')
            - name: fail, not failing
              fail: {msg: x}
              failed_when: false
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "failing assert, expected") == "ok"
    assert rep.status_of("h1", "fail, not failing") == "ok"
    assert rep.statuses("h1")[0] == ("set_fact", "changed")


def test_assert_takes_a_string_with_commas_as_one_condition(lab):
    # The cron target: that: "result.msg == 'Will not manage …, see documentation.'"
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - set_fact: {m: "a, b"}
            - name: one condition
              assert:
                that: "m == 'a, b'"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "one condition") == "ok"


def test_a_registered_argument_failure_carries_the_modules_own_message(lab):
    # The cron target compares msg with Ansible's text exactly.
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - cron: {cron_file: /etc/crontab, user: root, name: x, job: ls}
              register: result
              ignore_errors: true
            - name: exact
              assert:
                that: "result.msg == 'Will not manage /etc/crontab via cron_file, see documentation.'"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "exact") == "ok"


def test_a_loop_label_reading_the_tasks_register_name_sees_each_items_result(lab):
    # loops target (ansible issue 83619): ansible-core registers each item's result before it
    # templates that item's label; a label it cannot render fails that item only.
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - command: "echo {{ item }}"
              register: r
              loop: [changed, skipped]
              loop_control:
                label: "{{ r.stdout }}"
              when: item == "changed"
              ignore_errors: true
            - name: labels
              assert:
                that:
                  - r.results[0].stdout == "changed"
                  - r.results[1].msg is contains("no attribute 'stdout'")
                  - r.results[1] is failed
            - name: plain labels of skipped items
              debug: {msg: "{{ item.n }}"}
              loop: [{n: 1}, {n: 2}]
              loop_control: {label: "{{ item.n * 10 }}"}
              when: item.n == 1
        """
    )
    result, rep, _ = lab.run(pb)
    assert rep.status_of("h1", "labels") == "ok", rep.statuses("h1")
    plain = next(r for r in rep.results if r.task.name == "plain labels of skipped items")
    assert [i["_ansible_item_label"] for i in plain.item_results] == [10, 20]
    assert result.exit_code == EXIT_OK


def test_a_check_mode_failure_shadowed_by_a_predicted_path_keeps_the_modules_warnings(lab):
    # file target (issue 67307): an earlier check-mode touch only predicted /x; the next
    # task's failure on it is "would change", yet the unknown-group warning still holds.
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - file: {path: WORK/x, state: touch}
              check_mode: true
            - file: {path: WORK/x, group: ea-no-such-group-x}
              check_mode: true
              register: shadowed
            - name: warned
              assert:
                that:
                  - shadowed is changed
                  - shadowed.warnings[0] is search('failed to look up group ea-no-such-group-x')
        """
    )
    result, rep, _ = lab.run(pb)
    assert rep.status_of("h1", "warned") == "ok", rep.statuses("h1")
    assert result.exit_code == EXIT_OK


def test_include_vars_registered_facts_stay_templates_and_are_tagged_trusted(lab):
    # include_vars target (no_auto_unsafe): what include_vars read from the user's file is
    # trusted data in Ansible, also in its registered result, unlike a module's output.
    (lab.root / "v.yml").write_text("foo: bar\nlater: '{{ base }}-x'\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {base: b}
          tasks:
            - include_vars: {file: v.yml}
              register: baz
            - name: trusted
              assert:
                that:
                  - baz.ansible_facts.foo is ansible._protomatter.tagged_with("TrustedAsTemplate")
                  - baz.ansible_facts.later == "b-x"
                  - lookup('pipe', 'echo x') is not ansible._protomatter.tagged_with("TrustedAsTemplate")
            - name: unknown tag
              debug: {msg: "{{ 1 is ansible._protomatter.tagged_with('Nope') }}"}
              ignore_errors: true
              register: nope
            - assert:
                that: nope.msg is contains("Unknown tag name 'Nope'")
        """
    )
    result, rep, _ = lab.run(pb)
    assert rep.status_of("h1", "trusted") == "ok", rep.statuses("h1")
    assert result.exit_code == EXIT_OK, rep.statuses("h1")
