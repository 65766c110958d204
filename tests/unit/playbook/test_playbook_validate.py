"""Validation finds real problems and stays quiet on valid playbooks (no false alarms)."""

from __future__ import annotations

import pytest

from edgeauto.errors import ValidationError
from edgeauto.playbook import check_playbook, load_and_validate, load_playbook, validate


def _problems(path, **kw):
    return [str(p) for p in check_playbook(path, **kw)[1]]


def test_the_site_fixture_is_valid(site_dir):
    assert _problems(site_dir / "site.yml") == []


def test_hosts_template_is_fine_when_extra_vars_define_it(write):
    path = write("pb.yml", '- hosts: "{{ target }}"\n  tasks: []\n')
    assert any("'target'" in p for p in _problems(path))
    assert _problems(path, extra_vars={"target": "web"}) == []


def test_hosts_template_is_fine_when_the_inventory_defines_it(write):
    from edgeauto.inventory import Inventory

    inventory = Inventory()
    inventory.add_host("h1", "web", vars={"deploy_group": "web"})
    path = write("pb.yml", '- hosts: "{{ deploy_group }}"\n  tasks: []\n')
    assert _problems(path, inventory=inventory) == []


def test_include_tasks_name_may_use_registered_or_set_fact_variables(write):
    write("t_a.yml", "- command: /bin/true\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - command: echo a
              register: picked
            - set_fact:
                suffix: a
            - include_tasks: "t_{{ suffix }}.yml"
            - include_tasks: "t_{{ picked.stdout }}.yml"
            - include_tasks: "t_{{ item }}.yml"
              loop: [a]
        """,
    )
    assert _problems(path) == []


def test_notify_may_name_a_listen_topic_or_role_prefixed_handler(site_dir, write):
    write("roles/svc/handlers/main.yml", "- name: restart svc\n  command: /bin/true\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          roles: [svc]
          tasks:
            - command: /bin/true
              notify: [topic, "svc : restart svc", restart svc]
          handlers:
            - name: h
              command: /bin/true
              listen: topic
        """,
    )
    assert _problems(path) == []


def test_files_found_in_role_files_dir_playbook_files_dir_or_skipped_when_remote(write):
    write("roles/r/files/a.conf", "x")
    write("roles/r/templates/t.j2", "x")
    write(
        "roles/r/tasks/main.yml",
        "- copy: src=a.conf dest=/tmp/a\n- template: src=t.j2 dest=/tmp/t\n",
    )
    write("files/b.conf", "x")
    path = write(
        "pb.yml",
        """
        - hosts: all
          roles: [r]
          tasks:
            - copy: src=b.conf dest=/tmp/b
            - copy: src=/etc/hostname dest=/tmp/c remote_src=yes
            - copy: src="{{ some_file }}" dest=/tmp/d
              vars: {some_file: x}
            - template: src=missing.j2 dest=/tmp/e
        """,
    )
    assert _problems(path) == []  # not found now: a warning, looked up again when it runs
    problems = _problems(path, strict=True)
    assert len(problems) == 1 and "template src 'missing.j2' not found" in problems[0]
    assert ":8:" in problems[0]


def test_delegation_to_localhost_or_a_template_is_accepted(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - command: /bin/true
              delegate_to: localhost
            - command: /bin/true
              delegate_to: "{{ inventory_hostname }}"
        """,
    )
    assert _problems(path) == []


def test_include_role_target_is_loaded_and_its_tasks_are_checked(write):
    write("roles/inc/tasks/main.yml", "- file: path=/tmp/x state=bogus\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - include_role:
                name: inc
        """,
    )
    problems = _problems(path)
    assert len(problems) == 1
    assert "roles/inc/tasks/main.yml:1:21: argument 'state' must be one of" in problems[0]


def test_include_vars_file_must_exist_unless_templated(write):
    write("vars/here.yml", "a: 1\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - include_vars: here.yml
            - include_vars: "{{ inventory_hostname }}.yml"
            - include_vars: gone.yml
        """,
    )
    problems = _problems(path)
    assert len(problems) == 1 and "include_vars file 'gone.yml' not found" in problems[0]


def test_vars_files_entry_list_uses_the_first_file_that_exists(write):
    write("second.yml", "from_second: 1\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          vars_files:
            - [first.yml, second.yml]
          tasks:
            - import_tasks: "{{ from_second }}.yml"
        """,
    )
    write("1.yml", "- command: /bin/true\n")
    assert _problems(path) == []


def test_unsafe_strings_and_templated_environment_are_not_checked_as_templates(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          environment: "{{ proxy_env }}"
          vars:
            proxy_env: {}
            literal: !unsafe "{{ not a template"
          tasks:
            - command: echo hi
        """,
    )
    assert _problems(path) == []


def test_every_problem_is_reported_at_once_sorted_by_position(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - fiel: path=/tmp/a
            - file: path=/tmp/a state=nope
            - command: /bin/true
              whn: x
        """,
    )
    with pytest.raises(ValidationError) as err:
        load_and_validate(path)
    lines = str(err.value).splitlines()
    assert [line.split(": ", 1)[0].rsplit(":", 2)[1] for line in lines] == ["3", "4", "6"]


def test_validate_on_a_loaded_playbook_raises_for_argument_problems(write):
    path = write("pb.yml", "- hosts: all\n  tasks:\n    - file: state=touch\n")
    playbook = load_playbook(path)
    with pytest.raises(ValidationError) as err:
        validate(playbook)
    assert "pb.yml:3:7: missing required argument 'path'" in str(err.value)


def test_unknown_fqcn_module_gets_a_hint_with_the_same_prefix(write):
    path = write("pb.yml", "- hosts: all\n  tasks:\n    - ansible.builtin.fiel: path=/tmp/a\n")
    problems = _problems(path)
    assert problems == [
        f"{path}:3:7: unknown module 'ansible.builtin.fiel'; expected a module name or a task "
        "keyword (did you mean 'ansible.builtin.file'?)"
    ]


def test_removed_include_keyword_says_what_to_use_instead(write):
    path = write("pb.yml", "- hosts: all\n  tasks:\n    - include: other.yml\n")
    (problem,) = _problems(path)
    assert "'include' was removed from Ansible" in problem and "include_tasks" in problem


def test_vars_may_be_a_list_of_mappings_as_in_old_playbooks(write):
    path = write("pb.yml", "- hosts: all\n  vars:\n    - a: 1\n    - b: 2\n  tasks: []\n")
    assert load_playbook(path).plays[0].vars == {"a": 1, "b": 2}


def test_group_vars_beside_the_playbook_count_as_defined(write):
    write("group_vars/all.yml", "target: web\n")
    path = write("pb.yml", '- hosts: "{{ target }}"\n  tasks: []\n')
    assert _problems(path) == []


def test_without_inventory_the_undefined_hint_suggests_passing_it(write):
    path = write("pb.yml", '- hosts: "{{ fleet }}"\n  tasks: []\n')
    (problem,) = _problems(path)
    assert "pass the inventory with -i" in problem


def test_handlers_may_notify_handlers_and_be_known_only_by_listen(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - command: /bin/true
              notify: first
          handlers:
            - name: first
              command: /bin/true
              notify: by topic
            - listen: by topic
              command: /bin/true
            - name: third
              command: /bin/true
              notify: nowhere
        """,
    )
    (problem,) = _problems(path)
    assert "notify 'nowhere' matches no handler" in problem


def test_controller_actions_without_module_files_have_their_arguments_checked(write):
    write("v.yml", "a: 1\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - include_vars: v.yml
            - include_vars: {file: v.yml, dir: vars}
            - group_by: key=os_{{ ansible_os_family }}
            - group_by: {parents: [x]}
            - add_host: {groups: new}
            - wait_for_connection: timeout=soon
        """,
    )
    problems = _problems(path)
    assert len(problems) == 4
    assert "mutually exclusive: file, dir" in problems[0]
    assert "missing required argument 'key'" in problems[1]
    assert "add_host needs 'name'" in problems[2]
    assert "argument 'timeout': expected an integer" in problems[3]


def test_removed_sudo_keyword_says_to_use_become(write):
    path = write("pb.yml", "- hosts: all\n  tasks:\n    - command: id\n      sudo: yes\n")
    (problem,) = _problems(path)
    assert "keyword 'sudo' is not supported" in problem and "become" in problem


def test_variables_guarded_by_default_or_is_defined_are_not_undefined(write):
    write("t_a.yml", "- command: /bin/true\n")
    path = write(
        "pb.yml",
        """
        - hosts: "{{ target | default('all') }}"
          tasks:
            - import_tasks: "t_{{ flavour | d('a') }}.yml"
            - include_tasks: "{{ custom if custom is defined else 't_a.yml' }}"
        """,
    )
    assert _problems(path) == []


def test_static_import_names_render_with_ansible_filters(write):
    write("tasks/debian.yml", "- name: deb\n  command: /bin/true\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          vars:
            distro: Debian
          tasks:
            - import_tasks: "tasks/{{ distro | lower | regex_replace('^deb', 'deb') }}.yml"
        """,
    )
    assert load_playbook(path).plays[0].tasks[0].block[0].name == "deb"


def test_ansible_only_filters_and_tests_do_not_break_the_undefined_check(write):
    path = write(
        "pb.yml",
        """
        - hosts: "{{ grp | regex_replace('x', 'y') }}"
          vars:
            grp: web
          vars_files:
            - "vars/{{ grp | ansible.builtin.basename }}.yml"
          tasks: []
        """,
    )
    write("vars/web.yml", "a: 1\n")
    assert _problems(path) == []


def test_loop_control_values_and_include_apply_keywords_are_checked(write):
    write("t.yml", "- command: /bin/true\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - command: echo {{ x }}
              loop: [1]
              loop_control:
                loop_var: my-var
                pause: soon
                extended: maybe
            - include_tasks:
                file: t.yml
                apply:
                  tags: [a]
                  whenn: x
        """,
    )
    problems = _problems(path)
    assert len(problems) == 4
    assert "loop_control 'loop_var' expects a variable name" in problems[0]
    assert "loop_control 'pause' expects seconds" in problems[1]
    assert "'extended' expects a boolean" in problems[2]
    assert "unknown apply keyword 'whenn'" in problems[3] and "did you mean 'when'" in problems[3]


def test_each_bad_argument_is_its_own_problem_at_its_key(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - file:
                path: /tmp/a
                state: touched
                onwer: root
                mode: 0644
        """,
    )
    problems = _problems(path)
    assert len(problems) == 2
    assert ":5:9: argument 'state' must be one of" in problems[0]
    assert ":6:9: module 'file' has no argument 'onwer', did you mean 'owner'?" in problems[1]


def test_vars_files_are_also_found_in_the_vars_dir_like_ansible(write):
    write("vars/common.yml", "c: 1\n")
    path = write("pb.yml", "- hosts: all\n  vars_files: [common.yml]\n  tasks: []\n")
    assert _problems(path) == []


def test_a_wrong_required_argument_is_not_also_reported_missing(write):
    path = write("pb.yml", "- hosts: all\n  tasks:\n    - meta: flush_handler\n")
    (problem,) = _problems(path)
    assert ":3:13: argument 'free_form' must be one of" in problem
