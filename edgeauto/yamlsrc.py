"""YAML loading that remembers where every value came from.

Playbooks, roles, inventories and vars files are all loaded through :func:`load_yaml` so that
validation errors can point at ``file:line:column``. Mappings, sequences and strings come back
as small subclasses of dict/list/str carrying a ``pos`` attribute; mappings also remember the
position of each key (``key_pos``). ``!vault`` scalars become
:class:`edgeauto.templating.vault.EncryptedString` (decrypted lazily, only when used).
``!unsafe`` scalars become :class:`UnsafeStr` (never templated).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from edgeauto.errors import ParseError, Position, describe

try:  # the C loader is ~5x faster; marks are still available on nodes
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class PosDict(dict):
    """A mapping from YAML with its own position and the position of each key."""

    pos: Position | None = None
    key_pos: dict

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.key_pos = {}

    def pos_of(self, key) -> Position | None:
        return self.key_pos.get(key, self.pos)


class PosList(list):
    """A sequence from YAML with its own position and the position of each item (numbers
    and booleans carry none of their own)."""

    pos: Position | None = None
    item_pos: list

    def pos_at(self, index: int) -> Position | None:
        positions = getattr(self, "item_pos", [])
        return positions[index] if 0 <= index < len(positions) else self.pos


class PosStr(str):
    """A string scalar from YAML with its position."""

    pos: Position | None = None


class UnsafeStr(PosStr):
    """A string marked ``!unsafe``: it is used as-is and never rendered as a template."""


def position_of(value: Any, default: Position | None = None) -> Position | None:
    """Best position known for a loaded value (None for ints/bools from YAML)."""
    return getattr(value, "pos", None) or default


def _mark_pos(filename: str, node) -> Position:
    mark = node.start_mark
    return Position(filename, mark.line + 1, mark.column + 1)


class _PosLoader(_BaseLoader):
    filename = "<string>"

    def construct_yaml_map(self, node):  # type: ignore[override]
        data = PosDict()
        data.pos = _mark_pos(self.filename, node)
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ParseError(
                    f"a mapping key must be a plain value, found {describe(key)}",
                    _mark_pos(self.filename, key_node),
                ) from None
            if key in data:
                raise ParseError(
                    f"duplicate key '{key}' (first at line {data.key_pos[key].line})",
                    _mark_pos(self.filename, key_node),
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_pos[key] = _mark_pos(self.filename, key_node)

    def construct_yaml_seq(self, node):  # type: ignore[override]
        data = PosList()
        data.pos = _mark_pos(self.filename, node)
        data.item_pos = [_mark_pos(self.filename, item) for item in node.value]
        yield data
        data.extend(self.construct_sequence(node, deep=True))

    def construct_yaml_str(self, node):  # type: ignore[override]
        value = PosStr(self.construct_scalar(node))
        value.pos = _mark_pos(self.filename, node)
        return value

    def construct_unsafe(self, node):
        value = UnsafeStr(self.construct_scalar(node))
        value.pos = _mark_pos(self.filename, node)
        return value

    def construct_vault(self, node):
        from edgeauto.templating.vault import EncryptedString

        return EncryptedString(self.construct_scalar(node), _mark_pos(self.filename, node))


_PosLoader.add_constructor("tag:yaml.org,2002:map", _PosLoader.construct_yaml_map)
_PosLoader.add_constructor("tag:yaml.org,2002:seq", _PosLoader.construct_yaml_seq)
_PosLoader.add_constructor("tag:yaml.org,2002:str", _PosLoader.construct_yaml_str)
_PosLoader.add_constructor("!unsafe", _PosLoader.construct_unsafe)
_PosLoader.add_constructor("!vault", _PosLoader.construct_vault)
_PosLoader.add_constructor("!vault-encrypted", _PosLoader.construct_vault)


# Bounds that stop hostile or broken YAML early with file:line instead of spinning or
# crashing: an "alias bomb" (a 1 KB file whose anchors expand to a billion values) and
# nesting deeper than the loader's recursion can follow. Real playbooks, inventories and
# vars files stay far below both.
MAX_EXPANDED_VALUES = 1_000_000
MAX_DEPTH = 200


def _check_bounds(node, filename: str) -> None:
    """Count the values ``node`` stands for with every alias expanded (memoised per node,
    so the count itself is linear in the file); refuse too deep nesting on the way down."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def measure(current, level: int) -> int:
        if level > MAX_DEPTH:
            raise ParseError(
                f"YAML nested deeper than {MAX_DEPTH} levels", _mark_pos(filename, current)
            )
        key = id(current)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ParseError(
                "an alias refers to its own anchor (recursive YAML)", _mark_pos(filename, current)
            )
        children: list = []
        if isinstance(current, yaml.MappingNode):
            children = [n for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            children = list(current.value)
        active.add(key)
        total = 1
        for child in children:
            total += measure(child, level + 1)
            if total > MAX_EXPANDED_VALUES:
                raise ParseError(
                    f"YAML aliases expand to more than {MAX_EXPANDED_VALUES} values "
                    "(an alias bomb?); refusing to load",
                    _mark_pos(filename, child),
                )
        active.discard(key)
        sizes[key] = total
        return total

    measure(node, 1)


def load_yaml_text(text: str, filename: str = "<string>") -> Any:
    """Parse one YAML document; syntax errors become ParseError with file:line:col."""
    loader = _PosLoader(text)
    loader.filename = filename
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_bounds(node, filename)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(filename, mark.line + 1, mark.column + 1) if mark else Position(filename)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(f"YAML syntax error: {problem}", pos) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"YAML error: {exc}", Position(filename)) from None
    finally:
        loader.dispose()


def load_yaml(path: str | Path) -> Any:
    """Load a YAML file (vault-encrypted whole files are decrypted by the caller's loader)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParseError("file not found", Position(str(path))) from None
    except IsADirectoryError:
        raise ParseError("is a directory, expected a YAML file", Position(str(path))) from None
    except PermissionError:
        raise ParseError("permission denied", Position(str(path))) from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text: {exc.reason}", Position(str(path))) from None
    return load_yaml_text(text, str(path))


def to_plain(value: Any) -> Any:
    """Strip position subclasses (for JSON output and comparisons)."""
    if isinstance(value, dict):
        return {to_plain(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, UnsafeStr):
        return str(value)
    if isinstance(value, str):
        return str(value)
    return value
