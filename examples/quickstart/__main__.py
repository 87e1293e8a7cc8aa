"""Quickstart: one object per vendor, against the local emulator by default (`make demo`).

Credentials and base URLs come from stack config or the environment (see the README); `make demo`
points every vendor at `python -m pulumi_deploy.emulator` and seeds the objects that only a vendor
console can create (the Aieev endpoint, config `aieevEndpointId`).
"""

import pulumi

from pulumi_deploy import aieev, cyberun, nemo, runpod, trustgate

config = pulumi.Config()

# RunPod (REST v2): a serverless endpoint with its container settings on the endpoint, plus a network volume.
endpoint = runpod.Endpoint(
    "llm",
    runpod.EndpointArgs(
        image="ghcr.io/acme/llm-worker:1.4.2",
        env={"MODEL": "llama-3-8b"},
        gpu_type_ids=["NVIDIA L4", "NVIDIA A40"],
        workers_min=0,
        workers_max=2,
        idle_timeout=30,
        flashboot=True,
    ),
)
volume = runpod.NetworkVolume("models", runpod.NetworkVolumeArgs(size=50, data_center_id="EU-RO-1"))

pulumi.export("runpod_endpoint_id", endpoint.id)
pulumi.export("runpod_endpoint_version", endpoint.version)
pulumi.export("runpod_run_url", endpoint.request_urls.apply(lambda urls: (urls or {}).get("run")))
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

# Aieev: an endpoint made in the AirCloud console, adopted by id and kept running with these settings
# (the External API cannot create endpoints; `pulumi destroy` stops it).
aieev_endpoint = aieev.Endpoint(
    "aircloud",
    aieev.EndpointArgs(
        endpoint_id=config.require("aieevEndpointId"),
        container_port=8000,
        container_health_check_path="/health",
        health_check_timeout=300,
        container_env_vars=[aieev.EnvVarArgs(key="MODEL", value="llama-3-8b")],
        replicas=1,
    ),
)
pulumi.export("aieev_endpoint_status", aieev_endpoint.status)
pulumi.export("aieev_endpoint_url", aieev_endpoint.serving_endpoint_url)

# NVIDIA NeMo Platform: a deployment config and a deployment of it, awaited until READY. Configs and
# deployments are versioned: changing `gpu` writes config version 2 (an update, not a replace).
nemo_config = nemo.ModelDeploymentConfig(
    "nemo-config",
    nemo.ModelDeploymentConfigArgs(
        name="llama-cfg",
        engine="nim",
        model_spec=nemo.ModelSpecArgs(model_type="llm", model_name="llama-3.1-8b-instruct"),
        executor_config=nemo.ExecutorConfigArgs(gpu=1),
    ),
)
nemo_deployment = nemo.ModelDeployment(
    "nemo-deployment",
    nemo.ModelDeploymentArgs(name="llama", config=nemo_config.name, wait_for="READY", wait_timeout=600),
)
pulumi.export("nemo_config_version", nemo_config.entity_version)
pulumi.export("nemo_deployment_status", nemo_deployment.status)

# NeuralTrust TrustGate: a gateway, an upstream balancing an LLM provider and the RunPod-style host,
# and a service routing to it. Credentials are secrets; Pulumi orders deletes service -> upstream -> gateway.
gateway = trustgate.Gateway("edge", trustgate.GatewayArgs(name="edge", subdomain="quickstart"))
llms = trustgate.Upstream(
    "llms",
    trustgate.UpstreamArgs(
        gateway_id=gateway.id,
        name="llms",
        algorithm="weighted-round-robin",
        targets=[
            trustgate.TargetArgs(
                provider="openai",
                models=["gpt-4o-mini"],
                default_model="gpt-4o-mini",
                weight=80,
                credentials=trustgate.CredentialsArgs(api_key=config.get_secret("openaiKey") or "sk-demo-key"),
            ),
            trustgate.TargetArgs(host="vllm.internal", port=8000, protocol="http", weight=20),
        ],
    ),
)
chat = trustgate.Service(
    "chat", trustgate.ServiceArgs(gateway_id=gateway.id, name="chat", type="upstream", upstream_id=llms.id)
)
pulumi.export("trustgate_service_id", chat.id)
pulumi.export("trustgate_target_ids", llms.target_ids)
