"""``--vault-password-file``, ``--vault-id`` and ``-J/--ask-vault-pass`` mean the same for
run, adhoc, check-syntax, inventory and vault (issue 14, defect 5): one definition
(``commands.vault.add_vault_options``), and check-syntax decrypts vaulted vars_files too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.templating.vault import VaultSecrets, encrypt

COMMANDS = [
    ["run", "x.yml"],
    ["adhoc", "all"],
    ["check-syntax", "x.yml"],
    ["inventory", "--list"],
    ["facts", "all"],
]


def edgeauto(*argv, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        timeout=120,
        start_new_session=True,  # no controlling terminal: -J reads the password from stdin
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_has_the_same_vault_options(tmp_path, command):
    helptext = edgeauto(command[0], "--help", cwd=tmp_path).stdout
    for flag in ("--vault-password-file", "--vault-id", "-J, --ask-vault-pass"):
        assert flag in helptext, (command, flag)


@pytest.fixture
def vaulted_play(tmp_path):
    (tmp_path / "pw").write_text("hunter2\n")
    secrets = VaultSecrets.from_password("hunter2")
    (tmp_path / "secret.yml").write_text(encrypt(b"secret_v: 42\n", secrets))
    (tmp_path / "play.yml").write_text(
        "- hosts: localhost\n  gather_facts: false\n  vars_files: [secret.yml]\n"
        "  tasks:\n    - debug: {msg: '{{ secret_v }}'}\n"
    )
    return tmp_path


def test_check_syntax_decrypts_vaulted_vars_files_with_the_password_file(vaulted_play):
    without = edgeauto("check-syntax", "play.yml", cwd=vaulted_play)
    assert without.returncode == 1 and "vault-encrypted" in without.stdout + without.stderr
    with_file = edgeauto(
        "check-syntax", "play.yml", "--vault-password-file", "pw", cwd=vaulted_play
    )
    assert with_file.returncode == 0, with_file.stdout + with_file.stderr
    with_id = edgeauto("check-syntax", "play.yml", "--vault-id", "default@pw", cwd=vaulted_play)
    assert with_id.returncode == 0, with_id.stdout + with_id.stderr


def test_run_asks_for_the_vault_password_with_dash_j(vaulted_play):
    proc = edgeauto(
        "run",
        "-i",
        "localhost,",
        "-c",
        "local",
        "play.yml",
        "-J",
        "--no-retry-file",
        cwd=vaulted_play,
        input="hunter2\n",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"msg": 42' in proc.stdout
    assert "hunter2" not in proc.stdout + proc.stderr
