"""The Python API (edgeauto.api) end to end on local-connection hosts: real runs through the
real loader, validator, planner and local transport (real sh, real files in tmp_path); only
harmless tasks (copy into tmp_path, command echo/cat, debug, set_fact)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from edgeauto.api import Inventory, Play, Result, run
from edgeauto.errors import ValidationError
from edgeauto.playbook import load_and_validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "python-api.md"


def local_inventory(tmp_path: Path, *hosts: str) -> Inventory:
    inv = Inventory()
    for host in hosts or ("h1",):
        inv.host(host, ansible_connection="local", edgeauto_state_dir=str(tmp_path / host))
    return inv


def here() -> int:
    """The caller's line number (to compare with the positions errors name)."""
    return sys._getframe(1).f_lineno


def converge_play(dest: Path) -> Play:
    return (
        Play("edge", name="converge", gather_facts=False)
        .task(
            "set_fact",
            title="pick",
            keywords={"when": "greeting is defined"},
            word="{{ greeting }}",
        )
        .task(
            "copy", title="write", dest=str(dest), content="{{ word }} {{ inventory_hostname }}\n"
        )
        .task(
            "command",
            "echo hello",
            title="echo",
            keywords={"register": "out", "changed_when": False},
        )
        .task("debug", title="show", msg="{{ out.stdout }}")
    )


def test_run_converges_then_changes_nothing_and_reports_every_task(tmp_path):
    inv = local_inventory(tmp_path, "h1", "h2").group("edge", ["h1", "h2"], vars={"greeting": "hi"})
    inv.host("h2", greeting="hey")  # host vars beat group vars
    play = converge_play(tmp_path / "{{ inventory_hostname }}.txt")

    first = run([play], inventory=inv)
    assert isinstance(first, Result) and first.ok and first.exit_code == 0
    assert (tmp_path / "h1.txt").read_text() == "hi h1\n"
    assert (tmp_path / "h2.txt").read_text() == "hey h2\n"
    assert first.stats["h1"]["changed"] == 1 and first.stats["h1"]["failed"] == 0
    assert [(r.task.display_name, r.status) for r in first.for_host("h1")] == [
        ("pick", "ok"),
        ("write", "changed"),
        ("echo", "ok"),
        ("show", "ok"),
    ]
    show = next(r for r in first.tasks if r.host == "h2" and r.task.display_name == "show")
    assert show.result["msg"] == "hello"
    assert sorted(r.host for r in first.changed()) == ["h1", "h2"]

    second = run([play], inventory=inv)
    assert second.ok
    assert {h: s["changed"] for h, s in second.stats.items()} == {"h1": 0, "h2": 0}
    assert second.changed() == []


def test_check_mode_predicts_the_change_with_a_diff_and_writes_nothing(tmp_path):
    dest = tmp_path / "motd"
    inv = local_inventory(tmp_path).group("edge", ["h1"])
    play = Play("edge", gather_facts=False).task(
        "copy", title="motd", dest=str(dest), content="new\n"
    )
    dest.write_text("old\n")

    preview = run([play], inventory=inv, check=True, diff=True)
    assert preview.ok
    (motd,) = preview.tasks
    assert (motd.status, motd.check_mode) == ("changed", True)
    assert "diff" in motd.result
    assert dest.read_text() == "old\n"

    real = run([play], inventory=inv, diff=True)
    assert [r.status for r in real.tasks] == ["changed"]  # exactly what check mode predicted
    assert dest.read_text() == "new\n"


def test_bad_module_argument_raises_validation_error_naming_the_python_line(tmp_path):
    inv = local_inventory(tmp_path).group("edge", ["h1"])
    line = here() + 1
    play = Play("edge").task("copy", dest=str(tmp_path / "x"), content="x", bogus=1)
    with pytest.raises(ValidationError) as caught:
        run([play], inventory=inv)
    assert f"{__file__}:{line}: module 'copy' has no argument 'bogus'" in str(caught.value)
    assert not (tmp_path / "x").exists() and not (tmp_path / "h1").exists()  # nothing ran


def test_same_error_type_and_message_as_the_yaml_playbook(tmp_path):
    yaml_file = tmp_path / "site.yml"
    yaml_file.write_text("- hosts: all\n  tasks:\n    - copy: {dest: /x, content: x, bogus: 1}\n")
    with pytest.raises(ValidationError) as from_yaml:
        load_and_validate(yaml_file)
    line = here() + 1
    play = Play("all").task("copy", dest="/x", content="x", bogus=1)
    with pytest.raises(ValidationError) as from_python:
        run([play], inventory=local_inventory(tmp_path))

    def strip_positions(err):
        return [re.sub(r"^\S+:\d+(:\d+)?: ", "", str(p)) for p in err.value.problems]

    assert strip_positions(from_python) == strip_positions(from_yaml)
    assert str(from_python.value.problems[0].pos) == f"{__file__}:{line}"


def test_unknown_play_keyword_and_unknown_module_are_refused_at_their_lines(tmp_path):
    play_line = here() + 1
    play = Play("all", strategyy="free")
    task_line = here() + 1
    play.task("no_such_module", x=1)
    with pytest.raises(ValidationError) as caught:
        run([play], inventory=local_inventory(tmp_path))
    text = str(caught.value)
    assert f"{__file__}:{play_line}:" in text and "strategyy" in text
    assert f"{__file__}:{task_line}:" in text and "no_such_module" in text


def test_handlers_run_when_notified_and_title_collisions_are_refused(tmp_path):
    inv = local_inventory(tmp_path).group("edge", ["h1"])
    play = (
        Play("edge", gather_facts=False)
        .task("copy", dest=str(tmp_path / "f"), content="1\n", keywords={"notify": "tell"})
        .handler("debug", title="tell", msg="notified")
    )
    result = run([play], inventory=inv)
    assert [(r.task.display_name, r.status) for r in result.tasks][-1] == ("tell", "ok")
    assert result.tasks[-1].task.is_handler
    with pytest.raises(TypeError, match="title= or keywords"):
        Play("edge").task("debug", title="a", keywords={"name": "b"})


def test_a_failing_task_is_a_result_not_an_exception(tmp_path):
    inv = local_inventory(tmp_path).group("edge", ["h1"])
    play = Play("edge", gather_facts=False).task("command", "false", title="fails")
    result = run([play], inventory=inv)
    assert result.exit_code == 2 and result.failed_hosts == ["h1"] and not result.ok
    assert [r.status for r in result.tasks] == ["failed"]


def test_inventory_sources_are_accepted_like_dash_i(tmp_path):
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "all:\n  hosts:\n    h1:\n      ansible_connection: local\n"
        f"      edgeauto_state_dir: {tmp_path / 'state'}\n"
    )
    play = Play("all", gather_facts=False).task("debug", msg="{{ inventory_hostname }}")
    result = run([play], inventory=inventory, limit="h1")
    assert result.ok and result.tasks[0].result["msg"] == "h1"


def test_the_documented_example_runs(capsys):
    text = DOC.read_text()
    example = re.search(r"## A complete example.*?```python\n(.*?)```", text, re.S).group(1)
    exec(compile(example, str(DOC), "exec"), {"__name__": "doc_example"})
    assert "edge1 motd changed" in capsys.readouterr().out


def test_a_console_reporter_prints_ansibles_output_as_well(tmp_path, capsys):
    from edgeauto.output.console import ConsoleReporter

    inv = local_inventory(tmp_path).group("edge", ["h1"])
    play = Play("edge", name="hello", gather_facts=False).task("debug", title="say", msg="hi")
    result = run([play], inventory=inv, reporter=ConsoleReporter())
    out = capsys.readouterr().out
    assert result.ok and "PLAY [hello]" in out and "TASK [say]" in out and "PLAY RECAP" in out
    assert [r.task.display_name for r in result.tasks] == ["say"]  # still collected
