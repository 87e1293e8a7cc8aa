"""The HTTP layer with httpx.MockTransport: retries, error mapping, redaction."""

from __future__ import annotations

import httpx
import pytest

from pulumi_deploy.core.config import Setting, VendorSettings, load_stack_config, resolve_credential
from pulumi_deploy.core.errors import BadRequest, ConfigError, NotFound, PulumiDeployError, ServerError, TransportError
from pulumi_deploy.core.http import ApiClient, RetryPolicy


def client(handler, attempts: int = 4) -> tuple[ApiClient, list[float]]:
    slept: list[float] = []
    c = ApiClient(
        "demo",
        "http://127.0.0.1:1/v1",
        {"Authorization": "Bearer tok-123"},
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=attempts, base_delay=0.01),
        sleep=slept.append,
    )
    return c, slept


def test_429_is_retried_honouring_retry_after():
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow"}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    c, slept = client(lambda req: next(answers))
    assert c.request("POST", "/x", json={}, idempotent=False) == {"ok": True}
    assert slept == [2.0]


def test_503_is_retried_for_idempotent_requests_only():
    calls: list[str] = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(req.method)
        return httpx.Response(503, json={"message": "busy"})

    c, _ = client(handler, attempts=3)
    with pytest.raises(ServerError):
        c.request("GET", "/x")
    with pytest.raises(ServerError):
        c.request("POST", "/x", idempotent=False)
    assert calls == ["GET", "GET", "GET", "POST"]


def test_read_error_on_post_is_not_blindly_retried():
    calls: list[str] = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(req.method)
        raise httpx.ReadError("connection reset", request=req)

    c, _ = client(handler)
    with pytest.raises(TransportError):
        c.request("POST", "/x", idempotent=False)
    assert calls == ["POST"]


@pytest.mark.parametrize(("status", "cls"), [(400, BadRequest), (422, BadRequest), (404, NotFound), (500, ServerError)])
def test_status_maps_to_one_error_class_with_vendor_message(status, cls):
    c, _ = client(lambda req: httpx.Response(status, json={"error_message": "nope"}), attempts=1)
    with pytest.raises(cls) as err:
        c.request("GET", "/x")
    assert "nope" in str(err.value) and isinstance(err.value, PulumiDeployError)
    assert "tok-123" not in str(err.value)


def test_plain_text_error_body_is_reported():
    c, _ = client(lambda req: httpx.Response(401, text="invalid api key"), attempts=1)
    with pytest.raises(PulumiDeployError, match="invalid api key"):
        c.request("GET", "/x")


SETTINGS = VendorSettings("demo", Setting("demo:apiKey", "DEMO_API_KEY"), Setting("demo:baseUrl", "DEMO_BASE_URL"))


def test_credential_is_refused_over_plain_http_to_a_remote_host(monkeypatch):
    monkeypatch.setenv("DEMO_API_KEY", "k")
    with pytest.raises(ConfigError, match="refusing to send the credential over plain http"):
        resolve_credential(SETTINGS, "http://api.example.com/v1")
    assert resolve_credential(SETTINGS, "http://127.0.0.1:8080/v1") == "k"


def test_stack_config_wins_over_environment_and_missing_names_both(monkeypatch):
    monkeypatch.delenv("DEMO_API_KEY", raising=False)
    load_stack_config({})
    with pytest.raises(ConfigError, match=r"demo:apiKey.*DEMO_API_KEY"):
        resolve_credential(SETTINGS, "https://x")
    monkeypatch.setenv("DEMO_API_KEY", "from-env")
    load_stack_config({"demo:apiKey": "from-config"})
    try:
        assert resolve_credential(SETTINGS, "https://x") == "from-config"
    finally:
        load_stack_config({})
