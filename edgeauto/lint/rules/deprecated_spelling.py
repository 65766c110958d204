"""Spellings Ansible deprecated or removed, with the current one (fixable where the
replacement means the same)."""

from edgeauto.lint.model import Example, Finding, Fix, Rule
from edgeauto.lint.rules._actions import is_package_module
from edgeauto.yamlsrc import position_of

RENAMED_KEYS = {  # old task/play key -> its replacement (same meaning)
    "sudo": "become",
    "sudo_user": "become_user",
    "include": "include_tasks",
}
ADVICE_KEYS = {  # old key -> what to write instead (not a plain rename)
    "always_run": "check_mode: false",
    "su": "become: true with become_method: su",
    "su_user": "become_user with become_method: su",
    "local_action": "the module as the task's action with delegate_to: localhost",
}
RENAMED_STATES = {"installed": "present", "removed": "absent"}


def check(file, ctx):
    for play in file.plays:
        yield from _keys(play, file, task=False)
    for task in file.tasks:
        yield from _keys(task, file, task=True)
        state = task.args.get("state")
        if is_package_module(task.action) and state in RENAMED_STATES:
            new = RENAMED_STATES[state]
            pos = position_of(state)
            fix = Fix(pos.file, pos.line, pos.col, str(state), new) if pos and pos.col else None
            yield Finding(
                RULE.id,
                f"state: {state} is the old spelling of state: {new}",
                pos or task.pos,
                fix=fix,
            )


def _keys(node, file, task: bool):
    for key in node.raw:
        pos = node.key_pos(key) if task else _play_key_pos(node, key)
        if key in RENAMED_KEYS and (task or key != "include"):
            new = RENAMED_KEYS[key]
            fix = Fix(pos.file, pos.line, pos.col, key, new) if pos.col else None
            yield Finding(RULE.id, f"'{key}' is deprecated: use '{new}'", pos, fix=fix)
        elif key in ADVICE_KEYS:
            yield Finding(RULE.id, f"'{key}' is deprecated: use {ADVICE_KEYS[key]}", pos)


def _play_key_pos(play, key):
    pos_of = getattr(play.raw, "pos_of", None)
    return (pos_of(key) if pos_of else None) or play.pos


RULE = Rule(
    id="deprecated-spelling",
    summary="use the current spelling of keywords and states",
    description=(
        "Ansible removed `sudo`/`sudo_user` (use `become`/`become_user`), `include` (use "
        "`include_tasks` or `import_tasks`), `always_run` (use `check_mode: false`) and "
        "discourages `local_action` and the package states `installed`/`removed` (use "
        "`present`/`absent`). `edgeauto lint --fix` rewrites the plain renames in place."
    ),
    check=check,
    fails=(
        Example(
            "- name: Old\n  hosts: all\n  sudo: true\n  tasks:\n    - name: Ping\n      ping:\n"
        ),
        Example(
            "- name: Pkg\n  apt:\n    name: curl\n    state: installed\n", "roles/x/tasks/main.yml"
        ),
    ),
    passes=(
        Example(
            "- name: New\n  hosts: all\n  become: true\n  tasks:\n    - name: Ping\n      ping:\n"
        ),
    ),
    fixable=True,
)
