"""A RunPod serverless endpoint with its template, ready for `pulumi up`.

    pulumi config set --secret runpod:apiKey <key>     # or export RUNPOD_API_KEY
    pulumi up

Against the emulator instead: `python -m pulumi_deploy.emulator` and export the RUNPOD_BASE_URL it prints.
"""

import pulumi

from pulumi_deploy import runpod

config = pulumi.Config()
template = runpod.Template(
    "worker",
    runpod.TemplateArgs(
        image_name=config.get("image") or "ghcr.io/acme/llm-worker:1.4.2",
        is_serverless=True,
        container_disk_in_gb=20,
        env={"MODEL": "llama-3-8b", "HF_TOKEN": "{{ RUNPOD_SECRET_hf_token }}"},
    ),
)
endpoint = runpod.Endpoint(
    "llm",
    runpod.EndpointArgs(
        template_id=template.id,
        gpu_type_ids=["NVIDIA L4"],
        data_center_ids=["EU-RO-1", "US-TX-3"],
        workers_min=0,
        workers_max=config.get_int("workersMax") or 3,
        idle_timeout=30,
        scaler_type="QUEUE_DELAY",
        scaler_value=4,
        flashboot=True,
    ),
)
pulumi.export("endpoint_id", endpoint.id)
pulumi.export("version", endpoint.version)
