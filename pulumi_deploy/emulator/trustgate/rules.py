"""Validation rules and request -> record builders for TrustGate upstreams, services and gateways.

Pure functions (no state, no HTTP): the backend calls them under its lock. Request-level rules raise
:class:`RequestInvalid` (400); domain rules raise :class:`DomainInvalid` (500), as the real server's
gorm hooks do.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from .errors import DomainInvalid, InvalidId, RequestInvalid

NIL_UUID = "00000000-0000-0000-0000-000000000000"
ALGORITHMS = ("round-robin", "weighted-round-robin", "least-conn", "semantic")
PROVIDERS = ("openai", "google", "anthropic", "bedrock", "azure", "mistral")
EMBEDDING_PROVIDERS = ("openai",)
SERVICE_TYPES = ("upstream", "endpoint")
PROTOCOLS = ("http", "https")
TLS_VERSIONS = {"TLS10": 10, "TLS11": 11, "TLS12": 12, "TLS13": 13}
HEADER_MAPPING_KEYS = ("conversation_id", "interaction_id", "session_id")
PLUGIN_LEVELS = ("gateway", "rule")
PLUGIN_STAGES = ("pre_request", "post_request", "pre_response", "post_response")

_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
_DURATION_RE = re.compile(r"[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+")
_NUMBER_RE = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_uuid(value: str, kind: str) -> str:
    """Go ``uuid.Parse`` (canonical or 32-hex form); returns the canonical lower-case string."""
    if not _UUID_RE.fullmatch(value) or len(value) not in (32, 36):
        raise InvalidId(kind)
    return str(uuid.UUID(value))


def go_duration_error(value: str) -> str | None:
    """``time.ParseDuration``'s error for ``value``, or None when it parses."""
    if value in ("0", "+0", "-0") or _DURATION_RE.fullmatch(value):
        return None
    if _NUMBER_RE.fullmatch(value):
        return f'time: missing unit in duration "{value}"'
    return f'time: invalid duration "{value}"'


def _zero(value: Any) -> bool:
    return value is None or value is False or value == 0 or value == "" or value == [] or value == {}


def omit_empty(record: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """Go's ``omitempty``: drop zero values except the keys in ``keep``."""
    return {k: v for k, v in record.items() if k in keep or not _zero(v)}


def credentials_record(credentials: dict[str, Any] | None) -> dict[str, Any]:
    """Every credentials key is ``omitempty``; the object itself is always present."""
    return omit_empty(dict(credentials or {}))


# -- gateways ----------------------------------------------------------------------------------


def validate_gateway_request(req: dict[str, Any], *, create: bool) -> None:
    if create and not req.get("name"):
        raise RequestInvalid("name is required")
    if create and not req.get("subdomain"):
        raise RequestInvalid("subdomain is required")
    for backend, tls in req.get("client_tls", {}).items():
        lo, hi = tls.get("min_version", ""), tls.get("max_version", "")
        if lo not in TLS_VERSIONS:
            raise RequestInvalid(f"invalid min_version in client_tls for backend '{backend}': {lo}")
        if hi not in TLS_VERSIONS:
            raise RequestInvalid(f"invalid max_version in client_tls for backend '{backend}': {hi}")
        if TLS_VERSIONS[lo] > TLS_VERSIONS[hi]:
            raise RequestInvalid(
                f"min_version cannot be greater than max_version in client_tls for backend '{backend}'"
            )
        certs = tls.get("client_certs", {})
        if not tls.get("ca_cert"):
            raise RequestInvalid(f"ca_cert is required in client_tls for backend '{backend}'")
        for key in ("certificate", "private_key"):
            if not certs.get(key):
                raise RequestInvalid(f"client_cert.{key} is required in client_tls for backend '{backend}'")
    for key in req.get("telemetry", {}).get("header_mapping", {}):
        if key not in HEADER_MAPPING_KEYS:
            raise RequestInvalid(
                f"invalid key in header_mapping: {key}. only 'conversation_id' and 'interaction_id' and "
                "'session_id' are allowed"
            )
    for plugin in req.get("required_plugins", []):
        if not plugin.get("name"):
            raise RequestInvalid("Invalid plugin configuration: plugin name is required")
        if plugin.get("level", "gateway") not in PLUGIN_LEVELS:
            raise RequestInvalid(f"Invalid plugin configuration: invalid level: {plugin['level']}")
        if plugin.get("stage", "pre_request") not in PLUGIN_STAGES:
            raise RequestInvalid(f"Invalid plugin configuration: invalid stage: {plugin['stage']}")


# -- upstreams ---------------------------------------------------------------------------------


def validate_upstream_request(req: dict[str, Any]) -> None:
    """``request.UpstreamRequest.Validate`` plus the handler's embedding-provider check (400)."""
    targets = req.get("targets", [])
    for i, target in enumerate(targets):
        provider = target.get("provider", "")
        if provider:
            if provider not in PROVIDERS:
                raise RequestInvalid(f"target {i}: invalid provider: {provider}")
            if target.get("path"):
                raise RequestInvalid(f"target {i}: when target has provider specified, path must be empty")
    if req.get("algorithm") == "semantic":
        for i, target in enumerate(targets):
            if not target.get("description"):
                raise RequestInvalid(f"target {i}: description is required")
            if target.get("provider", "") not in PROVIDERS:
                raise RequestInvalid(f"invalid target provider: {target.get('provider', '')}")
        embedding = req.get("embedding")
        if embedding is None:
            raise RequestInvalid("embedding configuration is required when algorithm is semantic")
        if not embedding.get("model"):
            raise RequestInvalid("embedding model is required when algorithm is semantic")
        creds = embedding.get("credentials", {})
        if not creds.get("api_key"):
            for key in ("header_name", "header_value"):
                if not creds.get(key):
                    raise RequestInvalid(
                        f"embedding credentials {key} is required when algorithm is semantic"
                    )
    websocket, proxy = req.get("websocket_config"), req.get("proxy_config")
    if websocket is not None and proxy is not None:
        raise RequestInvalid("webhook_config and proxy_config cannot coexist, only one can be specified")
    if websocket is not None:
        for key in ("ping_period", "pong_wait", "handshake_timeout"):
            error = go_duration_error(websocket.get(key, "")) if websocket.get(key) else None
            if error:
                raise RequestInvalid(f"webhook_config validation failed: invalid {key} format: {error}")
        for key in ("read_buffer_size", "write_buffer_size"):
            if websocket.get(key, 0) < 0:
                raise RequestInvalid(f"webhook_config validation failed: {key} must be a positive value")
    if proxy is not None:
        for key in ("host", "port"):
            if not proxy.get(key):
                raise RequestInvalid(f"proxy_config.{key} cannot be empty")
        if proxy.get("protocol", "") not in ("", *PROTOCOLS):
            raise RequestInvalid("proxy_config.protocol must be either 'http' or 'https'")
    embedding = req.get("embedding")
    embedding_provider = (embedding or {}).get("provider", "")
    if embedding is not None and embedding_provider not in EMBEDDING_PROVIDERS:  # unset is not "openai" either
        raise RequestInvalid(f"embedding provider '{embedding_provider}' is not allowed")


def _target_record(target: dict[str, Any], upstream_id: str, index: int) -> dict[str, Any]:
    record = {
        "id": target.get("id") or f"{upstream_id}-{target.get('provider', '')}-{index}",
        "weight": target.get("weight", 0),
        "priority": target.get("priority", 0),
        "tags": target.get("tags", []),
        "headers": target.get("headers", {}),
        "path": target.get("path", ""),
        "host": target.get("host", ""),
        "port": target.get("port", 0),
        "protocol": target.get("protocol", ""),
        "provider": target.get("provider", ""),
        "models": target.get("models", []),
        "default_model": target.get("default_model", ""),
        "description": target.get("description", ""),
        "credentials": credentials_record(target.get("credentials")),
        "stream": target.get("stream", False),
        "insecure_ssl": target.get("insecure_ssl", False),
    }
    return omit_empty(record, keep=("id", "credentials"))


def upstream_record(
    req: dict[str, Any],
    *,
    upstream_id: str,
    gateway_id: str,
    created_at: str,
    updated_at: str,
    force_direct: bool,
) -> dict[str, Any]:
    """The ``upstream.Upstream`` response object built from a request (request keys mapped)."""
    record: dict[str, Any] = {
        "id": upstream_id,
        "gateway_id": gateway_id,
        "name": req.get("name", ""),
        "algorithm": req.get("algorithm", ""),
        "targets": [_target_record(t, upstream_id, i) for i, t in enumerate(req.get("targets", []))],
    }
    if (embedding := req.get("embedding")) is not None:
        record["embedding_config"] = {
            "provider": embedding.get("provider", ""),
            "model": embedding.get("model", ""),
            "credentials": credentials_record(embedding.get("credentials")),
        }
    if (health := req.get("health_checks")) is not None:
        record["health_checks"] = {
            "passive": health.get("passive", False),
            "path": health.get("path", ""),
            "headers": health.get("headers"),
            "threshold": health.get("threshold", 0),
            "interval": health.get("interval", 0),
        }
    if req.get("tags"):
        record["tags"] = req["tags"]
    if (ws := req.get("websocket_config")) is not None:
        record["websocket_config"] = {
            "enable_direct_communication": True
            if force_direct
            else ws.get("enable_direct_communication", False),
            "return_error_details": ws.get("return_error_details", False),
            "ping_period": ws.get("ping_period", ""),
            "pong_wait": ws.get("pong_wait", ""),
            "handshake_timeout": ws.get("handshake_timeout", ""),
            "read_buffer_size": ws.get("read_buffer_size", 0),
            "write_buffer_size": ws.get("write_buffer_size", 0),
        }
    if (proxy := req.get("proxy_config")) is not None:
        record["proxy"] = {k: proxy.get(k, "") for k in ("host", "port", "protocol")}
    record["created_at"] = created_at
    record["updated_at"] = updated_at
    return record


def _validate_target(target: dict[str, Any]) -> None:
    if target.get("weight", 0) < 0:
        raise ValueError("weight cannot be negative")
    if target.get("provider"):
        if target.get("host") or target.get("port"):
            raise ValueError("provider-type target cannot have host/port configuration")
        if not target.get("credentials"):
            raise ValueError("provider-type target requires credentials")
        if not target.get("models"):
            raise ValueError("provider-type target requires at least one model")
        if not target.get("default_model"):
            raise ValueError("provider-type target requires a default model")
        if target["default_model"] not in target["models"]:
            raise ValueError("default model must be in the models list")
    elif target.get("host"):
        if not 0 < target.get("port", 0) <= 65535:
            raise ValueError("invalid port number")
        if target.get("protocol") not in PROTOCOLS:
            raise ValueError("invalid protocol: must be http or https")
    else:
        raise ValueError("target must specify either provider or host")


def validate_upstream_record(record: dict[str, Any]) -> None:
    """``upstream.Upstream.Validate`` (gorm hook): failures are 500."""
    if not record["name"]:
        raise DomainInvalid("name is required")
    if not record["targets"]:
        raise DomainInvalid("at least one target is required")
    if record["algorithm"] not in ALGORITHMS:
        raise DomainInvalid(f"invalid algorithm: {record['algorithm']}")
    semantic = record["algorithm"] == "semantic"
    for i, target in enumerate(record["targets"]):
        try:
            _validate_target(target)
        except ValueError as exc:
            raise DomainInvalid(f"invalid target {i}: {exc}") from None
        if semantic and not target.get("description"):
            raise DomainInvalid(f"target {i}: description is required when algorithm is semantic")


# -- services ----------------------------------------------------------------------------------


def service_record(
    req: dict[str, Any],
    *,
    service_id: str,
    gateway_id: str,
    upstream_id: str,
    created_at: str,
    updated_at: str,
) -> dict[str, Any]:
    """The ``service.Service`` response object (``retries``/``stream`` are not persisted)."""
    record = {
        "id": service_id,
        "gateway_id": gateway_id,
        "name": req.get("name", ""),
        "type": req.get("type", ""),
        "description": req.get("description", ""),
        "tags": req.get("tags", []),
        "upstream_id": upstream_id,
        "host": req.get("host", ""),
        "port": req.get("port", 0),
        "protocol": req.get("protocol", ""),
        "path": req.get("path", ""),
        "headers": req.get("headers", {}),
        "credentials": credentials_record(req.get("credentials")),
        "created_at": created_at,
        "updated_at": updated_at,
    }
    return omit_empty(record, keep=("id", "gateway_id", "name", "type", "description", "upstream_id",
                                    "credentials", "created_at", "updated_at"))  # fmt: skip


def validate_service_record(record: dict[str, Any]) -> None:
    """``service.Service.Validate`` (gorm hook, 500) plus the type/upstream pairing rule."""
    if not record["name"]:
        raise DomainInvalid("name is required")
    if record["type"] not in SERVICE_TYPES:
        raise DomainInvalid(f"invalid service type: {record['type']}")
    if record["upstream_id"] == NIL_UUID:
        if not record.get("host"):
            raise DomainInvalid("either upstream_id or host must be specified")
        if not 0 < record.get("port", 0) <= 65535:
            raise DomainInvalid("invalid port number")
        if record.get("protocol") not in PROTOCOLS:
            raise DomainInvalid("invalid protocol: must be http or https")
    elif record.get("host") or record.get("port"):
        raise DomainInvalid("cannot specify host configuration when using upstream")
    if record["type"] == "endpoint" and record["upstream_id"] != NIL_UUID:
        raise DomainInvalid("endpoint service cannot reference an upstream: upstream_id must be the nil UUID")
    if record["type"] == "upstream" and record["upstream_id"] == NIL_UUID:
        raise DomainInvalid("upstream service requires an upstream_id")
