"""Ansible-vault compatible encryption (format 1.1 and 1.2 with vault-id labels).

WHY our own implementation: edgeauto must read the vaulted vars files and ``!vault`` values that
existing Ansible projects already have, and files we write must open with ``ansible-vault``.
The format (documented by Ansible) is::

    $ANSIBLE_VAULT;1.1;AES256            (or  $ANSIBLE_VAULT;1.2;AES256;<vault-id label>)
    <hex text wrapped at 80 columns>

The hex text decodes to three lines: hex(salt), hex(HMAC-SHA256), hex(ciphertext).
Keys come from PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 80 bytes): the first 32
bytes are the AES-256 key, the next 32 the HMAC key, the last 16 the CTR counter block. The
plaintext is PKCS#7 padded to 16 bytes before AES-CTR; the HMAC covers the ciphertext.
"""

from __future__ import annotations

import binascii
import hmac
import os
import stat
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from edgeauto.errors import Position, VaultError

HEADER = "$ANSIBLE_VAULT"
DEFAULT_ID = "default"
_ITERATIONS = 10000
_SALT_LEN = 32
_WRAP = 80


@dataclass
class VaultSecrets:
    """The vault passwords known to a run: an ordered list of (vault_id, password bytes).

    Decryption tries the secret whose id matches the label in the vaulted text first, then all
    others in order (Ansible does the same), so one unlabelled password opens any file.
    """

    secrets: list[tuple[str, bytes]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.secrets)

    @classmethod
    def from_password(cls, password: str | bytes, vault_id: str = DEFAULT_ID) -> VaultSecrets:
        if isinstance(password, str):
            password = password.encode("utf-8")
        return cls([(vault_id, password)])

    @classmethod
    def from_password_file(cls, path: str | Path, vault_id: str = DEFAULT_ID) -> VaultSecrets:
        return cls([(vault_id, _read_password_source(Path(path), vault_id))])

    @classmethod
    def from_vault_ids(cls, specs: Iterable[str]) -> VaultSecrets:
        """Parse ``--vault-id`` values: ``label@file``, ``label@prompt`` or just ``file``."""
        out = cls()
        for spec in specs:
            label, sep, source = spec.partition("@")
            if not sep:
                label, source = DEFAULT_ID, spec
            if source == "prompt":
                import getpass

                pw = getpass.getpass(f"Vault password ({label}): ").encode("utf-8")
            else:
                pw = _read_password_source(Path(source), label)
            out.secrets.append((label or DEFAULT_ID, pw))
        return out

    def extend(self, other: VaultSecrets) -> VaultSecrets:
        self.secrets.extend(other.secrets)
        return self

    def ordered_for(self, label: str | None) -> list[tuple[str, bytes]]:
        if not label:
            return list(self.secrets)
        first = [s for s in self.secrets if s[0] == label]
        return first + [s for s in self.secrets if s[0] != label]


def _read_password_source(path: Path, vault_id: str) -> bytes:
    """A password file holds the password; an executable prints it (Ansible's rule).

    A script named ``*-client`` / ``*-client.py`` is a vault-id client and is asked for
    ``--vault-id <label>`` like ansible-vault does.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise VaultError("vault password file not found", Position(str(path))) from None
    if mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH) and stat.S_ISREG(mode):
        cmd = [str(path.resolve())]
        if path.stem.endswith("-client"):
            cmd += ["--vault-id", vault_id]
        try:
            proc = subprocess.run(cmd, capture_output=True, check=False, timeout=120)
        except OSError as exc:
            raise VaultError(
                f"cannot run vault password script: {exc}", Position(str(path))
            ) from None
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise VaultError(
                f"vault password script exited with {proc.returncode}: {err}", Position(str(path))
            )
        data = proc.stdout
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise VaultError(
                f"cannot read vault password file: {exc.strerror}", Position(str(path))
            ) from None
    password = data.strip()
    if not password:
        raise VaultError("vault password file is empty", Position(str(path)))
    return password


def is_encrypted(text: str | bytes) -> bool:
    """True if the text starts with an ansible-vault header."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.lstrip().startswith(HEADER + ";")


def _derive(password: bytes, salt: bytes) -> tuple[bytes, bytes, bytes]:
    # cryptography is imported only when vault data is really en/decrypted (start-up time)
    from cryptography.hazmat.primitives.hashes import SHA256
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    kdf = PBKDF2HMAC(algorithm=SHA256(), length=80, salt=salt, iterations=_ITERATIONS)
    raw = kdf.derive(password)
    return raw[:32], raw[32:64], raw[64:80]


def encrypt(plaintext: bytes | str, secrets: VaultSecrets, vault_id: str | None = None) -> str:
    """Encrypt with the secret named ``vault_id`` (or the first one); returns vault text.

    A non-default label produces the 1.2 header carrying the label, like ansible-vault.
    """
    if isinstance(plaintext, str):
        plaintext = plaintext.encode("utf-8")
    if not secrets:
        raise VaultError("no vault password given (use --vault-password-file or --vault-id)")
    chosen = secrets.secrets[0]
    if vault_id is not None:
        match = [s for s in secrets.secrets if s[0] == vault_id]
        if not match:
            raise VaultError(f"no vault secret with id '{vault_id}'")
        chosen = match[0]
    label, password = chosen
    salt = os.urandom(_SALT_LEN)
    key, hkey, iv = _derive(password, salt)
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    cipher = enc.update(padded) + enc.finalize()
    mac = hmac.new(hkey, cipher, sha256).hexdigest().encode()
    body = binascii.hexlify(b"\n".join([binascii.hexlify(salt), mac, binascii.hexlify(cipher)]))
    lines = [body[i : i + _WRAP].decode() for i in range(0, len(body), _WRAP)]
    header = f"{HEADER};1.1;AES256" if label == DEFAULT_ID else f"{HEADER};1.2;AES256;{label}"
    return header + "\n" + "\n".join(lines) + "\n"


def parse_header(text: str, pos: Position | None = None) -> tuple[str, str | None, str]:
    """Split vault text into (version, label, hex body); errors name the value's position."""
    text = text.strip()
    head, _, rest = text.partition("\n")
    parts = head.strip().split(";")
    if parts[0] != HEADER or len(parts) < 3:
        raise VaultError(f"not ansible-vault data (expected '{HEADER};1.1;AES256')", pos)
    version, cipher = parts[1], parts[2].strip()
    if cipher != "AES256":
        raise VaultError(f"unsupported vault cipher '{cipher}' (only AES256)", pos)
    if version not in ("1.1", "1.2"):
        raise VaultError(f"unsupported vault format version '{version}'", pos)
    label = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None
    body = "".join(line.strip() for line in rest.splitlines())
    return version, label, body


def decrypt(text: str | bytes, secrets: VaultSecrets, pos: Position | None = None) -> bytes:
    """Decrypt vault text with any known secret (label-matching first)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    _, label, body = parse_header(text, pos)
    try:
        inner = binascii.unhexlify(body)
        salt_hex, mac_hex, cipher_hex = inner.split(b"\n", 2)
        salt = binascii.unhexlify(salt_hex)
        cipher = binascii.unhexlify(cipher_hex.strip())
    except (binascii.Error, ValueError):
        raise VaultError("vault data is corrupt (bad hex encoding)", pos) from None
    if not secrets:
        raise VaultError(
            "encrypted data found but no vault password given",
            pos,
            hint="use --vault-password-file or --vault-id",
        )
    for _label, password in secrets.ordered_for(label):
        key, hkey, iv = _derive(password, salt)
        expect = hmac.new(hkey, cipher, sha256).hexdigest().encode()
        if not hmac.compare_digest(expect, mac_hex.strip()):
            continue
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        dec = Cipher(algorithms.AES(key), modes.CTR(iv)).decryptor()
        padded = dec.update(cipher) + dec.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError:
            raise VaultError("vault data is corrupt (bad padding)", pos) from None
    raise VaultError("decryption failed (wrong vault password?)", pos)


def decrypt_file_text(text: str, secrets: VaultSecrets, filename: str | None = None) -> str:
    """Whole-file vault (vars files, copy src): return the plaintext, or the text unchanged."""
    if not is_encrypted(text):
        return text
    pos = Position(filename) if filename else None
    try:
        plain = decrypt(text, secrets, pos).decode("utf-8")
    except UnicodeDecodeError:
        raise VaultError("decrypted vault data is not UTF-8 text", pos) from None
    from edgeauto.templating.revealed import reveal

    reveal(plain)  # a vaulted file's content (and its long lines) is masked in output
    return plain


def encrypt_string_yaml(
    plaintext: str, secrets: VaultSecrets, name: str | None, vault_id=None
) -> str:
    """The ``encrypt_string`` output: a ``!vault |`` block, optionally as ``name: !vault |``."""
    body = encrypt(plaintext, secrets, vault_id)
    indented = "".join("          " + line + "\n" for line in body.splitlines())
    return (f"{name}: " if name else "") + "!vault |\n" + indented


class EncryptedString:
    """A ``!vault`` value from YAML: stays encrypted until a Templar with secrets uses it.

    It is deliberately *not* a str subclass: ciphertext must never be mistaken for the value.
    """

    __slots__ = ("ciphertext", "pos", "_plain")

    def __init__(self, ciphertext: str, pos: Position | None = None):
        self.ciphertext = ciphertext
        self.pos = pos
        self._plain: str | None = None

    def decrypt(self, secrets: VaultSecrets | None) -> str:
        if self._plain is None:
            data = decrypt(self.ciphertext, secrets or VaultSecrets(), self.pos)
            try:
                self._plain = data.decode("utf-8")
            except UnicodeDecodeError:
                raise VaultError("decrypted vault value is not UTF-8 text", self.pos) from None
            from edgeauto.templating.revealed import reveal

            reveal(self._plain)  # masked by value wherever it is printed from now on
        return self._plain

    def __repr__(self) -> str:
        return f"EncryptedString(<vaulted>{' at ' + str(self.pos) if self.pos else ''})"

    def __str__(self) -> str:  # never show the ciphertext or plaintext by accident
        return "<vaulted value>"


class SecretStr(str):
    """A string that came from vault (or was computed from one); output must hide it."""

    __slots__ = ()
