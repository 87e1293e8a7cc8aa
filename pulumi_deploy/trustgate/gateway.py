"""TrustGate Gateway (``/api/v1/gateways``).

``subdomain`` is not in the update schema: changing it replaces the gateway. PUT is partial and
answers 204 without a body: only changed fields are sent (a removed block is sent empty to clear it,
``ClearWith``) and the gateway is read back afterwards.

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

from pulumi import Input, Output
from pydantic import Field

from ..core.fields import ClearWith, Doc, Replace, Secret
from ..core.http import ApiClient
from ..core.request import PARTIAL_PUT, JsonObject, Routes
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from ..core.timestamps import Timestamps
from . import api

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
class GatewayArgs(AdoptableArgs):
    name: Annotated[Input[str], Field(min_length=1)]
    subdomain: Annotated[
        Input[str],
        Field(min_length=1),
        Replace(reason="TrustGate cannot change a gateway's subdomain"),
        Doc("Unique per server; changing it creates a new gateway."),
    ]
    status: Annotated[Input[str] | None, ClearWith("")] = None
    required_plugins: Annotated[
        Input[list[Input[PluginArgs]]] | None,
        Secret(),
        ClearWith([]),
        Doc(
            "Plugin configs (PluginArgs or dicts: `name`, `enabled`, `level`, `stage`, `priority`, `settings`). "
            "Secret, because `settings` may hold API keys: encrypted in state, and preview masks its diff."
        ),
    ] = None
    security_config: Annotated[Input[SecurityConfigArgs] | None, ClearWith({})] = None
    session_config: Annotated[Input[SessionConfigArgs] | None, ClearWith({})] = None
    telemetry: Annotated[Input[TelemetryArgs] | None, ClearWith({})] = None
    client_tls: Annotated[
        Input[dict[str, Input[ClientTLSArgs]]] | None,
        Secret(),
        ClearWith({}),
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


class GatewayProvider(api.TrustGateProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(vendor="trustgate", kind="Gateway", args=GatewayArgs, outputs=Timestamps)
    routes = Routes(f"{api.PREFIX}/gateways", update=PARTIAL_PUT)

    def live_values(self, wire: JsonObject) -> dict[str, Any]:
        values = self.spec.from_wire(wire)
        tls = values.get("client_tls")
        if isinstance(tls, dict):  # the swagger's stored type spells the request's `ca_cert` as `ca_certs`
            values["client_tls"] = {
                host: ({**{k: v for k, v in c.items() if k != "ca_certs"}, "ca_cert": c["ca_certs"]}
                       if isinstance(c, dict) and "ca_certs" in c and "ca_cert" not in c else c)
                for host, c in tls.items()
            }  # fmt: skip
        return values

    def referencing(self, client: ApiClient, id_: str, props: dict[str, Any]) -> list[str]:
        upstreams = api.list_all(client, api.gateway_path(id_, "upstreams"), "upstreams")
        services = api.list_all(client, api.gateway_path(id_, "services"), "services")
        return api.named("upstream", upstreams) + api.named("service", services)

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        # subdomain is unique per server; the content must match too (else it is someone else's gateway,
        # and the retried POST fails on the duplicate subdomain rather than taking it over).
        items = api.list_all(client, f"{api.PREFIX}/gateways", "gateways")
        return self.find_same([i for i in items if i.get("subdomain") == inputs.get("subdomain")], inputs)


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
