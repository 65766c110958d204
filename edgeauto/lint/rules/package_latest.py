"""Package modules with state: latest."""

from edgeauto.lint.model import Example, Finding, Rule
from edgeauto.lint.rules._actions import is_package_module


def check(file, ctx):
    for task in file.tasks:
        if is_package_module(task.action) and task.args.get("state") == "latest":
            yield Finding(
                RULE.id,
                "state: latest upgrades whenever a new version appears: runs stop being "
                "repeatable; pin a version or use state: present",
                task.key_pos(task.action) if task.action in task.raw else task.pos,
            )


RULE = Rule(
    id="package-latest",
    summary="packages should not be installed with state: latest",
    description=(
        "`state: latest` installs whatever the mirror has today: two runs of the same "
        "playbook give different hosts, and an edge site that syncs late gets a different "
        "version than the rest of the fleet. Pin versions (`name: nginx=1.22*`) or use "
        "`state: present` and upgrade in a deliberate, rolled-out run."
    ),
    check=check,
    fails=(
        Example(
            "- hosts: all\n  tasks:\n    - name: Nginx\n      apt: {name: nginx, state: latest}\n"
        ),
    ),
    passes=(
        Example(
            "- hosts: all\n  tasks:\n    - name: Nginx\n      apt: {name: nginx, state: present}\n"
        ),
    ),
)
