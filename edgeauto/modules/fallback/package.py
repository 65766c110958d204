"""Package a module the way ansible-core does, with ansible-core's own code.

``ansible.executor.module_common.modify_module`` builds the AnsiballZ wrapper of a new-style
Python module (the module plus every ``module_utils`` it imports, zipped into one Python
script) or returns an old-style / ``WANT_JSON`` / binary module with its shebang fixed. No
executor, no TaskQueueManager: only the packaging function.

The wrapper ansible-core writes holds the module arguments as one literal
(``params='{"ANSIBLE_MODULE_ARGS": …}'``). edgeauto builds it once per module file (cached by
path, size and mtime: arguments never go into the cache) and replaces that literal with a read
of standard input, so every task of every host shares the same payload and the arguments
travel as a second, small payload: the shell function runs ``python3 WRAPPER <ARGS``.

Styles, and how ``remote/ansible_module.sh`` runs them:

* ``stdin``: AnsiballZ wrapper, arguments JSON on stdin;
* ``argfile``: ``WANT_JSON`` modules (JSON file) and old-style modules (``k=v`` file): the
  interpreter of the shebang runs the module with the file's path as its only argument;
* ``direct``: binary modules, executed with the JSON file's path;
* ``embedded``: ``<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>`` modules carry their arguments in the
  code itself, so they are packaged per call (rare).
"""

from __future__ import annotations

import json
import shlex
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgeauto.errors import EdgeautoError
from edgeauto.modules.fallback.resolve import ModuleSource

_BUILD_LOCK = threading.Lock()
_CACHE: dict[tuple, Package] = {}
STDIN_PARAMS = 'params=__import__("sys").stdin.read(),'


@dataclass(frozen=True)
class Package:
    """One packaged module: what travels and how the target runs it."""

    style: str  # stdin | argfile | direct | embedded
    payload: bytes
    interpreter: str  # from the shebang ("" for binary modules)
    args_format: str  # json | kv
    profile: str  # ansible-core's serialization profile (json here either way)

    @property
    def needs_python(self) -> bool:
        return Path(self.interpreter.split()[0] if self.interpreter else "").name.startswith(
            "python"
        )


class PackagingError(EdgeautoError):
    """ansible-core could not package the module (a missing module_utils, bad syntax)."""


def package(source: ModuleSource, args: dict[str, Any] | None = None) -> Package:
    """The cached package of ``source`` (``args`` is only used by ``embedded`` modules)."""
    stat = source.path.stat()
    key = (str(source.path), stat.st_size, stat.st_mtime_ns, source.fqcn)
    cached = _CACHE.get(key)
    if cached is not None and cached.style != "embedded":
        return cached
    with _BUILD_LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached.style != "embedded":
            return cached
        built = _build(source, args or {})
        _CACHE[key] = built
        return built


def _build(source: ModuleSource, args: dict) -> Package:
    try:
        from ansible import constants as C
        from ansible.executor import module_common
        from ansible.parsing.dataloader import DataLoader
        from ansible.template import Templar
    except ImportError:
        return _without_ansible(source)
    from edgeauto.modules.fallback.resolve import _quiet, plugin_loaders

    plugin_loaders()  # ansible-core packages through its collection loader: install it first

    if source.fqcn.startswith("ansible.legacy."):
        _forget_ansible_cache(C, source.fqcn)  # role modules of one name may differ by role
    try:
        with _quiet():
            built = module_common.modify_module(
                module_name=source.short,
                module_path=str(source.path),
                module_args=args,
                templar=Templar(loader=DataLoader()),
                task_vars={"ansible_python_interpreter": "/usr/bin/python3"},
                module_compression=C.DEFAULT_MODULE_COMPRESSION,
            )
    except Exception as exc:  # noqa: BLE001 - any packaging failure is the module's problem
        raise PackagingError(
            f"ansible-core could not package module '{source.name}' ({source.path}): {exc}"
        ) from None
    if isinstance(built, tuple):  # ansible-core < 2.19: (data, style, shebang)
        data, style, shebang = built
        profile = "legacy"
    else:
        data, style, shebang = built.b_module_data, built.module_style, built.shebang
        profile = getattr(built, "serialization_profile", "legacy")
    if style == "new":
        text = data.decode("utf-8", "surrogateescape")
        shared = _args_from_stdin(text)
        if shared is not None:
            return Package(
                "stdin", shared.encode("utf-8", "surrogateescape"), "python3", "json", profile
            )
        return Package("embedded", data, "python3", "json", profile)
    if style == "binary":
        return Package("direct", data, "", "json", profile)
    interpreter = _shebang_interpreter(data, shebang)
    fmt = "kv" if style == "old" else "json"
    return Package("argfile", data, interpreter, fmt, profile)


def _args_from_stdin(wrapper: str) -> str | None:
    """The wrapper with its one ``params=…`` literal replaced by a read of stdin; None when
    the wrapper does not have exactly one such line (a future ansible-core): then it is
    built per call with the arguments inside."""
    lines = wrapper.split("\n")
    at = [i for i, line in enumerate(lines) if line.startswith("params=")]
    if len(at) != 1 or "_ansiballz_main(" not in wrapper:
        return None
    lines[at[0]] = STDIN_PARAMS
    return "\n".join(lines)


def _shebang_interpreter(data: bytes, shebang: str | None) -> str:
    line = shebang or ""
    if not line and data.startswith(b"#!"):
        line = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    return line[2:].strip() if line.startswith("#!") else ""


def _forget_ansible_cache(C, fqcn: str) -> None:
    """ansible-core caches AnsiballZ zips by FQCN; every role's ``library/mymod.py`` is
    ``ansible.legacy.mymod`` to it. edgeauto's own cache is keyed by path, so drop ansible's
    entry before a build."""
    cache = Path(C.DEFAULT_LOCAL_TMP) / "ansiballz_cache"
    for old in cache.glob(f"{fqcn}-*"):
        if not old.name.endswith(".lock"):
            old.unlink(missing_ok=True)


def _without_ansible(source: ModuleSource) -> Package:
    """Without ansible-core only modules that need none of it can run: a ``library/`` module
    that does not import ``ansible.module_utils`` (``WANT_JSON`` or old style)."""
    data = source.path.read_bytes()
    if b"ansible.module_utils" in data or b"ansible_collections" in data:
        raise PackagingError(
            f"module '{source.name}' needs ansible-core to be packaged: "
            "install it with  pip install 'edgeauto[ansible]'"
        )
    interpreter = _shebang_interpreter(data, None)
    fmt = "json" if b"WANT_JSON" in data else "kv"
    return Package("argfile", data, interpreter, fmt, "legacy")


def encode_args(pkg: Package, args: dict[str, Any]) -> bytes:
    """The arguments as the module reads them: ``{"ANSIBLE_MODULE_ARGS": …}`` for AnsiballZ,
    the bare mapping for ``WANT_JSON``/binary modules, ``k=v`` words for old-style ones."""
    if pkg.args_format == "kv":
        return " ".join(f"{k}={shlex.quote(str(v))}" for k, v in args.items()).encode()
    body = {"ANSIBLE_MODULE_ARGS": args} if pkg.style in ("stdin", "embedded") else args
    return json.dumps(body, default=_plain).encode()


def _plain(value: Any) -> Any:
    """JSON for what templating may leave in arguments (tuples, sets, marked strings)."""
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)
