"""The Templar: renders Ansible-style Jinja2 against one host's variables.

WHY these choices:
- A string that is exactly one ``{{ expr }}`` returns the expression's *native* value (list,
  dict, int, bool...), like Ansible; anything with surrounding text becomes a string.
- Variables are templated lazily when a template reads them (``a: "{{ b }}"`` works in any
  order), with loop detection, and each Templar caches what it resolved.
- ``!vault`` values decrypt only when read; anything rendered from them is a
  :class:`~edgeauto.templating.vault.SecretStr`, so output code can hide it (:func:`is_secret`).
- Undefined variables raise :class:`UndefinedVariableError` naming the variable; ``default``,
  ``is defined`` and ``foo.bar | default(x)`` on an undefined ``foo`` work as in Ansible.
- One Jinja2 environment (and compiled-template cache) is shared per template search path, so
  per-host and per-loop-item Templars are cheap (:meth:`Templar.with_vars`).
"""

from __future__ import annotations

import logging
import re
from collections import ChainMap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.lexer
import jinja2.runtime
from jinja2 import meta, nodes

from edgeauto.errors import EdgeautoError, Position, TemplateError, describe
from edgeauto.templating import filters as _filters
from edgeauto.templating.jinja_env import (
    CONDITIONAL_OPTIONS,
    OMIT,
    TEMPLATE_OPTIONS,
    _compile,
    _Context,
    _environment,
    _restore_newlines,
    _to_text,
)
from edgeauto.templating.lazyvars import _CALLABLES, _LazyVars, _State
from edgeauto.templating.values import (
    Data,
    DataList,
    as_data,
    has_template,
    is_omit,
    is_secret,
)
from edgeauto.templating.vault import EncryptedString, SecretStr, VaultSecrets

__all__ = [
    "OMIT",
    "Data",
    "DataList",
    "Templar",
    "as_data",
    "check_template",
    "find_undefined",
    "has_template",
    "is_omit",
    "is_secret",
    "template_expressions",
]

log = logging.getLogger(__name__)


class Templar:
    """Renders values for one host (and optionally one loop item) with Ansible semantics.

    ``basedir`` is the playbook (or current role) directory used for relative lookups;
    ``search_paths`` are tried first for ``file``/``template`` lookups and template includes
    (each path P is searched as ``P/files/`` or ``P/templates/``, then ``P/``), in order: role
    path before playbook dir, like Ansible.
    """

    def __init__(
        self,
        variables: Mapping[str, Any],
        *,
        basedir: Path | None = None,
        search_paths: list[Path] | tuple = (),
        vault: VaultSecrets | None = None,
        _parent: Templar | None = None,
    ):
        self.variables = variables
        self.basedir = Path(basedir) if basedir else None
        self.search_paths = [Path(p) for p in search_paths]
        if self.basedir and self.basedir not in self.search_paths:
            self.search_paths.append(self.basedir)
        self.vault = vault
        if _parent is not None:
            self._state = _parent._state
            self._template_dirs = _parent._template_dirs
        else:
            self._state = _State()
            dirs: list[str] = []
            for p in self.search_paths:
                dirs += [str(p / "templates"), str(p)]
            self._template_dirs = tuple(dirs)
        self._env = _environment(self._template_dirs)
        self._overlay: Mapping[str, Any] | None = None
        self._base = variables
        self._lazy = _LazyVars(self)

    @property
    def warnings(self) -> list[str]:
        return self._state.warnings

    def with_vars(self, extra: Mapping[str, Any]) -> Templar:
        """A cheap child Templar whose variables are ``extra`` over ours (e.g. ``item``).

        ``extra`` holds already-rendered data (loop items, registered results): its values are
        used as they are, never templated again (vault values still decrypt).
        """
        child = Templar.__new__(Templar)
        overlay = {**self._overlay, **extra} if self._overlay else dict(extra)
        child._overlay = overlay
        child._base = self._base
        child.variables = ChainMap(overlay, self._base)  # type: ignore[arg-type]
        child.basedir = self.basedir
        child.search_paths = self.search_paths
        child.vault = self.vault
        child._state = self._state
        child._template_dirs = self._template_dirs
        child._env = self._env
        child._lazy = _LazyVars(child)
        return child

    # -- public rendering API --

    def render(self, value: Any, pos: Position | None = None) -> Any:
        """Render recursively: strings (native if one ``{{ expr }}``), dicts, lists."""
        try:
            return self._resolve(value)
        except EdgeautoError as exc:
            if exc.pos is None and pos is not None:
                exc.pos = pos
            raise

    def evaluate(self, expr: Any, pos: Position | None = None, conditional: bool = False) -> Any:
        """Evaluate a bare Jinja2 expression (``when``, ``failed_when``, ``until``, ``loop``).
        ``conditional``: string literals unescape backslashes as plain Jinja2 does (ansible-core
        2.19 evaluates conditionals without ``escape_backslashes``: two backslashes are one)."""
        if not isinstance(expr, str):
            return self.render(expr, pos)
        if has_template(expr):
            return self.render(expr, pos)
        try:
            opts = CONDITIONAL_OPTIONS if conditional else ()
            return self._render_str("{{ " + expr + " }}", expr, pos, opts)
        except EdgeautoError as exc:
            if exc.pos is None and pos is not None:
                exc.pos = pos
            raise

    def is_true(self, conditions: Any, pos: Position | None = None) -> bool:
        """All ``when`` conditions hold (a single condition or a list; Ansible semantics)."""
        if conditions is None:
            return True
        if not isinstance(conditions, list | tuple):
            conditions = [conditions]
        for cond in conditions:
            cond_pos = getattr(cond, "pos", None) or pos
            if not self._condition(cond, cond_pos):
                return False
        return True

    def render_template_text(
        self,
        text: str,
        extra: Mapping[str, Any] | None = None,
        pos=None,
        source: str | None = None,
        **options: Any,
    ) -> str:
        """Render a whole template file's text to a string (template module/lookup).

        ``options`` are the template module's Jinja2 settings (:data:`TEMPLATE_OPTIONS`:
        ``trim_blocks``, ``lstrip_blocks``, ``newline_sequence``, ``variable_start_string``…).
        ``source`` is the template file: errors then point at ``source:LINE`` (the task's
        position ``pos`` becomes the hint) instead of pasting the template.
        """
        from edgeauto.templating.jinja_header import check_options, split_header

        unknown = set(options) - set(TEMPLATE_OPTIONS)
        if unknown:
            raise TemplateError(f"unknown template option(s): {', '.join(sorted(unknown))}", pos)
        original = text
        # ansible-core restores the dropped trailing newlines with the *argument's*
        # newline_sequence, not the header's: kept, so output is byte-identical
        restore_with = options.get("newline_sequence", "\n")
        try:  # a '#jinja2:' first line wins over the arguments, as in ansible-core
            text, header = split_header(text)
            options = {**options, **header}
            check_options(options)
        except TemplateError as exc:
            if source is None:
                exc.pos = exc.pos or pos
                raise
            raise in_template_file(exc, source, 1, pos) from None
        shift = 1 if text is not original else 0  # the header line is gone: lines move up
        if shift and not text:
            return ""  # nothing but the header: ansible-core renders nothing (no newline)
        opts = tuple(sorted(options.items()))
        templar = self.with_vars(extra) if extra else self
        try:
            tmpl = _compile(self._template_dirs, text, opts)
        except jinja2.TemplateSyntaxError as exc:
            if source is None:
                raise self._syntax_error(exc, pos) from None
            raise in_template_file(
                TemplateError(f"template syntax error: {exc.message}"),
                source,
                (exc.lineno or 0) + shift,
                pos,
            ) from None
        try:
            out = templar._run(tmpl, text, pos)
        except TemplateError as exc:
            if source is None:
                raise
            exc.message = exc.message.removesuffix(f" in '{text.strip()}'")
            line = template_line(exc, tmpl, text)
            raise in_template_file(exc, source, line and line + shift, pos) from None
        if not isinstance(out, str):
            out = _to_text(out)
        return _restore_newlines(original, out, restore_with)

    # -- internals --

    def _condition(self, cond: Any, pos: Position | None) -> bool:
        """One ``when`` item, with ansible-core 2.19 rules: the result must be a boolean.

        A condition wrapped in ``{{ }}`` is rendered first and (if it gives text) that text
        is evaluated as the expression, with a warning, as Ansible does.
        """
        if isinstance(cond, bool):
            return cond
        if isinstance(cond, EncryptedString):
            cond = self._resolve(cond)
        if not isinstance(cond, str):
            raise TemplateError(
                f"a conditional must be an expression string or a boolean, found {describe(cond)}",
                pos,
            )
        text = cond.strip()
        if not text:
            raise TemplateError("empty conditional expressions are not allowed", pos)
        if has_template(text):
            msg = (
                "conditional statements should not include jinja2 templating delimiters "
                f"such as {{{{ }}}}: {text}"
            )
            self._state.warnings.append(f"{pos}: {msg}" if pos else msg)
            log.warning("%s%s", f"{pos}: " if pos else "", msg)
            value = self.render(text, pos)
            if isinstance(value, str):
                if not value.strip():
                    raise TemplateError(f"conditional '{text}' rendered to an empty string", pos)
                value = self.evaluate(value.strip(), pos, conditional=True)
        else:
            value = self.evaluate(text, pos, conditional=True)
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        if not isinstance(value, bool):
            raise TemplateError(
                f"conditional result ({bool(value)}) was derived from value of type "
                f"'{_filters.type_debug(value)}' in '{text}': conditionals must have a boolean "
                "result",
                pos,
                hint="use e.g. '| bool', '| length > 0' or 'is truthy'",
            )
        return value

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            if not has_template(value):
                return value
            return self._render_str(value, value, None)
        if isinstance(value, EncryptedString):
            self._state.secret_hits += 1
            return SecretStr(value.decrypt(self.vault))
        if getattr(value, "_edgeauto_data", False):
            return value
        if isinstance(value, dict):  # only real dicts: lazy Mappings (hostvars) stay lazy
            changed = False
            out = {}
            for k, v in value.items():
                nk = self._resolve(k) if isinstance(k, str) else k
                nv = self._resolve(v)
                changed = changed or nk is not k or nv is not v
                out[nk] = nv
            return out if changed else value
        if isinstance(value, list | tuple):
            items = [self._resolve(v) for v in value]
            if any(a is not b for a, b in zip(items, value, strict=True)):
                return items
            return value
        return value

    def _decrypt_only(self, value: Any) -> Any:
        if isinstance(value, EncryptedString):
            self._state.secret_hits += 1
            return SecretStr(value.decrypt(self.vault))
        return value

    def _render_str(self, source: str, shown: str, pos: Position | None, opts=()) -> Any:
        try:
            tmpl = _compile(self._template_dirs, source, opts)
        except jinja2.TemplateSyntaxError as exc:
            raise self._syntax_error(exc, pos, shown) from None
        return _restore_newlines(source, self._run(tmpl, shown, pos))

    def _run(self, tmpl: jinja2.Template, shown: str, pos: Position | None) -> Any:
        before = self._state.secret_hits
        try:
            # built directly: Template.new_context would copy the globals' keys every time
            ctx = _Context(self._env, self._lazy, tmpl.name, tmpl.blocks)  # type: ignore[arg-type]
            result = self._env.concat(tmpl.root_render_func(ctx))  # type: ignore[attr-defined]
        except EdgeautoError as exc:
            if exc.pos is None:
                exc.pos = pos or getattr(shown, "pos", None)
            if isinstance(exc, TemplateError) and "in '" not in exc.message and len(shown) < 200:
                exc.message += f" in '{shown.strip()}'"
            raise
        except jinja2.TemplateSyntaxError as exc:
            raise self._syntax_error(exc, pos, shown) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(
                f"template error: {exc} in '{shown.strip()}'", pos or getattr(shown, "pos", None)
            ) from None
        except RecursionError:
            raise TemplateError(f"template recursion too deep in '{shown.strip()}'", pos) from None
        except Exception as exc:  # noqa: BLE001 - a filter/test raised: a template problem
            raise TemplateError(
                f"{type(exc).__name__}: {exc} in '{shown.strip()}'",
                pos or getattr(shown, "pos", None),
            ) from None
        if isinstance(result, Iterator):
            # `{{ x | map(...) }}` ends as a list, as in ansible-core 2.19: a generator kept
            # by set_fact would be used up by its first `in` test
            result = list(result)
        if self._state.secret_hits != before and isinstance(result, str):
            result = SecretStr(result)
        return result

    def _syntax_error(self, exc: jinja2.TemplateSyntaxError, pos, shown: str = "") -> TemplateError:
        where = pos or getattr(shown, "pos", None)
        if where and exc.lineno and exc.lineno > 1 and where.line:
            where = Position(where.file, where.line + exc.lineno - 1)
        text = f"template syntax error: {exc.message}"
        if shown and len(shown) < 200:
            text += f" in '{shown.strip()}'"
        hint = None
        m = re.search(r"No (filter|test) named '([^']+)'", exc.message or "")
        if m:
            from edgeauto.errors import did_you_mean

            table = self._env.filters if m.group(1) == "filter" else self._env.tests
            hint = did_you_mean(m.group(2), [n for n in table if "." not in n])
        return TemplateError(text, where, hint=hint)

    # -- lookups --

    def _lookup(self, name: str, *terms: Any, **kwargs: Any) -> Any:
        from edgeauto.templating.lookups import run_lookup

        wantlist = kwargs.pop("wantlist", False)
        result = run_lookup(self, name, list(terms), kwargs)
        if wantlist:
            return result
        if isinstance(result, list) and len(result) == 1:
            return result[0]
        if isinstance(result, list) and result and all(isinstance(r, str) for r in result):
            return ",".join(result)  # an empty result stays [] (ansible-core 2.19)
        return result

    def _query(self, name: str, *terms: Any, **kwargs: Any) -> list:
        from edgeauto.templating.lookups import run_lookup

        kwargs.pop("wantlist", None)
        return run_lookup(self, name, list(terms), kwargs)


def check_template(template_str: Any, pos: Position | None = None) -> None:
    """Compile a template without rendering it: raise TemplateError on bad syntax or an
    unknown filter/test (for the validator, before anything runs)."""
    if not has_template(template_str):
        return
    try:
        _compile((), template_str)
    except jinja2.TemplateSyntaxError as exc:
        raise Templar({})._syntax_error(exc, pos, template_str) from None


def find_undefined(template_str: Any, known: set[str]) -> list[str]:
    """Variables a template reads that are neither in ``known`` nor Jinja2/Ansible globals.

    Static: used by the validator before anything runs; loop-local names (``{% for x %}``,
    ``{% set %}``) are not reported.
    """
    if not isinstance(template_str, str) or not has_template(template_str):
        return []
    env = _environment(())
    try:
        ast = env.parse(template_str)
    except jinja2.TemplateSyntaxError:
        return []
    names = meta.find_undeclared_variables(ast)
    builtin = set(env.globals) | set(_CALLABLES) | {"omit"}
    return sorted(n for n in names if n not in known and n not in builtin)


def template_expressions(template_str: str) -> list[nodes.Node]:  # pragma: no cover - helper
    """Parsed top-level nodes of a template (for tools that inspect templates)."""
    return list(_environment(()).parse(template_str).body)


def template_line(exc: BaseException, tmpl: jinja2.Template, text: str) -> int | None:
    """The line of the template file where ``exc`` was raised: the innermost traceback frame
    of the template's compiled code, mapped back by Jinja2's debug info. An undefined value
    is often only noticed after the template yielded it (when the output is joined): then
    the first line whose Jinja2 code names the variable."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == (tmpl.filename or "<template>"):
            line = tmpl.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    name = getattr(exc, "variable", None)
    if line is None and name:
        word = re.compile(rf"(?<![\w.]){re.escape(str(name))}(?!\w)")
        for number, content in enumerate(text.splitlines(), 1):
            code = " ".join(re.findall(r"\{[{%](.*?)[}%]\}", content))
            if word.search(code):
                return number
    return line


def in_template_file(
    exc: TemplateError, source: str, line: int | None, task_pos: Position | None
) -> TemplateError:
    """``exc`` placed at ``source:line`` with the task that rendered the file as the hint."""
    exc.pos = Position(source, line or 0) if line else Position(source)
    if task_pos is not None:
        exc.hint = f"template of the task at {task_pos}"
    return exc
