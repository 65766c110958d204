"""Task normalisation equals Ansible's ModuleArgsParser (ansible-core as the oracle).

For each task form (k=v strings, free-form commands, ``args:``, ``action:``,
``local_action:``, FQCNs, includes) the action, the arguments and delegate_to must match what
Ansible computes, except for one documented renaming: free text that Ansible keeps in
``_raw_params`` is stored under the module's free-form option (``cmd`` for command/shell,
``file`` for include_tasks …).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from edgeauto.playbook import load_playbook
from edgeauto.playbook.actions import get_module
from edgeauto.playbook.taskaction import RAW_PARAM_TARGET

TASKS = [
    {"copy": "src=a.txt dest=/tmp/b"},
    {"copy": 'src=a.txt dest="/tmp/with space"'},
    {"shell": "echo hi > /tmp/x chdir=/tmp"},
    {"shell": "echo 'a=b' | tee f creates=/tmp/f"},
    {"command": "echo a=b creates=/x removes=/y"},
    {"command": "/bin/echo {{ item | default('x y') }}"},
    {"command": {"cmd": "ls", "chdir": "/tmp"}},
    {"command": "ls -l", "args": {"chdir": "/tmp"}},
    {"file": {"path": "/x"}, "args": {"state": "touch", "path": "/y"}},
    {"file": "path=/tmp/{{ item }} state=directory mode=0755"},
    {"file": None, "args": {"path": "/z", "state": "absent"}},
    {"action": "file path=/x state=touch"},
    {"action": "command echo from action"},
    {"local_action": "command echo hi"},
    {"local_action": "file path=/tmp/l state=touch"},
    {"ansible.builtin.command": "ls"},
    {"ansible.legacy.shell": "ls | wc -l"},
    {"ansible.builtin.file": {"path": "/a", "state": "absent"}},
    {"include_tasks": "x.yml"},
    {"import_tasks": "x.yml"},
    {"include_tasks": {"file": "y.yml"}},
    {"set_fact": "a=1 b='two words'"},
    {"meta": "flush_handlers"},
    {"debug": "msg='hello world'"},
    {"debug": {"var": "x"}},
    {"lineinfile": 'path=/etc/hosts line="127.0.0.1 a" state=present'},
    {"template": "src=t.j2 dest=/etc/t mode=0644"},
    {"shell": "for i in 1 2; do\n  echo $i\ndone\n"},
]


def _oracle() -> list:
    script = Path(__file__).with_name("mod_args_oracle.py")
    try:
        import ansible  # noqa: F401
    except ImportError:
        pytest.skip("ansible-core (test oracle) is not installed")
    result = subprocess.run(
        [sys.executable, str(script)],
        input=json.dumps(TASKS),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def _ours(tmp_path) -> list:
    (tmp_path / "x.yml").write_text("- command: /bin/true\n")
    (tmp_path / "y.yml").write_text("- command: /bin/true\n")
    path = tmp_path / "pb.yml"
    path.write_text(yaml.safe_dump([{"hosts": "all", "tasks": TASKS}], sort_keys=False))
    play = load_playbook(path).plays[0]
    out = []
    for node in play.tasks:
        if node.__class__.__name__ == "Block":  # import_tasks, expanded at load time
            out.append(["import_tasks", {"file": "x.yml"}, None])
            continue
        args = {k: str(v) for k, v in node.args.items()}
        out.append([node.action, args, node.delegate_to])
    return out


def _renamed(action: str, args: dict) -> dict:
    """Ansible's args with our documented free-form renaming applied."""
    module = get_module(action)
    target = RAW_PARAM_TARGET.get(action) or (module.spec.free_form if module else None)
    if "_raw_params" in args and target and target != "_raw_params" and target not in args:
        args = dict(args)
        args[target] = args.pop("_raw_params")
    return args


def test_task_forms_normalise_like_ansible(tmp_path):
    expected = [[a, _renamed(a, args), d] for a, args, d in _oracle()]
    ours = _ours(tmp_path)
    for task, want, got in zip(TASKS, expected, ours, strict=True):
        assert got == want, f"task {task!r}"
