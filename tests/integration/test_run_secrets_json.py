"""``edgeauto run --json`` and ``-vvvv`` through the real command line: round trips per host in
the JSON stats, and no secret (no_log task data, vault values) anywhere in what is printed —
including the script dump of ``-vvvv``, which must mask the calls that carry them.

Hosts use the real local transport; the vault string is made by the real ``ansible-vault``
(test oracle only)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

VAULT_SECRET = "TopSecretVault42"
NO_LOG_SECRET = "PlainNoLog77"


def _ansible_vault() -> str:
    candidate = Path(sys.executable).parent / "ansible-vault"
    found = str(candidate) if candidate.exists() else shutil.which("ansible-vault")
    if not found:
        pytest.skip("ansible-vault (test extra ansible-core) is not installed")
    return found


@pytest.fixture
def secret_playbook(tmp_path):
    password = tmp_path / "vault-pass"
    password.write_text("vault-pw\n")
    vaulted = subprocess.run(
        [
            _ansible_vault(),
            "encrypt_string",
            "--vault-password-file",
            str(password),
            VAULT_SECRET,
            "--name",
            "vault_secret",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        "all:\n  hosts:\n    h1:\n      ansible_connection: local\n"
        f"      edgeauto_state_dir: {tmp_path / 'state'}\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    playbook = tmp_path / "site.yml"
    tasks = textwrap.dedent(
        f"""\
          tasks:
            - shell: echo "{{{{ plain_secret }}}}"; echo "{{{{ vault_secret }}}}"
              no_log: true
            - copy: {{dest: "{work}/secret.txt", content: "{{{{ vault_secret }}}}"}}
            - debug: {{var: vault_secret}}
            - debug: {{msg: "the secret is {{{{ vault_secret }}}}"}}
        """
    )
    playbook.write_text(
        "- hosts: all\n  gather_facts: false\n  vars:\n"
        f"    plain_secret: {NO_LOG_SECRET}\n"
        + textwrap.indent(vaulted.strip() + "\n", "    ")
        + textwrap.indent(tasks, "  ")
    )
    return tmp_path, inventory, playbook, password, work


def _run(inventory, playbook, password, *extra):
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", str(inventory), str(playbook)]
        + ["--vault-password-file", str(password), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_stats_count_round_trips_and_print_no_secret(secret_playbook):
    _, inventory, playbook, password, work = secret_playbook
    proc = _run(inventory, playbook, password, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (work / "secret.txt").read_text() == VAULT_SECRET  # the secret did reach the host
    document = json.loads(proc.stdout)
    assert document["stats"]["h1"]["round_trips"] == 1  # no facts: one script for both tasks
    assert document["stats"]["h1"]["ok"] == 4
    for secret in (VAULT_SECRET, NO_LOG_SECRET):
        assert secret not in proc.stdout
        assert secret not in proc.stderr
    shell = document["plays"][0]["tasks"][0]["hosts"]["h1"]
    assert shell["censored"].startswith("the output has been hidden due to the fact that")


def test_the_vvvv_script_dump_masks_no_log_and_vault_data(secret_playbook):
    _, inventory, playbook, password, work = secret_playbook
    proc = _run(inventory, playbook, password, "-vvvv")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "ea__begin" in out  # the script itself was printed
    assert "********" in out
    for secret in (VAULT_SECRET, NO_LOG_SECRET):
        assert secret not in out
