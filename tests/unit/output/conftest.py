"""A real ``edgeauto run --report`` on the local connection, shared by the report tests.

Two inventory hosts (alpha, beta) that both use the local connection, and ghost: SSH to a
loopback port nothing listens on (unreachable at once). The playbook only echoes,
fails on purpose, and runs one ``copy`` in check mode with ``diff`` against a file in the test's
temporary directory (check mode: reads it, changes nothing), so nothing on the controller is
modified. It carries a no_log secret and a vaulted variable that must never reach the page.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from edgeauto.templating.vault import VaultSecrets, encrypt_string_yaml

NO_LOG_SECRET = "NoLogPlain-7d1e9"
VAULT_SECRET = "Vaulted-s3cret-42ab"

PLAYBOOK = """
- hosts: all
  gather_facts: false
  vars_files: [vaulted.yml]
  vars:
    nolog_secret: NoLogPlain-7d1e9
  tasks:
    - name: say <hello> & "quote"
      command: echo hello from {{ inventory_hostname }}
      when: inventory_hostname == 'nobody'
    - name: say hello
      command: echo hello from {{ inventory_hostname }}
    - name: echo the vaulted value
      command: echo {{ vault_secret }}
    - name: quiet secret
      command: echo {{ nolog_secret }}
      no_log: true
    - name: predict a config change
      copy:
        content: "new line\\n"
        dest: "{{ conf_path }}"
      check_mode: true
      diff: true
      when: inventory_hostname == 'alpha'
    - name: disk check
      shell: echo disk-full-on-beta {{ vault_secret }} >&2; exit 3
      when: inventory_hostname == 'beta'
    - name: quiet failure
      shell: echo {{ nolog_secret }} >&2; exit 4
      no_log: true
      when: inventory_hostname == 'alpha'
"""


def _free_port() -> int:
    """A loopback port nothing listens on (bound once to find it, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ReportRun:
    html: str
    path: Path
    returncode: int
    output: str


@pytest.fixture(scope="module")
def report_run(tmp_path_factory) -> ReportRun:
    work = tmp_path_factory.mktemp("report")
    secrets = VaultSecrets.from_password("pw")
    (work / "pw").write_text("pw\n")
    (work / "vaulted.yml").write_text(
        encrypt_string_yaml(VAULT_SECRET, secrets, "vault_secret") + "\n"
    )
    (work / "conf.txt").write_text("old line\n")
    (work / "inventory.ini").write_text(
        f"[all:vars]\nansible_connection=local\nconf_path={work / 'conf.txt'}\n"
        "[edge]\nalpha\nbeta\n"
        f"[far]\nghost ansible_connection=ssh ansible_host=127.0.0.1 ansible_port={_free_port()}\n"
    )
    (work / "pb.yml").write_text(PLAYBOOK)
    report = work / "out" / "run.html"
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "inventory.ini", "pb.yml"]
        + ["--vault-password-file", "pw", "--no-retry-file", "--report", str(report), "-T", "3"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=work,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert report.is_file(), output
    return ReportRun(report.read_text(encoding="utf-8"), report, proc.returncode, output)
