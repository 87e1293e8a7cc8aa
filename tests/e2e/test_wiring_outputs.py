"""Wiring outputs through the real CLI: the URLs another resource or a client needs, without hand-built
paths — a Cyberun service's proxy/invoke URLs and a TrustGate endpoint service's target URL."""

from __future__ import annotations

import httpx
import pulumi
import pytest

from pulumi_deploy import cyberun, trustgate

pytestmark = pytest.mark.e2e

FAST = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}


def test_a_cyberun_service_exposes_urls_rooted_at_its_base_url(make_stack, emulator, emulator_process, stack_env):
    # given
    emulator.settings("cyberun", deploy_seconds=0.05, undeploy_seconds=0.05)

    def run() -> None:
        svc = cyberun.ContainerService(
            "svc", cyberun.ContainerServiceArgs(service_slug="llm-api", docker_image="vllm/vllm-openai:latest")
        )
        pulumi.export("proxy_url", svc.proxy_url)
        pulumi.export("invoke_url", svc.invoke_url)

    stack = make_stack(run, env=FAST)
    base = emulator_process.base_urls["CYBERUN_BASE_URL"].rstrip("/")
    # when
    up = stack.up()
    refreshed = stack.refresh()
    # then: the proxy URL names the service on the runtime surface (which answers with it)
    assert up.outputs["proxy_url"] == f"{base}/r/containers/llm-api"
    assert up.outputs["invoke_url"] == f"{base}/r/invoke/llm-api"
    detail = httpx.get(up.outputs["proxy_url"], headers={"Authorization": f"Bearer {stack_env['CYBERUN_TOKEN']}"})
    assert detail.status_code == 200 and detail.json()["service_slug"] == "llm-api"
    assert set(refreshed.summary) <= {"same"}  # a computed URL is not drift
    stack.destroy()


def test_a_trustgate_endpoint_service_exposes_where_it_forwards(make_stack, emulator):
    # given
    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(name="main", subdomain="main"))
        ext = trustgate.Service(
            "ext",
            trustgate.ServiceArgs(
                gateway_id=gw.id, name="ext", type="endpoint", host="api.example.com", port=443, protocol="https",
                path="v1/chat",
            ),
        )  # fmt: skip
        pulumi.export("target_url", ext.target_url)

    stack = make_stack(run)
    # when
    up = stack.up()
    # then
    assert up.outputs["target_url"] == "https://api.example.com:443/v1/chat"
    stack.destroy()
