"""TrustGate Service (``/api/v1/gateways/{gateway_id}/services``).

Quirks:

* ``upstream_id`` is always parsed as a UUID: an ``endpoint`` service is sent the nil UUID with
  its host/port/protocol; an ``upstream`` service references an :class:`Upstream` (host/port forbidden).
* ``retries`` and ``stream`` are not persisted by the server, so they are not offered.
* ``id``, ``gateway_id`` (a path parameter), timestamps and the nested ``upstream`` are never sent.
* ``headers`` is Secret (they often carry bearer tokens): a change shows as "headers changed" only.
* PUT is a full replacement: every update sends the complete desired object. That also makes a
  ``type`` change (endpoint <-> upstream) an in-place update: the PUT carries the whole new shape.
  Its answer lacks the nested ``upstream``, so the service is read back after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pulumi import Input, Output
from pydantic import AfterValidator, Field

from ..core.fields import Computed, Doc, Normalise, Secret, UnsetOnWire, int_if_integral
from ..core.http import ApiClient
from ..core.request import FULL_PUT, JsonObject, Routes
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from ..core.timestamps import Timestamps
from . import api
from .api import CredentialsArgs


@dataclass(kw_only=True)
class ServiceArgs(AdoptableArgs):
    gateway_id: api.GatewayId
    name: Annotated[Input[str], Field(min_length=1)]
    type: Annotated[
        Input[Literal["upstream", "endpoint"]],
        Doc("`upstream`: routes to `upstream_id`; `endpoint`: routes to host/port/protocol."),
    ]
    upstream_id: Annotated[
        Input[str] | None,
        AfterValidator(api.uuid_value),
        UnsetOnWire(api.NIL_UUID),
        Doc("Required for `upstream` services (pass `upstream.id`); a UUID (the server parses it as one)."),
    ] = None
    host: Annotated[Input[str] | None, Field(min_length=1), Doc("`endpoint` services only.")] = None
    port: Annotated[Input[int] | None, Field(ge=1, le=65535), Doc("`endpoint` services only.")] = None
    protocol: Input[Literal["http", "https"]] | None = None
    path: Input[str] | None = None
    headers: Annotated[
        Input[dict[str, Input[str]]] | None,
        Normalise(api.drop_empty),
        Secret(),
        Doc(
            "Secret (headers often carry bearer tokens): encrypted in state, and preview masks its diff "
            "(a change shows as `headers` changed, not which header)."
        ),
    ] = None
    description: Input[str] | None = None
    tags: Input[list[Input[str]]] | None = None
    credentials: Annotated[Input[CredentialsArgs] | None, Normalise(api.drop_empty), Secret()] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        if "type" in unknown:
            return
        if values.get("type") == "endpoint":
            if "upstream_id" in values or "upstream_id" in unknown:
                yield "upstream_id", "an endpoint service routes to host/port: do not set upstream_id"
            for name in ("host", "port", "protocol"):
                if name not in values and name not in unknown:
                    yield name, "is required for an endpoint service (host, port 1-65535, protocol http/https)"
        else:
            if "upstream_id" not in values and "upstream_id" not in unknown:
                yield "upstream_id", "is required for an upstream service (pass an Upstream's id)"
            elif values.get("upstream_id") == api.NIL_UUID:
                yield "upstream_id", "is the nil UUID, which TrustGate reads as no upstream: pass an Upstream's id"
            for name in ("host", "port"):
                if name in values or name in unknown:
                    yield name, "is not allowed on an upstream service (the upstream's targets hold the hosts)"


@dataclass(kw_only=True)
class ServiceOutputs(Timestamps):
    upstream: Annotated[
        dict[str, Any] | None, Computed(), Secret(), Doc("The referenced upstream as returned (holds credentials).")
    ] = None
    target_url: Annotated[
        str | None,
        Computed(),
        Doc(
            "`endpoint` services: the URL the gateway forwards to (`protocol://host:port/path`); unset for "
            "`upstream` services, whose upstream's targets hold the hosts. Clients call the gateway's proxy "
            "(a separate server from the admin API), on a forwarding rule's path to this service."
        ),
    ] = None


def target_url(values: dict[str, Any]) -> str | None:
    """Where an endpoint service forwards to, from its host, port, protocol and path."""
    if values.get("type") != "endpoint" or not values.get("host"):
        return None
    port = f":{int_if_integral(values['port'])}" if values.get("port") else ""
    path = str(values.get("path") or "")
    if path and not path.startswith("/"):
        path = "/" + path
    return f"{values.get('protocol') or 'http'}://{values['host']}{port}{path}"


class ServiceProvider(api.TrustGateProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="trustgate", kind="Service", args=ServiceArgs, outputs=ServiceOutputs
    )
    routes = Routes(f"{api.PREFIX}/gateways/{{gateway_id}}/services", update=FULL_PUT)
    read_back_after_update = True

    def live_values(self, wire: JsonObject) -> dict[str, Any]:
        values = super().live_values(wire)
        url = target_url(values)
        if url is not None:
            values["target_url"] = url
        return values

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        # Names are not unique: only an object with exactly the desired content, and only one (api.py).
        items = client.listing(api.gateway_path(inputs["gateway_id"], "services"))  # not paged
        return self.find_same(api.unwrap_list(items, "services"), inputs)


class Service(SpecResource, module="trustgate", name="Service"):
    """A TrustGate service: an `upstream` service (routes to an Upstream) or an `endpoint` service (host/port)."""

    provider_cls = ServiceProvider
    gateway_id: Output[str]
    name: Output[str]
    type: Output[str]
    upstream_id: Output[str | None]
    host: Output[str | None]
    port: Output[int | None]
    protocol: Output[str | None]
    path: Output[str | None]
    headers: Output[dict[str, str] | None]
    description: Output[str | None]
    tags: Output[list[str] | None]
    credentials: Output[dict[str, Any] | None]
    upstream: Output[dict[str, Any] | None]
    created_at: Output[str]
    updated_at: Output[str]
    target_url: Output[str | None]
