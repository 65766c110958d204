"""``remote/ansible_module.sh`` under dash and BusyBox sh on this machine: an Ansible module
packaged by ansible-core converges, predicts in check mode, changes nothing the second time;
several tasks share one copy of the module in the script; a failed module stops the script
where ansible-playbook would stop; a ``WANT_JSON`` shell module needs no Python at all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from edgeauto.modules.base import CompileContext
from edgeauto.modules.fallback import find_module, module_for
from edgeauto.remote.builder import TaskInvocation, build_script, new_nonce
from edgeauto.remote.framing import parse_run
from edgeauto.remote.localrun import SHELLS, busybox_path_dir

pytest.importorskip("ansible", reason="ansible-core (the packager) is not installed")
MARKER = Path(__file__).resolve().parents[1] / "integration" / "fallback" / "ea_marker.py"
SH_MODULE = """#!/bin/sh
# WANT_JSON
if grep -q '"fail": *true' "$1"; then
    echo '{"failed": true, "msg": "asked to fail"}'
    exit 1
fi
echo '{"changed": true, "msg": "from sh"}'
"""


def run(shell, library: Path, tasks, tmp_path, busybox_only=False):
    """(results, script) of one script holding ``tasks`` = [(module, args, check)]."""
    nonce = new_nonce()
    invocations, compiled = [], []
    for number, (name, args, check) in enumerate(tasks):
        module = module_for(find_module(name, [library]))
        ctx = CompileContext(
            check_mode=check,
            diff=True,
            host="local",
            task_vars={"ansible_python_interpreter": sys.executable},
        )
        call = module.compile(args, ctx)
        compiled.append((module, args, ctx))
        invocations.append(TaskInvocation(f"t{number}", call, check=check, diff=True))
    script = build_script(invocations, nonce=nonce)
    env = None
    if busybox_only:
        env = {"PATH": str(busybox_path_dir(tmp_path)), "HOME": str(tmp_path)}
    proc = subprocess.run(SHELLS[shell], input=script, capture_output=True, env=env)
    parsed = parse_run(proc.stdout, nonce, [i.task_id for i in invocations])
    by_id = {r.task_id: r for r in parsed.records}
    results = []
    for inv, (module, args, ctx) in zip(invocations, compiled, strict=True):
        record = by_id.get(inv.task_id)
        results.append(None if record is None else module.finish(record.as_dict(), args, ctx))
    return results, script


@pytest.fixture
def library(tmp_path):
    lib = tmp_path / "library"
    lib.mkdir()
    (lib / "ea_marker.py").write_text(MARKER.read_text())
    (lib / "ea_shmod").write_text(SH_MODULE)
    return lib


def test_a_packaged_module_converges_predicts_and_is_idempotent(shell, library, tmp_path):
    target = tmp_path / "out.txt"
    args = {"path": str(target), "content": "hello\n"}
    (check,), _ = run(shell, library, [("ea_marker", args, True)], tmp_path)
    assert check["changed"] is True and check["diff"] == {"before": "", "after": "hello\n"}
    assert not target.exists()
    (real,), _ = run(shell, library, [("ea_marker", args, False)], tmp_path)
    assert real["changed"] is True and target.read_text() == "hello\n"
    assert real["invocation"]["module_args"]["path"] == str(target)
    (again,), _ = run(shell, library, [("ea_marker", args, False)], tmp_path)
    assert again["changed"] is False and again["failed"] is False


def test_tasks_share_one_copy_of_the_module_and_a_failure_stops_the_script(
    shell, library, tmp_path
):
    one = {"path": str(tmp_path / "one"), "content": "1"}
    bad = {"path": str(tmp_path / "bad"), "bogus": True}
    three = {"path": str(tmp_path / "three"), "content": "3"}
    tasks = [("ea_marker", one, False), ("ea_marker", bad, False), ("ea_marker", three, False)]
    results, script = run(shell, library, tasks, tmp_path)
    (alone,), single = run(shell, library, [("ea_marker", one, False)], tmp_path)
    assert len(script) < len(single) * 1.2  # the module travels once
    assert results[0]["changed"] is True
    assert results[1]["failed"] is True and "bogus" in results[1]["msg"]
    assert results[2] is None or results[2].get("not_run")
    assert not (tmp_path / "three").exists()


def test_a_want_json_shell_module_runs_without_python(library, tmp_path):
    if shutil.which("busybox") is None:
        pytest.skip("busybox is not installed")
    tasks = [("ea_shmod", {}, False), ("ea_shmod", {"fail": True}, False)]
    results, _ = run("busybox", library, tasks, tmp_path, busybox_only=True)
    assert results[0]["changed"] is True and results[0]["msg"] == "from sh"
    assert results[1]["failed"] is True and results[1]["msg"] == "asked to fail"


GREET = """#!/usr/bin/python3
from ansible.module_utils.basic import AnsibleModule
from ansible_collections.acme.tools.plugins.module_utils.words import hello


def main():
    module = AnsibleModule({"who": {"type": "str", "required": True}}, supports_check_mode=True)
    said = hello(module.params["who"])
    module.exit_json(changed=False, greeting=said, ansible_facts={"acme_greeting": said})


main()
"""


@pytest.mark.parametrize("where", ["ANSIBLE_COLLECTIONS_PATH", "next to the playbook"])
def test_a_collection_module_with_its_module_utils_runs_through_the_cli(tmp_path, where):
    """``ANSIBLE_COLLECTIONS_PATH`` or the playbook's ``collections/``, as ansible-playbook
    reads them; the collection's own module_utils travel inside the package ansible-core
    builds."""
    top = "colls" if where == "ANSIBLE_COLLECTIONS_PATH" else "collections"
    coll = tmp_path / top / "ansible_collections" / "acme" / "tools"
    (coll / "plugins" / "modules").mkdir(parents=True)
    (coll / "plugins" / "module_utils").mkdir()
    (coll / "plugins" / "modules" / "greet.py").write_text(GREET)
    (coll / "plugins" / "module_utils" / "words.py").write_text(
        "def hello(who):\n    return 'hello ' + who\n"
    )
    site = tmp_path / "site.yml"
    site.write_text(
        textwrap.dedent(
            """\
            - hosts: localhost
              gather_facts: false
              tasks:
                - name: greet
                  acme.tools.greet: {who: edge}
                  register: said
                - debug: {msg: "{{ said.greeting }}"}
                - debug: {msg: "{{ ansible_facts.acme_greeting }}"}
            """
        )
    )
    env = dict(os.environ, NO_COLOR="1")
    if where == "ANSIBLE_COLLECTIONS_PATH":
        env["ANSIBLE_COLLECTIONS_PATH"] = str(tmp_path / "colls")
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}", str(site), "--json",
         "--no-retry-file"],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    printed = [
        h["msg"] for e in doc["plays"][0]["tasks"] for h in e["hosts"].values() if "msg" in h
    ]
    assert printed == ["hello edge", "hello edge"]  # the module's facts are the host's


NO_CHECK = """#!/usr/bin/python3
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule({}, supports_check_mode=False)
module.warn("careful")
module.deprecate("old stuff", version="9.9")
module.exit_json(changed=True)
"""


def test_a_module_without_check_mode_support_is_skipped_in_check_mode(shell, library, tmp_path):
    (library / "ea_nocheck.py").write_text(NO_CHECK)
    (checked,), _ = run(shell, library, [("ea_nocheck", {}, True)], tmp_path)
    assert checked["skipped"] is True and checked["changed"] is False
    assert "does not support check mode" in checked["msg"]
    (real,), _ = run(shell, library, [("ea_nocheck", {}, False)], tmp_path)
    assert real["changed"] is True and real["warnings"] == ["careful"]  # as ansible-playbook
    assert real["deprecations"] == [
        {
            "collection_name": "ansible.legacy",
            "deprecator": {"resolved_name": "ansible.legacy.ea_nocheck", "type": "module"},
            "msg": "old stuff",
            "version": "9.9",
        }
    ]
