"""The ``#jinja2:`` first line of a template file, which overrides its Jinja2 settings.

``#jinja2: trim_blocks: False, lstrip_blocks: True`` (or ``variable_start_string: '[%'``…)
is read the way ansible-core 2.19 reads it: comma-separated ``key: value`` pairs, each value
a Python literal; the line is removed from the template and its settings win over the
template module's arguments. Values are checked here (type, newline choices, distinct start
strings) so a bad header is an error at the template's first line, not a Jinja2 traceback.
"""

from __future__ import annotations

import ast
from typing import Any

from edgeauto.errors import TemplateError

HEADER = "#jinja2:"

STRING_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
)
BOOL_OPTIONS = ("trim_blocks", "lstrip_blocks", "keep_trailing_newline")
OPTIONAL_STRINGS = ("line_statement_prefix", "line_comment_prefix")
NEWLINES = ("\n", "\r\n", "\r")
HEADER_KEYS = (*STRING_OPTIONS, *BOOL_OPTIONS, *OPTIONAL_STRINGS, "newline_sequence")
DEFAULTS = {
    "block_start_string": "{%",
    "block_end_string": "%}",
    "variable_start_string": "{{",
    "variable_end_string": "}}",
    "comment_start_string": "{#",
    "comment_end_string": "#}",
}


def split_header(text: str) -> tuple[str, dict[str, Any]]:
    """``(template without the header line, the header's settings)``; no header: ``(text, {})``."""
    if not text.startswith(HEADER):
        return text, {}
    eol = text.find("\n")
    if eol == -1:
        raise TemplateError(f"missing newline after {HEADER!r} override")
    line, body = text[len(HEADER) : eol], text[eol + 1 :]
    settings: dict[str, Any] = {}
    for pair in line.split(","):
        if not pair.strip():
            raise TemplateError(f"empty {HEADER!r} override pair not allowed")
        if ":" not in pair:
            raise TemplateError(
                f"missing key-value separator ':' in {HEADER!r} override pair {pair!r}"
            )
        key, raw = (part.strip() for part in pair.split(":", 1))
        if key not in HEADER_KEYS:
            raise TemplateError(
                f"invalid {HEADER!r} override key {key!r}",
                hint="valid keys: " + ", ".join(sorted(HEADER_KEYS)),
            )
        try:
            settings[key] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            raise TemplateError(
                f"{HEADER!r} override {key}: {raw!r} is not a Python literal",
                hint="quote strings: variable_start_string: '[%'",
            ) from None
    return body, settings


def check_options(options: dict[str, Any]) -> None:
    """Types and values as ansible-core's TemplateOverrides checks them."""
    for key, value in options.items():
        if key in STRING_OPTIONS and not (isinstance(value, str) and value):
            raise TemplateError(f"template option {key} must be a non-empty string, got {value!r}")
        if key in BOOL_OPTIONS and not isinstance(value, bool):
            raise TemplateError(f"template option {key} must be a boolean, got {value!r}")
        if key in OPTIONAL_STRINGS and value is not None and not isinstance(value, str):
            raise TemplateError(f"template option {key} must be a string or None, got {value!r}")
        if key == "newline_sequence" and value not in NEWLINES:
            raise TemplateError(r"newline_sequence needs to be one of: \n, \r or \r\n")
    starts = [
        options.get(k, DEFAULTS[k])
        for k in ("block_start_string", "variable_start_string", "comment_start_string")
    ]
    if len(set(starts)) != 3:
        raise TemplateError("block, variable and comment start strings must be different")
