"""TrustGate provider methods without the engine: error mapping, request bodies, preview checks."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_deploy import trustgate
from pulumi_deploy.core.config import load_stack_config
from pulumi_deploy.core.errors import ConfigError
from pulumi_deploy.core.http import ApiClient, RetryPolicy
from pulumi_deploy.trustgate.service import ServiceProvider
from pulumi_deploy.trustgate.upstream import UpstreamProvider

SECRET = "sk-unit-s3cr3t"


def client_answering(status: int, body: dict) -> tuple[ApiClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    client = ApiClient(
        "trustgate", "http://127.0.0.1:1", {}, transport=httpx.MockTransport(handler), retry=RetryPolicy(attempts=3)
    )
    return client, seen


def test_pinned_exports_and_type_tokens():
    tokens = {c.__name__: c._resource_type_name for c in (trustgate.Gateway, trustgate.Upstream, trustgate.Service)}
    assert tokens == {
        "Gateway": "dynamic/trustgate:Gateway",
        "Upstream": "dynamic/trustgate:Upstream",
        "Service": "dynamic/trustgate:Service",
    }
    assert "TargetArgs" in trustgate.__all__ and "CredentialsArgs" in trustgate.__all__


def test_domain_500_on_post_becomes_a_user_error_sent_once():
    # given
    client, seen = client_answering(500, {"error": "invalid target 0: invalid port number"})
    # when
    with pytest.raises(trustgate.TrustGateInputError) as err:
        trustgate.api.call(client, "POST", "/api/v1/gateways/g/upstreams", "trustgate:Upstream 'up'", json={})
    # then
    assert "invalid target 0: invalid port number" in str(err.value)
    assert len(seen) == 1


def test_upstream_body_merges_credentials_back_and_never_sends_response_keys():
    # given
    inputs = {
        "gateway_id": "g",
        "name": "u",
        "algorithm": "round-robin",
        "targets": [{"provider": "openai", "models": ["m"], "default_model": "m", "weight": 5.0}],
        "target_credentials": [{"api_key": SECRET}],
        "proxy_config": {"host": "p", "port": "3128"},
    }
    # when
    body = UpstreamProvider().body(inputs)
    # then
    assert body["targets"] == [
        {"provider": "openai", "models": ["m"], "default_model": "m", "weight": 5, "credentials": {"api_key": SECRET}}
    ]
    assert body["proxy_config"] == {"host": "p", "port": "3128"}
    assert not {"gateway_id", "target_credentials", "proxy", "embedding_config"} & set(body)


def test_upstream_live_values_map_response_keys_and_split_credentials():
    wire = {
        "id": "u1",
        "name": "u",
        "algorithm": "semantic",
        "targets": [{"id": "u1-openai-0", "provider": "openai", "credentials": {"api_key": SECRET}}],
        "embedding_config": {"provider": "openai", "model": "e", "credentials": {"api_key": SECRET}},
        "proxy": {"host": "p", "port": "1", "protocol": ""},
    }
    live = UpstreamProvider().live_values(wire)
    assert live["targets"] == [{"provider": "openai"}]
    assert live["target_credentials"] == [{"api_key": SECRET}]
    assert live["target_ids"] == ["u1-openai-0"]
    assert live["embedding"]["model"] == "e"
    assert live["proxy_config"] == {"host": "p", "port": "1"}


def test_endpoint_service_gets_the_nil_upstream_and_nil_reads_back_as_unset():
    provider = ServiceProvider()
    body = provider.body({"gateway_id": "g", "name": "s", "type": "endpoint", "host": "h", "port": 443.0})
    assert body == {"name": "s", "type": "endpoint", "host": "h", "port": 443, "upstream_id": trustgate.api.NIL_UUID}
    assert "upstream_id" not in provider.live_values({"upstream_id": trustgate.api.NIL_UUID, "name": "s"})


def test_check_with_unknown_ids_still_judges_the_rules():
    # given: gateway_id and upstream_id are other resources' ids, unknown at the first preview
    news = {"gateway_id": Unknown(), "upstream_id": Unknown(), "name": "s", "type": "upstream", "port": 80.0}
    # when
    result = ServiceProvider().check({}, news)
    # then
    assert [f.property for f in result.failures] == ["port"]
    assert isinstance(result.inputs["gateway_id"], Unknown)


def test_secret_value_is_not_echoed_in_a_check_failure():
    news = {"gateway_id": "g", "name": "s", "type": "endpoint", "host": "h", "port": 1.0, "protocol": "http",
            "credentials": {"api_key": 12345}}  # fmt: skip
    result = ServiceProvider().check({}, news)
    # no property: the engine would print the (secret) value next to it; the reason names the field
    assert [f.property for f in result.failures] == [""]
    assert result.failures[0].reason.startswith("credentials")
    assert "12345" not in result.failures[0].reason


def test_token_is_minted_from_the_server_secret_when_no_ready_token(monkeypatch):
    # given
    load_stack_config({})
    monkeypatch.delenv("TRUSTGATE_ADMIN_TOKEN", raising=False)
    monkeypatch.setenv("TRUSTGATE_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TRUSTGATE_SERVER_SECRET_KEY", "server-secret")
    # when
    token = trustgate.api.auth_headers(None)["Authorization"].removeprefix("Bearer ")
    # then
    head, payload, sig = token.split(".")
    expected = hmac.new(b"server-secret", f"{head}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)) == expected
    assert base64.urlsafe_b64decode(payload + "==") == b"{}"
    assert trustgate.api.auth_headers("ready")["Authorization"] == "Bearer ready"


def test_no_token_and_no_secret_is_a_config_error_naming_both_settings(monkeypatch):
    load_stack_config({})
    monkeypatch.delenv("TRUSTGATE_ADMIN_TOKEN", raising=False)
    monkeypatch.delenv("TRUSTGATE_SERVER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError) as err:
        trustgate.api.auth_headers(None)
    assert "trustgate:adminToken" in str(err.value) and "trustgate:serverSecretKey" in str(err.value)


def test_minted_token_is_never_sent_over_plain_http_to_a_remote_host(monkeypatch):
    load_stack_config({})
    monkeypatch.setenv("TRUSTGATE_BASE_URL", "http://trustgate.example.com")
    monkeypatch.setenv("TRUSTGATE_SERVER_SECRET_KEY", "server-secret")
    with pytest.raises(ConfigError):
        trustgate.api.auth_headers(None)


def test_delete_answering_500_for_a_missing_object_is_treated_as_gone():
    # given: the real service delete has no 404 branch (Q12)
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(500, json={"error": "record not found"})
        return httpx.Response(404, json={"error": "service not found"})

    client = ApiClient("trustgate", "http://127.0.0.1:1", {}, transport=httpx.MockTransport(handler))
    # when / then: no exception
    trustgate.api.delete(client, "/api/v1/gateways/g/services/s", "trustgate:Service 's'")
