"""The Jinja2 environment behind the Templar, tuned to behave like ansible-core 2.19.

WHY each piece exists:
- :class:`_Undefined` chains (``foo.bar | default(x)`` works on an undefined ``foo``) and fails
  with our :class:`UndefinedVariableError` naming the variable.
- :func:`_concat` + :class:`_CodeGenerator`: one ``{{ expr }}`` gives a native value, text
  otherwise; no compile-time folding (``{{ 1 }}`` stays an int).
- :class:`_RawStringLexer`: string literals keep backslashes, as in ansible-core 2.19.
- :class:`_Context`/:class:`_Template`: ``{% include %}`` does not copy (and so resolve) every
  variable.
- One environment (and compiled-template cache) per template search path and option set,
  each built once even when every host thread asks for it at the same moment
  (:func:`_built_once`).
"""

from __future__ import annotations

import collections.abc as cabc
import functools
import threading
from collections import ChainMap
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain, islice
from typing import Any

import jinja2
import jinja2.lexer
import jinja2.runtime
from jinja2 import nodes
from jinja2.nativetypes import NativeCodeGenerator

from edgeauto.errors import UndefinedVariableError
from edgeauto.templating import filters as _filters
from edgeauto.templating import jtests as _jtests
from edgeauto.templating.vault import SecretStr

OMIT = "__omit_place_holder__edgeauto__"
"""The value of ``omit``: a module argument rendered to this is dropped by the caller."""


class _Undefined(jinja2.StrictUndefined):
    """Undefined that chains (``foo.bar`` stays undefined) and fails with our error type."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__":
            raise AttributeError(name)
        return self

    def __getitem__(self, key: Any) -> Any:
        return self

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
        name = self._undefined_name
        if self._undefined_hint:
            msg = self._undefined_hint
        elif self._undefined_obj is jinja2.utils.missing:
            msg = f"undefined variable '{name}'"
        else:
            owner = type(self._undefined_obj).__name__
            msg = f"'{owner}' object has no attribute '{name}'"
        err = UndefinedVariableError(msg)
        err.variable = name  # type: ignore[attr-defined]
        raise err

    __str__ = __iter__ = __len__ = __bool__ = __eq__ = __ne__ = __hash__ = __contains__ = (  # type: ignore[assignment]
        _fail_with_undefined_error
    )
    __int__ = __float__ = __lt__ = __le__ = __gt__ = __ge__ = __add__ = __radd__ = (  # type: ignore[assignment]
        _fail_with_undefined_error
    )


def _check_defined(value: Any) -> None:
    """Fail on an undefined value hidden in a list/dict result (``[missing]``), as Ansible."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, list | tuple | set | frozenset):
        if not getattr(value, "_edgeauto_data", False):
            for item in value:
                _check_defined(item)
    elif isinstance(value, dict) and not getattr(value, "_edgeauto_data", False):
        for item in value.values():
            _check_defined(item)


def _to_text(v: Any) -> str:
    if v is None:
        return ""
    _check_defined(v)
    return str(v)


def _concat(values: Iterator[Any]) -> Any:
    """Native when the template is one expression, text otherwise (Ansible 2.19 semantics)."""
    values = iter(values)  # macros and {% set %} blocks pass lists
    head = list(islice(values, 2))
    if not head:
        return ""
    if len(head) == 1:
        value = head[0]
        _check_defined(value)
        return value
    parts = list(chain(head, values))
    text = "".join(_to_text(v) for v in parts)
    if any(isinstance(v, SecretStr) for v in parts):
        return SecretStr(text)  # text built from a vault value is secret too
    return text


class _CodeGenerator(NativeCodeGenerator):
    """Native output without compile-time folding: ``{{ 1 }}`` must stay the int 1."""

    def _output_child_to_const(self, node, frame, finalize):  # type: ignore[override]
        if isinstance(node, nodes.TemplateData):
            return node.as_const(frame.eval_ctx)
        raise nodes.Impossible()


class _RawStringLexer(jinja2.lexer.Lexer):
    """String literals keep their backslashes, as in Ansible 2.19.

    YAML already processed escapes once; ``regex_replace('\\d', ...)`` in a playbook must
    reach the regex engine exactly as Ansible passes it.
    """

    def wrap(self, stream, name=None, filename=None):  # type: ignore[override]
        for lineno, token, value in stream:
            if token == jinja2.lexer.TOKEN_STRING:
                text = self._normalize_newlines(value[1:-1])
                yield jinja2.lexer.Token(lineno, jinja2.lexer.TOKEN_STRING, text)
            else:
                yield from super().wrap(iter([(lineno, token, value)]), name, filename)


class _Context(jinja2.runtime.Context):
    """Keeps variables lazy across ``{% include %}``: Jinja2 would copy (and so resolve) all."""

    def get_all(self):  # type: ignore[override]
        if not self.vars:
            return self.parent
        return ChainMap(self.vars, self.parent)


class _Template(jinja2.Template):
    """Included templates see the includer's locals over the lazy variables (no copy)."""

    def new_context(self, vars=None, shared=False, locals=None):  # type: ignore[override]
        if shared and locals and vars is not None:
            extra = {k: v for k, v in locals.items() if v is not jinja2.utils.missing}
            return self.environment.context_class(
                self.environment,
                ChainMap(extra, vars),
                self.name,
                self.blocks,
                globals=self.globals,
            )
        return super().new_context(vars, shared, locals)


class _Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator
    context_class = _Context
    template_class = _Template
    concat = staticmethod(_concat)  # type: ignore[assignment]

    @property
    def lexer(self) -> jinja2.lexer.Lexer:  # type: ignore[override]
        if self.__dict__.get("_plain_strings"):
            return jinja2.lexer.get_lexer(self)
        lexer = self.__dict__.get("_raw_lexer")
        if lexer is None:
            lexer = self.__dict__["_raw_lexer"] = _RawStringLexer(self)
        return lexer


#: pseudo option: string literals unescape backslashes as in plain Jinja2 (conditionals)
PLAIN_STRINGS = "_plain_strings"
CONDITIONAL_OPTIONS = ((PLAIN_STRINGS, True),)

TEMPLATE_OPTIONS = (
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "keep_trailing_newline",
    "line_statement_prefix",
    "line_comment_prefix",
)
"""Jinja2 settings the ``template`` module/lookup or a ``#jinja2:`` header may change
(Ansible's option names)."""


_ITERATORS = (cabc.Iterator, cabc.ItemsView, cabc.KeysView, cabc.ValuesView, range)


def _consumed(func):
    """A filter whose iterator result (Jinja2's map/select/selectattr, dict views, range) is
    made a list, as ansible-core 2.19 does with every filter's output: there
    ``results | map(attribute='stat') | selectattr('exists') == []`` compares lists."""

    @functools.wraps(func)  # keeps jinja_pass_arg (pass_context & co.)
    def filter_(*args, **kwargs):
        out = func(*args, **kwargs)
        return list(out) if isinstance(out, _ITERATORS) else out

    return filter_


def _built_once(maxsize: int):
    """``lru_cache`` whose misses are computed by one thread at a time.

    A bare ``lru_cache`` lets every thread that misses compute the value: a run's host threads
    all start with the same tasks, so 50 hosts compiled each template (and built each
    environment) up to 50 times at once — py-spy put Jinja2's compiler at 16% of a warm
    50-host run's worker samples. Compiling holds the GIL anyway, so serialising the misses
    costs no parallelism; a hit only takes the lock for the cache lookup.
    """

    def wrap(func):
        cached = lru_cache(maxsize=maxsize)(func)
        lock = threading.Lock()

        @functools.wraps(func)
        def once(*args, **kwargs):
            with lock:
                return cached(*args, **kwargs)

        once.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        once.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return once

    return wrap


@_built_once(maxsize=32)
def _environment(template_dirs: tuple[str, ...], options: tuple = ()) -> _Environment:
    # trailing newlines are restored by count, as Ansible does (keep_trailing_newline: off)
    settings: dict[str, Any] = {"trim_blocks": True, "keep_trailing_newline": False}
    settings.update(options)
    plain_strings = settings.pop(PLAIN_STRINGS, False)
    env = _Environment(
        undefined=_Undefined,
        loader=jinja2.FileSystemLoader(list(template_dirs)) if template_dirs else None,
        cache_size=2000,
        auto_reload=False,
        **settings,
    )
    env.filters.update(_filters.filters())
    for name, func in list(env.filters.items()):
        env.filters[name] = _consumed(func)
    env.tests.update(_jtests.tests())
    for table in (env.filters, env.tests):  # FQCN spellings: x | ansible.builtin.to_json
        for name, func in list(table.items()):
            table[f"ansible.builtin.{name}"] = table[f"ansible.legacy.{name}"] = func
    env.globals["omit"] = OMIT
    env.globals["now"] = _now
    if plain_strings:
        env.__dict__["_plain_strings"] = True
    return env


def _now(utc: bool = False, fmt: str | None = None):
    """Ansible's ``now()`` global: the controller's time (UTC with ``utc=True``), as a
    datetime or, with ``fmt``, formatted by ``strftime``."""
    import datetime

    stamp = datetime.datetime.now(datetime.UTC) if utc else datetime.datetime.now()
    if utc:
        stamp = stamp.replace(tzinfo=None)
    return stamp.strftime(fmt) if fmt else stamp


@_built_once(maxsize=4096)
def _compile(template_dirs: tuple[str, ...], source: str, options: tuple = ()) -> jinja2.Template:
    return _environment(template_dirs, options).from_string(source)


def _trailing_newlines(text: str) -> int:
    return len(text) - len(text.rstrip("\n"))


def _restore_newlines(source: str, result: Any, newline: str = "\n") -> Any:
    """Give text results the trailing newlines their template had (Jinja2 drops one)."""
    if isinstance(result, str) and source.endswith("\n"):
        missing = _trailing_newlines(source) - _trailing_newlines(result)
        if missing > 0:
            result = (
                type(result)(result + newline * missing)
                if isinstance(result, SecretStr)
                else result + newline * missing
            )
    return result
