"""Differential test: our filters/tests render exactly what ansible-core renders.

ansible-core (installed in the venv as a test oracle only) renders the whole case table once
per session in a subprocess (see ``ansible_oracle.py``); each case is then rendered by our
Templar and compared as JSON (native types included: an int must stay an int).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.errors import EdgeautoError
from edgeauto.templating import OMIT, Templar

from .oracle_cases import BASE, CASES

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def ansible_results() -> dict[str, dict]:
    pytest.importorskip("ansible", reason="ansible-core is the oracle for these tests")
    payload = [{"template": tpl, "vars": {**BASE, **extra}} for _, tpl, extra in CASES]
    proc = subprocess.run(
        [sys.executable, str(HERE / "ansible_oracle.py")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    results = json.loads(proc.stdout)
    return {name: res for (name, _, _), res in zip(CASES, results, strict=True)}


def _ours(template: str, variables: dict) -> dict:
    try:
        value = Templar(variables).render(template)
    except EdgeautoError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"ok": json.loads(json.dumps(value, default=str))}


def test_case_table_is_large_and_unique():
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 80


@pytest.mark.parametrize("name,template,extra", CASES, ids=[c[0] for c in CASES])
def test_filter_output_matches_ansible(ansible_results, name, template, extra):
    expected = ansible_results[name]
    ours = _ours(template, {**BASE, **extra})
    if "error" in expected:
        assert "error" in ours, f"ansible failed ({expected['error']}) but we rendered {ours}"
        return
    assert "ok" in ours, f"we failed: {ours.get('error')}; ansible gave {expected['ok']!r}"
    got = ours["ok"]
    want = expected["ok"]
    if isinstance(want, str) and "__omit_place_holder__" in want:
        assert got == OMIT or OMIT in str(got)
        return
    assert got == want
    assert type(got) is type(want)
