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
