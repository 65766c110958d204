"""Differential tests: the same playbook through ansible-playbook (the oracle, local connection)
and edgeauto must give the same PLAY RECAP counts."""

from __future__ import annotations

import pytest

from .oracle import ANSIBLE, run_both

pytestmark = pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core (oracle) not installed")

PLAYBOOKS = {
    "errors": """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - command: /bin/false
              rescue:
                - debug: {msg: rescued}
              always:
                - debug: {msg: always}
            - command: /bin/false
              ignore_errors: true
            - command: echo hi
              when: false
            - command: echo {{ item }}
              loop: [1, 2]
              when: item == 1
            - command: echo x
              changed_when: false
            - shell: exit 1
              register: r
              failed_when: r.rc > 1
            - debug: {msg: "{{ r.rc }}"}
        """,
    "handlers": """
        - hosts: all
          gather_facts: false
          tasks:
            - file: {path: "WORK/{{ inventory_hostname }}", state: directory}
              notify: [one, topic]
            - command: "true"
              changed_when: false
              notify: one
            - set_fact: {x: 1}
            - assert: {that: [x == 1]}
          handlers:
            - name: one
              command: echo one
            - name: two
              command: echo two
              listen: topic
        """,
    "failure": """
        - hosts: all
          gather_facts: false
          tasks:
            - command: echo before
            - command: "test {{ inventory_hostname }} = h2"
            - command: echo after
        """,
    # meta: end_batch ends the batch for every host; the next batch and play go on
    "end_batch": """
        - hosts: all
          gather_facts: false
          serial: 1
          tasks:
            - command: echo one
            - meta: end_batch
            - command: echo two
          post_tasks:
            - command: echo post
        - hosts: all
          gather_facts: false
          tasks:
            - command: echo play2
        """,
    # evaluated by the batch's first host, it ends the batch for the others too
    "end_batch_decided_by_the_first_host": """
        - hosts: all
          gather_facts: false
          tasks:
            - command: echo one
            - meta: end_batch
              when: inventory_hostname == 'h1'
            - command: echo two
          post_tasks:
            - command: echo post
        """,
    "end_play": """
        - hosts: all
          gather_facts: false
          serial: 1
          tasks:
            - command: echo one
            - meta: end_play
            - command: echo two
        - hosts: all
          gather_facts: false
          tasks:
            - command: echo play2
        """,
    # meta: end_role skips the rest of the role (roles: and include_role alike)
    "end_role": """
        - hosts: all
          gather_facts: false
          roles: [ends_early, plain]
          tasks:
            - command: echo t
            - include_role: {name: ends_early}
            - command: echo t2
        """,
    # a result condition or keyword that cannot be rendered fails the task with that error
    "condition_errors": """
        - hosts: all
          gather_facts: false
          tasks:
            - command: "true"
              changed_when: nope2 > 1
              ignore_errors: true
            - command: "true"
              failed_when: "{{ nope }}"
              ignore_errors: true
            - command: "false"
              ignore_errors: "{{ typo }}"
            - debug: msg=after
            - command: "true"
              changed_when: nope3 > 1
            - debug: msg=never
        """,
    # set_fact in a loop: each item sees what the previous one set
    "set_fact_accumulates_in_a_loop": """
        - hosts: all
          gather_facts: false
          vars: {acc: []}
          tasks:
            - set_fact: {acc: "{{ acc + [item] }}"}
              loop: [1, 2, 3]
            - assert: {that: "acc == [1, 2, 3]"}
        """,
}

FILES = {
    "end_role": {
        "roles/ends_early/tasks/main.yml": "- command: echo r1a\n- meta: end_role\n- command: echo r1b\n",
        "roles/plain/tasks/main.yml": "- command: echo r2\n",
    },
}


@pytest.mark.parametrize("name", sorted(PLAYBOOKS))
def test_recap_counts_match_ansible_playbook(tmp_path, name):
    results = run_both(tmp_path, PLAYBOOKS[name], FILES.get(name, {}))
    assert results["edgeauto"][1] == results["ansible"][1], results["edgeauto"][2]
    assert results["edgeauto"][0] == results["ansible"][0]
