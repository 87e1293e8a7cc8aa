"""A small JSON-Schema subset, enough for the REST v2 request bodies, that collects *every* violation.

REST v2 answers a body that breaks its schema with ``422`` and one line per violation in
``errors[]``, each naming the location as a JSON path from ``$`` (``"$: additional properties
'bogus' not allowed"``). :func:`check` returns those lines; an empty list means the body is valid.
The wording follows the Go JSON-Schema validator style the published example uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

JsonType = Literal["object", "map", "array", "string", "integer", "number", "boolean"]

#: An extra rule over a whole (type-valid) object, returning violations at ``path``.
Rule = Callable[[dict[str, Any], str], list[str]]


@dataclass(frozen=True)
class Schema:
    """One node. ``object`` has named ``props`` (others not allowed); ``map`` has free keys whose
    values follow ``values``; ``nullable`` also admits JSON null."""

    type: JsonType
    props: Mapping[str, Schema] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    values: Schema | None = None
    items: Schema | None = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    pattern: str | None = None
    min_properties: int | None = None
    #: ``{"excludedTypes": ("pools",)}``: when the key is present, these must be too.
    dependent_required: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()


def check(value: Any, schema: Schema, path: str = "$") -> list[str]:
    """Every violation of ``schema`` by ``value``, as ``"<path>: <message>"`` lines."""
    if value is None:
        return [] if schema.nullable else [f"{path}: expected {schema_type_name(schema)}, but got null"]
    actual = json_type(value)
    if not _type_matches(actual, schema.type):
        return [f"{path}: expected {schema_type_name(schema)}, but got {actual}"]
    problems: list[str] = []
    if schema.enum is not None and value not in schema.enum:
        allowed = ", ".join(json.dumps(v) for v in schema.enum)
        problems.append(f"{path}: value must be one of {allowed}")
    if schema.type in ("integer", "number"):
        if schema.minimum is not None and value < schema.minimum:
            problems.append(f"{path}: must be >= {_num(schema.minimum)} but found {_num(value)}")
        if schema.maximum is not None and value > schema.maximum:
            problems.append(f"{path}: must be <= {_num(schema.maximum)} but found {_num(value)}")
    elif schema.type == "string":
        if schema.min_length is not None and len(value) < schema.min_length:
            problems.append(f"{path}: length must be >= {schema.min_length}, but got {len(value)}")
        if schema.pattern is not None and re.search(schema.pattern, value) is None:
            problems.append(f"{path}: {json.dumps(value)} does not match pattern {json.dumps(schema.pattern)}")
    elif schema.type == "array":
        problems += _check_array(value, schema, path)
    elif schema.type == "map":
        for key, item in value.items():
            if schema.values is not None:
                problems += check(item, schema.values, f"{path}.{key}")
    elif schema.type == "object":
        problems += _check_object(value, schema, path)
    return problems


def _check_array(value: list[Any], schema: Schema, path: str) -> list[str]:
    problems: list[str] = []
    if schema.min_items is not None and len(value) < schema.min_items:
        problems.append(f"{path}: minimum {schema.min_items} items required, but found {len(value)} items")
    if schema.max_items is not None and len(value) > schema.max_items:
        problems.append(f"{path}: maximum {schema.max_items} items allowed, but found {len(value)} items")
    if schema.unique_items:
        seen: list[Any] = []
        for index, item in enumerate(value):
            if item in seen:
                problems.append(f"{path}: items at index {seen.index(item)} and {index} are equal")
                break
            seen.append(item)
    if schema.items is not None:
        for index, item in enumerate(value):
            problems += check(item, schema.items, f"{path}[{index}]")
    return problems


def _check_object(value: dict[str, Any], schema: Schema, path: str) -> list[str]:
    problems: list[str] = []
    extra = [key for key in value if key not in schema.props]
    if extra:
        names = ", ".join(f"'{key}'" for key in extra)
        problems.append(f"{path}: additional properties {names} not allowed")
    missing = [key for key in schema.required if key not in value]
    if missing:
        names = ", ".join(f"'{key}'" for key in missing)
        problems.append(f"{path}: missing properties: {names}")
    if schema.min_properties is not None and len(value) < schema.min_properties:
        problems.append(f"{path}: minimum {schema.min_properties} properties required, but found {len(value)}")
    for key, needs in schema.dependent_required.items():
        if key in value:
            for other in needs:
                if other not in value:
                    problems.append(f"{path}: property '{key}' requires property '{other}'")
    for key, item in value.items():
        if key in schema.props:
            problems += check(item, schema.props[key], f"{path}.{key}")
    if not problems:
        for rule in schema.rules:
            problems += rule(value, path)
    return problems


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_matches(actual: str, expected: JsonType) -> bool:
    if expected in ("object", "map"):
        return actual == "object"
    if expected == "number":
        return actual in ("number", "integer")
    return actual == expected


def schema_type_name(schema: Schema) -> str:
    name = "object" if schema.type == "map" else schema.type
    return f"{name} or null" if schema.nullable else name


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
