"""Module results shaped as ansible-core 2.19 returns them, where its own integration targets
assert on them (tests/compat, run half); pure parts, no host."""

from __future__ import annotations

import pytest

from edgeauto.modules.core import user

SHA512 = "$6$rounds=656000$tgK3gYTyRLUmhyv2$" + "a" * 86


@pytest.mark.parametrize(
    "password, warns",
    [
        ("plaintextpassword", True),
        (SHA512[:-4] + "++++", True),  # the user target's "invalid hashed password"
        ("$6$salt$short", True),  # sha512 hash of the wrong length
        (SHA512, False),
        ("$1$salt$" + "b" * 22, False),
        ("!", False),
        ("*", False),
        ("*************", False),
    ],
)
def test_a_password_that_is_no_crypt_hash_warns_like_ansibles_user_module(password, warns):
    record = {"status": "changed", "fields": {"op": "modify"}}
    out = user.MODULE.finish(record, {"name": "u", "password": password}, None)
    assert ("warnings" in out) is warns
    if warns:
        assert out["warnings"] == [user.PLAINTEXT_WARNING]


def test_the_plaintext_warning_comes_with_check_mode_and_failures_too():
    for record in (
        {"status": "changed", "fields": {"op": "bare"}},
        {"status": "failed", "fields": {"msg": "useradd: boom"}},
    ):
        out = user.MODULE.finish(record, {"name": "u", "password": "plain"}, None)
        assert out["warnings"] == [user.PLAINTEXT_WARNING]


def _ansible_msg(module_name: str, args: dict) -> str:
    from edgeauto.errors import ModuleArgumentError
    from edgeauto.modules.registry import get_module

    with pytest.raises(ModuleArgumentError) as caught:
        get_module(module_name).validate(args, None, final=True)
    return caught.value.ansible_msg


@pytest.mark.parametrize(
    "module, args, expected",
    [
        ("wait_for_connection", {"foo": "bar"}, "Invalid options for wait_for_connection: foo"),
        ("reboot", {"foo": "bar"}, "Invalid options for reboot: foo"),
        (
            "shell",
            {"_raw_params": "echo hi", "expand_argument_vars": False},
            "Unsupported parameters for (shell) module: expand_argument_vars",
        ),
        ("command", {"chdir": "/"}, "one of the following is required: _raw_params, cmd, argv"),
        ("file", {"state": "touch"}, "missing required arguments: path"),
        (
            "ping",
            {"foo": 1},
            "Unsupported parameters for (ping) module: foo. Supported parameters include: data.",
        ),
        (
            "file",
            {"path": "/x", "state": "gone"},
            "value of state must be one of: absent, directory, file, hard, link, touch, got: gone",
        ),
    ],
)
def test_an_argument_error_carries_ansible_cores_exact_message(module, args, expected):
    assert _ansible_msg(module, args) == expected


def test_a_path_argument_given_a_mapping_becomes_its_text_as_in_ansible():
    from edgeauto.modules.registry import get_module

    args = get_module("file").validate({"path": {"path": "/tmp/x"}, "state": "absent"}, final=True)
    assert args["path"] == "{'path': '/tmp/x'}"


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            {"name": "foo", "non_unique": True},
            "non_unique is True but all of the following are missing: gid",
        ),
        (
            {"name": "foo", "force": True, "local": True},
            "force is not a valid option for local, force=True and local=True are mutually "
            "exclusive",
        ),
    ],
)
def test_group_refuses_what_ansibles_group_module_refuses(args, expected):
    from edgeauto.errors import ModuleArgumentError
    from edgeauto.modules.registry import get_module

    with pytest.raises(ModuleArgumentError) as caught:
        get_module("group").validate(args, None, final=True)
    assert (caught.value.ansible_msg or caught.value.message) == expected


def test_append_without_groups_warns_like_ansibles_user_module():
    from edgeauto.templating import Templar

    record = {"status": "ok", "fields": {"op": "modify"}}
    out = user.MODULE.finish(record, {"name": "u", "append": True}, None)
    assert out["warnings"] == [user.APPEND_WARNING]
    # the user target's assert: a list of warnings `is search(...)`
    t = Templar({"r": out})
    condition = "r['warnings'] is search(\"'append' is set, but no 'groups' are specified\")"
    assert t.is_true(condition)
    grouped = user.MODULE.finish(record, {"name": "u", "append": True, "groups": []}, None)
    assert "warnings" not in grouped
