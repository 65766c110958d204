"""The ``remote_user`` keyword on tasks, blocks and plays (the copy target logs in as an
unprivileged user for part of its tasks): a different login user is a different connection,
so its tasks go in a script of their own; ``ansible_user`` in the inventory outranks it, as in
Ansible."""

from edgeauto.errors import EXIT_OK

PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - command: "true"
    - command: "true"
      remote_user: "{{ 'nobody' }}"
    - block:
        - command: "true"
        - command: "true"
      remote_user: someone
    - command: "true"
"""


def test_tasks_of_another_login_user_run_in_a_script_over_their_own_connection(lab):
    result, rep, run = lab.run(lab.playbook(PLAYBOOK))
    assert result.exit_code == EXIT_OK
    assert [calls for _host, calls in rep.scripts] == [1, 1, 2, 1]
    assert sorted(run.states["h1"].login_transports) == ["nobody", "someone"]


def test_ansible_user_in_the_inventory_outranks_the_remote_user_keyword(make_lab, tmp_path):
    lab = make_lab(tmp_path, host_vars={"h1": {"ansible_user": "root"}})
    result, rep, run = lab.run(lab.playbook(PLAYBOOK))
    assert result.exit_code == EXIT_OK
    assert [calls for _host, calls in rep.scripts] == [5]
    assert run.states["h1"].login_transports == {}
