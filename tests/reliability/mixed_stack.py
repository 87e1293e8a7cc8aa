"""A mixed stack of 30 objects over the four vendors whose API can create objects (Aieev cannot)."""

from __future__ import annotations

from pulumi_deploy import cyberun, nemo, runpod, trustgate

RUNPOD_ENDPOINTS = 8
RUNPOD_VOLUMES = 2
CYBERUN_SERVICES = 6
TRUSTGATE_UPSTREAMS = 3
NEMO_PAIRS = 3

EXPECTED = {
    ("runpod", "templates"): 1,
    ("runpod", "endpoints"): RUNPOD_ENDPOINTS,
    ("runpod", "networkvolumes"): RUNPOD_VOLUMES,
    ("cyberun", "containers"): CYBERUN_SERVICES,
    ("trustgate", "gateways"): 1,
    ("trustgate", "upstreams"): TRUSTGATE_UPSTREAMS,
    ("trustgate", "services"): TRUSTGATE_UPSTREAMS,
    ("nemo", "deployment_configs"): NEMO_PAIRS,
    ("nemo", "deployments"): NEMO_PAIRS,
}
OBJECTS = sum(EXPECTED.values())


def program() -> None:
    tmpl = runpod.Template("worker", runpod.TemplateArgs(image_name="ghcr.io/acme/worker:1.0", is_serverless=True))
    for i in range(RUNPOD_ENDPOINTS):
        runpod.Endpoint(f"ep{i}", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))
    for i in range(RUNPOD_VOLUMES):
        runpod.NetworkVolume(f"vol{i}", runpod.NetworkVolumeArgs(size=10 + i, data_center_id="EU-RO-1"))
    for i in range(CYBERUN_SERVICES):
        cyberun.ContainerService(
            f"svc{i}",
            cyberun.ContainerServiceArgs(service_slug=f"chaos-{i}", docker_image="vllm/vllm-openai:v0.6.3"),
        )
    gateway = trustgate.Gateway("edge", trustgate.GatewayArgs(name="edge", subdomain="chaos"))
    for i in range(TRUSTGATE_UPSTREAMS):
        upstream = trustgate.Upstream(
            f"up{i}",
            trustgate.UpstreamArgs(
                gateway_id=gateway.id,
                name=f"up{i}",
                algorithm="round-robin",
                targets=[trustgate.TargetArgs(host=f"backend{i}.internal", port=8000, protocol="http", weight=100)],
            ),
        )
        trustgate.Service(
            f"route{i}",
            trustgate.ServiceArgs(gateway_id=gateway.id, name=f"route{i}", type="upstream", upstream_id=upstream.id),
        )
    for i in range(NEMO_PAIRS):
        config = nemo.ModelDeploymentConfig(
            f"cfg{i}",
            nemo.ModelDeploymentConfigArgs(
                name=f"cfg-{i}",
                engine="nim",
                model_spec=nemo.ModelSpecArgs(model_type="llm", model_name="llama-3.1-8b-instruct"),
                executor_config=nemo.ExecutorConfigArgs(gpu=1),
            ),
        )
        nemo.ModelDeployment(f"dep{i}", nemo.ModelDeploymentArgs(name=f"dep-{i}", config=config.name, wait_for="READY"))
