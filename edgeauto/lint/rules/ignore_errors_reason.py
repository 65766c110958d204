"""ignore_errors: true without a reason."""

from edgeauto.lint.model import Example, Finding, Rule
from edgeauto.lint.noqa import trailing_comment


def check(file, ctx):
    for task in file.tasks:
        value = task.raw.get("ignore_errors")
        if value is not True and str(value).lower() not in ("yes", "true"):
            continue  # false, or a template such as "{{ ansible_check_mode }}"
        if "register" in task.raw:
            continue  # the result is kept to be looked at
        pos = task.key_pos("ignore_errors")
        if trailing_comment(file.lines, pos.line):
            continue
        yield Finding(
            RULE.id,
            "ignore_errors without a reason hides real failures: say why in a comment on "
            "that line, register the result and check it, or use failed_when",
            pos,
        )


RULE = Rule(
    id="ignore-errors-reason",
    summary="ignoring errors needs a reason",
    description=(
        "`ignore_errors: true` turns every failure of the task — including the ones nobody "
        "expected — into a green run. Write the reason as a comment on the same line "
        "(`ignore_errors: true  # absent on first boot`), or register the result and decide "
        "with `failed_when`, which names exactly the failure that is acceptable."
    ),
    check=check,
    fails=(
        Example(
            "- hosts: all\n  tasks:\n    - name: Stop old\n      command: /opt/old/stop\n"
            "      changed_when: false\n      ignore_errors: true\n"
        ),
    ),
    passes=(
        Example(
            "- hosts: all\n  tasks:\n    - name: Stop old\n      command: /opt/old/stop\n"
            "      changed_when: false\n      ignore_errors: true  # not installed everywhere\n"
        ),
        Example(
            "- hosts: all\n  tasks:\n    - name: Probe\n      command: /opt/probe\n"
            "      changed_when: false\n      register: probe\n      ignore_errors: true\n"
        ),
    ),
)
