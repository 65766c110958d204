"""Lookup plugins run on the controller: ``lookup('file', ...)``, ``query('fileglob', ...)``.

Each lookup takes the rendered terms and returns a *list* (``query`` semantics); ``lookup()``
joins it like Ansible. The same functions back ``with_<name>`` loops (the planner calls
:func:`run_lookup`). Relative files are found through the Templar's search paths: for each path
P (role dir first, then the playbook dir) ``P/files/NAME`` (``P/templates/NAME`` for
templates) and then ``P/NAME``.
"""

from __future__ import annotations

import glob
import os
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgeauto.errors import TemplateError, describe, did_you_mean
from edgeauto.templating.filters import flatten as _flatten

if TYPE_CHECKING:
    from edgeauto.templating.templar import Templar


def find_in_search_path(templar: Templar, subdir: str | None, name: str) -> Path | None:
    """Ansible's search order for a relative file: each path's ``subdir/`` then the path
    (``subdir/`` is not added twice when the name already starts with it)."""
    name = os.path.expanduser(str(name))
    if os.path.isabs(name):
        return Path(name) if os.path.exists(name) else None
    paths = list(templar.search_paths) or [Path.cwd()]
    for base in paths:
        candidates = [base / name]
        if subdir and name.split("/")[0] != subdir:
            candidates.insert(0, base / subdir / name)
        for candidate in candidates:
            if candidate.exists():
                return candidate
    return None


def _searched(templar: Templar, subdir: str, name: str) -> str:
    paths = list(templar.search_paths) or [Path.cwd()]
    return ", ".join(f"{p / subdir / name}, {p / name}" for p in paths)


def _find_file(templar: Templar, lookup: str, subdir: str, term: str) -> Path:
    """The file a ``file``/``template`` lookup term names, or an error listing where it looked."""
    path = find_in_search_path(templar, subdir, term)
    if path is None or not path.is_file():
        raise TemplateError(
            f"{lookup} lookup: could not find '{term}' (searched {_searched(templar, subdir, term)})"
        )
    return path


def _read_text(templar: Templar, path: Path) -> str:
    from edgeauto.templating.vault import SecretStr, decrypt_file_text, is_encrypted

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateError(f"file lookup: {path} is not UTF-8 text") from None
    if is_encrypted(text):
        return SecretStr(decrypt_file_text(text, templar.vault or _no_secrets(), str(path)))
    return text


def _no_secrets():
    from edgeauto.templating.vault import VaultSecrets

    return VaultSecrets()


def lookup_file(templar: Templar, terms: list, rstrip=True, lstrip=False, **_: Any) -> list:
    out = []
    for term in terms:
        path = _find_file(templar, "file", "files", term)
        text = _read_text(templar, path)
        if rstrip:
            text = type(text)(text.rstrip())
        if lstrip:
            text = type(text)(text.lstrip())
        out.append(text)
    return out


_TEMPLATE_LOOKUP_SYNTAX = (
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "trim_blocks",
)


def lookup_template(
    templar: Templar,
    terms: list,
    template_vars=None,
    convert_data=True,
    jinja2_native=False,
    **syntax: Any,
) -> list:
    """Each template file rendered with the host's variables; Ansible's syntax options
    (``variable_start_string``… ``trim_blocks``) and a ``#jinja2:`` header (which wins)
    change the Jinja2 settings. ``convert_data``/``jinja2_native`` are accepted: the
    result is always text here, as ansible-core 2.19 gives for a template file."""
    from edgeauto.templating.jinja_env import TEMPLATE_OPTIONS

    bad = sorted(k for k in syntax if k not in TEMPLATE_OPTIONS)
    if bad:
        raise TemplateError(f"template lookup: unknown option(s) {', '.join(bad)}")
    options = {k: v for k, v in syntax.items() if v is not None}
    if "trim_blocks" in options:
        from edgeauto.templating.lookups_more import _bool

        options["trim_blocks"] = _bool("template", "trim_blocks", options["trim_blocks"])
    out = []
    for term in terms:
        path = _find_file(templar, "template", "templates", term)
        extra = dict(template_vars or {})
        extra.setdefault("template_path", str(path))
        text = _read_text(templar, path)
        out.append(templar.render_template_text(text, extra, source=str(path), **options))
    return out


def lookup_env(templar: Templar, terms: list, default: Any = "", **_: Any) -> list:
    return [os.environ.get(str(t), default) for t in terms]


def lookup_pipe(templar: Templar, terms: list, **_: Any) -> list:
    out = []
    cwd = str(templar.basedir) if templar.basedir else None
    for term in terms:
        proc = subprocess.run(str(term), shell=True, cwd=cwd, capture_output=True, check=False)
        if proc.returncode != 0:
            raise TemplateError(f"pipe lookup: command '{term}' exited with {proc.returncode}")
        out.append(proc.stdout.decode("utf-8", "replace").rstrip())
    return out


def lookup_fileglob(templar: Templar, terms: list, **_: Any) -> list:
    out: list[str] = []
    for term in terms:
        term = str(term)
        if os.path.isabs(term):
            dirs = [Path(os.path.dirname(term))]
        else:
            sub = os.path.dirname(term)
            dirs = []
            for base in list(templar.search_paths) or [Path.cwd()]:
                dirs += [base / "files" / sub, base / sub]
        for d in dirs:
            if d.is_dir():
                found = sorted(
                    g for g in glob.glob(str(d / os.path.basename(term))) if os.path.isfile(g)
                )
                if found:
                    out.extend(found)
                    break
    return out


_MISSING = object()


def lookup_vars(templar: Templar, terms: list, default: Any = _MISSING, **_: Any) -> list:
    out = []
    for term in terms:
        if not isinstance(term, str):
            raise TemplateError(
                f"vars lookup: variable names must be strings, found {describe(term)}"
            )
        if term in templar.variables:
            out.append(templar._lazy[term])
        elif default is not _MISSING:
            out.append(default)
        else:
            from edgeauto.errors import UndefinedVariableError

            err = UndefinedVariableError(f"undefined variable '{term}' (vars lookup)")
            err.variable = term  # type: ignore[attr-defined]
            raise err
    return out


def lookup_items(templar: Templar, terms: list, **_: Any) -> list:
    return _flatten(terms, levels=1)


def lookup_list(templar: Templar, terms: list, **_: Any) -> list:
    return list(terms)


def lookup_dict(templar: Templar, terms: list, **_: Any) -> list:
    out = []
    for term in terms:
        if not isinstance(term, Mapping):
            raise TemplateError(
                f"the 'dict' lookup plugin expects a dictionary, found {describe(term)}"
            )
        out.extend({"key": k, "value": v} for k, v in term.items())
    return out


def lookup_indexed_items(templar: Templar, terms: list, **_: Any) -> list:
    return [[i, x] for i, x in enumerate(_flatten(terms, levels=1))]


def lookup_together(templar: Templar, terms: list, **_: Any) -> list:
    import itertools

    return [list(t) for t in itertools.zip_longest(*terms, fillvalue=None)]


def lookup_nested(templar: Templar, terms: list, **_: Any) -> list:
    import itertools

    return [list(t) for t in itertools.product(*terms)]


def lookup_subelements(templar: Templar, terms: list, **_: Any) -> list:
    from edgeauto.templating.filters import subelements

    if len(terms) < 2:
        raise TemplateError("subelements lookup expects a list and a key name")
    flags = terms[2] if len(terms) > 2 and isinstance(terms[2], Mapping) else {}
    return [list(p) for p in subelements(terms[0], terms[1], bool(flags.get("skip_missing")))]


def lookup_sequence(
    templar: Templar, terms: list, start=None, end=None, count=None, stride=1, format="%d", **_
):
    """``with_sequence``: ``start=1 end=5 stride=1 format=x%02d`` or ``1-5`` shortcut forms."""
    out: list[str] = []
    specs = terms or [""]
    for term in specs:
        opts = {"start": start, "end": end, "count": count, "stride": stride, "format": format}
        for part in str(term).split():
            if "=" in part:
                k, v = part.split("=", 1)
                opts[k] = v
            elif part:
                import re

                m = re.match(r"^(?:(-?\d+)-)?(-?\d+)(?:/(-?\d+))?(?::(.+))?$", part)
                if not m:
                    raise TemplateError(f"sequence lookup: cannot parse '{part}'")
                if m.group(1):
                    opts["start"] = m.group(1)
                opts["end"] = m.group(2)
                if m.group(3):
                    opts["stride"] = m.group(3)
                if m.group(4):
                    opts["format"] = m.group(4)
        first = int(opts["start"] if opts["start"] is not None else 1)
        step = int(opts["stride"])
        if opts["count"] is not None:
            last = first + (int(opts["count"]) - 1) * step
        elif opts["end"] is not None:
            last = int(opts["end"])
        else:
            raise TemplateError("sequence lookup: must specify end or count")
        if step == 0:
            continue
        rng = range(first, last + (1 if step > 0 else -1), step)
        out.extend(str(opts["format"]) % i for i in rng)
    return out


def lookup_first_found(
    templar: Templar, terms: list, files=None, paths=None, skip=False, _with_action=None, **_: Any
) -> list:
    """First existing file. As ``lookup()``, ansible-core 2.19 searches the role and playbook
    dirs themselves; we then also try their ``files/`` (where older Ansible looked). For
    ``with_first_found`` the planner passes the task action as ``_with_action`` and the subdir
    follows Ansible's rule (``templates/`` for template tasks, ``vars/`` for include_vars,
    ``files/`` otherwise)."""
    candidates: list[str] = []

    def add(spec_files, spec_paths):
        names = _split_list(spec_files)
        dirs = _split_list(spec_paths)
        if dirs:
            candidates.extend(os.path.join(d, n) for d in dirs for n in names)
        else:
            candidates.extend(names)

    if files or paths:
        add(files or [], paths or [])
    for term in terms:
        if isinstance(term, Mapping):
            add(term.get("files", []), term.get("paths", []))
            skip = skip or term.get("skip", False)
        elif isinstance(term, list):
            for t in term:
                if isinstance(t, Mapping):
                    add(t.get("files", []), t.get("paths", []))
                else:
                    add([t], [])
        else:
            add([term], [])
    if _with_action is not None:
        action = str(_with_action)
        sub = "templates" if "template" in action else "vars" if "var" in action else "files"
        subdirs: list[str | None] = [sub]
    else:
        subdirs = [None, "files"]
    for subdir in subdirs:
        for name in candidates:
            path = find_in_search_path(templar, subdir, name)
            if path is not None and path.is_file():
                return [str(path)]
    if skip:
        return []
    raise TemplateError(f"first_found: none of these files was found: {', '.join(candidates)}")


def _split_list(v: Any) -> list[str]:
    if isinstance(v, str):
        import re

        return [s for s in re.split(r"[,;:]", v) if s] if any(c in v for c in ",;") else [v]
    return [str(x) for x in v]


class _GroupsInventory:
    """The inventory as the ``groups`` magic variable shows it (for host patterns)."""

    def __init__(self, groups: Mapping[str, list[str]]):
        self.groups = dict(groups)
        self.hosts = dict.fromkeys(self.groups.get("all", []))

    def group_hosts(self, name: str) -> list[str]:
        return list(self.groups.get(name, []))


def lookup_inventory_hostnames(templar: Templar, terms: list, **_: Any) -> list:
    """Hosts matching a host pattern (``all:!db``, ``web&prod``...), in inventory order."""
    from edgeauto.inventory.patterns import select_hosts

    if "groups" not in templar.variables:
        raise TemplateError("inventory_hostnames lookup needs the 'groups' magic variable")
    inv = _GroupsInventory(templar._lazy["groups"])
    return select_hosts(inv, [str(t) for t in terms])


def lookup_lines(templar: Templar, terms: list, **_: Any) -> list:
    """``with_lines``: each output line of each command (run in the playbook dir)."""
    out: list[str] = []
    for text in lookup_pipe(templar, terms):
        out.extend(text.splitlines())
    return out


LOOKUPS: dict[str, Callable[..., list]] = {
    "inventory_hostnames": lookup_inventory_hostnames,
    "lines": lookup_lines,
    "file": lookup_file,
    "template": lookup_template,
    "env": lookup_env,
    "pipe": lookup_pipe,
    "fileglob": lookup_fileglob,
    "vars": lookup_vars,
    "items": lookup_items,
    "list": lookup_list,
    "dict": lookup_dict,
    "indexed_items": lookup_indexed_items,
    "together": lookup_together,
    "nested": lookup_nested,
    "cartesian": lookup_nested,
    "subelements": lookup_subelements,
    "sequence": lookup_sequence,
    "first_found": lookup_first_found,
}


def _register_more() -> None:
    """varnames, config, csvfile, ini, password, random_choice, unvault, url, flattened."""
    from edgeauto.templating.lookups_more import MORE_LOOKUPS
    from edgeauto.templating.lookups_password import lookup_password

    LOOKUPS.update(MORE_LOOKUPS, password=lookup_password)


_register_more()


_TEXT_LOOKUPS = ("file", "template", "env", "pipe", "csvfile", "ini", "url", "unvault")


def _as_text_data(value: Any) -> Any:
    """Lookup text is data: if stored by set_fact it must not be templated again."""
    from edgeauto.templating.vault import SecretStr
    from edgeauto.yamlsrc import UnsafeStr

    if isinstance(value, str) and not isinstance(value, SecretStr | UnsafeStr):
        return UnsafeStr(value)
    return value


# lookups Ansible ships in community.general rather than ansible.builtin
_COMMUNITY_GENERAL_LOOKUPS = ("cartesian", "flattened")


def lookup_short_name(name: str) -> str:
    """The LOOKUPS key for a lookup name: the built-in collection prefixes are dropped by the
    action rule (:func:`edgeauto.playbook.actions.without_builtin_prefix`), and
    ``community.general.X`` for the lookups that collection holds (``cartesian``,
    ``flattened``) — a lookup
    FQCN names the collection it lives in, which is not always ansible.builtin."""
    from edgeauto.playbook.actions import without_builtin_prefix  # at call time: no cycle

    short = without_builtin_prefix(name)
    prefix = "community.general."
    if short.startswith(prefix) and short[len(prefix) :] in _COMMUNITY_GENERAL_LOOKUPS:
        return short[len(prefix) :]
    return short


def run_lookup(templar: Templar, name: str, terms: list, kwargs: dict) -> list:
    """Run lookup ``name`` (short name or FQCN, see :func:`lookup_short_name`) on terms;
    returns a list."""
    short = lookup_short_name(name)
    func = LOOKUPS.get(short)
    if func is None:
        raise TemplateError(f"unknown lookup plugin '{name}'", hint=did_you_mean(short, LOOKUPS))
    if short not in (
        "items",
        "list",
        "together",
        "nested",
        "cartesian",
        "subelements",
        "dict",
        "indexed_items",
    ):
        flat: list = []
        for t in terms:
            if isinstance(t, list) and short != "first_found":
                flat.extend(t)
            else:
                flat.append(t)
        terms = flat
    # Ansible's `errors=` option of every lookup: strict (raise), warn or ignore (no value)
    errors = kwargs.pop("errors", "strict")
    try:
        result = func(templar, terms, **kwargs)
        if short in _TEXT_LOOKUPS:
            result = [_as_text_data(r) for r in result]
        return result
    except TypeError as exc:
        raise TemplateError(f"lookup '{name}': {exc}") from None
    except TemplateError:
        if errors in ("ignore", "warn"):
            return []
        raise
