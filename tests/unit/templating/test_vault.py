"""Vault interop with the real ansible-vault CLI (test oracle), both directions.

ansible-vault runs from the venv as a subprocess; every check decrypts/encrypts real files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.cli import main as cli_main
from edgeauto.errors import VaultError
from edgeauto.templating import Templar, VaultSecrets, is_secret
from edgeauto.templating.vault import (
    EncryptedString,
    decrypt,
    decrypt_file_text,
    encrypt,
    encrypt_string_yaml,
    is_encrypted,
)
from edgeauto.yamlsrc import load_yaml

ANSIBLE_VAULT = Path(sys.executable).parent / "ansible-vault"
needs_ansible = pytest.mark.skipif(
    not ANSIBLE_VAULT.exists(), reason="ansible-vault (oracle) missing"
)


def _ansible_vault(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1"}
    env.pop("ANSIBLE_VAULT_PASSWORD_FILE", None)
    return subprocess.run(
        [str(ANSIBLE_VAULT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def pwfile(tmp_path: Path) -> Path:
    p = tmp_path / "vault-pass"
    p.write_text("correct horse battery staple\n")
    return p


@pytest.fixture
def secrets(pwfile: Path) -> VaultSecrets:
    return VaultSecrets.from_password_file(pwfile)


def test_encrypt_then_decrypt_roundtrips_binary_and_empty(secrets):
    for data in (b"", b"x", bytes(range(256)) * 3, "ünïcode\n".encode()):
        text = encrypt(data, secrets)
        assert is_encrypted(text)
        assert text.startswith("$ANSIBLE_VAULT;1.1;AES256\n")
        assert all(len(line) <= 80 for line in text.splitlines())
        assert decrypt(text, secrets) == data


def test_password_file_trailing_newline_is_stripped(pwfile):
    s = VaultSecrets.from_password_file(pwfile)
    assert s.secrets == [("default", b"correct horse battery staple")]


def test_executable_password_file_is_run_for_its_output(tmp_path, secrets):
    script = tmp_path / "pass.sh"
    script.write_text("#!/bin/sh\necho 'correct horse battery staple'\n")
    script.chmod(0o755)
    text = encrypt(b"payload", VaultSecrets.from_password_file(script))
    assert decrypt(text, secrets) == b"payload"


def test_vault_id_client_script_is_asked_for_its_label(tmp_path):
    script = tmp_path / "lab-client"
    script.write_text('#!/bin/sh\n[ "$1" = --vault-id ] && echo "pw-for-$2"\n')
    script.chmod(0o755)
    s = VaultSecrets.from_vault_ids([f"prod@{script}"])
    assert s.secrets == [("prod", b"pw-for-prod")]


def test_wrong_password_error_names_value_position(tmp_path, secrets):
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text("plain: 1\n" + encrypt_string_yaml("s3cret", secrets, "token"))
    data = load_yaml(vars_file)
    with pytest.raises(VaultError) as err:
        Templar(data, vault=VaultSecrets.from_password("wrong")).render("{{ token }}")
    assert "decryption failed (wrong vault password?)" in str(err.value)
    assert f"{vars_file}:2" in str(err.value)


def test_no_password_gives_hint(secrets):
    with pytest.raises(VaultError) as err:
        EncryptedString(encrypt(b"x", secrets)).decrypt(None)
    assert "no vault password" in str(err.value)


def test_labelled_secret_is_tried_first_and_others_still_work(pwfile):
    both = VaultSecrets([("dev", b"devpw"), ("prod", b"prodpw")])
    text = encrypt(b"p", both, "prod")
    assert text.splitlines()[0] == "$ANSIBLE_VAULT;1.2;AES256;prod"
    assert decrypt(text, both) == b"p"
    # label mismatch: any matching password still opens it, like ansible-vault
    assert decrypt(text, VaultSecrets([("other", b"prodpw")])) == b"p"


@needs_ansible
def test_ansible_vault_decrypts_our_file(tmp_path, pwfile, secrets):
    f = tmp_path / "secret.yml"
    f.write_text(encrypt(b"db_password: hunter2\n", secrets))
    res = _ansible_vault("view", "--vault-password-file", str(pwfile), str(f))
    assert res.returncode == 0, res.stderr
    assert res.stdout == "db_password: hunter2\n"


@needs_ansible
def test_we_decrypt_ansible_vault_file(tmp_path, pwfile, secrets):
    f = tmp_path / "secret.yml"
    f.write_text("api_key: abc123\n")
    res = _ansible_vault("encrypt", "--vault-password-file", str(pwfile), str(f))
    assert res.returncode == 0, res.stderr
    assert decrypt_file_text(f.read_text(), secrets, str(f)) == "api_key: abc123\n"


@needs_ansible
def test_vault_id_labels_interoperate_both_ways(tmp_path, pwfile):
    f = tmp_path / "labelled"
    f.write_text("label me\n")
    res = _ansible_vault("encrypt", "--vault-id", f"staging@{pwfile}", str(f))
    assert res.returncode == 0, res.stderr
    assert f.read_text().startswith("$ANSIBLE_VAULT;1.2;AES256;staging\n")
    ours = VaultSecrets.from_vault_ids([f"staging@{pwfile}"])
    assert decrypt(f.read_text(), ours) == b"label me\n"
    g = tmp_path / "ours"
    g.write_text(encrypt(b"back\n", ours, "staging"))
    res = _ansible_vault("view", "--vault-id", f"staging@{pwfile}", str(g))
    assert res.returncode == 0 and res.stdout == "back\n", res.stderr


@needs_ansible
def test_ansible_encrypt_string_in_vars_file_renders_through_templar(tmp_path, pwfile, secrets):
    res = _ansible_vault(
        "encrypt_string", "--vault-password-file", str(pwfile), "-n", "db_pass", "pa55w0rd"
    )
    assert res.returncode == 0, res.stderr
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text("user: admin\n" + res.stdout + "\ndsn: '{{ user }}:{{ db_pass }}@db'\n")
    data = load_yaml(vars_file)
    assert isinstance(data["db_pass"], EncryptedString)
    t = Templar(data, vault=secrets)
    dsn = t.render("{{ dsn }}")
    assert dsn == "admin:pa55w0rd@db"
    assert is_secret(dsn)
    assert not is_secret(t.render("{{ user }}"))


@needs_ansible
def test_our_encrypt_string_output_is_read_by_ansible(tmp_path, pwfile, secrets):
    vars_file = tmp_path / "vars.yml"
    vars_file.write_text(encrypt_string_yaml("tøp secret", secrets, "token"))
    play = tmp_path / "play.yml"
    play.write_text(
        "- hosts: localhost\n  gather_facts: false\n  vars_files: [vars.yml]\n"
        "  tasks:\n    - debug: {msg: 'value=[{{ token }}]'}\n"
    )
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "0"}
    res = subprocess.run(
        [str(ANSIBLE_VAULT.parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "--vault-password-file", str(pwfile), str(play)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    assert "value=[tøp secret]" in res.stdout


@needs_ansible
def test_cli_encrypt_view_rekey_decrypt_roundtrip(tmp_path, pwfile, capsys):
    f = tmp_path / "f.yml"
    f.write_text("a: 1\n")
    assert cli_main(["vault", "encrypt", "--vault-password-file", str(pwfile), str(f)]) == 0
    assert _ansible_vault("view", "--vault-password-file", str(pwfile), str(f)).stdout == "a: 1\n"
    capsys.readouterr()
    assert cli_main(["vault", "view", "--vault-password-file", str(pwfile), str(f)]) == 0
    assert capsys.readouterr().out == "a: 1\n"
    new = tmp_path / "new-pass"
    new.write_text("another")
    rc = cli_main(["vault", "rekey", "--vault-password-file", str(pwfile),
                   "--new-vault-id", f"ops@{new}", str(f)])  # fmt: skip
    assert rc == 0
    assert f.read_text().startswith("$ANSIBLE_VAULT;1.2;AES256;ops\n")
    assert _ansible_vault("view", "--vault-id", f"ops@{new}", str(f)).stdout == "a: 1\n"
    assert cli_main(["vault", "decrypt", "--vault-id", f"ops@{new}", str(f)]) == 0
    assert f.read_text() == "a: 1\n"


def test_cli_wrong_password_exits_nonzero_with_message(tmp_path, pwfile, capsys):
    f = tmp_path / "f"
    f.write_text(encrypt(b"x", VaultSecrets.from_password("other")))
    assert cli_main(["vault", "view", "--vault-password-file", str(pwfile), str(f)]) == 1
    assert "decryption failed (wrong vault password?)" in capsys.readouterr().err


def test_cli_encrypt_string_from_stdin_with_name(pwfile, secrets, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("from-stdin"))
    assert cli_main(["vault", "encrypt_string", "--vault-password-file", str(pwfile),
                     "--stdin-name", "var"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith("var: !vault |\n")
    from edgeauto.yamlsrc import load_yaml_text

    assert load_yaml_text(out)["var"].decrypt(secrets) == "from-stdin"


def test_vault_identity_list_environment_is_used_without_options(
    tmp_path, pwfile, monkeypatch, capsys
):
    f = tmp_path / "f"
    f.write_text(encrypt(b"env ids\n", VaultSecrets.from_password_file(pwfile, "ops"), "ops"))
    monkeypatch.delenv("ANSIBLE_VAULT_PASSWORD_FILE", raising=False)
    monkeypatch.setenv("ANSIBLE_VAULT_IDENTITY_LIST", f"ops@{pwfile}")
    assert cli_main(["vault", "view", str(f)]) == 0
    assert capsys.readouterr().out == "env ids\n"
