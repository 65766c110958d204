"""Task keywords ansible-core's integration targets use that edgeauto lacked (issue 10):
templated module names and loop variables, include_vars of a directory, loop pauses."""

from edgeauto.errors import EXIT_OK
from edgeauto.modules.base import ShellCall
from edgeauto.remote.builder import TaskInvocation, build_script


def test_a_templated_module_name_is_resolved_per_host_when_the_task_runs(lab):
    # the group target: `action: "{{ ansible_facts.pkg_mgr }}"`
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {mod: ping, nothing: no_such_module}
          tasks:
            - name: by name
              action: "{{ mod }} data=hi"
            - name: skipped, so never resolved
              action: "{{ nothing }}"
              when: false
            - name: unknown when it runs
              action: "{{ nothing }}"
              ignore_errors: true
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.result_of("h1", "by name")["ping"] == "hi"
    assert rep.status_of("h1", "skipped, so never resolved") == "skipped"
    assert "unknown module 'no_such_module'" in rep.result_of("h1", "unknown when it runs")["msg"]


def test_a_templated_loop_var_names_the_item_variable(lab):
    # the loops target (ansible issue 58820), also through include_tasks
    (lab.root / "inc.yml").write_text(
        "- name: included\n  copy: {content: '{{ picked }}', dest: WORK/inc}\n".replace(
            "WORK", str(lab.work)
        )
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: looped
              copy: {content: "{{ chosen }}", dest: "WORK/{{ chosen }}"}
              loop: [a]
              loop_control: {loop_var: "{{ var_name }}"}
              vars: {var_name: chosen}
            - include_tasks: inc.yml
              loop: [b]
              loop_control: {loop_var: "{{ var_name }}"}
              vars: {var_name: picked}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.statuses("h1")
    assert (lab.work / "a").read_text() == "a"
    assert (lab.work / "inc").read_text() == "b"


def test_include_vars_dir_loads_files_in_ansibles_order_and_filters(lab):
    vars_dir = lab.root / "vars"
    (vars_dir / "sub").mkdir(parents=True)
    (vars_dir / "a.yml").write_text("level: a\nonly_a: 1\n")
    (vars_dir / "sub" / "b.yml").write_text("level: b\n")
    (vars_dir / "skip.yml").write_text("skipped: true\n")
    (vars_dir / "notes.txt").write_text("not: loaded\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: whole tree
              include_vars:
                dir: vars
                ignore_files: [skip.yml]
                ignore_unknown_extensions: true
              register: tree
            - name: top level only
              include_vars: {dir: vars, depth: 1, files_matching: "^a", name: top}
            - name: unknown extension fails
              include_vars: {dir: vars}
              ignore_errors: true
            - assert:
                that:
                  - level == 'b'
                  - only_a == 1
                  - skipped is not defined
                  - "top == {'level': 'a', 'only_a': 1}"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.statuses("h1")
    files = rep.result_of("h1", "whole tree")["ansible_included_var_files"]
    assert [f.split("/vars/")[1] for f in files] == ["a.yml", "sub/b.yml"]
    failed = rep.result_of("h1", "unknown extension fails")
    assert "does not have a valid extension" in failed["message"]


def test_loop_pause_makes_the_script_sleep_between_items_not_before_the_first():
    call = ShellCall("ea_ping", ["pong"], files=["ping.sh"])
    script = build_script(
        [TaskInvocation("t0", call), TaskInvocation("t1", call, pause=2)], nonce="abcdef0123"
    ).decode()
    first, second = script.split("ea__start 't1'")
    assert "sleep 2" not in first and "sleep 2\n" in second
