"""A NeMo Platform model deployment: its deployment config, the deployment, and a recorded status.

    pulumi config set nemo:baseUrl https://nemo.example.com     # or export NEMO_BASE_URL
    pulumi config set --secret nemo:token <token>               # or export NEMO_TOKEN (not needed without auth)
    pulumi config set nemo:workspace my-team                    # optional, default "default"
    pulumi up

Against the emulator instead: `python -m pulumi_deploy.emulator` and export NEMO_BASE_URL=<its root>/nemo.
Changing `gpu` writes config version N+1; set `configVersion` to move the deployment onto it (a new
deployment version). The status resource records READY with the provider id, as a pipeline that runs
the model outside the platform's controller would; destroying it leaves the deployment alone.

No `wait_for="READY"` on the deployment: in this setup nothing but the status resource sets READY, and
the status resource is created after the deployment, so waiting there would wait until the timeout.
(With the platform's controller running the model, add `wait_for="READY"` and drop the status resource.)
`version=deployment.entity_version` ties the recorded status to the deployment version: a new deployment
version starts again at PENDING, and the changed `version` makes the next `up` record READY on it.
"""

import pulumi

from pulumi_deploy import nemo

config = pulumi.Config()
deployment_config = nemo.ModelDeploymentConfig(
    "llama-config",
    nemo.ModelDeploymentConfigArgs(
        name="llama-3-8b-cfg",
        engine="nim",
        description="Llama 3.1 8B instruct on NIM",
        model_spec=nemo.ModelSpecArgs(model_type="llm", model_namespace="meta", model_name="llama-3.1-8b-instruct"),
        executor_config=nemo.ExecutorConfigArgs(gpu=config.get_int("gpu") or 1, disk_size="80Gi"),
    ),
)
deployment = nemo.ModelDeployment(
    "llama",
    nemo.ModelDeploymentArgs(
        name="llama-3-8b",
        config=deployment_config.name,  # orders config <- deployment (create and destroy)
        config_version=config.get_int("configVersion"),  # unset: the latest at apply time
    ),
)
status = nemo.ModelDeploymentStatus(
    "llama-status",
    nemo.ModelDeploymentStatusArgs(
        deployment=deployment.name,
        version=deployment.entity_version,  # re-record on every new deployment version
        status="READY",
        status_message="serving through the external pipeline",
        model_provider_id=pulumi.Output.concat(deployment.workspace, "/llama-3-8b-provider"),
    ),
)
pulumi.export("config_version", deployment_config.entity_version)
pulumi.export("deployment_version", deployment.entity_version)
pulumi.export("status", status.status)  # the recorded one (deployment.status is read at create)
pulumi.export("model_provider_id", status.model_provider_id)
