"""Shared TrustGate programs for the e2e tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pulumi

from pulumi_deploy import trustgate

TARGET_KEY = "sk-target-s3cr3t-value"
SERVICE_SECRET = "svc-header-s3cr3t-value"
NIL = "00000000-0000-0000-0000-000000000000"


def program(cfg: dict[str, Any]):
    """gateway -> upstream (2 targets) -> upstream-type service + endpoint-type service, from ``cfg``."""

    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(**cfg["gateway"]))
        up = trustgate.Upstream("up", trustgate.UpstreamArgs(gateway_id=gw.id, **copy.deepcopy(cfg["upstream"])))
        if cfg["llm"] is not None:
            llm = trustgate.Service("llm", trustgate.ServiceArgs(gateway_id=gw.id, upstream_id=up.id, **cfg["llm"]))
            pulumi.export("llm_id", llm.id)
        ext = trustgate.Service("ext", trustgate.ServiceArgs(gateway_id=gw.id, **cfg["ext"]))
        pulumi.export("gateway_id", gw.id)
        pulumi.export("upstream_id", up.id)
        pulumi.export("target_ids", up.target_ids)
        pulumi.export("ext_id", ext.id)

    return run


def upstream_program(name: str, **fields: Callable[[], Any]) -> Callable[[], None]:
    """A gateway ``gw`` and a round-robin upstream ``up`` to one plain host target, both named ``name``;
    ``fields`` give the upstream's other arguments, each made inside the program (an ``Output.secret``
    exists only there)."""

    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(name=name, subdomain=name))
        target = trustgate.TargetArgs(host=f"{name}.internal", port=80, protocol="http")
        extra = {key: make() for key, make in fields.items()}
        args = trustgate.UpstreamArgs(gateway_id=gw.id, name=name, algorithm="round-robin", targets=[target], **extra)
        trustgate.Upstream("up", args)

    return run


def base_cfg() -> dict[str, Any]:
    return {
        "gateway": {"name": "main", "subdomain": "main"},
        "upstream": {
            "name": "llms",
            "algorithm": "weighted-round-robin",
            "targets": [
                trustgate.TargetArgs(
                    provider="openai",
                    models=["gpt-4o", "gpt-4o-mini"],
                    default_model="gpt-4o",
                    weight=70,
                    credentials=trustgate.CredentialsArgs(api_key=TARGET_KEY),
                ),
                trustgate.TargetArgs(host="llm.internal", port=8443, protocol="https", weight=30),
            ],
            "health_checks": trustgate.HealthCheckArgs(passive=True, path="/health", threshold=3, interval=30),
        },
        "llm": {"name": "llm", "type": "upstream"},
        "ext": {
            "name": "ext",
            "type": "endpoint",
            "host": "api.example.com",
            "port": 443,
            "protocol": "https",
            "credentials": trustgate.CredentialsArgs(header_name="X-Key", header_value=SERVICE_SECRET),
        },
    }
