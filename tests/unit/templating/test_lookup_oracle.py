"""File-searching lookups compared with ansible-playbook itself (test oracle).

The same role task renders the same lookups under ansible-playbook and under our Templar with
search path [role dir, playbook dir]; the results must be equal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.templating import Templar

ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"

EXPRESSIONS = {
    "role_file_wins": "{{ lookup('file', 'motd') }}",
    "playbook_files_fallback": "{{ lookup('file', 'only_pb.txt') }}",
    "playbook_dir_fallback": "{{ lookup('file', 'beside.txt') }}",
    "template_in_role": "{{ lookup('template', 'site.j2') }}",
    "fileglob_names": "{{ query('fileglob', 'conf.d/*.conf') | map('basename') | sort }}",  # ansible: directory order
    "first_found_role_dir": "{{ lookup('first_found', ['nope.yml', 'in_role.cfg']) | basename }}",
    "first_found_playbook_dir": "{{ lookup('first_found', ['nope.yml', 'beside.txt']) | dirname | basename }}",
    "first_found_prefixed": "{{ lookup('first_found', ['files/motd']) | dirname | dirname | basename }}",
    "file_prefixed": "{{ lookup('file', 'files/only_pb.txt') }}",
}


def _project(root: Path) -> tuple[Path, Path]:
    pb = root / "pb"
    role = pb / "roles" / "r"
    for d in (pb / "files" / "conf.d", role / "files", role / "templates", role / "tasks"):
        d.mkdir(parents=True)
    (pb / "files" / "motd").write_text("playbook motd\n")
    (pb / "files" / "only_pb.txt").write_text("pb only\n")
    (pb / "beside.txt").write_text("beside\n")
    (role / "files" / "motd").write_text("role motd\n")
    (role / "in_role.cfg").write_text("x")
    for name in ("b.conf", "a.conf", "c.txt"):
        (pb / "files" / "conf.d" / name).write_text(name)
    (role / "templates" / "site.j2").write_text(
        "{% for p in ports %}\nlisten {{ p }}\n{% endfor %}\n"
    )
    report = (
        "{{ {" + ", ".join(f"'{k}': {v[2:-2].strip()}" for k, v in EXPRESSIONS.items()) + "} }}"
    )
    (role / "tasks" / "main.yml").write_text(json.dumps([{"debug": {"msg": report}}]))
    (pb / "site.yml").write_text(
        json.dumps(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "vars": {"ports": [80, 443]},
                    "roles": ["r"],
                }
            ]
        )
    )
    return pb, role


def test_file_lookups_search_like_ansible(tmp_path):
    if not ANSIBLE_PLAYBOOK.exists():
        pytest.skip("ansible-playbook (oracle) missing")
    pb, role = _project(tmp_path)
    env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "default", "ANSIBLE_NOCOLOR": "1"}
    env.pop("ANSIBLE_CONFIG", None)
    res = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", str(pb / "site.yml")],
        capture_output=True, stdin=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    shown, _ = json.JSONDecoder().raw_decode(res.stdout.split("ok: [localhost] => ")[1])
    theirs = shown["msg"]
    t = Templar({"ports": [80, 443]}, basedir=pb, search_paths=[role])
    ours = {k: t.render(v) for k, v in EXPRESSIONS.items()}
    assert ours == theirs
