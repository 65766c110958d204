"""debug, set_fact, assert, fail run on the controller with Ansible's result shapes."""

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.base import ControllerContext
from edgeauto.modules.registry import get_module


def ctx(variables=None, verbosity=0):
    variables = variables or {}
    # A tiny evaluator (named: a stand-in for the Templar) — enough for bare variable names
    # and literal comparisons used below.
    return ControllerContext(
        host="h1",
        host_vars=variables,
        verbosity=verbosity,
        evaluate=lambda e: eval(e, {}, dict(variables)),
    )


def run(name, args, context=None):
    module = get_module(name)
    return module.run(module.validate(args, final=True), context or ctx())


def test_debug_msg_default_and_var():
    assert run("debug", {}) == {"changed": False, "msg": "Hello world!"}
    assert run("debug", {"var": "x"}, ctx({"x": [1]})) == {"changed": False, "x": [1]}


def test_debug_skips_below_verbosity():
    result = run("debug", {"msg": "hi", "verbosity": 2}, ctx(verbosity=1))
    assert result["skipped"] is True


def test_set_fact_returns_ansible_facts_and_fills_ctx():
    context = ctx()
    result = run("set_fact", {"a": 1, "b": "two", "cacheable": "yes"}, context)
    assert result["ansible_facts"] == {"a": 1, "b": "two"} and result["ansible_facts_cacheable"]
    assert context.set_facts == {"a": 1, "b": "two"}


def test_set_fact_refuses_invalid_variable_names():
    module = get_module("set_fact")
    with pytest.raises(ModuleArgumentError, match="not valid"):
        module.run({"bad-name": 1}, ctx())


def test_assert_reports_the_first_failing_expression():
    result = run("assert", {"that": ["x > 1", "x > 5"], "msg": "too small"}, ctx({"x": 3}))
    assert result == {
        "failed": True,
        "changed": False,
        "assertion": "x > 5",
        "evaluated_to": False,
        "msg": "too small",
    }
    assert run("assert", {"that": "x > 1"}, ctx({"x": 3}))["msg"] == "All assertions passed"


def test_fail_default_message():
    assert run("fail", {}) == {
        "failed": True,
        "changed": False,
        "msg": "Failed as requested from task",
    }


def test_meta_validates_its_action():
    meta = get_module("meta")
    assert meta.validate({"free_form": "flush_handlers"}, final=True)
    with pytest.raises(ModuleArgumentError, match="flush_handlers"):
        meta.validate({"free_form": "flush_handler"}, final=True)
