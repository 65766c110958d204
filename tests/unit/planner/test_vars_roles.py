"""Variables (precedence, vars_files, group_vars, extra vars, magic vars) and roles."""

import textwrap

from edgeauto.errors import EXIT_OK
from edgeauto.planner.run import parse_extra_vars


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_precedence_extra_vars_beat_task_vars_beat_play_vars_beat_group_vars(lab):
    write(lab.root / "group_vars" / "all.yml", "a: group\nb: group\nc: group\nd: group\n")
    write(lab.root / "vars.yml", "b: vars_file\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {c: play}
          vars_files: [vars.yml]
          tasks:
            - copy:
                dest: WORK/out
                content: "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}"
              vars: {d: task}
        """
    )
    result, rep, _ = lab.run(pb, extra_vars={"e": "extra", "d": "extra"})
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "out").read_text() == "group vars_file play extra extra"


def test_magic_variables_are_available(lab3):
    pb = lab3.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy:
                dest: "WORK/{{ inventory_hostname }}"
                content: "{{ play_hosts | join(',') }} {{ groups['all'] | length }} {{ ansible_check_mode }} {{ hostvars['h2']['inventory_hostname'] }}"
        """
    )
    result, rep, _ = lab3.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab3.work / "h1").read_text() == "h1,h2,h3 3 False h2"


def test_role_defaults_vars_handlers_and_files(lab):
    role = lab.root / "roles" / "web"
    write(role / "defaults" / "main.yml", "port: 80\nname: default\n")
    write(role / "vars" / "main.yml", "name: from-role-vars\n")
    write(role / "files" / "index.html", "hello\n")
    write(
        role / "tasks" / "main.yml",
        """
        - copy: {src: index.html, dest: "{{ dest }}/index.html"}
          notify: reload web
        - copy: {dest: "{{ dest }}/conf", content: "{{ name }}:{{ port }}"}
        """,
    )
    write(
        role / "handlers" / "main.yml",
        "- name: reload web\n  file: {path: '{{ dest }}/reloaded', state: touch}\n",
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          roles:
            - role: web
              vars: {dest: WORK, port: 8080}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "index.html").read_text() == "hello\n"
    assert (lab.work / "conf").read_text() == "from-role-vars:8080"
    assert (lab.work / "reloaded").exists()
    assert rep.results[0].task.display_name.startswith("web : ")


def test_include_role_runs_the_role_at_that_point(lab):
    role = lab.root / "roles" / "marker"
    write(
        role / "tasks" / "main.yml", "- copy: {dest: '{{ where }}/marked', content: '{{ what }}'}\n"
    )
    write(role / "defaults" / "main.yml", "what: default\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - include_role: {name: marker}
              vars: {where: WORK, what: included}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "marked").read_text() == "included"


def test_extra_vars_accept_key_value_json_and_files(tmp_path):
    (tmp_path / "ev.yml").write_text("from_file: 1\n")
    values = ["a=1 b='two words'", '{"c": [1, 2]}', f"@{tmp_path / 'ev.yml'}"]
    assert parse_extra_vars(values) == {"a": "1", "b": "two words", "c": [1, 2], "from_file": 1}


def test_include_vars_add_host_and_group_by(lab):
    write(lab.root / "vars" / "extra.yml", "colour: blue\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - include_vars: extra.yml
            - group_by: {key: "colour_{{ colour }}"}
            - add_host: {name: newbie, groups: [late], ansible_connection: local}
        - hosts: colour_blue
          gather_facts: false
          tasks:
            - copy: {dest: "WORK/blue-{{ inventory_hostname }}", content: x}
        - hosts: late
          gather_facts: false
          tasks:
            - copy: {dest: "WORK/late-{{ inventory_hostname }}", content: x}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert sorted(p.name for p in lab.work.iterdir()) == ["blue-h1", "late-newbie"]


def test_a_whole_file_vault_encrypted_vars_file_validates_and_its_values_are_used(lab):
    """The vars file is encrypted by the real ``ansible-vault`` (test oracle, not a dependency)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    ansible_vault = Path(sys.executable).parent / "ansible-vault"
    if not ansible_vault.exists():
        ansible_vault = shutil.which("ansible-vault")
    if not ansible_vault:
        import pytest

        pytest.skip("ansible-vault (test extra ansible-core) is not installed")
    password = lab.root / "vault-pass"
    password.write_text("s3cret-pass\n")
    secret = lab.root / "secret.yml"
    secret.write_text("db_password: hunter2-vaulted\n")
    subprocess.run(
        [str(ansible_vault), "encrypt", "--vault-password-file", str(password), str(secret)],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    assert secret.read_text().startswith("$ANSIBLE_VAULT")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars_files: [secret.yml]
          tasks:
            - copy: {dest: WORK/out, content: "{{ db_password }}"}
        """
    )
    result, rep, _ = lab.run(pb, vault_password_files=[str(password)])
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "out").read_text() == "hunter2-vaulted"


def test_an_included_task_file_can_import_a_role_and_template_an_import_from_host_vars(lab):
    role = lab.root / "roles" / "nested"
    write(role / "tasks" / "main.yml", "- copy: {dest: '{{ out }}/from-role', content: role}\n")
    write(lab.root / "inner-x.yml", "- copy: {dest: '{{ out }}/from-inner', content: inner}\n")
    write(
        lab.root / "included.yml",
        """
        - import_role: {name: nested}
        - import_tasks: "inner-{{ flavour }}.yml"
        """,
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {out: WORK, flavour: x}
          tasks:
            - include_tasks: included.yml
        """
    )
    result, rep, _ = lab.run(pb, roles_path=[str(lab.root / "roles")])
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "from-role").read_text() == "role"
    assert (lab.work / "from-inner").read_text() == "inner"


def test_hostvars_of_another_host_are_templated_in_that_hosts_context(make_lab, tmp_path):
    lab = make_lab(
        tmp_path,
        hosts=("h1", "h2"),
        host_vars={
            "h2": {"greeting": '"hi from {{ inventory_hostname }} {{ colour }}"', "colour": "red"}
        },
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - set_fact: {late: "set on {{ inventory_hostname }}"}
            - copy:
                dest: "WORK/{{ inventory_hostname }}"
                content: "{{ hostvars['h2'].greeting }}|{{ hostvars[inventory_hostname]['late'] }}"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "h1").read_text() == "hi from h2 red|set on h1"
