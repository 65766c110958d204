"""Serialisation and encoding filters: YAML/JSON, base64, hashes, password hashes, URLs, UUIDs."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit as _urlsplit

import yaml

from edgeauto.errors import TemplateError
from edgeauto.templating.filters.core import _plain


class _YamlDumper(yaml.SafeDumper):
    """Plain SafeDumper; str subclasses (positions, secrets) dump as plain strings."""


_YamlDumper.add_multi_representer(str, lambda d, v: d.represent_str(str(v)))
_YamlDumper.add_multi_representer(dict, lambda d, v: d.represent_dict(v))
_YamlDumper.add_multi_representer(list, lambda d, v: d.represent_list(v))


def to_yaml(a, *_args, default_flow_style=None, **kw) -> str:
    return yaml.dump(
        a, Dumper=_YamlDumper, allow_unicode=True, default_flow_style=default_flow_style, **kw
    )


def to_nice_yaml(a, indent=4, *_args, default_flow_style=False, **kw) -> str:
    return to_yaml(a, indent=indent, default_flow_style=default_flow_style, **kw)


def from_yaml(data):
    if data is None or data == "":
        return None
    if isinstance(data, str):
        return yaml.safe_load(data)
    return data


def from_yaml_all(data):
    if not data:
        return []
    if isinstance(data, str):
        return list(yaml.safe_load_all(data))
    return data


def to_json(a, *args, **kw) -> str:
    kw.pop("vault_to_text", None)
    kw.pop("preprocess_unsafe", None)
    return json.dumps(_plain(a), *args, **kw)


def to_nice_json(a, indent=4, sort_keys=True, **kw) -> str:
    kw.pop("separators", None)
    return to_json(a, indent=indent, sort_keys=sort_keys, separators=(",", ": "), **kw)


def from_json(a, **kw):
    return json.loads(a, **kw)


def b64encode(string, encoding="utf-8", urlsafe=False) -> str:
    func = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return func(str(string).encode(encoding)).decode("ascii")


def b64decode(string, encoding="utf-8", urlsafe=False) -> str:
    func = base64.urlsafe_b64decode if urlsafe else base64.b64decode
    return func(str(string).encode("utf-8")).decode(encoding)


def get_hash(data, hashtype="sha1") -> str:
    try:
        h = hashlib.new(hashtype)
    except ValueError:
        raise TemplateError(f"hash: unknown hash type '{hashtype}'") from None
    h.update(str(data).encode("utf-8"))
    return h.hexdigest()


_CRYPT = {
    "md5": "md5_crypt",
    "md5_crypt": "md5_crypt",
    "sha256": "sha256_crypt",
    "sha256_crypt": "sha256_crypt",
    "sha512": "sha512_crypt",
    "sha512_crypt": "sha512_crypt",
    "bcrypt": "bcrypt",
}


def password_hash(password, hashtype="sha512", salt=None, salt_size=None, rounds=None, ident=None):
    """crypt(3)-style hash via passlib with passlib's default rounds (what Ansible uses)."""
    import warnings

    with warnings.catch_warnings():  # passlib imports the deprecated crypt module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib import hash as ph

    name = _CRYPT.get(hashtype)
    if name == "bcrypt":
        return _bcrypt_hash(str(password), salt, rounds, ident)
    if not name:
        raise TemplateError(
            f"password_hash: unsupported hash type '{hashtype}' ({', '.join(_CRYPT)})"
        )
    handler = getattr(ph, name)
    settings: dict[str, Any] = {}
    if salt is not None:
        settings["salt"] = str(salt)
    elif salt_size:
        settings["salt_size"] = salt_size
    if rounds is not None:
        settings["rounds"] = int(rounds)
    if ident is not None:
        settings["ident"] = ident
    return handler.using(**settings).hash(str(password))


def _bcrypt_hash(password: str, salt, rounds, ident) -> str:
    """bcrypt through the bcrypt library (passlib's bcrypt backend breaks with bcrypt>=4.1)."""
    try:
        import bcrypt
    except ImportError:
        raise TemplateError("password_hash('bcrypt') needs the 'bcrypt' Python package") from None
    ident = ident or "2b"
    cost = int(rounds or 12)
    if salt is None:
        setting = bcrypt.gensalt(rounds=cost, prefix=ident.encode())
    else:
        salt = str(salt)
        if len(salt) != 22:
            raise TemplateError(
                f"password_hash: a bcrypt salt must be 22 characters, found {len(salt)}"
            )
        setting = f"${ident}${cost:02d}${salt}".encode()
    data = password.encode("utf-8")
    if len(data) > 72:
        raise TemplateError("password_hash: bcrypt passwords are limited to 72 bytes")
    return bcrypt.hashpw(data, setting).decode("ascii")


def urlsplit(value, query=""):
    parts = _urlsplit(str(value))
    result = {
        "fragment": parts.fragment,
        "hostname": parts.hostname,
        "netloc": parts.netloc,
        "password": parts.password,
        "path": parts.path,
        "port": parts.port,
        "query": parts.query,
        "scheme": parts.scheme,
        "username": parts.username,
    }
    if query:
        if query not in result:
            raise TemplateError(f"urlsplit: unknown URL component '{query}'")
        return result[query]
    return result


_UUID_NAMESPACE = "361E6D51-FAEC-444A-9079-341386DA8E2E"  # Ansible's to_uuid namespace


def to_uuid(string, namespace=_UUID_NAMESPACE) -> str:
    import uuid

    return str(uuid.uuid5(uuid.UUID(str(namespace)), str(string)))


def urldecode(value) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(str(value))


def json_query(data, expr: str):
    """community.general.json_query: JMESPath over plain data (needs the jmespath package)."""
    try:
        import jmespath
    except ImportError:
        raise TemplateError("json_query needs the 'jmespath' Python package") from None
    try:
        return jmespath.search(expr, _plain(data))
    except jmespath.exceptions.JMESPathError as exc:
        raise TemplateError(f"json_query: {exc}") from None
