"""TrustGate Gateway (``/api/v1/gateways``).

``subdomain`` is not in the update schema (Q10): changing it replaces the gateway. PUT is partial
and answers 204 without a body (Q7, Q8): only changed fields are sent (a removed block is sent
empty to clear it) and the gateway is read back afterwards.

The blocks are typed from the v1.6.10 swagger (``request.*Request``; Args dataclasses or plain dicts):
unknown keys and wrong types fail at preview naming the nested property. Typed as far as the server
validates: ``telemetry.exporters[].settings`` and ``required_plugins[].settings`` stay free-form (they
are exporter/plugin specific; unknown plugin names are only caught by the server's catalogue, 400).
``required_plugins`` is Secret (settings may hold API keys): encrypted in state, diff masked in preview.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

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


TLSVersion = Literal["TLS10", "TLS11", "TLS12", "TLS13"]
HeaderMappingKey = Literal["conversation_id", "interaction_id", "session_id"]


@dataclass(kw_only=True)
class PluginArgs:
    """``types.PluginConfig``: one entry of ``required_plugins`` (the server checks ``name`` against its
    plugin catalogue at apply time; an unknown plugin is a 400)."""

    name: Annotated[Input[str], Field(min_length=1)]
    enabled: Input[bool] | None = None
    id: Annotated[Input[str] | None, Doc("ID of the gateway or rule the plugin belongs to.")] = None
    level: Input[Literal["gateway", "rule"]] | None = None
    stage: Input[Literal["pre_request", "post_request", "pre_response", "post_response"]] | None = None
    priority: Input[int] | None = None
    parallel: Input[bool] | None = None
    settings: Annotated[
        Input[dict[str, Any]] | None, Doc("Plugin-specific (free-form; may hold API keys: the list is secret).")
    ] = None


@dataclass(kw_only=True)
class SecurityConfigArgs:
    """``request.SecurityConfigRequest``."""

    allowed_hosts: Input[list[Input[str]]] | None = None
    allowed_hosts_are_regex: Input[bool] | None = None
    browser_xss_filter: Input[bool] | None = None
    content_security_policy: Input[str] | None = None
    content_type_nosniff: Input[bool] | None = None
    custom_frame_options_value: Input[str] | None = None
    frame_deny: Input[bool] | None = None
    is_development: Input[bool] | None = None
    referrer_policy: Input[str] | None = None
    ssl_host: Input[str] | None = None
    ssl_proxy_headers: Input[dict[str, Input[str]]] | None = None
    ssl_redirect: Input[bool] | None = None
    sts_include_subdomains: Input[bool] | None = None
    sts_seconds: Annotated[Input[int] | None, Field(ge=0), Doc("HSTS max-age in seconds (an integer).")] = None


@dataclass(kw_only=True)
class SessionConfigArgs:
    """``request.SessionConfigRequest``."""

    enabled: Input[bool] | None = None
    header_name: Input[str] | None = None
    body_param_name: Input[str] | None = None
    mapping_field: Input[str] | None = None
    ttl: Annotated[Input[int] | None, Field(ge=0), Doc("Seconds.")] = None


@dataclass(kw_only=True)
class ExporterArgs:
    """``request.ExporterRequest``: a telemetry exporter (settings are exporter-specific)."""

    name: Annotated[Input[str], Field(min_length=1)]
    settings: Input[dict[str, Any]] | None = None


@dataclass(kw_only=True)
class TelemetryArgs:
    """``request.TelemetryRequest``."""

    exporters: Input[list[Input[ExporterArgs]]] | None = None
    extra_params: Input[dict[str, Input[str]]] | None = None
    enable_plugin_traces: Input[bool] | None = None
    enable_request_traces: Input[bool] | None = None
    header_mapping: Annotated[
        Input[dict[HeaderMappingKey, Input[str]]] | None,
        Doc("Keys: conversation_id, interaction_id, session_id (the server rejects others); values: header names."),
    ] = None


@dataclass(kw_only=True)
class ClientTLSCertArgs:
    certificate: Annotated[Input[str], Field(min_length=1), Doc("PEM client certificate.")]
    private_key: Annotated[Input[str], Field(min_length=1), Doc("PEM private key.")]


@dataclass(kw_only=True)
class ClientTLSArgs:
    """``request.ClientTLSConfigRequest`` for one backend host; the server requires ca_cert, client_certs
    and min/max version (TLS10-TLS13, min <= max)."""

    ca_cert: Annotated[Input[str], Field(min_length=1)]
    client_certs: Input[ClientTLSCertArgs]
    min_version: Input[TLSVersion]
    max_version: Input[TLSVersion]
    allow_insecure_connections: Input[bool] | None = None
    disable_system_ca_pool: Input[bool] | None = None
    cipher_suites: Input[list[Input[int]]] | None = None
    curve_preferences: Input[list[Input[int]]] | None = None


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
        Input[list[Input[PluginArgs]]] | None,
        Secret(),
        Doc(
            "Plugin configs (PluginArgs or dicts: `name`, `enabled`, `level`, `stage`, `priority`, `settings`). "
            "Secret, because `settings` may hold API keys: encrypted in state, and preview masks its diff."
        ),
    ] = None
    security_config: Input[SecurityConfigArgs] | None = None
    session_config: Input[SessionConfigArgs] | None = None
    telemetry: Input[TelemetryArgs] | None = None
    client_tls: Annotated[
        Input[dict[str, Input[ClientTLSArgs]]] | None,
        Secret(),
        Doc("Per-backend client TLS, keyed by backend host (holds private keys: secret)."),
    ] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        order = ("TLS10", "TLS11", "TLS12", "TLS13")
        if "client_tls" in unknown:
            return
        for backend, tls in (values.get("client_tls") or {}).items():
            lo, hi = tls.get("min_version"), tls.get("max_version")
            if lo in order and hi in order and order.index(lo) > order.index(hi):
                yield "client_tls", f"backend {backend!r}: min_version {lo} is above max_version {hi}"


@dataclass(kw_only=True)
class GatewayOutputs:
    created_at: Annotated[str | None, Computed()] = None
    updated_at: Annotated[str | None, Computed()] = None


class GatewayProvider(api.TrustGateProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="trustgate", kind="Gateway", args=GatewayArgs, outputs=GatewayOutputs
    )

    def live_values(self, wire: Wire) -> dict[str, Any]:
        values = self.spec.from_wire(wire)
        tls = values.get("client_tls")
        if isinstance(tls, dict):  # the swagger's stored type spells the request's `ca_cert` as `ca_certs`
            values["client_tls"] = {
                host: ({**{k: v for k, v in c.items() if k != "ca_certs"}, "ca_cert": c["ca_certs"]}
                       if isinstance(c, dict) and "ca_certs" in c and "ca_cert" not in c else c)
                for host, c in tls.items()
            }  # fmt: skip
        return values

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
        # subdomain is unique per server; the name must match too (else it is someone else's gateway,
        # and the retried POST fails on the duplicate subdomain rather than taking it over).
        for item in api.list_all(client, f"{api.PREFIX}/gateways", "gateways"):
            if item.get("subdomain") == inputs.get("subdomain") and item.get("name") == inputs.get("name"):
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
