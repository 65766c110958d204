"""``group_vars/`` and ``host_vars/`` directories beside an inventory or a playbook.

For an entity named ``web`` the first of ``web``, ``web.yml``, ``web.yaml``, ``web.json``
that exists is used; if it is a directory, every file in it (recursively, sorted, hidden and
``~`` backups skipped, extension ``.yml``/``.yaml``/``.json`` or none) is loaded and merged
in name order. Only entities that exist in the inventory are looked up, as in Ansible.
A vault-encrypted file is decrypted with the given secrets; single ``!vault`` values stay
encrypted until used.
"""

from __future__ import annotations

import os
from pathlib import Path

from edgeauto.errors import ParseError, Position, VaultError, describe
from edgeauto.yamlsrc import load_yaml_text

VARS_EXTENSIONS = (".yml", ".yaml", ".json")


def find_vars_files(directory: Path, name: str) -> list[Path]:
    """The files that hold variables for ``name`` inside a group_vars/host_vars dir."""
    base = directory / name
    for candidate in (base, *(Path(f"{base}{ext}") for ext in VARS_EXTENSIONS)):
        if candidate.exists():
            if candidate.is_dir():
                return _dir_files(candidate)
            return [candidate]
    return []


def _dir_files(directory: Path) -> list[Path]:
    found: list[Path] = []
    for entry in sorted(os.listdir(directory)):
        if entry.startswith(".") or entry.endswith("~"):
            continue
        path = directory / entry
        ext = os.path.splitext(entry)[1]
        if path.is_dir() and not ext:
            found.extend(_dir_files(path))
        elif path.is_file() and (not ext or ext in VARS_EXTENSIONS):
            found.append(path)
    return found


def load_vars_file(path: Path, vault=None) -> dict:
    """One vars file as a mapping (empty file -> {}); whole-file vault is decrypted."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"vars file is not UTF-8 text: {exc.reason}", Position(str(path))
        ) from None
    vaulted = text.lstrip().startswith("$ANSIBLE_VAULT")
    if vaulted:
        text = _decrypt(text, vault, path)
    data = load_yaml_text(text, str(path))
    if vaulted:
        from edgeauto.templating.revealed import reveal_leaves

        reveal_leaves(data)  # every value of a vaulted file is a secret in output
    if data is None:
        return {}
    if not isinstance(data, dict):
        from edgeauto.errors import InventoryError

        raise InventoryError(
            f"a vars file must hold a mapping of variable names, found {describe(data)}",
            getattr(data, "pos", None) or Position(str(path), 1),
        )
    return data


def _decrypt(text: str, vault, path: Path) -> str:
    try:
        from edgeauto.templating.vault import decrypt_file_text
    except ImportError:  # pragma: no cover - the vault helper ships with templating
        decrypt_file_text = None
    if decrypt_file_text is None or not vault:
        raise VaultError(
            "this vars file is vault-encrypted and no vault password was given",
            Position(str(path)),
            hint="pass --vault-password-file or --ask-vault-pass",
        )
    return decrypt_file_text(text, vault, str(path))


def load_vars_dirs(inventory, basedir: str | os.PathLike, tier: str, vault=None) -> None:
    """Merge ``basedir/group_vars`` and ``basedir/host_vars`` into the inventory's ``tier``."""
    base = Path(basedir)
    for subdir, names, store in (
        ("group_vars", list(inventory.groups), inventory.dir_group_vars[tier]),
        ("host_vars", list(inventory.hosts), inventory.dir_host_vars[tier]),
    ):
        directory = base / subdir
        if not directory.is_dir():
            continue
        for name in names:
            if name.startswith(os.sep):
                continue
            for path in find_vars_files(directory, name):
                data = load_vars_file(path, vault)
                store.setdefault(name, {}).update(data)


def source_basedir(source: str) -> str | None:
    """The directory whose group_vars/host_vars belong to an inventory source, if any."""
    if os.path.isdir(source):
        return source
    if os.path.isfile(source):
        return os.path.dirname(source) or "."
    return None
