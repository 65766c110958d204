"""Plays and tasks without a name."""

from edgeauto.lint.model import Example, Finding, Rule


def check(file, ctx):
    for play in file.plays:
        if not play.raw.get("name"):
            yield Finding(RULE.id, "play has no name: the output and reports show 'all'", play.pos)
    for task in file.tasks:
        if task.is_block or task.raw.get("name"):
            continue
        yield Finding(
            RULE.id,
            f"task has no name: output, --start-at-task and reports only show '{task.action}'",
            task.pos,
        )


RULE = Rule(
    id="name-missing",
    summary="plays and tasks should have names",
    description=(
        "Names are what the output, the run report, `--start-at-task` and `--step` show. "
        "Without one a task is only its module name, and two `copy` tasks cannot be told "
        "apart in a failed run's log. Blocks need no name."
    ),
    check=check,
    fails=(Example("- hosts: all\n  tasks:\n    - ping:\n"),),
    passes=(
        Example(
            "- name: Check\n  hosts: all\n  tasks:\n    - block:\n"
            "        - name: Ping\n          ping:\n"
        ),
    ),
)
