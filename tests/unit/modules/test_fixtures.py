"""Replay the JSON fixtures in tests/fixtures/modules/<module>/*.json without a host:
validated+compiled arguments must produce exactly the recorded ShellCall (or the recorded error).

Fixture shape: {"module", "args", "check_mode", "remote_checksums",
"expected": {"function", "argv", "payloads", "files", "stdin"}} or {"expected_error": "substring"}.
"""

import json
from pathlib import Path

import pytest

from edgeauto.errors import EdgeautoError
from edgeauto.modules.base import CompileContext
from edgeauto.modules.registry import get_module

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "modules"
CASES = sorted(FIXTURES.glob("*/*.json"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_compiles_to_the_recorded_shell_call(path):
    fixture = json.loads(path.read_text())
    module = get_module(fixture["module"])
    ctx = CompileContext(
        check_mode=fixture.get("check_mode", False),
        remote_checksums=fixture.get("remote_checksums", {}),
    )
    if "expected_error" in fixture:
        with pytest.raises(EdgeautoError) as err:
            module.compile(module.validate(fixture["args"], final=True), ctx)
        assert fixture["expected_error"] in str(err.value)
        return
    call = module.compile(module.validate(fixture["args"], final=True), ctx)
    expected = fixture["expected"]
    assert call.function == expected["function"]
    assert call.argv == expected["argv"]
    assert {k: v.decode() for k, v in call.payloads.items()} == expected["payloads"]
    assert call.files == expected["files"]
    assert call.stdin == expected["stdin"]


def test_there_are_fixtures_for_every_remote_core_module():
    assert {p.parent.name for p in CASES} >= {"file", "copy", "lineinfile", "command", "shell"}
