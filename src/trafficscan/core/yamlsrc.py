"""Load YAML and remember where every value came from.

Config and rule-pack validation report problems as ``file:line: key.path: message``. PyYAML's
composed node tree knows the line of every node; this module converts it to plain Python data
plus a map from key path (a tuple of keys and indexes) to its 1-based line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trafficscan.core.errors import InputError, Problem

KeyPath = tuple[str | int, ...]


class Located:
    """Plain data loaded from YAML, with a line for every key path."""

    def __init__(self, data: Any, lines: dict[KeyPath, int], file: str) -> None:
        self.data = data
        self.lines = lines  # filled in document order, so its order is the file's
        self.file = file
        self._order: dict[KeyPath, int] | None = None

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def position(self, path: KeyPath) -> int:
        """Where ``path`` (or its nearest ancestor) comes in the file: sorts problems like a reader."""
        if self._order is None:
            self._order = {p: i for i, p in enumerate(self.lines)}
        while path and path not in self._order:
            path = path[:-1]
        return self._order.get(path, -1)

    def problem(self, path: KeyPath, message: str, hint: str | None = None) -> Problem:
        return Problem(
            file=self.file,
            line=self.line(path),
            key=format_path(path) or None,
            message=message,
            hint=hint,
        )


def format_path(path: KeyPath) -> str:
    """``("sources", 0, "listing", "item")`` -> ``sources[0].listing.item``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _convert(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise InputError(
                    Problem(
                        file=file,
                        line=key_node.start_mark.line + 1,
                        message="a mapping key must be a plain value",
                    )
                )
            key = str(key)
            if key in out:
                raise InputError(
                    Problem(
                        file=file,
                        line=key_node.start_mark.line + 1,
                        key=format_path((*path, key)),
                        message="duplicate key",
                        hint="each key may appear once",
                    )
                )
            out[key] = _convert(value_node, (*path, key), lines, file)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), lines, file) for i, child in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    """A plain value. Text, most of a rule pack, is the node's own value (as PyYAML's
    constructor would return it, 3× faster); numbers, yes/no, dates go through the constructor."""
    if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    return _LOADER.construct_object(node, deep=True)


class _SafeConstructor(yaml.SafeLoader):
    def __init__(self) -> None:  # no stream: used only to construct scalars
        yaml.SafeLoader.__init__(self, "")


_LOADER = _SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
#: libyaml's C parser when PyYAML has it (7× faster on the rule packs), same nodes and marks
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_located(path: str | Path, text: str | None = None) -> Located:
    """Parse a YAML file safely; a syntax error becomes an :class:`InputError` with its line."""
    file = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(Problem(file=file, message="file not found")) from None
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(
                    file=file,
                    message=f"not UTF-8 text ({exc.reason})",
                    hint="save the file as UTF-8",
                )
            ) from None
        except OSError as exc:
            raise InputError(Problem(file=file, message=f"cannot read: {exc.strerror}")) from None
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputError(
            Problem(
                file=file,
                line=line,
                message=f"invalid YAML: {exc.problem}",
                hint="check indentation and quoting",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(file=file, message=f"invalid YAML: {exc}")) from None
    lines: dict[KeyPath, int] = {}
    data = None if node is None else _convert(node, (), lines, file)
    return Located(data, lines, file)
