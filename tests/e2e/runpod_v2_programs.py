"""Shared RunPod REST v2 programs for the e2e tests (the default backend)."""

from __future__ import annotations

from typing import Any

import pulumi

from pulumi_deploy import runpod

#: Rollout polling fast enough for the emulator (its rollouts advance per read, not per second).
FAST_POLL = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}


def endpoint_program(cfg: dict[str, Any]):
    """One endpoint (and, when ``cfg["template"]`` is set, the template it starts from)."""

    def run() -> None:
        extra: dict[str, Any] = {}
        if cfg.get("template") is not None:
            tmpl = runpod.Template("worker", runpod.TemplateArgs(**cfg["template"]))
            extra["template_id"] = tmpl.id
            pulumi.export("template_id", tmpl.id)
        if cfg.get("registry") is not None:
            reg = runpod.ContainerRegistryAuth("ghcr", runpod.ContainerRegistryAuthArgs(**cfg["registry"]))
            extra["registry"] = reg.id
            pulumi.export("registry_id", reg.id)
        ep = runpod.Endpoint("api", runpod.EndpointArgs(**cfg["endpoint"], **extra))
        pulumi.export("endpoint_id", ep.id)
        pulumi.export("version", ep.version)
        pulumi.export("release_id", ep.release_id)
        pulumi.export("release_version", ep.release_version)
        pulumi.export("request_urls", ep.request_urls)
        pulumi.export("created_at", ep.created_at)
        if cfg.get("volume") is not None:
            vol = runpod.NetworkVolume("data", runpod.NetworkVolumeArgs(**cfg["volume"]))
            pulumi.export("volume_id", vol.id)

    return run


def gpu_cfg() -> dict[str, Any]:
    return {"endpoint": {"image": "ghcr.io/acme/worker:1.0", "gpu_pools": ["AMPERE_24"], "workers_max": 3}}


def cpu_cfg() -> dict[str, Any]:
    return {
        "endpoint": {
            "image": "ghcr.io/acme/cpu-worker:1.0",
            "compute_type": "CPU",
            "cpu_flavor_ids": ["cpu3c"],
            "vcpu_count": 4,
            "workers_max": 2,
        }
    }


def rp_calls(emulator, method: str | None = None) -> list[dict[str, Any]]:
    return [c for c in emulator.calls("runpod") if method is None or c["method"] == method]
