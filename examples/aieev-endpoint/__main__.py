"""Adopt an existing Aieev (AirCloud) endpoint and keep its container settings and state.

The Aieev External API cannot create endpoints: create one in the AirCloud console, grant your API
key access to it, then:

    pulumi config set --secret aieev:apiKey <key>     # or export AIEEV_API_KEY
    pulumi config set endpointId <endpoint id>
    pulumi up

Changing a container setting stops the endpoint, applies it and starts it again (downtime).
`pulumi destroy` stops the endpoint (set on_delete="forget" to leave it running).
Against the emulator instead: `python -m pulumi_deploy.emulator` and export the AIEEV_BASE_URL it prints.
"""

import pulumi

from pulumi_deploy import aieev

config = pulumi.Config()
endpoint = aieev.Endpoint(
    "llm",
    aieev.EndpointArgs(
        endpoint_id=config.require("endpointId"),
        container_port=8080,
        container_health_check_path="/health",
        health_check_timeout=300,
        container_env_vars=[
            aieev.EnvVarArgs(key="MODEL", value="llama-3-8b"),
            aieev.EnvVarArgs(key="HF_TOKEN", value=config.get_secret("hfToken") or ""),
        ],
        active=True,
        replicas=config.get_int("replicas") or 1,
    ),
)
pulumi.export("endpoint_id", endpoint.id)
pulumi.export("status", endpoint.status)
pulumi.export("url", endpoint.serving_endpoint_url)
