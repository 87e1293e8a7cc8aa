"""Request structs of the v1.6.10 admin API, as data, and a strict binder.

The real server binds bodies with Go's ``encoding/json`` (through Fiber's ``BodyParser``): a value of
the wrong JSON type fails the bind and the handler answers 400 ``Invalid JSON payload``; ``null``
leaves the Go zero value. The emulator is stricter in one respect: keys the struct does not declare
are rejected (400 ``json: unknown field "<path>"``, Go's ``DisallowUnknownFields`` wording) and keys
are matched exactly (Go matches them case-insensitively).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InvalidJsonPayload, UnknownField

STRING = "string"
INT = "int"
BOOL = "bool"
ANY = "any"


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class MapOf:
    value: Any


@dataclass(frozen=True)
class Struct:
    name: str
    fields: dict[str, Any]


def bind(value: Any, spec: Any, path: str = "") -> Any:
    """Type-check ``value`` against ``spec``; return it with ``null`` members dropped."""
    if isinstance(spec, Struct):
        if not isinstance(value, dict):
            raise InvalidJsonPayload()
        out: dict[str, Any] = {}
        for key, member in value.items():
            if key not in spec.fields:
                raise UnknownField(f"{path}{key}")
            if member is not None:
                out[key] = bind(member, spec.fields[key], f"{path}{key}.")
        return out
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            raise InvalidJsonPayload()
        return [bind(v, spec.item, path) for v in value if v is not None]
    if isinstance(spec, MapOf):
        if not isinstance(value, dict):
            raise InvalidJsonPayload()
        return {k: bind(v, spec.value, path) for k, v in value.items() if v is not None}
    ok = {
        STRING: isinstance(value, str),
        INT: isinstance(value, int) and not isinstance(value, bool),
        BOOL: isinstance(value, bool),
        ANY: True,
    }[spec]
    if not ok:
        raise InvalidJsonPayload()
    return value


CREDENTIAL_STRINGS = (
    "api_key", "header_name", "header_value", "param_name", "param_value", "param_location",
    "azure_endpoint", "azure_eversion", "azure_client_id", "azure_client_secret", "azure_tenant_id",
    "gcp_service_account_json", "aws_access_key_id", "aws_secret_access_key", "aws_region",
    "aws_session_token", "aws_role",
)  # fmt: skip
CREDENTIAL_BOOLS = ("allow_override", "azure_use_managed_identity", "gcp_use_service_account", "aws_use_role")

CREDENTIALS = Struct(
    "Credentials", {**dict.fromkeys(CREDENTIAL_STRINGS, STRING), **dict.fromkeys(CREDENTIAL_BOOLS, BOOL)}
)
HEADERS = MapOf(STRING)

# -- gateways ----------------------------------------------------------------------------------

PLUGIN_CONFIG = Struct(
    "PluginConfig",
    {
        "enabled": BOOL, "id": STRING, "level": STRING, "name": STRING, "parallel": BOOL,
        "priority": INT, "settings": MapOf(ANY), "stage": STRING,
    },
)  # fmt: skip
CLIENT_TLS = Struct(
    "ClientTLSConfigRequest",
    {
        "allow_insecure_connections": BOOL, "ca_cert": STRING,
        "client_certs": Struct("ClientTLSCertRequest", {"certificate": STRING, "private_key": STRING}),
        "cipher_suites": ListOf(INT), "curve_preferences": ListOf(INT), "disable_system_ca_pool": BOOL,
        "max_version": STRING, "min_version": STRING,
    },
)  # fmt: skip
SECURITY_CONFIG = Struct(
    "SecurityConfigRequest",
    {
        "allowed_hosts": ListOf(STRING), "allowed_hosts_are_regex": BOOL, "browser_xss_filter": BOOL,
        "content_security_policy": STRING, "content_type_nosniff": BOOL,
        "custom_frame_options_value": STRING, "frame_deny": BOOL, "is_development": BOOL,
        "referrer_policy": STRING, "ssl_host": STRING, "ssl_proxy_headers": MapOf(STRING),
        "ssl_redirect": BOOL, "sts_include_subdomains": BOOL, "sts_seconds": INT,
    },
)  # fmt: skip
SESSION_CONFIG = Struct(
    "SessionConfigRequest",
    {"body_param_name": STRING, "enabled": BOOL, "header_name": STRING, "mapping_field": STRING, "ttl": INT},
)
TELEMETRY = Struct(
    "TelemetryRequest",
    {
        "enable_plugin_traces": BOOL, "enable_request_traces": BOOL,
        "exporters": ListOf(Struct("ExporterRequest", {"name": STRING, "settings": MapOf(ANY)})),
        "extra_params": MapOf(STRING), "header_mapping": MapOf(STRING),
    },
)  # fmt: skip
_GATEWAY_COMMON = {
    "client_tls": MapOf(CLIENT_TLS),
    "name": STRING,
    "required_plugins": ListOf(PLUGIN_CONFIG),
    "security_config": SECURITY_CONFIG,
    "session_config": SESSION_CONFIG,
    "status": STRING,
    "telemetry": TELEMETRY,
}
CREATE_GATEWAY = Struct(
    "CreateGatewayRequest",
    {**_GATEWAY_COMMON, "subdomain": STRING, "created_at": STRING, "updated_at": STRING},
)
UPDATE_GATEWAY = Struct("UpdateGatewayRequest", _GATEWAY_COMMON)

# -- upstreams ---------------------------------------------------------------------------------

TARGET = Struct(
    "TargetRequest",
    {
        "credentials": CREDENTIALS, "default_model": STRING, "description": STRING, "headers": HEADERS,
        "host": STRING, "id": STRING, "insecure_ssl": BOOL, "models": ListOf(STRING), "path": STRING,
        "port": INT, "priority": INT, "protocol": STRING, "provider": STRING, "stream": BOOL,
        "tags": ListOf(STRING), "weight": INT,
    },
)  # fmt: skip
UPSTREAM = Struct(
    "UpstreamRequest",
    {
        "algorithm": STRING,
        "embedding": Struct(
            "EmbeddingRequest", {"credentials": CREDENTIALS, "model": STRING, "provider": STRING}
        ),
        "gateway_id": STRING,
        "health_checks": Struct(
            "HealthCheckRequest",
            {"headers": HEADERS, "interval": INT, "passive": BOOL, "path": STRING, "threshold": INT},
        ),
        "id": STRING,
        "name": STRING,
        "proxy_config": Struct("ProxyConfigRequest", {"host": STRING, "port": STRING, "protocol": STRING}),
        "tags": ListOf(STRING),
        "targets": ListOf(TARGET),
        "websocket_config": Struct(
            "WebhookConfigRequest",
            {
                "enable_direct_communication": BOOL,
                "handshake_timeout": STRING,
                "ping_period": STRING,
                "pong_wait": STRING,
                "read_buffer_size": INT,
                "return_error_details": BOOL,
                "write_buffer_size": INT,
            },
        ),
    },
)

# -- services ----------------------------------------------------------------------------------

SERVICE = Struct(
    "ServiceRequest",
    {
        "createdAt": STRING, "credentials": CREDENTIALS, "description": STRING, "gateway_id": STRING,
        "headers": HEADERS, "host": STRING, "id": STRING, "name": STRING, "path": STRING, "port": INT,
        "protocol": STRING, "retries": INT, "tags": ListOf(STRING), "type": STRING, "updatedAt": STRING,
        "upstream_id": STRING,
    },
)  # fmt: skip
