"""``package`` forwards unknown arguments to the backend like Ansible's action plugin: they
never stop a playbook from loading (a RedHat-only ``enablerepo`` task skipped by ``when`` on
Debian must not fail the run, as in geerlingguy.security), and fail only the task that runs."""

from __future__ import annotations

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.base import CompileContext
from edgeauto.modules.core.package import MODULE


def test_backend_arguments_pass_validation():
    args = {"name": "fail2ban", "state": "present", "enablerepo": "epel"}
    assert MODULE.validate(args, None, final=True)["enablerepo"] == "epel"


def test_own_arguments_are_still_checked():
    with pytest.raises(ModuleArgumentError, match="state"):
        MODULE.validate({"name": "x", "state": "bogus"}, None, final=True)
    with pytest.raises(ModuleArgumentError, match="name"):
        MODULE.validate({"state": "present"}, None, final=True)


def test_a_task_that_runs_with_backend_arguments_fails_clearly():
    args = MODULE.validate({"name": "x", "state": "present", "allow_downgrade": True}, None)
    with pytest.raises(ModuleArgumentError, match="allow_downgrade would go to the backend"):
        MODULE.compile(args, CompileContext())


def test_the_backend_comes_from_use_then_ansible_package_use_then_the_pkg_mgr_fact():
    facts = {"ansible_facts": {"pkg_mgr": "apt"}}
    assert MODULE.backend({"use": "apk"}, {**facts, "ansible_package_use": "opkg"}) == "apk"
    assert MODULE.backend({}, {**facts, "ansible_package_use": "opkg"}) == "opkg"
    assert MODULE.backend({}, facts) == "apt"
    assert MODULE.backend({}, {}) is None


def test_an_ansible_package_use_no_module_exists_for_fails_as_ansibles_package_action():
    args = MODULE.validate({"name": "x"}, None, final=True)
    ctx = CompileContext(task_vars={"ansible_package_use": "lola"})
    with pytest.raises(ModuleArgumentError, match='matching action for the "lola" package'):
        MODULE.compile(args, ctx)
    ctx = CompileContext(task_vars={"ansible_package_use": "apt"})
    assert MODULE.compile(args, ctx).argv[:2] == ["apt", "present"]
