"""``edgeauto vault encrypt|decrypt|view|encrypt_string|rekey`` — ansible-vault compatible.

Files written here open with ``ansible-vault`` and the other way round. ``create``/``edit``
are left out on purpose (they need an interactive editor). Other commands reuse
:func:`add_vault_options` and :func:`secrets_from_args` so ``--vault-id``/
``--vault-password-file``/``--ask-vault-pass`` mean the same everywhere.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from edgeauto.fsutil import atomic_write


def add_vault_options(parser: argparse.ArgumentParser) -> None:
    """Add the vault password options (same spelling as ansible-playbook)."""
    g = parser.add_argument_group("vault")
    g.add_argument(
        "--vault-password-file",
        "--vault-pass-file",
        action="append",
        default=[],
        metavar="FILE",
        help="file holding the vault password (an executable prints it)",
    )
    g.add_argument(
        "--vault-id",
        action="append",
        default=[],
        metavar="LABEL@SOURCE",
        help="vault identity: label@file, label@prompt, or file (repeatable)",
    )
    g.add_argument(
        "-J", "--ask-vault-pass", "--ask-vault-password", action="store_true", help="prompt for it"
    )


def secrets_from_args(args: argparse.Namespace, required: bool = False):
    """Build VaultSecrets from the parsed options.

    Without options, ``$ANSIBLE_VAULT_PASSWORD_FILE`` and ``$ANSIBLE_VAULT_IDENTITY_LIST``
    (comma-separated ``label@source``) are used, as ansible-vault does, else ansible.cfg's
    ``vault_password_file`` / ``vault_identity_list``.
    """
    from edgeauto.errors import VaultError
    from edgeauto.templating.vault import VaultSecrets

    secrets = VaultSecrets()
    specs = list(getattr(args, "vault_id", []) or [])
    files = list(getattr(args, "vault_password_file", []) or [])
    env_file = os.environ.get("ANSIBLE_VAULT_PASSWORD_FILE") or os.environ.get(
        "EDGEAUTO_VAULT_PASSWORD_FILE"
    )
    env_ids = os.environ.get("ANSIBLE_VAULT_IDENTITY_LIST", "")
    if not specs and not files:
        if env_file:
            files.append(env_file)
        specs.extend(s.strip() for s in env_ids.split(",") if s.strip())
    if not specs and not files:  # ansible.cfg: vault_password_file / vault_identity_list
        from edgeauto.config import active

        cfg = active()
        files += [cfg.get("vault_password_file")] if cfg.get("vault_password_file") else []
        specs += list(cfg.get("vault_identity_list") or [])
    for f in files:
        secrets.extend(VaultSecrets.from_password_file(f))
    if specs:
        secrets.extend(VaultSecrets.from_vault_ids(specs))
    if getattr(args, "ask_vault_pass", False):
        import getpass

        secrets.extend(VaultSecrets.from_password(getpass.getpass("Vault password: ")))
    if required and not secrets:
        if sys.stdin.isatty():
            import getpass

            secrets.extend(VaultSecrets.from_password(getpass.getpass("Vault password: ")))
        else:
            raise VaultError(
                "a vault password is needed", hint="use --vault-password-file or --vault-id"
            )
    return secrets


def _read(path: str) -> bytes:
    from edgeauto.errors import VaultError

    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise VaultError("file not found", _pos(path)) from None


def _pos(path: str):
    from edgeauto.errors import Position

    return Position(path)


def _encrypt_id(args, secrets) -> str | None:
    label = getattr(args, "encrypt_vault_id", None)
    if label:
        return label
    if len(secrets.secrets) > 1:
        from edgeauto.errors import VaultError

        raise VaultError("several vault ids given: choose one with --encrypt-vault-id")
    return None


def _cmd_encrypt(args) -> int:
    from edgeauto.errors import VaultError
    from edgeauto.templating.vault import encrypt, is_encrypted

    secrets = secrets_from_args(args, required=True)
    vid = _encrypt_id(args, secrets)
    for name in args.files or ["-"]:
        data = _read(name)
        if is_encrypted(data):
            raise VaultError("input is already encrypted", _pos(name))
        out = encrypt(data, secrets, vid).encode()
        target = args.output or name
        if target == "-":
            sys.stdout.write(out.decode())
        else:
            atomic_write(Path(target), out, private=True)
            print(f"Encryption successful: {target}", file=sys.stderr)
    return 0


def _cmd_decrypt(args, view: bool = False) -> int:
    from edgeauto.errors import VaultError
    from edgeauto.templating.vault import decrypt, is_encrypted

    secrets = secrets_from_args(args, required=True)
    for name in args.files or ["-"]:
        data = _read(name)
        if not is_encrypted(data):
            raise VaultError("input is not vault encrypted data", _pos(name))
        plain = decrypt(data, secrets, _pos(name))
        target = "-" if view else (args.output or name)
        if target == "-":
            sys.stdout.buffer.write(plain)
            sys.stdout.flush()
        else:
            atomic_write(Path(target), plain, private=True)
            print(f"Decryption successful: {target}", file=sys.stderr)
    return 0


def _cmd_view(args) -> int:
    return _cmd_decrypt(args, view=True)


def _cmd_rekey(args) -> int:
    from edgeauto.templating.vault import VaultSecrets, decrypt, encrypt

    secrets = secrets_from_args(args, required=True)
    new = VaultSecrets()
    if args.new_vault_password_file:
        new.extend(VaultSecrets.from_password_file(args.new_vault_password_file))
    if args.new_vault_id:
        new.extend(VaultSecrets.from_vault_ids([args.new_vault_id]))
    if not new:
        from edgeauto.errors import VaultError

        raise VaultError(
            "rekey needs the new password", hint="use --new-vault-password-file or --new-vault-id"
        )
    for name in args.files:
        plain = decrypt(_read(name), secrets, _pos(name))
        atomic_write(Path(name), encrypt(plain, new, new.secrets[0][0]).encode(), private=True)
        print(f"Rekey successful: {name}", file=sys.stderr)
    return 0


def _cmd_encrypt_string(args) -> int:
    from edgeauto.templating.vault import encrypt_string_yaml

    secrets = secrets_from_args(args, required=True)
    vid = _encrypt_id(args, secrets)
    items: list[tuple[str | None, str]] = []
    if args.stdin_name is not None or not args.strings or args.strings == ["-"]:
        data = sys.stdin.read()
        items.append((args.stdin_name, data))
    else:
        names = list(args.name or [])
        for i, s in enumerate(args.strings):
            items.append((names[i] if i < len(names) else None, s))
    out = "\n".join(encrypt_string_yaml(text, secrets, name, vid) for name, text in items)
    if args.output and args.output != "-":
        atomic_write(Path(args.output), out.encode(), private=True)
    else:
        sys.stdout.write(out)
    print("Encryption successful", file=sys.stderr)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "vault",
        help="encrypt/decrypt files and strings (ansible-vault compatible)",
        description="Work with ansible-vault encrypted files and values. Output opens with "
        "ansible-vault and vice versa.",
    )
    sub = p.add_subparsers(dest="vault_command", metavar="ACTION", required=True)

    def common(name, help_, func, files=True):
        sp = sub.add_parser(name, help=help_)
        add_vault_options(sp)
        if files:
            sp.add_argument("files", nargs="*", metavar="FILE", help="files ('-' for stdin)")
        sp.set_defaults(func=func)
        return sp

    sp = common("encrypt", "encrypt files in place", _cmd_encrypt)
    sp.add_argument("--output", help="write here instead of in place ('-' for stdout)")
    sp.add_argument("--encrypt-vault-id", metavar="LABEL", help="vault id to encrypt with")
    sp = common("decrypt", "decrypt files in place", _cmd_decrypt)
    sp.add_argument("--output", help="write here instead of in place ('-' for stdout)")
    common("view", "print decrypted content", _cmd_view)
    sp = common("rekey", "re-encrypt files with a new password", _cmd_rekey)
    sp.add_argument("--new-vault-password-file", metavar="FILE")
    sp.add_argument("--new-vault-id", metavar="LABEL@SOURCE")
    sp = common(
        "encrypt_string", "encrypt a string for use as '!vault' in YAML", _cmd_encrypt_string, False
    )
    sp.add_argument("strings", nargs="*", metavar="STRING", help="plaintext ('-' or none: stdin)")
    sp.add_argument("-n", "--name", action="append", help="variable name for each string")
    sp.add_argument("--stdin-name", help="read the value from stdin and name it")
    sp.add_argument("--output", help="write to a file instead of stdout")
    sp.add_argument("--encrypt-vault-id", metavar="LABEL", help="vault id to encrypt with")
    # ansible-vault spells it encrypt_string; accept encrypt-string as well
    sub._name_parser_map["encrypt-string"] = sp  # type: ignore[attr-defined]
