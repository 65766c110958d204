"""The registry finds modules by short name and every FQCN form, and lists names for hints."""

from edgeauto.errors import did_you_mean
from edgeauto.modules.base import ControllerModule, RemoteModule
from edgeauto.modules.registry import all_modules, get_module, module_names


def test_short_names_and_fqcns_resolve_to_the_same_module():
    copy = get_module("copy")
    assert copy is not None
    for name in (
        "ansible.builtin.copy",
        "ansible.legacy.copy",
        "edgeauto.builtin.copy",
        "edgeauto.core.copy",
    ):
        assert get_module(name) is copy


def test_unknown_names_return_none_and_get_a_hint():
    assert get_module("copyy") is None
    assert get_module("community.general.copy") is None
    assert did_you_mean("lineinfle", module_names()) == "did you mean 'lineinfile'?"


def test_first_module_set_is_complete_and_kinds_are_right():
    mods = all_modules()
    for name in ("file", "copy", "template", "lineinfile", "command", "shell", "ping"):
        assert isinstance(mods[name], RemoteModule), name
    for name in ("debug", "set_fact", "assert", "fail", "meta", "setup"):
        assert isinstance(mods[name], ControllerModule), name
    assert mods["meta"].executor_handled and mods["setup"].executor_handled


def test_every_module_has_docs_and_examples():
    for name, module in all_modules().items():
        assert module.spec.short_description, name
        assert module.spec.examples.strip(), name
