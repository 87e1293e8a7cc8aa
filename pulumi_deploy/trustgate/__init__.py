"""NeuralTrust TrustGate v1.x admin API (v1.6.10): Gateway, Upstream, Service.

Configuration: ``trustgate:adminToken`` (secret; a ready admin JWT) or ``TRUSTGATE_ADMIN_TOKEN``;
``trustgate:baseUrl`` or ``TRUSTGATE_BASE_URL`` (the admin server's root; no default, self-hosted).
Delete order service -> upstream -> gateway follows from passing ``gateway.id`` / ``upstream.id``.
"""

from .api import CredentialsArgs
from .connection import Connection
from .gateway import (
    ClientTLSArgs,
    ClientTLSCertArgs,
    ExporterArgs,
    Gateway,
    GatewayArgs,
    PluginArgs,
    SecurityConfigArgs,
    SessionConfigArgs,
    TelemetryArgs,
)
from .service import Service, ServiceArgs
from .upstream import EmbeddingArgs, HealthCheckArgs, ProxyArgs, TargetArgs, Upstream, UpstreamArgs, WebsocketArgs

__all__ = [
    "ClientTLSArgs",
    "ClientTLSCertArgs",
    "Connection",
    "CredentialsArgs",
    "EmbeddingArgs",
    "ExporterArgs",
    "Gateway",
    "GatewayArgs",
    "HealthCheckArgs",
    "PluginArgs",
    "ProxyArgs",
    "SecurityConfigArgs",
    "Service",
    "ServiceArgs",
    "SessionConfigArgs",
    "TargetArgs",
    "TelemetryArgs",
    "Upstream",
    "UpstreamArgs",
    "WebsocketArgs",
]
