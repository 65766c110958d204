"""Check mode fails exactly where the real run fails (issue 14, defect 1): a template error in
``--check`` is a failed task with the error, as in ``ansible-playbook --check``, never a silent
"skipping". The one exception is honest, not hidden: a value that only a real run produces (the
output of a command check mode did not run) makes a task that reads it "cannot be predicted".
"""

from __future__ import annotations

import pytest

from .oracle import ANSIBLE, run_both

pytestmark = pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core (oracle) not installed")

TEMPLATE_ERRORS = {
    "undefined_variable": """
        - hosts: all
          gather_facts: false
          tasks:
            - debug: {msg: "{{ nope }}"}
            - debug: {msg: never reached}
        """,
    "unknown_filter": """
        - hosts: all
          gather_facts: false
          tasks:
            - debug: {msg: "{{ 1 | no_such_filter }}"}
        """,
    "undefined_in_when": """
        - hosts: all
          gather_facts: false
          tasks:
            - file: {path: WORK/x, state: touch}
              when: nope
        """,
    "self_reference": """
        - hosts: all
          gather_facts: false
          vars:
            loop_var: "{{ loop_var }}"
          tasks:
            - debug: {msg: "{{ loop_var }}"}
        """,
    "jinja_error_in_template_file": """
        - hosts: all
          gather_facts: false
          tasks:
            - template: {src: broken.j2, dest: WORK/out}
        """,
    "undefined_in_template_file": """
        - hosts: all
          gather_facts: false
          tasks:
            - template: {src: undefined.j2, dest: WORK/out}
        """,
    "undefined_in_copy_content": """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {content: "{{ nope }}", dest: WORK/out}
        """,
}
FILES = {"broken.j2": "{% if %}\n", "undefined.j2": "a {{ missing_var }}\n"}


@pytest.mark.parametrize("name", sorted(TEMPLATE_ERRORS))
def test_a_template_error_fails_check_mode_as_ansible_playbook_check_does(tmp_path, name):
    results = run_both(tmp_path, TEMPLATE_ERRORS[name], FILES, extra=("--check",))
    code, counts, output = results["edgeauto"]
    assert counts == results["ansible"][1], output
    assert all(c[3] == 1 for c in counts.values()), output  # failed=1 on each host
    assert code == results["ansible"][0] == 2, output


def test_a_value_only_the_real_run_produces_is_reported_as_unpredictable(tmp_path):
    playbook = """
        - hosts: all
          gather_facts: false
          tasks:
            - command: {argv: [echo, '{"x": 1}']}
              register: r
            - debug: {msg: "{{ (r.stdout | from_json).x }}"}
            - debug: {msg: "{{ nope }}"}
        """
    results = run_both(tmp_path, playbook, {}, extra=("--check",))
    code, counts, output = results["edgeauto"]
    # ok, changed, unreachable, failed, skipped: the command predicted, the reader not
    # predictable (skipped, says why), the undefined variable a real failure
    assert counts["h1"][:5] == (1, 1, 0, 1, 1), output
    assert code == 2, output
