"""Hostile or broken YAML is refused at load with file:line (issue 14, defect 7): an alias
bomb, nesting deeper than the loader can follow, an alias inside its own anchor. Normal
anchors and aliases still load."""

from __future__ import annotations

import subprocess
import sys

import pytest

from edgeauto.errors import ParseError
from edgeauto.yamlsrc import MAX_DEPTH, load_yaml_text


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The classic 'billion laughs' in YAML: each level repeats the previous one ``width`` times."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_with_its_line():
    with pytest.raises(ParseError, match="aliases expand to more than") as info:
        load_yaml_text(alias_bomb(), "bomb.yml")
    assert info.value.pos.file == "bomb.yml"
    assert info.value.pos.line > 1


def test_nesting_deeper_than_the_limit_is_refused():
    load_yaml_text("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    with pytest.raises(ParseError, match="nested deeper"):
        load_yaml_text("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "deep.yml")
    with pytest.raises(ParseError, match="nesting depth"):
        load_yaml_text("[" * 5000 + "]" * 5000, "deeper.yml")


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(ParseError, match="refers to its own anchor"):
        load_yaml_text("a: &x [1, *x]\n", "rec.yml")


def test_ordinary_anchors_and_merge_keys_still_load():
    data = load_yaml_text("base: &b {x: 1, y: [1, 2]}\nuse: *b\nmerged: {<<: *b, z: 3}\n")
    assert data["use"] == {"x": 1, "y": [1, 2]}
    assert data["merged"] == {"x": 1, "y": [1, 2], "z": 3}


def test_check_syntax_on_an_alias_bomb_fails_with_file_and_line(tmp_path):
    playbook = tmp_path / "bomb.yml"
    playbook.write_text(
        "- hosts: all\n  vars:\n" + "".join("    " + ln + "\n" for ln in alias_bomb().splitlines())
    )
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "check-syntax", str(playbook)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert f"{playbook}:" in proc.stderr + proc.stdout
    assert "alias bomb" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
