"""OpenSSH and paramiko transports against a real, throwaway sshd on a loopback address.

The sshd runs as root on 127.x.y.z with its own host key and authorized keys (nobody's ~/.ssh is
touched); a test user with a password and a password-requiring sudo rule is created and removed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading

import pytest

from edgeauto.transport.base import BecomeSpec
from edgeauto.transport.errors import (
    AuthenticationFailed,
    BecomeFailed,
    CommandTimeout,
    ConnectionRefused,
    ConnectTimeout,
    HostKeyChanged,
    HostKeyUnknown,
)
from edgeauto.transport.factory import make_transport
from edgeauto.transport.options import TransportOptions
from edgeauto.transport.testing_sshd import free_loopback, start_sshd

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/sbin/sshd") or not shutil.which("ssh"),
    reason="needs root, /usr/sbin/sshd and the ssh client to run a throwaway sshd",
)

PASSWORD = "pw-" + secrets.token_hex(8)
KINDS = ["ssh", "paramiko"]


@pytest.fixture(scope="module")
def sshd():
    server = start_sshd()
    server.test_user = server.add_user(PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def options(sshd):
    control = tempfile.mkdtemp(prefix="eacm")  # short: unix socket paths are limited
    yield TransportOptions(
        known_hosts_file=sshd.known_hosts,
        ssh_config_file="/dev/null",
        control_dir=control,
        connect_timeout=5,
    )
    shutil.rmtree(control, ignore_errors=True)


@pytest.fixture
def transports():
    made = []
    yield made
    for t in made:
        if hasattr(t, "stop_master"):
            t.stop_master()
        t.close()


def make(transports, host_vars, options):
    t = make_transport(host_vars, options=options)
    transports.append(t)
    return t


@pytest.mark.parametrize("kind", KINDS)
def test_script_runs_on_stdin_and_reports_rc_stdout_stderr(sshd, options, transports, kind):
    t = make(transports, sshd.host_vars(ansible_connection=kind), options)
    t.connect(5)
    result = t.run_script(b"echo out; echo err >&2; id -u; exit 3\n", timeout=20)
    assert (result.rc, result.stdout, result.stderr) == (3, b"out\n0\n", b"err\n")


def test_controlmaster_reuses_one_ssh_connection_for_many_scripts(sshd, options, transports):
    t = make(transports, sshd.host_vars(), options)
    before = sshd.accepted_logins()
    t.connect(5)
    for _ in range(4):
        assert t.run_script(b"true\n", timeout=20).rc == 0
    assert t.round_trips == 4
    assert sshd.accepted_logins() - before == 1
    assert t.master_alive()
    assert len(t.control_path) + 17 < 104


def test_script_exit_255_is_a_failed_script_not_an_unreachable_host(sshd, options, transports):
    t = make(transports, sshd.host_vars(), options)
    result = t.run_script(b"echo before; exit 255\n", timeout=20)
    assert (result.rc, result.stdout) == (255, b"before\n")


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_host_key_is_refused_with_a_clear_message(sshd, options, transports, kind):
    empty = os.path.join(sshd.dir, "known_hosts_empty")
    open(empty, "w").close()
    options.known_hosts_file = empty
    t = make(transports, sshd.host_vars(ansible_connection=kind), options)
    with pytest.raises(HostKeyUnknown) as info:
        t.connect(5)
    text = str(info.value)
    assert sshd.host_vars()["inventory_hostname"] in text
    assert "known_hosts" in text and "strict host key checking" in text


@pytest.mark.parametrize("kind", KINDS)
def test_changed_host_key_is_refused_as_a_possible_attack(sshd, options, transports, kind):
    other = os.path.join(sshd.dir, "other_key")
    if not os.path.exists(other):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other], check=True)
    pub = " ".join(open(other + ".pub").read().split()[:2])
    changed = os.path.join(sshd.dir, "known_hosts_changed")
    with open(changed, "w") as f:
        f.write(sshd.known_hosts_line(pub))
    options.known_hosts_file = changed
    t = make(transports, sshd.host_vars(ansible_connection=kind), options)
    with pytest.raises(HostKeyChanged) as info:
        t.connect(5)
    assert "CHANGED" in str(info.value)


def test_host_key_checking_can_be_turned_off_per_host(sshd, options, transports):
    empty = os.path.join(sshd.dir, "known_hosts_empty2")
    open(empty, "w").close()
    options.known_hosts_file = empty
    host_vars = sshd.host_vars(ansible_host_key_checking="false")
    t = make(transports, host_vars, options)
    assert t.run_script(b"echo ok\n", timeout=20).stdout == b"ok\n"


@pytest.fixture
def silent_server():
    """A TCP server that accepts and reads but never answers (a hung sshd / firewall box)."""
    addr, port = free_loopback(2299)
    sock = socket.socket()
    sock.bind((addr, port))
    sock.listen(16)
    conns, stop = [], threading.Event()

    def serve():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                conns.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield addr, port
    stop.set()
    thread.join()
    for c in conns:
        c.close()
    sock.close()


@pytest.mark.parametrize("kind", KINDS)
def test_host_that_accepts_tcp_but_never_answers_is_unreachable_within_the_timeout(
    silent_server, options, transports, kind
):
    addr, port = silent_server
    options.connect_timeout = 2
    host_vars = {
        "inventory_hostname": "silent",
        "ansible_host": addr,
        "ansible_port": port,
        "ansible_connection": kind,
    }
    t = make(transports, host_vars, options)
    with pytest.raises(ConnectTimeout) as info:
        t.connect(2)
    assert "silent" in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_connection_refused_is_reported_as_unreachable(options, transports, kind):
    addr, port = free_loopback(2298)
    host_vars = {
        "inventory_hostname": "nobody",
        "ansible_host": addr,
        "ansible_port": port,
        "ansible_connection": kind,
    }
    t = make(transports, host_vars, options)
    with pytest.raises(ConnectionRefused) as info:
        t.connect(5)
    assert "refused" in str(info.value)


def test_wrong_key_is_an_authentication_failure(sshd, options, transports):
    other = os.path.join(sshd.dir, "unauthorized_key")
    if not os.path.exists(other):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other], check=True)
    host_vars = sshd.host_vars(
        ansible_ssh_private_key_file=other,
        ansible_ssh_common_args="-o IdentitiesOnly=yes -o IdentityAgent=none",
    )
    t = make(transports, host_vars, options)
    with pytest.raises(AuthenticationFailed):
        t.connect(5)


@pytest.mark.parametrize("kind", KINDS)
def test_script_past_its_timeout_marks_the_host_unreachable_and_keeps_partial_output(
    sshd, options, transports, kind
):
    t = make(transports, sshd.host_vars(ansible_connection=kind), options)
    with pytest.raises(CommandTimeout) as info:
        t.run_script(b"echo started; sleep 30\n", timeout=2)
    assert info.value.result.stdout == b"started\n"
    assert "no result within 2s" in str(info.value)
    assert t.run_script(b"echo still usable\n", timeout=20).stdout == b"still usable\n"


@pytest.mark.parametrize("kind", KINDS)
def test_sudo_with_password_runs_the_script_as_root_without_exposing_the_password(
    sshd, options, transports, kind
):
    user = sshd.test_user
    t = make(transports, sshd.host_vars(user, ansible_connection=kind), options)
    become = BecomeSpec(method="sudo", user="root", password=PASSWORD)
    # The script looks at every process's command line while sudo is still running above it.
    script = b'id -u; ps -eo args > /tmp/ea-ps.$$; grep -c -F -- "$1" /tmp/ea-ps.$$ || true; rm -f /tmp/ea-ps.$$\n'
    script = script.replace(b'"$1"', PASSWORD.encode())
    result = t.run_script(script, timeout=30, become=become)
    lines = result.stdout.decode().split()
    assert lines[0] == "0"
    assert lines[1] == "0"  # the password is on no command line (the grep reads it from stdin)
    assert PASSWORD.encode() not in result.stderr
    assert b"edgeauto-" not in result.stderr  # our markers are cut out
    assert PASSWORD not in open(sshd.log, errors="replace").read()


def test_sudo_asks_again_for_a_wrong_password_and_no_script_byte_is_sent(sshd, options, transports):
    t = make(transports, sshd.host_vars(sshd.test_user), options)
    become = BecomeSpec(method="sudo", user="root", password="wrong-" + PASSWORD)
    with pytest.raises(BecomeFailed) as info:
        t.run_script(b"touch /tmp/ea-should-not-exist\n", timeout=30, become=become)
    assert "rejected" in str(info.value)
    assert not os.path.exists("/tmp/ea-should-not-exist")


def test_sudo_without_a_password_says_to_pass_one(sshd, options, transports):
    t = make(transports, sshd.host_vars(sshd.test_user), options)
    with pytest.raises(BecomeFailed) as info:
        t.run_script(b"id -u\n", timeout=30, become=BecomeSpec(method="sudo"))
    assert "-K" in str(info.value)


def test_paramiko_logs_in_with_a_password(sshd, options, transports):
    host_vars = sshd.host_vars(
        sshd.test_user, ansible_connection="paramiko", ansible_password=PASSWORD
    )
    del host_vars["ansible_ssh_private_key_file"]
    t = make(transports, host_vars, options)
    t.connect(5)
    assert t.run_script(b"id -un\n", timeout=20).stdout.decode().strip() == sshd.test_user
    assert t.round_trips == 1


def test_user_ssh_args_merge_with_ours_and_keep_multiplexing(sshd, options, transports):
    host_vars = sshd.host_vars(
        ansible_ssh_common_args="-o ControlPersist=5s -o Compression=yes",
        ansible_ssh_extra_args="-o ServerAliveInterval=5",
    )
    t = make(transports, host_vars, options)
    argv = t.base_argv
    assert argv.index("ControlPersist=5s") < argv.index("ControlPersist=60s")  # first one wins
    assert "ControlMaster=auto" in argv
    before = sshd.accepted_logins()
    t.run_script(b"true\n", timeout=20)
    t.run_script(b"true\n", timeout=20)
    assert sshd.accepted_logins() - before == 1
    assert t.warnings == []


def test_disabling_multiplexing_in_user_args_is_reported(sshd, options, transports):
    t = make(transports, sshd.host_vars(ansible_ssh_common_args="-o ControlMaster=no"), options)
    assert any("multiplexing disabled" in w for w in t.warnings)
    assert t.run_script(b"echo ok\n", timeout=20).stdout == b"ok\n"


def test_large_script_and_large_output_do_not_deadlock(sshd, options, transports):
    t = make(transports, sshd.host_vars(), options)
    script = b"".join(b"echo line-%d-%s\n" % (i, b"x" * 100) for i in range(20000))
    result = t.run_script(script, timeout=120)
    assert result.stdout.count(b"\n") == 20000


@pytest.mark.parametrize("kind", KINDS)
def test_user_ssh_config_with_proxyjump_bastion_is_honoured(sshd, options, transports, kind):
    # The bastion is the same sshd under another name: the target is reached through it.
    config = os.path.join(sshd.dir, f"ssh_config_{kind}")
    with open(config, "w") as f:
        f.write(
            f"Host bastion\n  HostName {sshd.addr}\n  Port {sshd.port}\n  User root\n"
            f"  IdentityFile {sshd.client_key}\n  UserKnownHostsFile {sshd.known_hosts}\n"
            f"Host target-behind-bastion\n  HostName {sshd.addr}\n  Port {sshd.port}\n"
            f"  User root\n  IdentityFile {sshd.client_key}\n  ProxyJump bastion\n"
        )
    options.ssh_config_file = config
    host_vars = {
        "inventory_hostname": "behind",
        "ansible_host": "target-behind-bastion",
        "ansible_connection": kind,
    }
    before = sshd.accepted_logins()
    t = make(transports, host_vars, options)
    t.connect(10)
    assert t.run_script(b"echo via bastion\n", timeout=20).stdout == b"via bastion\n"
    assert sshd.accepted_logins() - before == 2  # one login on the bastion, one on the target


@pytest.fixture(scope="module")
def su_target(sshd):
    password = "su-" + secrets.token_hex(8)
    return sshd.add_user(password), password


@pytest.mark.parametrize("kind", KINDS)
def test_su_with_password_switches_user_without_exposing_the_password(
    sshd, options, transports, su_target, kind
):
    target, password = su_target
    t = make(transports, sshd.host_vars(sshd.test_user, ansible_connection=kind), options)
    become = BecomeSpec(method="su", user=target, password=password)
    # ps is taken to a file first: grep's own command line holds the text it searches
    script = (
        f"id -un; ps -eo args > /tmp/ea-ps.$$; grep -c -F -- '{password}' /tmp/ea-ps.$$ || true;"
        " rm -f /tmp/ea-ps.$$\n"
    )
    result = t.run_script(script.encode(), timeout=30, become=become)
    assert result.stdout.decode().split() == [target, "0"]
    assert b"Password" not in result.stderr and b"edgeauto-" not in result.stderr


def test_su_with_wrong_password_fails_before_the_script_runs(sshd, options, transports, su_target):
    target, _ = su_target
    t = make(transports, sshd.host_vars(sshd.test_user), options)
    with pytest.raises(BecomeFailed) as info:
        t.run_script(
            b"touch /tmp/ea-su-should-not-exist\n",
            timeout=30,
            become=BecomeSpec(method="su", user=target, password="wrong"),
        )
    assert "Authentication failure" in str(info.value) or "failed" in str(info.value)
    assert not os.path.exists("/tmp/ea-su-should-not-exist")


def test_su_without_password_as_non_root_asks_for_minus_k(sshd, options, transports, su_target):
    target, _ = su_target
    t = make(transports, sshd.host_vars(sshd.test_user), options)
    with pytest.raises(BecomeFailed, match="-K"):
        t.run_script(b"id -un\n", timeout=30, become=BecomeSpec(method="su", user=target))


def test_su_from_root_needs_no_password(sshd, options, transports, su_target):
    target, _ = su_target
    t = make(transports, sshd.host_vars(), options)
    r = t.run_script(b"id -un\n", timeout=30, become=BecomeSpec(method="su", user=target))
    assert r.stdout.decode().strip() == target


def test_a_stale_control_socket_is_replaced_by_a_new_master(sshd, options, transports):
    import socket as socketlib

    t = make(transports, sshd.host_vars(), options)
    stale = socketlib.socket(socketlib.AF_UNIX)
    stale.bind(t.control_path)  # a socket file nobody listens on: a dead master's leftover
    stale.close()
    t.connect(10)
    assert t.master_alive()
    before = sshd.accepted_logins()
    t.run_script(b"true\n", timeout=20)
    t.run_script(b"true\n", timeout=20)
    assert sshd.accepted_logins() == before  # both went through the new master


@pytest.mark.parametrize("kind", KINDS)
def test_interrupt_cuts_a_remote_script_in_flight_as_connection_lost(
    sshd, options, transports, kind
):
    import threading

    from edgeauto.transport.errors import ConnectionLost

    t = make(transports, sshd.host_vars(ansible_connection=kind), options)
    t.connect(10)
    timer = threading.Timer(1.0, t.interrupt)
    timer.start()
    with pytest.raises(ConnectionLost):
        t.run_script(b"echo started; sleep 60\n", timeout=60)
    timer.join()
