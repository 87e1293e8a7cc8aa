"""The HTTP layer with httpx.MockTransport: retries, error mapping, redaction."""

from __future__ import annotations

import httpx
import pytest

from pulumi_deploy.core.config import Setting, VendorSettings, load_stack_config, resolve_credential
from pulumi_deploy.core.errors import (
    ApiError,
    BadRequest,
    ConfigError,
    Conflict,
    ErrorRules,
    InUse,
    InvalidInput,
    NotFound,
    PulumiDeployError,
    ServerError,
    TransportError,
    when,
)
from pulumi_deploy.core.http import ApiClient, RetryPolicy


def client(handler, attempts: int = 4, errors: ErrorRules | None = None) -> tuple[ApiClient, list[float]]:
    slept: list[float] = []
    c = ApiClient(
        "demo",
        "http://127.0.0.1:1/v1",
        {"Authorization": "Bearer tok-123"},
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=attempts, base_delay=0.01),
        sleep=slept.append,
        errors=errors,
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
    rules = ErrorRules(message_keys=("error_message",))
    c, _ = client(lambda req: httpx.Response(status, json={"error_message": "nope"}), attempts=1, errors=rules)
    with pytest.raises(cls) as err:
        c.request("GET", "/x")
    assert err.value.message == "nope" and isinstance(err.value, PulumiDeployError)
    assert "tok-123" not in str(err.value)


def test_core_reads_only_standard_error_shapes_and_the_vendor_names_its_keys():
    c, _ = client(lambda req: httpx.Response(400, json={"detail": [{"loc": ["body", "name"], "msg": "bad"}]}), 1)
    with pytest.raises(BadRequest) as err:
        c.request("GET", "/x")
    assert err.value.message == "name: bad"
    c, _ = client(lambda req: httpx.Response(400, json={"message": "vendor words"}), 1)
    with pytest.raises(BadRequest) as err:
        c.request("GET", "/x")
    assert err.value.message == '{"message":"vendor words"}'  # no vendor key known to core: the raw body


IN_USE = ErrorRules(
    message_keys=("message",), domain=(when(InUse, status=400, methods="DELETE", message=r"\bin use\b"),)
)


@pytest.mark.parametrize(
    ("method", "message", "cls"),
    [
        ("DELETE", 'Template "t1" is in use by endpoint e1 and cannot be deleted', InUse),
        ("DELETE", "user u1 may not delete this template", BadRequest),  # "use" inside "user" is no match
        ("POST", 'Template name "n" is already in use; template names must be unique', BadRequest),
    ],
)
def test_domain_rules_classify_by_status_method_and_a_whole_word_pattern(method, message, cls):
    c, _ = client(lambda req: httpx.Response(400, json={"message": message}), attempts=1, errors=IN_USE)
    with pytest.raises(ApiError) as err:
        c.request(method, "/templates/t1", idempotent=True)
    assert type(err.value) is cls
    assert isinstance(err.value, Conflict if cls is InUse else InvalidInput)


def test_explained_error_keeps_class_status_and_chains_the_answer():
    c, _ = client(lambda req: httpx.Response(400, json={"message": "in use"}), attempts=1, errors=IN_USE)
    with pytest.raises(InUse) as err:
        try:
            c.request("DELETE", "/t")
        except InUse as exc:
            raise exc.explained("template 't' is still used: move the endpoint first") from exc
    assert str(err.value) == "template 't' is still used: move the endpoint first"
    assert (err.value.status, err.value.method, err.value.message) == (400, "DELETE", "in use")
    assert isinstance(err.value.__cause__, InUse)


def test_a_refused_sequence_is_repeated_with_the_clients_backoff_and_attempts():
    c, slept = client(lambda req: httpx.Response(409, json={}), attempts=3)
    attempts: list[int] = []

    def sequence(n: int) -> str:
        attempts.append(n)
        if n < 2:
            c.request("PATCH", "/x")  # 409 -> Conflict
        return "done"

    assert c.retrying("stop -> PATCH", sequence, Conflict) == "done"
    assert attempts == [0, 1, 2] and len(slept) == 2
    with pytest.raises(Conflict):
        c.retrying("stop -> PATCH", lambda n: c.request("PATCH", "/x"), Conflict)


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


def test_a_transport_failure_after_retries_says_how_many_attempts_were_made():
    # given: a GET (idempotent) whose connection drops every time
    def handler(req: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset", request=req)

    c, slept = client(handler, attempts=3)
    # when
    with pytest.raises(TransportError) as failed:
        c.request("GET", "/x")
    # then
    assert "ReadError: connection reset (after 3 attempts)" in str(failed.value)
    assert len(slept) == 2
