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
