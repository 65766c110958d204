"""OpenSSH argument building, control socket paths and error classification (no network)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgeauto.errors import ConnectionFailed, EdgeautoError, HostKeyError
from edgeauto.transport import errors
from edgeauto.transport.control import default_control_dir, ensure_private_dir
from edgeauto.transport.factory import become_from_vars, make_transport
from edgeauto.transport.openssh import option_keys
from edgeauto.transport.options import TransportOptions


@pytest.fixture
def opts():
    import shutil
    import tempfile

    control = tempfile.mkdtemp(prefix="eacm")  # short path: unix socket length limit
    yield TransportOptions(control_dir=control)
    shutil.rmtree(control, ignore_errors=True)


def test_option_keys_reads_every_spelling_of_dash_o():
    args = ["-o", "ControlMaster=no", "-oUser=x", "-o", "ProxyJump bastion", "-C"]
    assert option_keys(args) == {"controlmaster": "no", "user": "x", "proxyjump": "bastion"}


def test_host_vars_choose_address_port_user_key_and_args(opts):
    t = make_transport(
        {
            "inventory_hostname": "edge1",
            "ansible_host": "10.0.0.5",
            "ansible_port": "2200",
            "ansible_user": "pi",
            "ansible_ssh_private_key_file": "/k",
            "ansible_ssh_common_args": "-o ProxyJump=bastion",
            "ansible_ssh_extra_args": "-4",
        },
        options=opts,
    )
    argv = t.base_argv
    assert argv[1:4] == ["-o", "ProxyJump=bastion", "-4"]  # user args first: they win
    assert argv[-6:] == ["-p", "2200", "-l", "pi", "-i", "/k"]
    assert "StrictHostKeyChecking=yes" in argv and "BatchMode=yes" in argv
    assert t.hostname == "10.0.0.5" and t.host == "edge1"


def test_inventory_user_beats_the_command_line_user(opts):
    opts.user = "cli"
    assert make_transport({"ansible_user": "inv"}, options=opts).user == "inv"
    assert make_transport({}, options=opts).user == "cli"


def test_control_socket_path_fits_the_unix_limit_with_ssh_temp_suffix(opts):
    t = make_transport({"ansible_host": "h" * 200}, options=opts)
    assert len(t.control_path) + 17 < 104


def test_too_long_control_dir_is_refused_with_the_limit(tmp_path):
    with pytest.raises(EdgeautoError, match="too long"):
        ensure_private_dir(str(tmp_path / ("d" * 90)))


def test_a_too_long_configured_control_dir_falls_back_to_the_default_and_says_so(tmp_path):
    """ssh would silently drop multiplexing; an unreachable host would be worse: use the
    short default directory and warn (a deep CI temp dir once made a whole test fail)."""
    t = make_transport(
        {"inventory_hostname": "edge1"},
        options=TransportOptions(control_dir=str(tmp_path / ("d" * 90))),
    )
    assert t.control_path.startswith(default_control_dir())
    assert any("too long" in w and "using" in w for w in t.warnings)


@pytest.fixture
def short_tmp():
    """A short directory: control socket paths are bounded (~108 bytes) and xdist's
    tmp_path is too long for them."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="ea-cm-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_control_dir_is_made_private(short_tmp):
    d = short_tmp / "cm"
    d.mkdir(mode=0o755)
    ensure_private_dir(str(d))
    assert (d.stat().st_mode & 0o777) == 0o700


def test_control_dir_owned_by_someone_else_is_refused(short_tmp):
    if os.geteuid() != 0:
        pytest.skip("needs root to chown")
    d = short_tmp / "cm"
    d.mkdir(mode=0o700)
    os.chown(d, 65534, 65534)
    with pytest.raises(EdgeautoError, match="belongs to uid 65534"):
        ensure_private_dir(str(d))


def test_unknown_connection_kind_suggests_the_right_one():
    with pytest.raises(EdgeautoError) as info:
        make_transport({"inventory_hostname": "h", "ansible_connection": "dokcer"})
    assert "dokcer" in str(info.value) and "docker" in str(info.value)


def test_non_numeric_port_is_reported_with_the_host():
    with pytest.raises(EdgeautoError, match="h: ansible_port must be a number, found 'ssh'"):
        make_transport({"inventory_hostname": "h", "ansible_port": "ssh"})


@pytest.mark.parametrize(
    "kind,cls",
    [
        ("local", "LocalTransport"),
        ("docker", "DockerTransport"),
        ("paramiko", "ParamikoTransport"),
        ("ssh", "OpenSSHTransport"),
        ("ansible.builtin.ssh", "OpenSSHTransport"),
        ("community.docker.docker", "DockerTransport"),
    ],
)
def test_connection_kind_picks_the_transport(kind, cls, opts):
    t = make_transport({"ansible_connection": kind, "ansible_host": "c1"}, options=opts)
    assert type(t).__name__ == cls


def test_become_vars_and_cli_password():
    spec = become_from_vars({"ansible_become_user": "app"}, options={"become_password": "k"})
    assert (spec.method, spec.user, spec.password) == ("sudo", "app", "k")
    spec = become_from_vars({"ansible_become_pass": "v"}, options={"become_password": "k"})
    assert spec.password == "v"


@pytest.mark.parametrize(
    "stderr,cls",
    [
        (
            b"@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n",
            errors.HostKeyChanged,
        ),
        (
            b"No ED25519 host key is known for [1.2.3.4]:22 and you have requested strict checking.\n"
            b"Host key verification failed.\n",
            errors.HostKeyUnknown,
        ),
        (b"pi@10.0.0.5: Permission denied (publickey,password).\n", errors.AuthenticationFailed),
        (b"ssh: connect to host 10.0.0.5 port 22: Connection refused\n", errors.ConnectionRefused),
        (b"ssh: connect to host 10.0.0.5 port 22: Connection timed out\n", errors.ConnectTimeout),
        (
            b"ssh: Could not resolve hostname nope: Name or service not known\n",
            errors.NameResolutionFailed,
        ),
        (b"Connection to 10.0.0.5 closed by remote host.\n", errors.ConnectionLost),
    ],
)
def test_ssh_failures_are_classified_and_name_host_command_rc_and_stderr(stderr, cls):
    exc = errors.classify_ssh_failure("edge1", "ssh edge1 sh -s", 255, stderr)
    assert type(exc) is cls and isinstance(exc, ConnectionFailed)
    text = str(exc)
    assert "edge1" in text and "`ssh edge1 sh -s`" in text and "exit code 255" in text
    assert stderr.decode().strip().splitlines()[-1] in text


def test_host_key_errors_are_connection_failures_with_exit_code_4():
    assert issubclass(errors.HostKeyChanged, HostKeyError)
    assert errors.HostKeyUnknown("x").exit_code == 4


def test_a_script_exit_255_without_ssh_messages_is_not_an_ssh_failure():
    assert not errors.looks_like_ssh_failure(b"my script failed\n")
    assert errors.looks_like_ssh_failure(b"ssh: connect to host x port 22: No route to host\n")


def test_a_connection_password_with_the_ssh_connection_uses_paramiko(opts, caplog):
    t = make_transport({"inventory_hostname": "pw", "ansible_password": "x"}, options=opts)
    assert type(t).__name__ == "ParamikoTransport"
    assert "using the paramiko transport" in caplog.text and "x" not in caplog.text.split()


def test_curve25519_is_offered_first_and_the_user_or_config_can_keep_opensshs_list(opts):
    from edgeauto.transport.options import FAST_KEX, kex_setting

    argv = make_transport({"ansible_host": "h"}, options=opts).base_argv
    assert f"KexAlgorithms={FAST_KEX}" in argv and FAST_KEX.startswith("^")  # ssh's list follows
    assert "StrictHostKeyChecking=yes" in argv  # host authentication is not what changes
    mine = make_transport(
        {"ansible_host": "h", "ansible_ssh_common_args": "-o KexAlgorithms=sntrup761x25519-sha512"},
        options=opts,
    ).base_argv
    assert option_keys(mine[1:])["kexalgorithms"] == "sntrup761x25519-sha512"  # first one wins
    opts.kex_algorithms = kex_setting("openssh")
    assert not any(
        a.startswith("KexAlgorithms") for a in make_transport({}, options=opts).base_argv
    )
    assert (
        kex_setting("fast") == FAST_KEX
        and kex_setting(" curve25519-sha256 ") == "curve25519-sha256"
    )


def test_master_liveness_is_asked_of_the_socket_without_a_process(opts, monkeypatch):
    import socket
    import subprocess

    def no_process(*args, **kwargs):
        raise AssertionError("master_alive() must not start a process")

    monkeypatch.setattr(subprocess, "run", no_process)
    t = make_transport({"ansible_host": "h"}, options=opts)
    assert not t.master_alive()  # no socket at all
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(t.control_path)  # a dead master's socket: bound, nobody listening
    leftover.close()
    assert not t.master_alive()
    os.unlink(t.control_path)
    live = socket.socket(socket.AF_UNIX)
    live.bind(t.control_path)
    live.listen(1)
    try:
        assert t.master_alive()
    finally:
        live.close()
