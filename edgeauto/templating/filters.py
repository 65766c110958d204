"""Ansible-compatible Jinja2 filters (the ones real playbooks use).

WHY our own: the playbooks we run were written against Ansible's filter set and its exact
output formats (``to_nice_json`` key order and indent, ``password_hash`` rounds, seeded
``random``...). Each filter here is checked against ansible-core's output in
``tests/unit/templating/test_oracle.py``. Jinja2 built-ins that already behave the same
(``lower``, ``join``, ``selectattr``...) are kept as they are.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import itertools
import json
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from random import Random, SystemRandom
from typing import Any
from urllib.parse import urlsplit as _urlsplit

import yaml
from jinja2 import Undefined, pass_environment
from jinja2.filters import do_unique

from edgeauto.errors import TemplateError

_TRUE = {"yes", "on", "true", "1"}
_FALSE = {"no", "off", "false", "0"}


def _plain(value: Any) -> Any:
    """Strip str/dict/list subclasses so json/yaml dumpers see plain types."""
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    if isinstance(value, set | frozenset):
        return [_plain(v) for v in value]
    return value


def to_bool(value: Any) -> bool:
    """Ansible's ``bool`` filter: yes/on/true/1 are true, everything else false."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    check = (
        value.lower()
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, int)
        else value
    )
    try:
        if check in _TRUE:
            return True
        if check in _FALSE:
            return False
        return check == 1  # Ansible's (deprecated) fallback for other values
    except TypeError:
        return False


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


def _flags(ignorecase=False, multiline=False) -> int:
    return (re.I if ignorecase else 0) | (re.M if multiline else 0)


def regex_replace(
    value="",
    pattern="",
    replacement="",
    ignorecase=False,
    multiline=False,
    count=0,
    mandatory_count=0,
):
    value = str(value)
    rx = re.compile(pattern, _flags(ignorecase, multiline))
    out, n = rx.subn(replacement, value, count=count)
    if mandatory_count and n != mandatory_count:
        raise TemplateError(f"regex_replace: expected {mandatory_count} matches, found {n}")
    return out


def regex_findall(value, regex, multiline=False, ignorecase=False):
    return re.findall(regex, str(value), _flags(ignorecase, multiline))


def regex_search(value, regex, *args, **kw):
    groups: list[int | str] = []
    for arg in args:
        m = re.match(r"\\g<(\S+)>", arg) if arg.startswith("\\g") else re.match(r"\\(\d+)", arg)
        if not m:
            raise TemplateError(
                f"regex_search: unknown argument {arg!r} (expected '\\\\1' or '\\\\g<name>')"
            )
        groups.append(m.group(1) if arg.startswith("\\g") else int(m.group(1)))
    match = re.search(regex, str(value), _flags(kw.get("ignorecase"), kw.get("multiline")))
    if not match:
        return None
    if not groups:
        return match.group()
    return [match.group(g) for g in groups]


def regex_escape(string, re_type="python"):
    if re_type == "python":
        return re.escape(str(string))
    if re_type == "posix_basic":
        return re.sub(r"([].[^$*\\])", r"\\\1", str(string))
    raise TemplateError(f"regex_escape: re_type '{re_type}' is not supported (python, posix_basic)")


def ternary(value, true_val, false_val, none_val=None):
    if value is None and none_val is not None:
        return none_val
    return true_val if value else false_val


def quote(a) -> str:
    return shlex.quote(str(a))


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


def mandatory(a, msg=None):
    if isinstance(a, Undefined):
        name = getattr(a, "_undefined_name", None)
        text = msg or (
            f"mandatory variable '{name}' is not defined"
            if name
            else "mandatory variable not defined"
        )
        from edgeauto.errors import UndefinedVariableError

        err = UndefinedVariableError(text)
        err.variable = name  # type: ignore[attr-defined]
        raise err
    return a


def _merge(a: dict, b: dict, recursive: bool, list_merge: str) -> dict:
    out = dict(a)
    for key, bval in b.items():
        aval = out.get(key)
        if recursive and isinstance(aval, Mapping) and isinstance(bval, Mapping):
            out[key] = _merge(dict(aval), dict(bval), True, list_merge)
        elif (
            key in out
            and isinstance(aval, list)
            and isinstance(bval, list)
            and list_merge != "replace"
        ):
            if list_merge == "keep":
                out[key] = aval
            elif list_merge == "append":
                out[key] = aval + bval
            elif list_merge == "prepend":
                out[key] = bval + aval
            elif list_merge == "append_rp":
                out[key] = [x for x in aval if x not in bval] + bval
            elif list_merge == "prepend_rp":
                out[key] = bval + [x for x in aval if x not in bval]
        else:
            out[key] = bval
    return out


_LIST_MERGE = ("replace", "keep", "append", "prepend", "append_rp", "prepend_rp")


def combine(*terms, recursive=False, list_merge="replace"):
    if list_merge not in _LIST_MERGE:
        raise TemplateError(
            f"combine: list_merge must be one of {', '.join(_LIST_MERGE)}, found '{list_merge}'"
        )
    dicts: list = []
    for t in terms:
        if isinstance(t, Mapping):
            dicts.append(t)
        elif isinstance(t, list | tuple):
            dicts.extend(t)
        else:
            raise TemplateError(f"combine: expected dictionaries, found {type(t).__name__}")
    for d in dicts:
        if not isinstance(d, Mapping):
            raise TemplateError(f"combine: expected dictionaries, found {type(d).__name__}")
    if not dicts:
        return {}
    result = dict(dicts[0])
    for d in dicts[1:]:
        result = _merge(result, dict(d), recursive, list_merge)
    return result


def _comment_prefix(style: str) -> dict:
    styles = {
        "plain": {"decoration": "# "},
        "erlang": {"decoration": "% "},
        "c": {"decoration": "// "},
        "cblock": {"beginning": "/*", "decoration": " * ", "end": " */"},
        "xml": {"beginning": "<!--", "decoration": " - ", "end": "-->"},
    }
    if style not in styles:
        raise TemplateError(f"comment: unknown style '{style}' ({', '.join(styles)})")
    return styles[style]


def comment(text, style="plain", **kw):
    """Wrap text as a comment block; same layout and options as Ansible's filter."""
    params = {
        "newline": "\n",
        "beginning": "",
        "prefix": None,
        "prefix_count": 1,
        "decoration": "",
        "postfix": None,
        "postfix_count": 1,
        "end": "",
    }
    params.update(_comment_prefix(style))
    params.update(kw)
    nl = params["newline"]
    prefix = (
        params["prefix"] if params["prefix"] is not None else params["decoration"].rstrip(" \r\n")
    )
    postfix = (
        params["postfix"] if params["postfix"] is not None else params["decoration"].rstrip(" \r\n")
    )
    dec = params["decoration"]
    prefix_lines = "".join(f"{prefix}{nl}" for _ in range(params["prefix_count"])) if prefix else ""
    postfix_lines = (
        "".join(f"{nl}{postfix}" for _ in range(params["postfix_count"])) if postfix else ""
    )
    body = (
        nl.join(dec.rstrip(" ") if line == "" else f"{dec}{line}" for line in str(text).split(nl))
        if dec
        else str(text)
    )
    beginning = f"{params['beginning']}{nl}" if params["beginning"] else ""
    end = f"{nl}{params['end']}" if params["end"] else ""
    return f"{beginning}{prefix_lines}{body}{postfix_lines}{end}"


@pass_environment
def extract(environment, item, container, morekeys=None):
    value = environment.getitem(container, item)
    if morekeys is not None:
        keys = morekeys if isinstance(morekeys, list) else [morekeys]
        for key in keys:
            value = environment.getitem(value, key)
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _is_sequence(v) -> bool:
    return isinstance(v, Sequence) and not isinstance(v, str | bytes)


def flatten(mylist, levels=None, skip_nulls=True):
    ret: list = []
    for element in mylist:
        if skip_nulls and element in (None, "None", "null"):
            continue
        if _is_sequence(element):
            if levels is None:
                ret.extend(flatten(element, skip_nulls=skip_nulls))
            elif levels >= 1:
                ret.extend(flatten(element, levels=int(levels) - 1, skip_nulls=skip_nulls))
            else:
                ret.append(element)
        else:
            ret.append(element)
    return ret


def subelements(obj, subelements, skip_missing=False):
    if isinstance(obj, Mapping):
        elements = list(obj.values())
    elif _is_sequence(obj):
        elements = list(obj)
    else:
        raise TemplateError("subelements: obj must be a list of dicts or a nested dict")
    if isinstance(subelements, str):
        keys = subelements.split(".")
    elif _is_sequence(subelements):
        keys = list(subelements)
    else:
        raise TemplateError("subelements: subelements must be a list or a string")
    results = []
    for element in elements:
        values = element
        for key in keys:
            try:
                values = values[key]
            except KeyError:
                if skip_missing:
                    values = []
                    break
                raise TemplateError(
                    f"subelements: could not find '{key}' key in iterated item {element!r}"
                ) from None
            except TypeError:
                raise TemplateError(f"subelements: the key '{key}' must be in a dict") from None
        if not _is_sequence(values):
            raise TemplateError(
                f"subelements: the key '{keys[-1]}' should point to a list, found {type(values).__name__}"
            )
        for value in values:
            results.append((element, value))
    return results


def dict2items(mydict, key_name="key", value_name="value"):
    if not isinstance(mydict, Mapping):
        raise TemplateError(f"dict2items requires a dictionary, found {type(mydict).__name__}")
    return [{key_name: k, value_name: v} for k, v in mydict.items()]


def items2dict(mylist, key_name="key", value_name="value"):
    if not _is_sequence(mylist):
        raise TemplateError(f"items2dict requires a list, found {type(mylist).__name__}")
    try:
        return {item[key_name]: item[value_name] for item in mylist}
    except KeyError as exc:
        raise TemplateError(f"items2dict: an item has no key {exc}") from None
    except TypeError:
        raise TemplateError("items2dict requires a list of dictionaries") from None


@pass_environment
def rand(environment, end, start=None, step=None, seed=None):
    r = SystemRandom() if seed is None else Random(seed)
    if isinstance(end, int) and not isinstance(end, bool):
        return r.randrange(start or 0, end, step or 1)
    if hasattr(end, "__iter__"):
        if start or step:
            raise TemplateError("random: start and step can only be used with integer values")
        return r.choice(end)
    raise TemplateError("random can only be used on sequences and integers")


def shuffle(mylist, seed=None):
    try:
        mylist = list(mylist)
        (SystemRandom() if seed is None else Random(seed)).shuffle(mylist)
    except Exception:
        pass
    return mylist


@pass_environment
def unique(environment, a, case_sensitive=None, attribute=None):
    try:
        return list(
            do_unique(environment, a, case_sensitive=bool(case_sensitive), attribute=attribute)
        )
    except TypeError:  # unhashable items (dicts, lists): keep first occurrences, in order
        if case_sensitive is False or attribute:
            raise
        return _uniq(a)


def _uniq(seq) -> list:
    out: list = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


@pass_environment
def intersect(environment, a, b):
    return _uniq([x for x in a if x in b])


@pass_environment
def difference(environment, a, b):
    return _uniq([x for x in a if x not in b])


@pass_environment
def symmetric_difference(environment, a, b):
    isect = intersect(environment, a, b)
    return [x for x in union(environment, a, b) if x not in isect]


@pass_environment
def union(environment, a, b):
    return _uniq(list(a) + list(b))


def zip_filter(*args):
    return [list(t) for t in zip(*args, strict=False)]


def zip_longest(*args, fillvalue=None):
    return [list(t) for t in itertools.zip_longest(*args, fillvalue=fillvalue)]


def product(*args, repeat=1):
    return [list(t) for t in itertools.product(*args, repeat=repeat)]


def permutations(a, r=None):
    return [list(t) for t in itertools.permutations(a, r)]


def combinations(a, r):
    return [list(t) for t in itertools.combinations(a, r)]


def type_debug(obj) -> str:
    """Name of the value's type as a playbook author would know it (no internal subclasses)."""
    from edgeauto.templating.vault import EncryptedString

    if isinstance(obj, EncryptedString):
        return "EncryptedString"
    for base in (bool, str, int, float, dict, list, tuple, bytes):
        if isinstance(obj, base):
            return base.__name__
    if obj is None:
        return "NoneType"
    return type(obj).__name__


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


def split(value, sep=None, maxsplit=-1):
    return str(value).split(sep, maxsplit)


def path_join(paths):
    if isinstance(paths, str):
        return os.path.join(paths)
    return os.path.join(*paths)


def fileglob(pathname):
    return [g for g in glob.glob(pathname) if os.path.isfile(g)]


def version_compare_filter(value, version, operator="eq", strict=False, version_type=None):
    from edgeauto.templating.jtests import version_compare

    return version_compare(value, version, operator, strict, version_type)


def human_to_bytes(size, default_unit=None, isbits=False):
    m = re.match(r"^\s*(\d*\.?\d*)\s*([A-Za-z]+)?\s*$", str(size))
    if not m or not m.group(1):
        raise TemplateError(f"human_to_bytes: cannot parse '{size}'")
    number = float(m.group(1))
    unit = (m.group(2) or default_unit or "B")[0].upper()
    power = "BKMGTPEZY".find(unit)
    if power < 0:
        raise TemplateError(f"human_to_bytes: unknown unit in '{size}'")
    return int(round(number * (1 << (10 * power))))


_UUID_NAMESPACE = "361E6D51-FAEC-444A-9079-341386DA8E2E"  # Ansible's to_uuid namespace
_SIZES = (("Y", 1 << 80), ("Z", 1 << 70), ("E", 1 << 60), ("P", 1 << 50), ("T", 1 << 40),
          ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1))  # fmt: skip


def to_uuid(string, namespace=_UUID_NAMESPACE) -> str:
    import uuid

    return str(uuid.uuid5(uuid.UUID(str(namespace)), str(string)))


def strftime(string_format, second=None, utc=False) -> str:
    import time

    timefn = time.gmtime if utc else time.localtime
    if second is not None:
        try:
            second = float(second)
        except (TypeError, ValueError):
            raise TemplateError(f"strftime: invalid epoch value {second!r}") from None
    return time.strftime(string_format, timefn(second))


def to_datetime(string, format="%Y-%m-%d %H:%M:%S"):
    import datetime

    return datetime.datetime.strptime(str(string), format)


def human_readable(size, isbits=False, unit=None) -> str:
    base = "bits" if isbits else "Bytes"
    try:
        size = float(size)
    except (TypeError, ValueError):
        raise TemplateError(f"human_readable: cannot interpret {size!r}") from None
    suffix, limit = "B", 1
    for suffix, limit in _SIZES:
        if (unit is None and size >= limit) or (unit is not None and unit.upper() == suffix[0]):
            break
    label = suffix + base[0] if limit != 1 else base
    return f"{size / limit:.2f} {label}"


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


def filters() -> dict[str, Any]:
    """Filter table installed into the Jinja2 environment (Jinja2 built-ins stay underneath)."""
    return {
        "bool": to_bool,
        "to_yaml": to_yaml,
        "to_nice_yaml": to_nice_yaml,
        "from_yaml": from_yaml,
        "from_yaml_all": from_yaml_all,
        "to_json": to_json,
        "to_nice_json": to_nice_json,
        "from_json": from_json,
        "regex_replace": regex_replace,
        "regex_findall": regex_findall,
        "regex_search": regex_search,
        "regex_escape": regex_escape,
        "ternary": ternary,
        "quote": quote,
        "b64encode": b64encode,
        "b64decode": b64decode,
        "hash": get_hash,
        "checksum": lambda d: get_hash(d, "sha1"),
        "sha1": lambda d: get_hash(d, "sha1"),
        "md5": lambda d: get_hash(d, "md5"),
        "password_hash": password_hash,
        "mandatory": mandatory,
        "combine": combine,
        "comment": comment,
        "extract": extract,
        "flatten": flatten,
        "subelements": subelements,
        "dict2items": dict2items,
        "items2dict": items2dict,
        "random": rand,
        "shuffle": shuffle,
        "unique": unique,
        "intersect": intersect,
        "difference": difference,
        "symmetric_difference": symmetric_difference,
        "union": union,
        "zip": zip_filter,
        "zip_longest": zip_longest,
        "product": product,
        "permutations": permutations,
        "combinations": combinations,
        "type_debug": type_debug,
        "urlsplit": urlsplit,
        "split": split,
        "basename": os.path.basename,
        "dirname": os.path.dirname,
        "expanduser": os.path.expanduser,
        "expandvars": os.path.expandvars,
        "realpath": os.path.realpath,
        "relpath": os.path.relpath,
        "normpath": os.path.normpath,
        "splitext": lambda p: list(os.path.splitext(p)),
        "path_join": path_join,
        "fileglob": fileglob,
        "version_compare": version_compare_filter,
        "version": version_compare_filter,
        "human_to_bytes": human_to_bytes,
        "human_readable": human_readable,
        "to_uuid": to_uuid,
        "strftime": strftime,
        "to_datetime": to_datetime,
        "urldecode": urldecode,
        "json_query": json_query,
        "community.general.json_query": json_query,
        "log": lambda x, base=None: (
            __import__("math").log(x) if base is None else __import__("math").log(x, base)
        ),
        "pow": lambda x, y: __import__("math").pow(x, y),
        "root": lambda x, base=2: x ** (1.0 / base),
        "dict": lambda x: dict(x),
    }
