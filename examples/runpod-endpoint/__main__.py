"""A RunPod serverless endpoint (REST v2) pulling a private image, ready for `pulumi up`.

    pulumi config set --secret runpod:apiKey <key>           # or export RUNPOD_API_KEY
    pulumi config set --secret registryPassword <token>      # a registry token that may pull the image
    pulumi up

Against the emulator instead: `python -m pulumi_deploy.emulator` and export the RUNPOD_BASE_URL it prints.

The container settings sit on the endpoint itself: REST v2 applies a template to an endpoint only
once, so changing `image` here is what rolls the workers (the preview says "rolling release", `up`
follows it to completion).
"""

import pulumi

from pulumi_deploy import runpod

config = pulumi.Config()
registry = runpod.ContainerRegistryAuth(
    "ghcr",
    runpod.ContainerRegistryAuthArgs(
        username=config.get("registryUser") or "acme-bot",
        password=config.get_secret("registryPassword") or "not-a-real-token",
    ),
)
endpoint = runpod.Endpoint(
    "llm",
    runpod.EndpointArgs(
        image=config.get("image") or "ghcr.io/acme/llm-worker:1.4.2",
        registry=registry.id,
        disk=20,
        env={"MODEL": "llama-3-8b", "HF_TOKEN": "{{ RUNPOD_SECRET_hf_token }}"},
        gpu_type_ids=["NVIDIA L4"],  # mapped to its pool through the catalogue; or gpu_pools=["AMPERE_24"]
        data_center_ids=["EU-RO-1", "US-TX-3"],
        workers_min=0,
        workers_max=config.get_int("workersMax") or 3,
        idle_timeout=30,
        scaler_type="QUEUE_DELAY",
        scaler_value=4,
        flashboot="FLASHBOOT",
    ),
)
pulumi.export("endpoint_id", endpoint.id)
pulumi.export("version", endpoint.version)
pulumi.export("release_id", endpoint.release_id)
pulumi.export("run_url", endpoint.request_urls.apply(lambda urls: (urls or {}).get("run")))
