"""The rest of ansible-core's lookups: varnames, config, csvfile, ini, password, random_choice,
unvault, url (and community.general.flattened).

They are registered into :data:`edgeauto.templating.lookups.LOOKUPS` when that module is
imported, so ``lookup()``, ``query()`` and ``with_<name>`` all reach them. Everything runs on
the controller, as in Ansible. Options are keyword arguments (``lookup('ini', 'user',
section='db', file='app.ini')``); the older inline ``key=value`` form inside the term is
accepted for csvfile, ini and password, which is what Ansible (with a deprecation) accepts.
"""

from __future__ import annotations

import configparser
import csv
import io
import logging
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgeauto.errors import TemplateError, describe

if TYPE_CHECKING:
    from edgeauto.templating.templar import Templar

log = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on", "y", "t"}
_FALSE = {"0", "false", "no", "off", "n", "f", ""}


def _bool(lookup: str, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TemplateError(f"{lookup} lookup: option '{name}' expects a boolean, found {value!r}")


def _int(lookup: str, name: str, value: Any) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise TemplateError(
            f"{lookup} lookup: option '{name}' expects an integer, found {value!r}"
        ) from None


def _unknown(lookup: str, extra: Mapping[str, Any]) -> None:
    if extra:
        raise TemplateError(f"{lookup} lookup: unknown option(s) {', '.join(sorted(extra))}")


def _warn(templar: Templar, msg: str) -> None:
    templar._state.warnings.append(msg)
    log.warning("%s", msg)


def _find(templar: Templar, lookup: str, name: str) -> Path:
    """A relative file is searched like Ansible's ``find_file_in_search_path(..., 'files')``."""
    from edgeauto.templating.lookups import _searched, find_in_search_path

    path = find_in_search_path(templar, "files", str(name))
    if path is None or not path.is_file():
        raise TemplateError(
            f"{lookup} lookup: could not find '{name}' (searched "
            f"{_searched(templar, 'files', str(name))})"
        )
    return path


def _inline(lookup: str, term: str, valid) -> tuple[str, dict[str, str]]:
    """``KEY opt=value opt=value``: the key (which may hold spaces) and the options."""
    from edgeauto.playbook.splitter import parse_kv

    try:
        kv = parse_kv(str(term))
    except Exception as exc:  # noqa: BLE001 - a malformed term is the user's error
        raise TemplateError(f"{lookup} lookup: cannot parse term {term!r}: {exc}") from None
    key = kv.pop("_raw_params", None)
    bad = sorted(k for k in kv if k not in valid)
    if bad:
        raise TemplateError(f"{lookup} lookup: {bad[0]!r} is not a valid option")
    if key is None:
        raise TemplateError(f"{lookup} lookup: search key is required but was not found")
    return str(key), {k: v for k, v in kv.items()}


# ------------------------------------------------------------------ varnames, random_choice


def lookup_varnames(templar: Templar, terms: list, **extra: Any) -> list:
    """Names of the visible variables matching each regex (``re.search``), term by term."""
    _unknown("varnames", extra)
    names = list(dict.fromkeys(str(k) for k in templar.variables.keys()))
    out: list[str] = []
    for term in terms:
        if not isinstance(term, str):
            raise TemplateError(
                f"varnames lookup: invalid setting identifier, {term!r} is not a string, "
                f"it is {describe(term)}"
            )
        try:
            rx = re.compile(term)
        except re.error as exc:
            raise TemplateError(
                f'varnames lookup: unable to use "{term}" as a search parameter: {exc}'
            ) from None
        out.extend(n for n in names if rx.search(n))
    return out


def lookup_random_choice(templar: Templar, terms: list, **_: Any) -> list:
    """One item picked with :mod:`secrets`, as Ansible does; no terms give an empty list."""
    return [secrets.choice(terms)] if terms else list(terms)


def lookup_flattened(templar: Templar, terms: list, **_: Any) -> list:
    """community.general.flattened: nested lists flattened all the way down. As there, the
    string ``None`` or ``null`` ends the list (it stood for an undefined item)."""
    out: list = []

    def walk(values: list) -> bool:
        for value in values:
            if isinstance(value, str) and value in ("None", "null"):
                return False
            if isinstance(value, list | tuple):
                if not walk(list(value)):
                    return False
            else:
                out.append(value)
        return True

    walk(list(terms))
    return out


# ------------------------------------------------------------------ config

_PLUGIN_TYPES = (
    "become",
    "cache",
    "callback",
    "cliconf",
    "connection",
    "httpapi",
    "inventory",
    "lookup",
    "netconf",
    "shell",
    "vars",
)


def lookup_config(
    templar: Templar,
    terms: list,
    on_missing="error",
    plugin_type=None,
    plugin_name=None,
    show_origin=False,
    **extra: Any,
) -> list:
    """ansible-config settings by their ansible-config name (``DEFAULT_ROLES_PATH``), read
    from the active configuration (ansible.cfg, edgeauto.cfg, ANSIBLE_* variables)."""
    from edgeauto.config import SETTINGS, active

    _unknown("config", extra)
    if on_missing not in ("error", "warn", "skip"):
        raise TemplateError(
            "config lookup: invalid option for error handling, missing must be error, warn "
            f"or skip, got: {on_missing}"
        )
    if (plugin_type or plugin_name) and not (plugin_type and plugin_name):
        raise TemplateError(
            "config lookup: both plugin_type and plugin_name are required, cannot use one "
            "without the other"
        )
    if plugin_type:
        if plugin_type not in _PLUGIN_TYPES:
            raise TemplateError(
                f"config lookup: plugin_type must be one of {', '.join(_PLUGIN_TYPES)}"
            )
        raise TemplateError(
            f"config lookup: plugin settings ({plugin_type} plugin {plugin_name!r}) are not "
            "supported: edgeauto has no Ansible plugins, only ansible.cfg settings"
        )
    cfg = active()
    by_name = {s.ansible_name: s for s in SETTINGS}
    out: list = []
    for term in terms:
        if not isinstance(term, str):
            raise TemplateError(
                f"config lookup: invalid setting identifier, {term!r} is not a string, it is "
                f"{describe(term)}"
            )
        setting = by_name.get(term)
        if setting is None:
            msg = f"config lookup: unable to find setting {term}"
            if on_missing == "error":
                raise TemplateError(msg, hint="edgeauto config list shows the settings it reads")
            if on_missing == "warn":
                _warn(templar, f"{msg}: skipping {term}")
            continue
        value = cfg.get(setting.name)
        out.append([value, cfg.origins.get(setting.name, "default")] if show_origin else value)
    return out


# ------------------------------------------------------------------ csvfile

_CSV_OPTIONS = ("col", "keycol", "default", "delimiter", "file", "encoding")


def lookup_csvfile(templar: Templar, terms: list, **kwargs: Any) -> list:
    """The ``col`` column (0-based; default 1) of the first row whose ``keycol`` column equals
    the key; ``default`` (nothing) when no row matches. TAB-separated by default."""
    _unknown("csvfile", {k: v for k, v in kwargs.items() if k not in _CSV_OPTIONS})
    if not terms:
        raise TemplateError("csvfile lookup: search key is required but was not found")
    base = {"col": 1, "keycol": 0, "default": None, "delimiter": "TAB", "file": "ansible.csv"}
    base["encoding"] = "utf-8"
    base.update(kwargs)
    out: list = []
    for term in terms:
        key, inline = _inline("csvfile", term, _CSV_OPTIONS)
        opts = {**base, **inline}
        delimiter = str(opts["delimiter"])
        if delimiter in ("TAB", "\\t"):
            delimiter = "\t"
        col, keycol = _int("csvfile", "col", opts["col"]), _int("csvfile", "keycol", opts["keycol"])
        path = _find(templar, "csvfile", str(opts["file"]))
        value = opts["default"]
        try:
            with open(path, encoding=str(opts["encoding"]), newline="") as fh:
                for row in csv.reader(fh, dialect=csv.excel, delimiter=delimiter):
                    if row and row[keycol] == key:
                        value = row[col]
                        break
        except (IndexError, csv.Error, UnicodeDecodeError, LookupError, TypeError) as exc:
            raise TemplateError(f"csvfile lookup: {path}: {type(exc).__name__}: {exc}") from None
        if value is not None:
            out.extend(value) if isinstance(value, list) else out.append(value)
    return out


# ------------------------------------------------------------------ ini

_INI_OPTIONS = (
    "type",
    "file",
    "section",
    "re",
    "encoding",
    "default",
    "case_sensitive",
    "allow_no_value",
    "allow_none",
    "interpolation",
)


def _ini_inline(term: str) -> tuple[str, dict[str, str]]:
    """Ansible's own splitting of ``KEY opt=value ...`` for ini: a word without ``=`` after an
    option continues that option's value (so values may hold spaces)."""
    key: str | None = None
    opts: dict[str, str] = {}
    current = None
    for i, word in enumerate(term.split()):
        if "=" in word:
            name, value = word.split("=", 1)
            if name not in _INI_OPTIONS:
                raise TemplateError(f"ini lookup: {name!r} is not a valid option")
            opts[name] = value
            current = name
        elif i == 0:
            key = word
        elif current is not None:
            opts[current] += " " + word
        else:
            key = f"{key} {word}"
    if key is None:
        raise TemplateError(
            "ini lookup: no key to look up was provided as first term within string inline "
            f"options: {term}"
        )
    return key, opts


def lookup_ini(templar: Templar, terms: list, **kwargs: Any) -> list:
    """A key's value in an INI file section (or a Java .properties file); with ``re=true``
    every value whose key matches the regex (``re.match``). Keys are case-insensitive unless
    ``case_sensitive``; a key without a value (``allow_no_value``) gives nothing."""
    _unknown("ini", {k: v for k, v in kwargs.items() if k not in _INI_OPTIONS})
    base: dict[str, Any] = {
        "type": "ini",
        "file": "ansible.ini",
        "section": "global",
        "re": False,
        "encoding": "utf-8",
        "default": "",
        "case_sensitive": False,
        "allow_no_value": False,
        "interpolation": True,
    }
    if "allow_none" in kwargs:
        kwargs = {**kwargs, "allow_no_value": kwargs.pop("allow_none")}
    base.update(kwargs)
    out: list = []
    for term in terms:
        term = str(term)
        key, inline = _ini_inline(term) if ("=" in term or " " in term.strip()) else (term, {})
        if "allow_none" in inline:
            inline["allow_no_value"] = inline.pop("allow_none")
        opts = {**base, **inline}
        if opts["type"] not in ("ini", "properties"):
            raise TemplateError(
                f"ini lookup: type must be one of ini, properties, found {opts['type']!r}"
            )
        parser = configparser.ConfigParser(
            allow_no_value=_bool("ini", "allow_no_value", opts["allow_no_value"]),
            interpolation=(
                configparser.BasicInterpolation()
                if _bool("ini", "interpolation", opts["interpolation"])
                else None
            ),
        )
        if _bool("ini", "case_sensitive", opts["case_sensitive"]):
            parser.optionxform = str  # type: ignore[assignment,method-assign]
        path = _find(templar, "ini", str(opts["file"]))
        try:
            text = path.read_text(encoding=str(opts["encoding"]))
        except (UnicodeDecodeError, LookupError) as exc:
            raise TemplateError(f"ini lookup: {path}: {exc}") from None
        section = str(opts["section"])
        if opts["type"] == "properties":
            text, section = "[java_properties]\n" + text, "java_properties"
        try:
            parser.read_file(io.StringIO(text), source=str(path))
        except configparser.DuplicateOptionError:
            raise TemplateError(f"ini lookup: duplicate option in {str(opts['file'])!r}") from None
        except configparser.Error as exc:
            raise TemplateError(f"ini lookup: {path}: {exc}") from None
        if not parser.has_section(section):
            raise TemplateError(f"ini lookup: no section {section!r} in {str(opts['file'])!r}")
        try:
            if _bool("ini", "re", opts["re"]):
                value: Any = [v for k, v in parser.items(section) if re.match(key, k)]
            else:
                value = parser.get(section, key) if parser.has_option(section, key) else None
                if value is None and not parser.has_option(section, key):
                    value = opts["default"]
        except (configparser.Error, re.error) as exc:
            raise TemplateError(f"ini lookup: {path}: {exc}") from None
        if value is not None:
            out.extend(value) if isinstance(value, list) else out.append(value)
    return out


# ------------------------------------------------------------------ unvault


def lookup_unvault(templar: Templar, terms: list, **extra: Any) -> list:
    """A file's content, decrypted with the run's vault secrets when it is vault-encrypted
    (kept exactly: no stripping, unlike ``file``)."""
    from edgeauto.templating.lookups import _read_text

    _unknown("unvault", extra)
    return [_read_text(templar, _find(templar, "unvault", str(t))) for t in terms]


# ------------------------------------------------------------------ url

_URL_OPTIONS = {
    "validate_certs": True,
    "split_lines": True,
    "use_proxy": True,
    "username": None,
    "password": None,
    "headers": {},
    "force": False,
    "timeout": 10,
    "http_agent": "ansible-httpget",
    "force_basic_auth": False,
    "follow_redirects": "urllib2",
    "use_gssapi": False,
    "unix_socket": None,
    "ca_path": None,
    "unredirected_headers": [],
    "ciphers": None,
    "use_netrc": True,
}


def lookup_url(templar: Templar, terms: list, **kwargs: Any) -> list:
    """HTTP(S) GET from the controller with :mod:`urllib`; the body as lines (``split_lines``,
    the default) or as one string."""
    from edgeauto.templating.lookups_url import fetch

    _unknown("url", {k: v for k, v in kwargs.items() if k not in _URL_OPTIONS})
    opts = {**_URL_OPTIONS, **kwargs}
    for name in ("use_gssapi",):
        if _bool("url", name, opts[name]):
            raise TemplateError(f"url lookup: option '{name}' is not supported by edgeauto")
    for name in ("unix_socket", "ciphers"):
        if opts[name]:
            raise TemplateError(f"url lookup: option '{name}' is not supported by edgeauto")
    out: list = []
    for term in terms:
        body = fetch(str(term), opts)
        if _bool("url", "split_lines", opts["split_lines"]):
            out.extend(body.splitlines())
        else:
            out.append(body)
    return out


MORE_LOOKUPS = {
    "varnames": lookup_varnames,
    "config": lookup_config,
    "csvfile": lookup_csvfile,
    "ini": lookup_ini,
    "random_choice": lookup_random_choice,
    "unvault": lookup_unvault,
    "url": lookup_url,
    "flattened": lookup_flattened,
}
