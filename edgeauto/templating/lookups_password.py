"""The ``password`` lookup (ansible.builtin.password): a random password kept in a file on
the controller, made on first use (0600, written atomically) and reused after, with
Ansible's term syntax (``path length=… chars=… seed=… encrypt=…``). Split from
:mod:`.lookups_more`, which holds the argument helpers it uses."""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgeauto.errors import TemplateError
from edgeauto.fsutil import atomic_write
from edgeauto.templating.lookups_more import _int, _unknown

if TYPE_CHECKING:
    from edgeauto.templating.templar import Templar


_PASSWORD_OPTIONS = ("length", "encrypt", "chars", "ident", "seed")
_DEFAULT_CHARS = ["ascii_letters", "digits", ".,:-_"]
_SALT_CHARS = string.ascii_letters + string.digits + "./"
_SALT_SIZE = {"md5_crypt": 8, "bcrypt": 22, "sha256_crypt": 16, "sha512_crypt": 16}
_IMPLICIT_IDENT = {"bcrypt": "2b"}


def _password_term(term: str) -> tuple[str, dict[str, str]]:
    from edgeauto.playbook.splitter import parse_kv

    head, _, rest = term.partition(" ")
    if not rest:
        return term, {}
    params = parse_kv(rest)
    raw = params.pop("_raw_params", None)
    if raw is not None:
        head = f"{head} {raw}"  # spaces in the path
        if not term.startswith(head):
            raise TemplateError(
                "password lookup: unrecognized value after key=value parameters given to "
                "password lookup"
            )
    bad = sorted(set(params) - set(_PASSWORD_OPTIONS))
    if bad:
        raise TemplateError(
            f"password lookup: unrecognized parameter(s) given to password lookup: {', '.join(bad)}"
        )
    return head, params


def _candidate_chars(chars: Any) -> str:
    if isinstance(chars, str):
        specs = ([","] if ",," in chars else []) + [
            c for c in chars.replace(",,", ",").split(",") if c
        ]
    else:
        specs = [str(c) for c in chars]
    named = (getattr(string, s, None) for s in specs)  # ascii_letters, digits, punctuation...
    text = "".join(v if isinstance(v, str) else s for s, v in zip(specs, named, strict=True))
    return text.replace('"', "").replace("'", "")


def _random(length: int, chars: str, seed: Any = None) -> str:
    import random

    if not chars:
        raise TemplateError("password lookup: no characters to choose from (chars)")
    gen = random.SystemRandom() if seed is None else random.Random(str(seed))
    return "".join(gen.choice(chars) for _ in range(length))


def _split_content(content: str) -> tuple[str, str | None, str | None]:
    """``PASSWORD[ salt=SALT[ ident=IDENT]]`` as the password file stores it."""
    password, salt, ident = content, None, None
    if " salt=" in content:
        password, rest = content.rsplit(" salt=", 1)
        salt = rest
        if " ident=" in rest:
            salt, ident = rest.rsplit(" ident=", 1)
    return password, salt, ident


def _write_atomic(path: Path, content: str) -> None:
    """Mode 0600, parents 0700, renamed over the target so a concurrent reader never sees a
    half-written password."""
    atomic_write(path, content + "\n", 0o600, private=True)


def lookup_password(templar: Templar, terms: list, **kwargs: Any) -> list:
    """A random password kept in a file on the controller: generated (``length`` characters
    from ``chars``) and saved the first time, read back afterwards. ``encrypt`` returns a
    crypt hash instead and stores the salt (``pw salt=...``) so the hash stays the same;
    ``/dev/null`` never stores anything. A relative path is relative to the playbook dir."""
    import fcntl

    from edgeauto.templating.filters.encoding import password_hash
    from edgeauto.templating.revealed import reveal
    from edgeauto.templating.vault import SecretStr

    _unknown("password", {k: v for k, v in kwargs.items() if k not in _PASSWORD_OPTIONS})
    out: list = []
    for term in terms:
        relpath, inline = _password_term(str(term))
        opts: dict[str, Any] = {
            "length": 20,
            "encrypt": None,
            "chars": _DEFAULT_CHARS,
            "ident": None,
            "seed": None,
        }
        opts.update(kwargs)
        opts.update(inline)
        length = _int("password", "length", opts["length"])
        chars = _candidate_chars(opts["chars"])
        encrypt = opts["encrypt"] or None
        path = Path(os.path.expanduser(relpath))
        if not path.is_absolute():
            path = (templar.basedir or Path.cwd()) / path
        null = str(path) == os.devnull
        lock_fh = None
        try:
            if not null:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                lock_fh = open(path.parent / f".{path.name}.edgeauto-lock", "a")  # noqa: SIM115
                fcntl.flock(lock_fh, fcntl.LOCK_EX)  # one writer per file across forks/runs
            changed = False
            if null or not path.exists():
                plain, salt, ident = _random(length, chars, opts["seed"]), None, None
                changed = True
            else:
                content = path.read_bytes().rstrip().decode("utf-8", "surrogateescape")
                plain, salt, ident = _split_content(content)
            if encrypt and not salt:
                salt = _random(_SALT_SIZE.get(str(encrypt), 8), _SALT_CHARS)
                changed = True
            if not ident:
                ident = opts["ident"]
            elif opts["ident"] and ident != opts["ident"]:
                raise TemplateError(
                    f"password lookup: the ident parameter provided ({opts['ident']}) does not "
                    f"match the stored one ({ident})"
                )
            if encrypt and not ident and _IMPLICIT_IDENT.get(str(encrypt)):
                ident = _IMPLICIT_IDENT[str(encrypt)]
                changed = True
            if changed and not null:
                stored = plain
                if salt:
                    stored = f"{plain} salt={salt}" + (f" ident={ident}" if ident else "")
                _write_atomic(path, stored)
        finally:
            if lock_fh is not None:
                fcntl.flock(lock_fh, fcntl.LOCK_UN)
                lock_fh.close()
                try:
                    os.unlink(lock_fh.name)
                except OSError:
                    pass
        value = password_hash(plain, str(encrypt), salt=salt, ident=ident) if encrypt else plain
        reveal(plain)  # masked by value wherever it is printed (loop labels, errors...)
        reveal(value)
        out.append(SecretStr(value))
    return out
