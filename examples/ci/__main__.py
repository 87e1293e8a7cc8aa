"""The program of the CI recipe: a RunPod serverless endpoint and its template.

Each environment is a stack (`staging`, `production`) with its own config; credentials come from
stack config secrets (`pulumi config set --secret runpod:apiKey ...`) or `RUNPOD_API_KEY`. The
emulator job runs this same program with `RUNPOD_BASE_URL` pointing at `python -m pulumi_deploy.emulator`.
"""

import pulumi

from pulumi_deploy import runpod

config = pulumi.Config()
template = runpod.Template(
    "worker",
    runpod.TemplateArgs(image_name=config.get("image") or "ghcr.io/acme/llm-worker:1.4.2", is_serverless=True),
)
endpoint = runpod.Endpoint(
    "llm",
    runpod.EndpointArgs(template_id=template.id, workers_min=0, workers_max=config.get_int("workersMax") or 2),
)
pulumi.export("template_id", template.id)
pulumi.export("endpoint_id", endpoint.id)
