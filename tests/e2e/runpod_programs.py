"""Shared RunPod programs and call-log helpers for the e2e tests."""

from __future__ import annotations

from typing import Any

import pulumi

from pulumi_deploy import runpod


def program(cfg: dict[str, Any]):
    """A template + endpoint + volume program whose inputs come from ``cfg`` (mutated between steps)."""

    def run() -> None:
        tmpl = runpod.Template("worker", runpod.TemplateArgs(**cfg["template"]))
        ep = runpod.Endpoint("api", runpod.EndpointArgs(template_id=tmpl.id, **cfg["endpoint"]))
        vol = runpod.NetworkVolume("data", runpod.NetworkVolumeArgs(**cfg["volume"]))
        pulumi.export("template_id", tmpl.id)
        pulumi.export("endpoint_id", ep.id)
        pulumi.export("endpoint_version", ep.version)
        pulumi.export("volume_id", vol.id)

    return run


def base_cfg() -> dict[str, Any]:
    return {
        "template": {"image_name": "ghcr.io/acme/worker:1.0", "is_serverless": True, "env": {"MODE": "prod"}},
        "endpoint": {"workers_max": 3, "workers_min": 0, "gpu_type_ids": ["NVIDIA L4"], "flashboot": True},
        "volume": {"size": 50, "data_center_id": "EU-RO-1"},
    }


def v1_env(base_urls: dict[str, str]) -> dict[str, str]:
    """The opt-in REST v1 backend: its version setting and the emulator's v1 URL."""
    return {"RUNPOD_API_VERSION": "v1", "RUNPOD_BASE_URL": base_urls["RUNPOD_V1_BASE_URL"]}


def rp_calls(emulator, method: str | None = None) -> list[dict[str, Any]]:
    return [c for c in emulator.calls("runpod") if method is None or c["method"] == method]
