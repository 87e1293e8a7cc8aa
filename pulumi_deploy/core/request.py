"""How a spec's values become HTTP calls: the object's paths, the create body and its update style.

An object declares, next to its fields (``In``, ``Wire``, ``Replace``/``CreateOnly``, ``ClearWith``,
``UnsetOnWire``, ``Encode``), two paths and one :class:`UpdateStyle`::

    Routes("/gateways/{gateway_id}/upstreams", update=FULL_PUT)

and the engine computes method, path, query, headers and body of every create, read, update and
delete from them. A vendor hook is left only for what is truly a sequence of calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ProviderBug
from .fields import MISSING, In
from .spec import FieldSpec, ObjectSpec, Plan

JsonObject = dict[str, Any]
"""A decoded JSON object: a request body, or an object as the API returns it."""


@dataclass(frozen=True)
class UpdateStyle:
    """How the API changes an existing object: the method, and what the body carries."""

    name: str
    method: str
    #: The body carries the whole desired object (absent keys are cleared by the server), not only the changes.
    whole: bool
    #: Sending the call twice leaves the object as sending it once (so a lost response may be retried).
    idempotent: bool = True
    #: Appended to the object's path for the update call.
    suffix: str = ""

    def __str__(self) -> str:
        return self.name


SPARSE_PATCH = UpdateStyle("sparse PATCH", "PATCH", whole=False)
"""PATCH with the changed fields only; a removed field is sent as its declared clearing value, if any."""
PARTIAL_PUT = UpdateStyle("partial PUT", "PUT", whole=False)
"""PUT whose absent keys mean "keep": the changed fields only, a removed field sent as its clearing value."""
FULL_PUT = UpdateStyle("full PUT", "PUT", whole=True)
"""PUT that replaces the object: every update sends the complete desired object (what it accepts)."""
NEW_VERSION_POST = UpdateStyle("new-version POST", "POST", whole=True, idempotent=False)
"""POST of the complete desired object (what it accepts), stored by the server as the next version."""


@dataclass(frozen=True)
class Call:
    """One HTTP call, as ``ApiClient.request`` takes it."""

    method: str
    path: str
    body: JsonObject | None = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    idempotent: bool | None = None


@dataclass(frozen=True)
class Routes:
    """Where an object lives: its collection (``{field}`` placeholders name path fields) and its update style.

    ``item`` is the object's own path (``{id}`` is the resource id); by default the collection's path
    followed by ``/{id}``."""

    collection: str
    update: UpdateStyle = SPARSE_PATCH
    item: str = ""

    def item_path(self) -> str:
        return self.item or f"{self.collection}/{{id}}"


def _path(template: str, spec: ObjectSpec, values: dict[str, Any], id_: str | None = None) -> str:
    wanted = {f.name: values.get(f.name) for f in spec.fields.values() if f.place == "path"}
    if id_ is not None:
        wanted["id"] = id_
    missing = [k for k, v in wanted.items() if v is None and f"{{{k}}}" in template]
    if missing:
        raise ProviderBug(f"{spec.label}: no value for path parameter(s) {', '.join(missing)} of {template}")
    return template.format(**{k: v for k, v in wanted.items() if v is not None})


def _outside_body(spec: ObjectSpec, values: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    params: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for f in spec.fields.values():
        if not f.sent or values.get(f.name) is None:
            continue
        if f.place == "query":
            params[f.wire] = f.encode(values[f.name])
        elif f.place == "header":
            headers[_header_name(f)] = str(f.encode(values[f.name]))
    return params or None, headers


def _header_name(f: FieldSpec) -> str:
    place = f.get(In)
    return place.header if isinstance(place, In) and place.header else f.wire


def _body_fields(spec: ObjectSpec) -> list[FieldSpec]:
    return [f for f in spec.inputs() if f.sent and f.place == "body"]


def whole_body(spec: ObjectSpec, values: dict[str, Any], fields: Iterable[FieldSpec] | None = None) -> JsonObject:
    """The complete desired object: every body field set in ``values``; an unset field is left out,
    or sent as the wire's spelling of "unset" where the field declares one."""
    body: JsonObject = {}
    for f in _body_fields(spec) if fields is None else fields:
        value = values.get(f.name)
        if value is not None:
            body[f.wire] = f.encode(value)
        elif f.unset_on_wire() is not MISSING:
            body[f.wire] = f.unset_on_wire()
    return body


def changes_body(spec: ObjectSpec, changed: Iterable[str], values: dict[str, Any]) -> JsonObject:
    """The changed fields an update accepts; a removed one as its declared clearing value (else left out)."""
    body: JsonObject = {}
    for name in changed:
        f = spec.fields[name]
        if not f.sent_on_update or f.place != "body":
            continue
        value = values.get(name)
        if value is not None:
            body[f.wire] = f.encode(value)
        elif f.cleared_by() is not MISSING:
            body[f.wire] = f.cleared_by()
    return body


def create_call(spec: ObjectSpec, routes: Routes, values: dict[str, Any]) -> Call:
    params, headers = _outside_body(spec, values)
    path = _path(routes.collection, spec, values)
    return Call("POST", path, whole_body(spec, values), params, headers, idempotent=False)


def collection_paths(spec: ObjectSpec, routes: Routes, values: dict[str, Any]) -> list[str]:
    """The lists an object lives in: its collection and, when that is nested under a parent
    (``/gateways/{gateway_id}/upstreams``), the outermost one (``/gateways``), which answers even when
    the parent is gone too."""
    paths = [_path(routes.collection, spec, values)]
    if "{" in routes.collection:
        paths.append(routes.collection.split("/{", 1)[0])
    return paths


def read_call(spec: ObjectSpec, routes: Routes, id_: str, values: dict[str, Any]) -> Call:
    return Call("GET", _path(routes.item_path(), spec, values, id_))


def delete_call(spec: ObjectSpec, routes: Routes, id_: str, values: dict[str, Any]) -> Call:
    return Call("DELETE", _path(routes.item_path(), spec, values, id_))


def update_call(spec: ObjectSpec, routes: Routes, id_: str, plan: Plan, values: dict[str, Any]) -> Call | None:
    """The call that applies ``plan`` in the object's update style; None when nothing the API stores changed."""
    style = routes.update
    sent = [n for n in plan.changed if spec.fields[n].sent_on_update]
    if not sent:
        return None
    if style.whole:  # the whole object the update accepts: identity and create-only fields stay out
        body = whole_body(spec, values, [f for f in _body_fields(spec) if f.sent_on_update])
    else:
        body = changes_body(spec, sent, values)
    if not body and not style.whole:
        return None
    params, headers = _outside_body(spec, values)
    path = _path(routes.item_path(), spec, values, id_) + style.suffix
    return Call(style.method, path, body, params, headers, idempotent=style.idempotent)


__all__ = [
    "FULL_PUT",
    "NEW_VERSION_POST",
    "PARTIAL_PUT",
    "SPARSE_PATCH",
    "Call",
    "JsonObject",
    "Routes",
    "UpdateStyle",
    "changes_body",
    "create_call",
    "delete_call",
    "read_call",
    "update_call",
    "whole_body",
]
