"""Start-up cost of a run over OpenSSH: a later run finding a live ControlPersist master sends
its first script through it without an extra process or session, a cold host's master is
started without a probe session, and ``edgeauto run`` imports neither
rich (off a terminal), cryptography (no vault data), pyinfra nor ansible.

Real throwaway sshd on loopback; the ssh client is wrapped by a logging shim (named as such)
only to count the processes the transport spawns."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from edgeauto.transport.factory import make_transport
from edgeauto.transport.options import TransportOptions

REPO = Path(__file__).resolve().parents[2]


def _needs_sshd():
    if os.geteuid() != 0 or not os.path.exists("/usr/sbin/sshd") or not shutil.which("ssh"):
        pytest.skip("needs root, /usr/sbin/sshd and the ssh client to run a throwaway sshd")


@pytest.fixture
def sshd():
    _needs_sshd()
    from edgeauto.transport.testing_sshd import start_sshd

    server = start_sshd()
    yield server
    server.stop()


@pytest.fixture
def shimmed(sshd, tmp_path):
    """Options whose ``ssh`` is a logging shim (named so: it logs its arguments, then runs
    the real client) and the log, with a short private control directory."""
    log = tmp_path / "ssh-calls.log"
    shim = tmp_path / "ssh-logging-shim"
    shim.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {shutil.which("ssh")} "$@"\n')
    shim.chmod(0o755)
    control = tempfile.mkdtemp(prefix="eacm")  # short: unix socket paths are limited
    options = TransportOptions(
        known_hosts_file=sshd.known_hosts,
        ssh_config_file="/dev/null",
        control_dir=control,
        connect_timeout=5,
        ssh_executable=str(shim),
    )
    yield options, log
    shutil.rmtree(control, ignore_errors=True)


def test_a_cold_host_starts_its_master_without_a_probe_session(sshd, shimmed):
    options, log = shimmed
    transport = make_transport(sshd.host_vars("root"), options=options)
    before = sshd.accepted_logins()
    transport.connect(5)
    assert transport.master_alive()
    assert transport.run_script(b"echo one\n", timeout=30).stdout == b"one\n"
    calls = log.read_text().splitlines()
    assert len(calls) == 2, calls  # the master (no session: -N), then the script on it
    assert " -N " in calls[0] and "exit 0" not in calls[0]
    assert sshd.accepted_logins() - before == 1
    # the transport's own count of the ssh processes it started (what bench/ reports)
    assert transport.ssh_sessions == {"connection": 1, "channel": 1, "control": 0}
    transport.stop_master()


def test_a_live_controlpersist_master_is_reused_without_a_probe_session(sshd, shimmed):
    options, log = shimmed
    first = make_transport(sshd.host_vars("root"), options=options)
    first.connect(5)
    assert first.run_script(b"echo one\n", timeout=30).stdout == b"one\n"
    first.close()  # the master stays (ControlPersist), as at the end of a run
    log.write_text("")

    second = make_transport(sshd.host_vars("root"), options=options)  # the next run
    second.connect(5)
    result = second.run_script(b"echo two\n", timeout=30)
    assert result.stdout == b"two\n"
    calls = log.read_text().splitlines()
    assert len(calls) == 1, calls  # the script only: no `-O check`, no `exit 0` session
    assert second.round_trips == 1
    assert second.ssh_sessions == {"connection": 0, "channel": 1, "control": 0}
    second.stop_master()


def test_a_json_run_imports_no_rich_cryptography_pyinfra_or_ansible(tmp_path):
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"[bench]\nl1 ansible_connection=local hostdir={tmp_path / 'w2'}\n")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "edgeauto", "run", "-i", str(inventory)]
        + [str(REPO / "bench" / "w2" / "playbook.yml"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert imported.isdisjoint({"rich", "cryptography", "pyinfra", "ansible", "paramiko"}), sorted(
        imported & {"rich", "cryptography", "pyinfra", "ansible", "paramiko"}
    )
