"""Check located YAML against a JSON Schema and report every error as ``file:line: key: message``.

A rule pack and a scan config each have one JSON Schema, shipped beside the code that loads
them; editors use the same file. The schema says what is structurally allowed; this module
turns every jsonschema error into the project's located, readable message: the YAML line of
the offending key, "did you mean" for misspelt keys and choices, and the schema's own
``x-hint`` annotation as the "what to do". Only what a schema cannot say (regex compilation,
CSS selector syntax, uniqueness across items or files) is left to hand-written checks, which
report through the same :class:`Report` so that all problems come out in document order.

jsonschema costs ~100 ms to import, so it is imported only when a file is validated.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trafficscan.core.errors import Problem
from trafficscan.core.yamlsrc import KeyPath, Located

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "nothing",
}
_QUOTE_HINT = "quote it: numbers and yes/no are not text in YAML"


class Report:
    """Problems found in one located document, handed out in document order."""

    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self._found: list[tuple[KeyPath, str, str | None]] = []

    def add(self, path: KeyPath, message: str, hint: str | None = None) -> None:
        self._found.append((path, message, hint))

    def __len__(self) -> int:
        return len(self._found)

    def paths(self) -> list[KeyPath]:
        """The key path of every problem so far, e.g. to skip the list items that have one."""
        return [path for path, _, _ in self._found]

    def problems(self) -> list[Problem]:
        """Every problem, ordered by where its key sits in the file (stable for equal keys)."""
        found = sorted(self._found, key=lambda f: self.doc.position(f[0]))
        return [self.doc.problem(path, message, hint) for path, message, hint in found]


def schema_path(package_file: str, name: str) -> Path:
    """A schema shipped beside a module: ``schema_path(__file__, "pack.schema.json")``."""
    return Path(package_file).resolve().parent / name


def validate(doc: Located, schema_file: Path, report: Report) -> None:
    """Validate ``doc`` against the schema in ``schema_file``; add every error to ``report``."""
    validator = _validator(str(schema_file))
    if doc.data is None:
        report.add((), "the file is empty", validator.schema.get("x-hint"))
        return
    errors = list(validator.iter_errors(doc.data))
    unknown_at = {tuple(e.absolute_path) for e in errors if e.validator == "additionalProperties"}
    unknown_at |= {tuple(e.absolute_path) for e in errors if _on_key_name(e)}
    seen: set[tuple[KeyPath, str]] = set()
    for error in errors:
        path = tuple(error.absolute_path)
        # a mapping with a misspelt key is reported as that, not also as having too many keys
        if error.validator in ("minProperties", "maxProperties") and path in unknown_at:
            continue
        for where, message, hint in _translate(error, path):
            if (where, message) not in seen:
                seen.add((where, message))
                report.add(where, message, hint)


@functools.cache
def load_schema(schema_file: str) -> dict[str, Any]:
    """The schema as written (for tests and tools); the validator uses an inlined copy."""
    return json.loads(Path(schema_file).read_text(encoding="utf-8"))


@functools.cache
def _validator(schema_file: str) -> Validator:
    from jsonschema import Draft202012Validator, validators

    schema = load_schema(schema_file)
    checker = Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    )
    cls = validators.extend(Draft202012Validator, {"items": _items}, type_checker=checker)
    return cls(_inline_refs(schema, schema.get("$defs", {})))


def _is_number(_checker: object, value: object) -> bool:
    """YAML's .nan and .inf are floats but never a sensible weight, rate or timeout."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(_checker: object, value: object) -> bool:
    """Strict: ``5.0`` is not a count of pages (jsonschema's default would take it)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace local ``{"$ref": "#/$defs/x", ...}`` by the definition merged with its siblings.

    Two reasons: jsonschema resolves a ``$ref`` on every use (half of the validation time of
    the bundled packs), and after inlining, the dict an error points at also holds the
    property's own ``title`` and ``x-hint``. Our schemas are not recursive.
    """
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline_refs(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    ref = node.get("$ref")
    if ref is not None:
        target = _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        clash = set(target) & set(out) - {"description", "title", "x-hint"}
        assert not clash, f"$ref {ref} and its siblings both set {clash}"
        out = target | out
    return out


def _items(
    validator: Validator, items: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    """``items`` with a fast path for lists of plain strings (thousands of keywords and
    examples in the bundled packs): a string that passes needs no sub-validator. Anything
    else, or a string that fails, goes through jsonschema as usual."""
    simple = (
        isinstance(items, dict)
        and items.get("type") == "string"
        and set(items) <= {"type", "pattern", "minLength", "title", "description", "x-hint"}
    )
    if not simple or not isinstance(instance, list):
        from jsonschema import Draft202012Validator  # already imported: a dict lookup

        yield from Draft202012Validator.VALIDATORS["items"](validator, items, instance, schema)
        return
    search = re.compile(items.get("pattern", "")).search
    min_length = items.get("minLength", 0)
    if (
        all(type(item) is str for item in instance)
        and all(map(search, instance))
        and (min(map(len, instance), default=min_length) >= min_length)
    ):
        return  # the usual case, at C speed
    for index, item in enumerate(instance):
        if not (isinstance(item, str) and len(item) >= min_length and search(item)):
            yield from validator.descend(item, items, path=index)


def _on_key_name(error: ValidationError) -> bool:
    """The error is about a mapping key's name (``propertyNames``), not about its value."""
    return len(error.schema_path) >= 2 and error.schema_path[-2] == "propertyNames"


def _translate(error: ValidationError, path: KeyPath) -> Iterator[tuple[KeyPath, str, str | None]]:
    """One jsonschema error as (key path, message, hint) rows, in this project's words."""
    kind = error.validator
    value = error.instance
    limit = error.validator_value
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = schema.get("x-hint")
    title = schema.get("title", "value")
    if _on_key_name(error):
        path = (*path, value)
    if kind == "type":
        expected = [limit] if isinstance(limit, str) else list(limit)
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        if "string" in expected and isinstance(value, bool | int | float):
            hint = _QUOTE_HINT
        yield path, f"must be {words}, not {_describe(value)}", hint
    elif kind == "required":
        properties = schema.get("properties", {})
        for key in limit:
            if isinstance(value, dict) and key not in value:
                key_hint = properties.get(key, {}).get("x-hint") or hint
                yield path, f"missing key {key!r}", key_hint
    elif kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for key in value:
            if key not in allowed:
                close = _did_you_mean(key, allowed) or "allowed keys: " + ", ".join(allowed)
                yield (*path, key), f"unknown key {key!r}", close
    elif kind == "enum":
        choice = _did_you_mean(value, limit) if isinstance(value, str) else None
        yield path, f"unknown {title} {value!r}", choice or "one of: " + ", ".join(map(str, limit))
    elif kind in ("minimum", "maximum"):
        lo, hi = schema.get("minimum"), schema.get("maximum")
        bounds = (
            f"allowed {_num(lo)} to {_num(hi)}"
            if lo is not None and hi is not None
            else (f"at least {_num(lo)}" if lo is not None else f"at most {_num(hi)}")
        )
        yield path, f"{_num(value)} is out of range: {bounds}", hint
    elif kind == "minItems":
        yield path, "must not be an empty list" if limit == 1 else f"needs {limit} entries", hint
    elif kind == "minLength" or (kind == "pattern" and limit == r"\S"):
        yield path, "must not be empty", hint
    elif kind == "pattern":
        yield path, f"invalid {title} {value!r}", hint
    elif kind == "minProperties":
        yield path, f"empty {title}" if "title" in schema else "must not be empty", hint
    elif kind == "maxProperties":
        keys = ", ".join(map(str, value))
        yield (
            path,
            f"only {limit} key{'s' * (limit != 1)} allowed here, found {len(value)}: {keys}",
            hint,
        )
    elif kind in ("oneOf", "anyOf") and all(_one_required(s) for s in limit):
        keys = " and ".join(repr(s["required"][0]) for s in limit)
        yield path, f"give {'exactly' if kind == 'oneOf' else 'at least'} one of {keys}", hint
    elif kind == "not" or kind is None:  # ``not`` / a ``false`` schema: the key may not be here
        yield path, "not allowed here", hint
    elif kind == "const":
        yield path, f"must be {limit!r}, not {value!r}", hint
    else:
        yield path, error.message, hint


def _one_required(schema: Any) -> bool:
    return isinstance(schema, dict) and set(schema) == {"required"} and len(schema["required"]) == 1


def _did_you_mean(word: str, choices: Sequence[Any]) -> str | None:
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _describe(value: Any) -> str:
    """What the user wrote, in their terms: YAML says yes/no and nothing, not bool and None."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, int | float):
        return "a number" if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else "text"
    names: dict[type, str] = {list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
