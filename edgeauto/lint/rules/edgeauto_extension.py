"""Keywords edgeauto adds to Ansible's (``serial:`` on a task or handler): fine for edgeauto,
but ansible-playbook refuses the playbook."""

from edgeauto.lint.model import Example, Finding, Rule
from edgeauto.playbook.keywords import EDGEAUTO_TASK_KEYWORDS


def check(file, ctx):
    for task in file.tasks:
        if task.is_block:
            continue
        for key in sorted(EDGEAUTO_TASK_KEYWORDS & {str(k) for k in task.raw}):
            what = "handler" if task.is_handler else "task"
            yield Finding(
                RULE.id,
                f"'{key}' on a {what} is an edgeauto extension: ansible-playbook rejects this "
                f"playbook ('conflicting action statements: …, {key}'); it is no longer "
                "portable to Ansible",
                task.key_pos(key),
            )


RULE = Rule(
    id="edgeauto-extension",
    summary="keywords only edgeauto understands (the playbook no longer runs under Ansible)",
    description=(
        "`serial:` on a task or handler (a rolling restart: the task runs on N hosts at a "
        "time while the rest of the play runs everywhere at once) is an edgeauto extension. "
        "ansible-playbook refuses such a playbook before it runs anything (ansible-core 2.19: "
        "`conflicting action statements: command, serial`). Keep it when the "
        "playbook is edgeauto's only; to stay portable, move the task into a play of its own "
        "with play-level `serial:`, or silence the rule with `# noqa: edgeauto-extension`."
    ),
    check=check,
    fails=(
        Example(
            "- hosts: all\n  tasks:\n    - name: Config\n      copy: {dest: /etc/app.conf, "
            "content: x}\n      notify: Restart\n  handlers:\n    - name: Restart\n"
            "      service: {name: app, state: restarted}\n      serial: 1\n"
        ),
        Example(
            "- hosts: all\n  tasks:\n    - name: Drain\n      command: /usr/local/bin/drain\n"
            "      changed_when: false\n      serial: 30%\n"
        ),
    ),
    passes=(
        Example(
            "- hosts: all\n  serial: 1\n  tasks:\n    - name: Restart\n"
            "      service: {name: app, state: restarted}\n"
        ),
    ),
)
