"""Request validation as the vendor's FastAPI/pydantic app does it, written as plain code.

Errors use pydantic v2's ``type``/``msg`` wording and FastAPI's ``loc`` (``["body", ...]``,
``["query", name]``). Deviation: the emulator is *strict* (``"8080"`` or ``true`` for an integer
field is rejected; pydantic's lax mode would coerce them) and rejects unknown body fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import RequestValidationFailed

Error = dict[str, Any]

STRING_FIELDS = ("container_start_command", "container_health_check_path", "container_metric_path")
#: integer field -> (minimum, maximum or None)
INT_FIELDS: dict[str, tuple[int, int | None]] = {
    "container_port": (1, 65535),
    "container_health_check_timeout": (1, None),
    "health_check_timeout": (1, None),
}
PATCH_FIELDS = (
    "container_start_command",
    "container_env_vars",
    "container_port",
    "container_health_check_path",
    "container_health_check_timeout",
    "health_check_timeout",
    "container_metric_path",
)
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def _err(type_: str, loc: list[Any], msg: str, input_: Any, ctx: dict[str, Any] | None = None) -> Error:
    error: Error = {"type": type_, "loc": loc, "msg": msg, "input": input_}
    if ctx is not None:
        error["ctx"] = ctx
    return error


def decode_body(raw: bytes) -> Any:
    """Decode a JSON request body; ``None`` when empty. Malformed JSON -> 422 ``json_invalid``."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        pos = getattr(exc, "pos", 0)
        reason = getattr(exc, "msg", str(exc))
        raise RequestValidationFailed(
            [_err("json_invalid", ["body", pos], "JSON decode error", {}, {"error": reason})]
        ) from exc


def _check_int(value: Any, loc: list[Any], ge: int, le: int | None) -> list[Error]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [_err("int_type", loc, "Input should be a valid integer", value)]
    if value < ge:
        return [
            _err(
                "greater_than_equal", loc, f"Input should be greater than or equal to {ge}", value, {"ge": ge}
            )
        ]
    if le is not None and value > le:
        return [
            _err("less_than_equal", loc, f"Input should be less than or equal to {le}", value, {"le": le})
        ]
    return []


def _check_str(value: Any, loc: list[Any]) -> list[Error]:
    return (
        [] if isinstance(value, str) else [_err("string_type", loc, "Input should be a valid string", value)]
    )


def _model_errors(body: Any, loc: list[Any], allowed: tuple[str, ...]) -> list[Error]:
    if body is None:
        return [_err("missing", loc, "Field required", None)]
    if not isinstance(body, dict):
        return [
            _err(
                "model_attributes_type",
                loc,
                "Input should be a valid dictionary or object to extract fields from",
                body,
            )
        ]
    return [
        _err("extra_forbidden", [*loc, key], "Extra inputs are not permitted", value)
        for key, value in body.items()
        if key not in allowed
    ]


def _env_var_errors(value: Any, loc: list[Any]) -> list[Error]:
    if not isinstance(value, list):
        return [_err("list_type", loc, "Input should be a valid list", value)]
    errors: list[Error] = []
    for index, item in enumerate(value):
        item_loc = [*loc, index]
        item_errors = _model_errors(item, item_loc, ("key", "value"))
        if not item_errors and isinstance(item, dict):
            for field in ("key", "value"):
                if field not in item:
                    item_errors.append(_err("missing", [*item_loc, field], "Field required", item))
                else:
                    item_errors += _check_str(item[field], [*item_loc, field])
        errors += item_errors
    return errors


def validate_patch(body: Any) -> dict[str, Any]:
    """Validate an EndpointPatchInput; return the fields present (``null`` values included)."""
    errors = _model_errors(body, ["body"], PATCH_FIELDS)
    if not isinstance(body, dict):
        raise RequestValidationFailed(errors)
    for key, value in body.items():
        if value is None or key not in PATCH_FIELDS:
            continue
        loc = ["body", key]
        if key in INT_FIELDS:
            errors += _check_int(value, loc, *INT_FIELDS[key])
        elif key in STRING_FIELDS:
            errors += _check_str(value, loc)
        else:
            errors += _env_var_errors(value, loc)
    if errors:
        raise RequestValidationFailed(errors)
    return dict(body)


def validate_scale(body: Any) -> int:
    """Validate a ScaleReplicasInput and return ``num_replicas`` (1-100)."""
    errors = _model_errors(body, ["body"], ("num_replicas",))
    if not errors and "num_replicas" not in body:
        errors = [_err("missing", ["body", "num_replicas"], "Field required", body)]
    if not errors:
        errors = _check_int(body["num_replicas"], ["body", "num_replicas"], 1, 100)
    if errors:
        raise RequestValidationFailed(errors)
    return int(body["num_replicas"])


def query_int(
    params: Mapping[str, str],
    name: str,
    default: int | None,
    ge: int,
    le: int | None = None,
    errors: list[Error] | None = None,
) -> int | None:
    """Parse an integer query parameter, appending FastAPI-style errors to ``errors``."""
    sink = errors if errors is not None else []
    if name not in params:
        if default is None:
            sink.append(_err("missing", ["query", name], "Field required", None))
        return default
    raw = params[name]
    try:
        value = int(raw.strip())
    except ValueError:
        sink.append(
            _err(
                "int_parsing",
                ["query", name],
                "Input should be a valid integer, unable to parse string as an integer",
                raw,
            )
        )
        return default
    range_errors = _check_int(value, ["query", name], ge, le)
    for error in range_errors:
        error["input"] = raw
    sink += range_errors
    return value


def query_bool(
    params: Mapping[str, str], name: str, default: bool | None, errors: list[Error]
) -> bool | None:
    if name not in params:
        return default
    raw = params[name]
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    errors.append(
        _err(
            "bool_parsing", ["query", name], "Input should be a valid boolean, unable to interpret input", raw
        )
    )
    return default


def query_str(params: Mapping[str, str], name: str, errors: list[Error]) -> str:
    if name not in params:
        errors.append(_err("missing", ["query", name], "Field required", None))
        return ""
    return params[name]


def raise_if(errors: list[Error]) -> None:
    if errors:
        raise RequestValidationFailed(errors)
