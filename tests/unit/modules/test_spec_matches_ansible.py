"""Argument names, aliases, defaults and choices match ansible-core's modules of the same name
(ansible-doc is the oracle; skipped when ansible-core is not installed)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.modules.registry import all_modules
from edgeauto.modules.spec import to_bool

ANSIBLE_DOC = Path(sys.executable).parent / "ansible-doc"
if not ANSIBLE_DOC.exists() and shutil.which("ansible-doc"):
    ANSIBLE_DOC = Path(shutil.which("ansible-doc"))

# Every module that names an Ansible oracle (ModuleSpec.oracle), derived so none is forgotten.
ORACLE_MODULES = sorted(
    name for name, module in all_modules().items() if module.spec.oracle == "ansible.builtin"
)
# Ansible-type → the types we accept for it (ours may be looser, never stricter).
TYPE_OK = {
    "str": {"str", "raw", "octal_or_str"},
    "path": {"path", "str"},
    "raw": {"raw", "str"},
    "bool": {"bool"},
    "int": {"int"},
    "list": {"list", "raw"},  # raw: an action plugin's list taken as given (assert's that)
    "dict": {"dict"},
}


@pytest.fixture(scope="module")
def docs():
    if not ANSIBLE_DOC.exists():
        pytest.skip("ansible-core (test oracle) is not installed")
    names = [f"ansible.builtin.{m}" for m in ORACLE_MODULES]
    proc = subprocess.run(
        [str(ANSIBLE_DOC), "-j", *names],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        check=True,
    )
    return {k.split(".")[-1]: v["doc"] for k, v in json.loads(proc.stdout).items()}


@pytest.mark.parametrize("name", ORACLE_MODULES)
def test_module_options_match_ansible(docs, name):
    ours = all_modules()[name].spec
    theirs = docs[name].get("options", {})
    problems = []
    for opt_name, opt in theirs.items():
        if name in ("command", "shell") and opt_name == "free_form":
            continue
        if name == "meta" and opt_name == "free_form":
            mine = ours.options.get("free_form")
            if mine is None or set(mine.choices) != set(opt["choices"]):
                problems.append("meta choices differ")
            continue
        mine = ours.options.get(opt_name)
        if mine is None:
            problems.append(f"missing option {opt_name}")
            continue
        if set(opt.get("aliases") or []) - set(mine.aliases):
            problems.append(f"{opt_name}: aliases {opt.get('aliases')} vs {mine.aliases}")
        if mine.type not in TYPE_OK.get(opt.get("type", "str"), {opt.get("type")}):
            problems.append(f"{opt_name}: type {opt.get('type')} vs {mine.type}")
        default = opt.get("default")
        bool_doc = opt.get("type") == "bool" or (mine.type == "bool" and "type" not in opt)
        if bool_doc and isinstance(default, str):
            # some docs write `default: "no"`, some leave out `type: bool` (getent's fail_key)
            default = to_bool(default)
        if (
            default is not None
            and mine.default != default
            and not (opt.get("type") == "list" and mine.default == [default])
        ):
            problems.append(f"{opt_name}: default {default!r} vs {mine.default!r}")
        if opt.get("choices") and set(opt["choices"]) != set(mine.choices or ()):
            problems.append(f"{opt_name}: choices {opt['choices']} vs {mine.choices}")
        # package/service: their action plugins hand the task to a backend module, whose own
        # rules apply (service's name is optional for systemd's daemon_reload)
        relaxed = ("set_fact", "package", "service")
        if opt.get("required") and not mine.required and name not in relaxed:
            problems.append(f"{opt_name}: required in ansible")
    assert not problems, problems
