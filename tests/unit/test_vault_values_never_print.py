"""Vault values never print in clear (issue 14, defect 2): not in a task's ``cmd`` at -v or in
``--json``, not in the ``-vvvv`` script dump (a play ``environment:`` value too), not in error
messages (a failed ``file`` task, a failed lookup), not after ``set_fact``, and not for any
variable of a whole-file vaulted ``vars_files``. Real runs on the local connection."""

from __future__ import annotations

import subprocess
import sys

import pytest

from edgeauto.templating import revealed
from edgeauto.templating.vault import VaultSecrets, encrypt, encrypt_string_yaml

SECRETS = ("Sup3rS3cret!", "tok-abcdef123456", "inline-s3cret-val")

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars_files: [secrets.yml, inline.yml]
  environment:
    MY_TOKEN: "{{ inline_secret }}"
  tasks:
    - command: echo {{ inline_secret }}
    - set_fact: {copied: "{{ db_password }}"}
    - debug: {var: copied}
    - debug: {msg: "token {{ api_token }}"}
    - file: {path: "/nonexistent/{{ inline_secret }}/x", state: touch}
      ignore_errors: true
    - debug: {msg: "{{ lookup('file', '/nonexistent/' + db_password) }}"}
      ignore_errors: true
"""


@pytest.fixture
def vaulted(tmp_path):
    secrets = VaultSecrets.from_password("pw")
    (tmp_path / "pw").write_text("pw\n")
    plain = f"db_password: {SECRETS[0]}\napi_token: {SECRETS[1]}\n"
    (tmp_path / "secrets.yml").write_text(encrypt(plain.encode(), secrets))
    (tmp_path / "inline.yml").write_text(
        encrypt_string_yaml(SECRETS[2], secrets, "inline_secret") + "\n"
    )
    (tmp_path / "pb.yml").write_text(PLAYBOOK)
    return tmp_path


@pytest.mark.parametrize("flags", [["-vvvv"], ["--json"], ["-v", "--check"]], ids=" ".join)
def test_no_vault_value_reaches_the_output(vaulted, flags):
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "localhost,", "-c", "local", "pb.yml"]
        + ["--vault-password-file", "pw", "--no-retry-file", *flags],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=vaulted,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "********" in output
    for secret in SECRETS:
        assert secret not in output, secret


def test_masking_by_value_skips_values_too_short_to_mask_safely():
    revealed.forget_all()
    try:
        revealed.reveal("abc")
        revealed.reveal("line-one-of-a-key\nline-two-of-a-key\n")
        assert revealed.mask_text("abc line-two-of-a-key") == "abc ********"
        revealed.reveal("abcd")
        assert revealed.mask_text("xabcdx") == "x********x"
    finally:
        revealed.forget_all()
