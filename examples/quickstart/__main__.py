"""Quickstart: one object per vendor, against the local emulator by default (`make demo`).

Credentials and base URLs come from stack config or the environment (see the README); `make demo`
points every vendor at `python -m pulumi_deploy.emulator`.
"""

import pulumi

from pulumi_deploy import cyberun, runpod

# RunPod: a serverless template and an endpoint running it, plus a network volume.
template = runpod.Template(
    "worker",
    runpod.TemplateArgs(image_name="ghcr.io/acme/llm-worker:1.4.2", is_serverless=True, env={"MODEL": "llama-3-8b"}),
)
endpoint = runpod.Endpoint(
    "llm",
    runpod.EndpointArgs(
        template_id=template.id,
        gpu_type_ids=["NVIDIA L4", "NVIDIA A40"],
        workers_min=0,
        workers_max=2,
        idle_timeout=30,
        flashboot=True,
    ),
)
volume = runpod.NetworkVolume("models", runpod.NetworkVolumeArgs(size=50, data_center_id="EU-RO-1"))

pulumi.export("runpod_template", template.name)
pulumi.export("runpod_endpoint_id", endpoint.id)
pulumi.export("runpod_endpoint_version", endpoint.version)
pulumi.export("runpod_volume_id", volume.id)

# Cyberun: a container service, deployed and kept running (env values are secrets).
service = cyberun.ContainerService(
    "api",
    cyberun.ContainerServiceArgs(
        service_slug="quickstart-api",
        docker_image="vllm/vllm-openai:v0.6.3",
        env_config=[cyberun.EnvVarArgs(env_name="MODEL", env_value="llama-3-8b")],
        replica_count=1,
    ),
)
pulumi.export("cyberun_service_id", service.id)
pulumi.export("cyberun_service_status", service.service_status)
