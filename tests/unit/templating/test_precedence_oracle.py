"""Our layer order checked against ansible-playbook itself (test oracle).

One project where every adjacent pair of layers (i, i+1) defines the variable ``p<i>``; the
lower layer says its name, the higher one too. ansible-playbook prints which one won for each
pair; it must be the layer our :data:`LAYERS` ranks higher. ``host_facts`` and
``play_vars_prompt`` are left out (they need a gathered host / a terminal); their neighbours
are paired with each other instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from edgeauto.templating.variables import LAYERS, VarLayers

ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
TESTED = [name for name in LAYERS if name not in ("host_facts", "play_vars_prompt")]
PAIRS = list(zip(TESTED, TESTED[1:], strict=False))


def _values_for(layer: str) -> dict[str, str]:
    """The p<i> variables a layer defines: as the low side of its pair and the high side."""
    out = {}
    for i, (low, high) in enumerate(PAIRS):
        if layer in (low, high):
            out[f"p{i}"] = layer
    return out


def _dump(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data))


def _project(root: Path) -> tuple[Path, Path]:
    inv, pb = root / "inv", root / "pb"
    _dump(
        inv / "hosts.yml",
        {
            "all": {
                "children": {
                    "g": {
                        "hosts": {
                            "h": {
                                "ansible_connection": "local",
                                "ansible_python_interpreter": sys.executable,
                                **_values_for("inventory_file_host_vars"),
                            }
                        },
                        "vars": _values_for("inventory_file_group_vars"),
                    }
                }
            }
        },
    )
    _dump(inv / "group_vars" / "all.yml", _values_for("inventory_group_vars_all"))
    _dump(inv / "group_vars" / "g.yml", _values_for("inventory_group_vars"))
    _dump(inv / "host_vars" / "h.yml", _values_for("inventory_host_vars"))
    _dump(pb / "group_vars" / "all.yml", _values_for("playbook_group_vars_all"))
    _dump(pb / "group_vars" / "g.yml", _values_for("playbook_group_vars"))
    _dump(pb / "host_vars" / "h.yml", _values_for("playbook_host_vars"))
    _dump(pb / "vf.yml", _values_for("play_vars_files"))
    role = pb / "roles" / "r"
    _dump(role / "defaults" / "main.yml", _values_for("role_defaults"))
    _dump(role / "vars" / "main.yml", _values_for("role_vars"))
    _dump(role / "vars" / "inc.yml", _values_for("include_vars"))
    names = [f"p{i}" for i in range(len(PAIRS))]
    report = "{{ {" + ", ".join(f"'{n}': {n}" for n in names) + "} }}"
    _dump(
        role / "tasks" / "main.yml",
        [
            {"include_vars": "inc.yml"},
            {"set_fact": _values_for("set_facts")},
            {"include_tasks": "inner.yml", "vars": _values_for("include_params")},
        ],
    )
    _dump(
        role / "tasks" / "inner.yml",
        [
            {
                "block": [{"debug": {"msg": report}, "vars": _values_for("task_vars")}],
                "vars": _values_for("block_vars"),
            }
        ],
    )
    _dump(
        pb / "site.yml",
        [
            {
                "hosts": "g",
                "gather_facts": False,
                "vars": _values_for("play_vars"),
                "vars_files": ["vf.yml"],
                "roles": [{"role": "r", **_values_for("role_params")}],
            }
        ],
    )
    return inv, pb


@pytest.fixture(scope="module")
def ansible_winners(tmp_path_factory) -> dict[str, str]:
    if not ANSIBLE_PLAYBOOK.exists():
        pytest.skip("ansible-playbook (oracle) missing")
    inv, pb = _project(tmp_path_factory.mktemp("precedence"))
    extra = json.dumps(_values_for("extra_vars"))
    env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "default", "ANSIBLE_NOCOLOR": "1"}
    env.pop("ANSIBLE_CONFIG", None)
    res = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inv), str(pb / "site.yml"), "-e", extra],
        capture_output=True, stdin=subprocess.DEVNULL, text=True, env=env, cwd=pb, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    decoder = json.JSONDecoder()
    for chunk in res.stdout.split("ok: [h] => ")[1:]:
        shown, _ = decoder.raw_decode(chunk)
        msg = shown.get("msg")
        if isinstance(msg, dict) and "p0" in msg:
            return msg
    raise AssertionError("debug output not found: " + res.stdout[-2000:])


@pytest.mark.parametrize("index", range(len(PAIRS)), ids=[f"{lo}<{hi}" for lo, hi in PAIRS])
def test_higher_layer_wins_in_ansible_and_in_ours(ansible_winners, index):
    low, high = PAIRS[index]
    assert ansible_winners[f"p{index}"] == high, f"ansible ranks {low} above {high}"
    ours = VarLayers({low: {"v": low}, high: {"v": high}}).compose()["v"]
    assert ours == high
