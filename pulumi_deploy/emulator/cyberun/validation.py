"""Field rules of ContainerServiceCreateRequest / the update body, written as data.

Each field maps to a checker ``(field, value) -> None`` that raises :class:`InvalidField`.
``null`` is rejected for every field except ``external_auth_credential_id`` (where it means
"not set" on create and "leave unchanged" on update, as documented).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from .errors import ImmutableField, InvalidBody, InvalidField, InvalidQuery, UnknownField

Checker = Callable[[str, Any], None]

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")
SERVICE_TYPES = ("deployed", "external")
NULLABLE = frozenset({"external_auth_credential_id"})
IMMUTABLE = ("service_slug", "service_type")


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def string(
    *, non_empty: bool = False, max_len: int | None = None, pattern: re.Pattern[str] | None = None
) -> Checker:
    def check(field: str, value: Any) -> None:
        if not isinstance(value, str):
            raise InvalidField(field, "must be a string")
        if non_empty and not value:
            raise InvalidField(field, "must not be empty")
        if max_len is not None and len(value) > max_len:
            raise InvalidField(field, f"must be at most {max_len} characters")
        if pattern is not None and not pattern.match(value):
            raise InvalidField(field, f"must match {pattern.pattern}")

    return check


def integer(lo: int, hi: int | None = None) -> Checker:
    def check(field: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidField(field, "must be an integer")
        if value < lo or (hi is not None and value > hi):
            raise InvalidField(field, f"must be >= {lo}" if hi is None else f"must be between {lo} and {hi}")

    return check


def one_of(*choices: str) -> Checker:
    def check(field: str, value: Any) -> None:
        if value not in choices:
            raise InvalidField(field, f"must be one of {', '.join(choices)}")

    return check


def uuid_string(field: str, value: Any) -> None:
    if not is_uuid(value):
        raise InvalidField(field, "must be a uuid")


def https_url(max_len: int) -> Checker:
    def check(field: str, value: Any) -> None:
        string(max_len=max_len)(field, value)
        if not re.match(r"^https://[^/\s?#]+", value) or re.search(r"\s", value):
            raise InvalidField(field, "must be an https:// URL")

    return check


def string_list(field: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidField(field, "must be an array of strings")


def object_list(*keys: str) -> Checker:
    def check(field: str, value: Any) -> None:
        if not isinstance(value, list):
            raise InvalidField(field, "must be an array")
        for index, item in enumerate(value):
            where = f"{field}[{index}]"
            if not isinstance(item, dict):
                raise InvalidField(where, "must be an object")
            for extra in item.keys() - set(keys):
                raise UnknownField(f"{where}.{extra}")
            for key in keys:
                if key not in item:
                    raise InvalidField(f"{where}.{key}", "is required")
                string(non_empty=key != "env_value")(f"{where}.{key}", item[key])

    return check


#: Fields accepted by both create and update.
COMMON_FIELDS: dict[str, Checker] = {
    "display_name": string(max_len=255),
    "service_desc": string(),
    "docker_image": string(non_empty=True),
    "external_url": https_url(2048),
    "external_auth_credential_id": uuid_string,
    "exposed_port": integer(1, 65535),
    "health_path": string(),
    "env_config": object_list("env_name", "env_value"),
    "volume_config": object_list("host_path", "container_path"),
    "required_labels": string_list,
    "gpu_count": integer(-1),
    "replica_count": integer(1, 10),
    "usage_prompt": string(),
    "openapi_url": string(max_len=500),
}
CREATE_FIELDS: dict[str, Checker] = {
    "service_slug": string(pattern=SLUG_PATTERN),
    "service_type": one_of(*SERVICE_TYPES),
    **COMMON_FIELDS,
}
#: Server defaults filled on create when a field is omitted.
CREATE_DEFAULTS: dict[str, Any] = {
    "display_name": "",
    "service_desc": "",
    "service_type": "deployed",
    "docker_image": None,
    "external_url": None,
    "external_auth_credential_id": None,
    "exposed_port": 8080,
    "health_path": "/health",
    "env_config": [],
    "volume_config": [],
    "required_labels": [],
    "gpu_count": 0,
    "replica_count": 1,
    "usage_prompt": "",
    "openapi_url": "",
}


def check_fields(body: Any, fields: dict[str, Checker], *, immutable: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check types and ranges; return the body without ``null`` entries of nullable fields."""
    if not isinstance(body, dict):
        raise InvalidBody()
    for name in body:
        if name in immutable:
            raise ImmutableField(name)
        if name not in fields:
            raise UnknownField(name)
    clean: dict[str, Any] = {}
    for name, value in body.items():
        if value is None:
            if name in NULLABLE:
                continue
            raise InvalidField(name, "must not be null")
        fields[name](name, value)
        clean[name] = value
    return clean


def _check_type_rules(service_type: str, fields: dict[str, Any], merged: dict[str, Any]) -> None:
    if service_type == "deployed":
        for name in ("external_url", "external_auth_credential_id"):
            if name in fields:
                raise InvalidField(name, "is only valid for external services")
        if not merged.get("docker_image"):
            raise InvalidField("docker_image", "is required for deployed services")
    elif not merged.get("external_url"):
        raise InvalidField("external_url", "is required for external services")


def validate_create(body: Any) -> dict[str, Any]:
    """Return the full new definition (defaults applied, no id/status/timestamps)."""
    clean = check_fields(body, CREATE_FIELDS)
    if "service_slug" not in clean:
        raise InvalidField("service_slug", "is required")
    definition = {**CREATE_DEFAULTS, **clean}
    _check_type_rules(definition["service_type"], clean, definition)
    return definition


def validate_update(body: Any, current: dict[str, Any]) -> dict[str, Any]:
    """Return the changes to merge into ``current`` (omitted and null fields are left unchanged)."""
    clean = check_fields(body, COMMON_FIELDS, immutable=IMMUTABLE)
    _check_type_rules(current.get("service_type", "deployed"), clean, {**current, **clean})
    return clean


def page(
    items: list[dict[str, Any]], current_page: str | None, per_page: str | None
) -> tuple[list[Any], dict[str, int]]:
    """Slice ``items`` by the documented ``current_page`` (default 1) / ``per_page`` (default 20, max 100)."""
    numbers: dict[str, int] = {}
    for name, raw, default, hi in (("current_page", current_page, 1, None), ("per_page", per_page, 20, 100)):
        if raw is None:
            numbers[name] = default
            continue
        try:
            numbers[name] = int(raw)
        except ValueError:
            raise InvalidQuery(name, "must be an integer") from None
        if numbers[name] < 1 or (hi is not None and numbers[name] > hi):
            raise InvalidQuery(name, f"must be between 1 and {hi}" if hi else "must be >= 1")
    start = (numbers["current_page"] - 1) * numbers["per_page"]
    meta = {**numbers, "total_count": len(items)}
    return items[start : start + numbers["per_page"]], meta
