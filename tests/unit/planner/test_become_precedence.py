"""Connection variables (ansible_become*) outrank the become keywords, as in Ansible."""

import pytest

pytestmark = pytest.mark.skipif(
    __import__("shutil").which("sudo") is None or __import__("os").geteuid() != 0,
    reason="needs root and sudo on the controller (scripts/setup.sh installs sudo)",
)

BOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - command: id -un
      become: true
      become_user: nobody
      register: who
    - copy: {dest: "WORK/who-{{ inventory_hostname }}", content: "{{ who.stdout }}"}
"""


def test_inventory_become_user_wins_over_the_task_keyword(make_lab, tmp_path):
    lab = make_lab(tmp_path, host_vars={"h1": {"ansible_become_user": "root"}})
    result, _, _ = lab.run(lab.playbook(BOOK))
    assert result.exit_code == 0
    assert (lab.work / "who-h1").read_text() == "root"


def test_inventory_ansible_become_false_wins_over_become_true(make_lab, tmp_path):
    lab = make_lab(tmp_path, host_vars={"h1": {"ansible_become": "false"}})
    result, _, _ = lab.run(lab.playbook(BOOK))
    assert result.exit_code == 0
    assert (lab.work / "who-h1").read_text() == "root"


def test_without_connection_variables_the_keyword_applies(make_lab, tmp_path):
    lab = make_lab(tmp_path)
    result, _, _ = lab.run(lab.playbook(BOOK))
    assert result.exit_code == 0
    assert (lab.work / "who-h1").read_text() == "nobody"


def test_become_set_in_the_tasks_own_vars_applies_as_in_ansible(make_lab, tmp_path):
    """The slurp target's unreadable-file checks: `vars: {ansible_become: yes,
    ansible_become_user: …}` on the task, no become keyword."""
    lab = make_lab(tmp_path)
    book = BOOK.replace(
        "      become: true\n      become_user: nobody\n",
        "      vars: {ansible_become: yes, ansible_become_user: nobody}\n",
    )
    result, _, _ = lab.run(lab.playbook(book))
    assert result.exit_code == 0
    assert (lab.work / "who-h1").read_text() == "nobody"
