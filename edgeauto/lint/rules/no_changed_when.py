"""command/shell/raw without creates, removes or changed_when: always reports changed."""

from edgeauto.lint.model import Example, Finding, Rule
from edgeauto.lint.rules._actions import short_name

COMMANDS = {"command", "shell", "raw"}


def check(file, ctx):
    for task in file.tasks:
        if short_name(task.action) not in COMMANDS:
            continue
        if "changed_when" in task.raw or {"creates", "removes"} & set(task.args):
            continue
        yield Finding(
            RULE.id,
            f"{short_name(task.action)} always reports 'changed': add creates/removes or "
            "changed_when so a converged run reports changed=0",
            task.pos,
        )


RULE = Rule(
    id="no-changed-when",
    summary="commands should say when they change something",
    description=(
        "A command, shell or raw task reports `changed` on every run, so a converged host "
        "never shows changed=0 and handlers it notifies always run. Tell the engine when the "
        "command does change something: `creates:`/`removes:` (it then also skips when "
        "there is nothing to do), or `changed_when:` on its registered result."
    ),
    check=check,
    fails=(
        Example("- hosts: all\n  tasks:\n    - name: Build\n      command: make install\n"),
        Example("- name: Restart\n  shell: systemctl restart app\n", "roles/app/tasks/main.yml"),
    ),
    passes=(
        Example(
            "- hosts: all\n  tasks:\n    - name: Build\n      command: make install\n"
            "      args: {creates: /usr/local/bin/app}\n"
        ),
        Example(
            "- name: Check\n  command: app --version\n  register: out\n  changed_when: false\n",
            "roles/app/tasks/main.yml",
        ),
    ),
)
