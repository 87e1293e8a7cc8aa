"""A Cyberun container service, deployed and kept running, ready for `pulumi up`.

    pulumi config set --secret cyberun:token sk-...      # or export CYBERUN_TOKEN
    # with a user JWT instead of an sk- key, also: pulumi config set cyberun:teamId <team uuid>
    pulumi up

Against the emulator instead: `python -m pulumi_deploy.emulator` and export the CYBERUN_BASE_URL it prints.
"""

import pulumi

from pulumi_deploy import cyberun

config = pulumi.Config()
service = cyberun.ContainerService(
    "llm",
    cyberun.ContainerServiceArgs(
        service_slug=config.get("slug") or "llm-api",
        display_name="LLM API",
        docker_image=config.get("image") or "vllm/vllm-openai:latest",
        exposed_port=8000,
        health_path="/health",
        env_config=[
            cyberun.EnvVarArgs(env_name="MODEL", env_value="meta-llama/Llama-3.1-8B-Instruct"),
            cyberun.EnvVarArgs(env_name="HF_TOKEN", env_value=config.get_secret("hfToken") or ""),
        ],
        required_labels=["gpu"],
        gpu_count=-1,
        replica_count=config.get_int("replicas") or 1,
        deployed=True,
    ),
)
pulumi.export("service_id", service.id)
pulumi.export("status", service.service_status)
