"""Replay the JSON fixtures in tests/fixtures/modules/<module>/*.json without a host:
validated+compiled arguments must produce exactly the recorded shell call (or the recorded error).

Fixture shape (pyinfra's "args + facts in → commands out")::

    {"module", "args", "check_mode", "remote_checksums",
     "call": {"function": "ea_copy", "args": {"dest": "/etc/motd", ...}, "payloads", "stdin"}}

or ``{"expected_error": "substring"}``. ``call.args`` names the shell function's parameters
(declared once in the module's ``ShellFunction``); parameters equal to their declared default
are left out, ``payloads`` ({} when absent) and ``stdin`` (null when absent) are optional.
The names are mapped through the declaration to the positional argv the builder sends.
"""

import json
from pathlib import Path

import pytest

from edgeauto.errors import EdgeautoError
from edgeauto.modules.base import CompileContext
from edgeauto.modules.registry import all_modules, get_module

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
    expected = fixture["call"]
    functions = {fn.name: fn for fn in module.shell_functions}
    assert call.function == expected["function"] in functions
    fn = functions[call.function]
    assert fn.named(call.argv) == expected["args"]
    assert call.argv == fn.argv(**expected["args"])  # the wire format, position by position
    assert {k: v.decode() for k, v in call.payloads.items()} == expected.get("payloads", {})
    assert call.files == fn.files
    assert call.stdin == expected.get("stdin")


def test_there_are_fixtures_for_every_remote_module():
    remote = {
        name
        for name, module in all_modules().items()
        if module.runs_on == "remote" and not module.no_fixtures_because
    }
    assert remote - {p.parent.name for p in CASES} == set()
