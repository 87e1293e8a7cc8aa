"""TrustGate Gateway (``/api/v1/gateways``).

``subdomain`` is not in the update schema (Q10): changing it replaces the gateway. PUT is partial
and answers 204 without a body (Q7, Q8): only changed fields are sent (a removed block is sent
empty to clear it) and the gateway is read back afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output, ResourceOptions
from pydantic import Field

from ..core.fields import Computed, Doc, Replace, Secret
from ..core.http import ApiClient
from ..core.resource import ResourceArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from . import api

Wire = dict[str, Any]

#: What a field removed from the program is reset to (PUT is partial: absent means "keep").
CLEARED: dict[str, Any] = {
    "status": "",
    "required_plugins": [],
    "security_config": {},
    "session_config": {},
    "telemetry": {},
    "client_tls": {},
}


@dataclass(kw_only=True)
class GatewayArgs(ResourceArgs):
    name: Annotated[Input[str], Field(min_length=1)]
    subdomain: Annotated[
        Input[str],
        Field(min_length=1),
        Replace(reason="TrustGate cannot change a gateway's subdomain"),
        Doc("Unique per server; changing it creates a new gateway."),
    ]
    status: Input[str] | None = None
    required_plugins: Annotated[
        Input[list[Input[dict[str, Any]]]] | None, Doc("Plugin configs (`name`, `enabled`, `settings`, ...).")
    ] = None
    security_config: Input[dict[str, Any]] | None = None
    session_config: Input[dict[str, Any]] | None = None
    telemetry: Input[dict[str, Any]] | None = None
    client_tls: Annotated[
        Input[dict[str, Input[dict[str, Any]]]] | None,
        Secret(),
        Doc("Per-backend client TLS (holds private keys: secret)."),
    ] = None


@dataclass(kw_only=True)
class GatewayOutputs:
    created_at: Annotated[str | None, Computed()] = None
    updated_at: Annotated[str | None, Computed()] = None


class GatewayProvider(api.TrustGateProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="trustgate", kind="Gateway", args=GatewayArgs, outputs=GatewayOutputs
    )
    settings = api.SETTINGS

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, Wire]:
        obj = api.call(
            client,
            "POST",
            f"{api.PREFIX}/gateways",
            self.describe(inputs),
            json=self.spec.to_wire(inputs),
            idempotent=False,
        )
        return str(obj["id"]), obj

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, Wire] | None:
        items = client.request("GET", f"{api.PREFIX}/gateways", params={"limit": 100}) or []
        if isinstance(items, dict):  # some builds wrap the list (Q9)
            items = items.get("gateways") or []
        for item in items:
            if item.get("subdomain") == inputs.get("subdomain"):
                return str(item["id"]), item
        return None

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> Wire | None:
        return client.get_or_none(api.gateway_path(id_))  # type: ignore[no-any-return]

    def api_update(self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]) -> Wire:
        body: dict[str, Any] = {}
        for name in plan.changed:
            if name not in CLEARED and name != "name":
                continue
            if news.get(name) is not None:
                body.update(self.spec.to_wire(news, [name]))
            elif name in CLEARED:
                body[self.spec.fields[name].wire] = CLEARED[name]
        if body:
            api.call(client, "PUT", api.gateway_path(id_), self.describe(news, id_), json=body)
        return client.request("GET", api.gateway_path(id_))  # type: ignore[no-any-return]

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        api.delete(client, api.gateway_path(id_), self.describe(outs, id_))


class Gateway(SpecResource, module="trustgate", name="Gateway"):
    """A TrustGate gateway (`/api/v1/gateways`)."""

    provider_cls = GatewayProvider
    name: Output[str]
    subdomain: Output[str]
    status: Output[str | None]
    required_plugins: Output[list[dict[str, Any]]]
    security_config: Output[dict[str, Any] | None]
    session_config: Output[dict[str, Any] | None]
    telemetry: Output[dict[str, Any] | None]
    client_tls: Output[dict[str, Any] | None]
    created_at: Output[str]
    updated_at: Output[str]

    def __init__(self, resource_name: str, args: GatewayArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__(resource_name, args, opts)
