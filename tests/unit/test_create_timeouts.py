"""A create that times out is never sent again: the provider looks for the object it may still make."""

from __future__ import annotations

import httpx
import pytest

from pulumi_deploy.core.errors import TransportError
from pulumi_deploy.core.http import ApiClient, RetryPolicy
from pulumi_deploy.trustgate.api import SETTINGS as TRUSTGATE
from pulumi_deploy.trustgate.gateway import GatewayProvider

GATEWAY = {"id": "7519e840-182e-4b8e-bc72-74d221317c71", "name": "g", "subdomain": "g"}
INPUTS = {"name": "g", "subdomain": "g"}


class SlowServer:
    """Answers no POST in time; the gateway shows in the list from the ``appears_at``-th look on."""

    def __init__(self, appears_at: int | None) -> None:
        self.appears_at = appears_at
        self.calls: list[str] = []
        self.looks = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.method)
        if request.method == "POST":
            raise httpx.ReadTimeout("timed out", request=request)
        if request.url.params.get("offset") not in (None, "0"):
            return httpx.Response(200, json={"gateways": []})
        self.looks += 1
        made = self.appears_at is not None and self.looks >= self.appears_at
        return httpx.Response(200, json={"gateways": [GATEWAY] if made else []})


def client(server: SlowServer, slept: list[float], timeout: float = 10.0) -> ApiClient:
    return ApiClient(
        "trustgate",
        "http://127.0.0.1:1",
        {},
        transport=httpx.MockTransport(server),
        timeout=timeout,
        retry=RetryPolicy(attempts=8, base_delay=0.01),
        sleep=slept.append,
        settings=TRUSTGATE,
    )


def test_an_object_that_shows_up_after_the_timeout_is_taken_over_with_one_post():
    # given: the server makes the gateway while the client is already looking (the third look sees it)
    server, slept = SlowServer(appears_at=3), []
    # when
    id_, wire = GatewayProvider()._create_once(client(server, slept), INPUTS, INPUTS)
    # then: the look before the create, one POST, then looks until it showed
    assert (id_, wire["subdomain"]) == (GATEWAY["id"], "g")
    assert server.calls.count("POST") == 1
    assert server.looks == 3
    assert len(slept) == 1


def test_an_object_that_never_shows_up_fails_after_as_long_again_without_a_second_post():
    # given
    server, slept = SlowServer(appears_at=None), []
    # when
    with pytest.raises(TransportError) as failed:
        GatewayProvider()._create_once(client(server, slept, timeout=10.0), INPUTS, INPUTS)
    # then: it looked until the server had had the timeout again, and says what the next `up` does
    assert server.calls.count("POST") == 1
    assert sum(slept) == pytest.approx(10.0)
    assert 2 <= len(slept) <= 20
    message = str(failed.value)
    assert "ReadTimeout" in message and "was not sent again" in message
    # a gateway's name is the user's (another stack's could have it): the next `up` names it to adopt
    assert "the next `pulumi up` looks for it first and fails naming it, for you to adopt" in message
    assert isinstance(failed.value.__cause__, httpx.ReadTimeout)


def test_a_dropped_connection_is_still_looked_for_once_and_sent_again():
    # given: the server closed the connection (it is done with the request) and made nothing
    calls: list[str] = []
    answers = iter([httpx.Response(201, json=GATEWAY)])

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.method == "GET":
            return httpx.Response(200, json={"gateways": []})
        if calls.count("POST") == 1:
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return next(answers)

    c = ApiClient(
        "trustgate",
        "http://127.0.0.1:1",
        {},
        transport=httpx.MockTransport(server),
        retry=RetryPolicy(attempts=8, base_delay=0.01),
        sleep=lambda _s: None,
        settings=TRUSTGATE,
    )
    # when
    id_, _ = GatewayProvider()._create_once(c, INPUTS, INPUTS)
    # then
    assert id_ == GATEWAY["id"]
    assert calls == ["GET", "POST", "GET", "POST"]
