"""Every lint rule is tested by its own examples: each failing example yields a finding of
that rule, each passing one yields none (as ansible-lint keeps examples beside its rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeauto.inventory import load_inventory
from edgeauto.lint import lint_paths
from edgeauto.lint.rules import all_rules

INVENTORY = (
    "devices:\n  hosts:\n    dev1: {edgeauto_has_python: false}\nservers:\n  hosts:\n    srv1:\n"
)
CASES = [
    (rule.id, kind, i, example)
    for rule in all_rules().values()
    for kind, examples in (("fails", rule.fails), ("passes", rule.passes))
    for i, example in enumerate(examples)
]


@pytest.fixture
def inventory(tmp_path):
    path = tmp_path / "inventory.yml"
    path.write_text(INVENTORY)
    return load_inventory([str(path)])


def lint_example(tmp_path: Path, example, inventory, rule_id: str):
    target = tmp_path / "project" / example.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example.text)
    return lint_paths([str(tmp_path / "project")], only=(rule_id,), inventory=inventory)


@pytest.mark.parametrize(("rule_id", "kind", "index", "example"), CASES, ids=lambda v: str(v)[:40])
def test_each_rule_example_does_what_it_says(tmp_path, inventory, rule_id, kind, index, example):
    findings = lint_example(tmp_path, example, inventory, rule_id)
    if kind == "fails":
        assert [f for f in findings if f.rule == rule_id], f"{rule_id} example {index} not flagged"
        assert all(f.pos.line > 0 for f in findings)
    else:
        assert findings == [], f"{rule_id} passing example {index} flagged: {findings}"


def test_every_rule_has_docs_and_both_kinds_of_example():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "lint.md").read_text()
    for rule in all_rules().values():
        assert rule.fails and rule.passes and rule.description, rule.id
        assert f"`{rule.id}`" in docs, f"docs/lint.md does not describe {rule.id}"


def test_python_required_needs_an_inventory_to_say_anything(tmp_path):
    example = all_rules()["python-required"].fails[0]
    assert lint_example(tmp_path, example, None, "python-required") == []
