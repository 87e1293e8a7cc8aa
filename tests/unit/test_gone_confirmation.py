"""A 404 is believed only when a list the object lives in answers (core ``confirm_gone``)."""

from __future__ import annotations

import httpx
import pytest

from pulumi_deploy.core.errors import PulumiDeployError, ServerError
from pulumi_deploy.core.http import ApiClient, RetryPolicy
from pulumi_deploy.nemo.deployment import ModelDeploymentProvider
from pulumi_deploy.trustgate.api import SETTINGS as TRUSTGATE
from pulumi_deploy.trustgate.gateway import GatewayProvider
from pulumi_deploy.trustgate.upstream import UpstreamProvider

GATEWAY = "7519e840-182e-4b8e-bc72-74d221317c71"


def client_answering(found: set[str], asked: list[str]) -> ApiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(200, json=[]) if request.url.path in found else httpx.Response(404, json={})

    return ApiClient(
        "trustgate",
        "http://127.0.0.1:1",
        {},
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=1),
        settings=TRUSTGATE,
    )


def test_a_nested_object_lives_in_its_parents_list_and_in_the_outermost_one():
    assert UpstreamProvider().lists_of("u1", {"gateway_id": GATEWAY}) == [
        f"/api/v1/gateways/{GATEWAY}/upstreams",
        "/api/v1/gateways",
    ]
    assert GatewayProvider().lists_of(GATEWAY, {}) == ["/api/v1/gateways"]
    assert ModelDeploymentProvider().lists_of("team/llama", {}) == ["/apis/models/v2/workspaces/team/deployments"]


def test_a_child_whose_parent_is_gone_too_is_gone_when_the_outermost_list_answers():
    asked: list[str] = []
    client = client_answering({"/api/v1/gateways"}, asked)
    UpstreamProvider().confirm_gone(client, "u1", {"gateway_id": GATEWAY})
    assert asked == [f"/api/v1/gateways/{GATEWAY}/upstreams", "/api/v1/gateways"]


def test_the_innermost_list_answering_is_enough():
    asked: list[str] = []
    client = client_answering({f"/api/v1/gateways/{GATEWAY}/upstreams"}, asked)
    UpstreamProvider().confirm_gone(client, "u1", {"gateway_id": GATEWAY})
    assert asked == [f"/api/v1/gateways/{GATEWAY}/upstreams"]


def test_no_list_answering_refuses_and_names_the_base_url_setting():
    client = client_answering(set(), [])
    with pytest.raises(PulumiDeployError) as refused:
        GatewayProvider().confirm_gone(client, GATEWAY, {})
    message = str(refused.value)
    assert "http://127.0.0.1:1 answered 404 for the object and for /api/v1/gateways too" in message
    assert "trustgate:baseUrl / $TRUSTGATE_BASE_URL" in message
    assert "nothing was removed from the stack" in message


def test_an_error_other_than_404_from_the_list_is_not_taken_for_an_answer():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={})

    client = ApiClient(
        "trustgate", "http://127.0.0.1:1", {}, transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=1), settings=TRUSTGATE,
    )  # fmt: skip
    with pytest.raises(ServerError):  # raised as it is: the operation fails, nothing is dropped
        GatewayProvider().confirm_gone(client, GATEWAY, {})
