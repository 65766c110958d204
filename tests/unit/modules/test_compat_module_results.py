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
