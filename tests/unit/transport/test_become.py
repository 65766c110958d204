"""The sudo-with-password handshake: password only after the prompt, script only after OK."""

from __future__ import annotations

import pytest

from edgeauto.transport.base import BecomeSpec
from edgeauto.transport.become import become_command, env_prelude
from edgeauto.transport.errors import BecomeFailed


def test_without_password_sudo_is_non_interactive_and_needs_no_handshake():
    command, handshake = become_command(BecomeSpec(method="sudo", user="app"))
    assert command == "sudo -n -u app -- sh -s" and handshake is None


def test_password_never_appears_in_the_remote_command():
    command, handshake = become_command(BecomeSpec(password="hunter2-secret"))
    assert "hunter2" not in command
    assert handshake.prompt.decode() in command and handshake.ok.decode() in command


def test_password_is_sent_once_on_the_prompt_and_script_released_on_ok():
    _, hs = become_command(BecomeSpec(password="pw"))
    assert hs.feed(b"We trust you have received the usual lecture\n") == b""
    assert hs.feed(hs.prompt[:5]) == b""  # a prompt split across reads
    assert hs.feed(hs.prompt[5:]) == b"pw\n"
    assert not hs.ready
    assert hs.feed(hs.ok + b"\n") == b"" and hs.ready


def test_ok_without_prompt_means_sudo_did_not_need_the_password():
    _, hs = become_command(BecomeSpec(password="pw"))
    assert hs.feed(hs.ok + b"\n") == b"" and hs.ready


def test_a_second_prompt_means_the_password_was_wrong():
    _, hs = become_command(BecomeSpec(password="pw"))
    hs.feed(hs.prompt)
    with pytest.raises(BecomeFailed, match="rejected"):
        hs.feed(b"Sorry, try again.\n" + hs.prompt)


def test_markers_are_cut_from_the_stderr_users_see():
    _, hs = become_command(BecomeSpec(password="pw"))
    assert hs.clean(hs.prompt + hs.ok + b"\nreal error\n") == b"real error\n"


def test_markers_differ_per_run():
    _, a = become_command(BecomeSpec(password="pw"))
    _, b = become_command(BecomeSpec(password="pw"))
    assert a.prompt != b.prompt and a.ok != b.ok


def test_doas_with_password_explains_it_needs_a_terminal():
    with pytest.raises(BecomeFailed, match="terminal"):
        become_command(BecomeSpec(method="doas", password="pw"))


def test_su_answers_its_own_password_prompt_then_waits_for_ok():
    command, hs = become_command(BecomeSpec(method="su", user="app", password="pw"))
    assert command.startswith("LC_ALL=C su -s /bin/sh app -c ") and "pw" not in command
    assert hs.feed(b"Password: ") == b"pw\n"
    assert hs.feed(hs.ok + b"\n") == b"" and hs.ready
    assert hs.clean(b"Password: real\n") == b"real\n"


def test_su_text_mentioning_password_mid_output_is_not_a_prompt():
    _, hs = become_command(BecomeSpec(method="su", password="pw"))
    assert hs.feed(b"motd: Password: rotate yearly\n") == b""


def test_su_without_password_stops_at_a_prompt_instead_of_feeding_it_the_script():
    _, hs = become_command(BecomeSpec(method="su"))
    with pytest.raises(BecomeFailed, match="-K"):
        hs.feed(b"Password: ")


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(BecomeFailed, match="sudo, su, doas"):
        become_command(BecomeSpec(method="pbrun"))


def test_env_values_travel_quoted_in_the_script():
    assert env_prelude({"A": "x y'z"}) == b"A='x y'\"'\"'z'; export A\n"
    with pytest.raises(ValueError):
        env_prelude({"1BAD": "x"})
