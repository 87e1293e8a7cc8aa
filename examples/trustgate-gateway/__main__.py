"""A TrustGate gateway, an upstream with two weighted targets, and two services, ready for `pulumi up`.

    pulumi config set trustgate:baseUrl https://trustgate-admin.example.com   # or export TRUSTGATE_BASE_URL
    pulumi config set --secret trustgate:adminToken <admin JWT>             # or export TRUSTGATE_ADMIN_TOKEN
    pulumi config set --secret openaiKey <key>
    pulumi up

Against the emulator instead: `python -m pulumi_deploy.emulator` and export the TRUSTGATE_BASE_URL it prints.
"""

import pulumi

from pulumi_deploy import trustgate

config = pulumi.Config()
openai_key = config.get_secret("openaiKey") or "sk-demo-key"

gateway = trustgate.Gateway(
    "edge",
    trustgate.GatewayArgs(
        name="edge",
        subdomain=config.get("subdomain") or "edge",
        # typed blocks (plain dicts work too): a bad key or value fails at preview
        telemetry=trustgate.TelemetryArgs(header_mapping={"session_id": "X-Session-Id"}),
    ),
)
llms = trustgate.Upstream(
    "llms",
    trustgate.UpstreamArgs(
        gateway_id=gateway.id,  # the dependency orders deletes: services -> upstream -> gateway
        name="llms",
        algorithm="weighted-round-robin",
        targets=[
            trustgate.TargetArgs(
                provider="openai",
                models=["gpt-4o", "gpt-4o-mini"],
                default_model="gpt-4o-mini",
                weight=80,
                credentials=trustgate.CredentialsArgs(api_key=openai_key),  # kept secret
            ),
            trustgate.TargetArgs(host="vllm.internal", port=8000, protocol="http", weight=20),
        ],
        health_checks=trustgate.HealthCheckArgs(passive=True, path="/health", threshold=3, interval=30),
    ),
)
chat = trustgate.Service(
    "chat", trustgate.ServiceArgs(gateway_id=gateway.id, name="chat", type="upstream", upstream_id=llms.id)
)
search = trustgate.Service(
    "search",
    trustgate.ServiceArgs(
        gateway_id=gateway.id, name="search", type="endpoint", host="search.example.com", port=443, protocol="https"
    ),
)

pulumi.export("gateway_id", gateway.id)
pulumi.export("upstream_id", llms.id)
pulumi.export("target_ids", llms.target_ids)
pulumi.export("services", {"chat": chat.id, "search": search.id})
