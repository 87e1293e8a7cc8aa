"""TrustGate provider methods without the engine: error mapping, request bodies, preview checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_deploy import trustgate
from pulumi_deploy.core.config import load_stack_config
from pulumi_deploy.core.errors import ConfigError, InUse, InvalidInput
from pulumi_deploy.core.http import ApiClient, RetryPolicy, use_transport
from pulumi_deploy.trustgate.service import ServiceProvider
from pulumi_deploy.trustgate.upstream import UpstreamProvider

GW = "6f1c1b1e-0000-4000-8000-00000000000a"  # a gateway id: the server parses it as a UUID

SECRET = "sk-unit-s3cr3t"


def client_answering(status: int, body: dict) -> tuple[ApiClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return trustgate_client(handler), seen


def trustgate_client(handler) -> ApiClient:
    return ApiClient(
        "trustgate",
        "http://127.0.0.1:1",
        {},
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=3),
        errors=trustgate.api.SETTINGS.errors,
    )


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
    provider, props = UpstreamProvider(), {**UPSTREAM, "_logical_name": "up"}
    with pytest.raises(InvalidInput) as err, provider.explained(props):  # as create explains it
        provider.api_create(client, props)
    # then
    assert "trustgate:Upstream 'up': TrustGate rejected the input: invalid target 0: invalid port number" in str(
        err.value
    )
    assert (err.value.status, err.value.method) == (500, "POST")
    assert isinstance(err.value.__cause__, InvalidInput)  # the server's answer, chained
    assert len(seen) == 1


def test_delete_refused_while_referenced_is_in_use_and_explained_naming_what_references_it(monkeypatch):
    # given: the gateway's services, one of them routing to the upstream
    monkeypatch.setenv("TRUSTGATE_BASE_URL", "http://127.0.0.1:1")
    services = [
        {"id": "s1", "name": "llm", "upstream_id": "u1"},
        {"id": "s2", "name": "other", "upstream_id": "u2"},
    ]

    def server(request: httpx.Request) -> httpx.Response:
        first_page = request.url.params.get("offset") in (None, "0")
        return httpx.Response(200, json={"services": services if first_page else []})

    client, _ = client_answering(400, {"error": "upstream is being used by services"})
    provider, outs = UpstreamProvider(), {"gateway_id": GW}
    # when
    with (
        use_transport(lambda _url: httpx.MockTransport(server)),
        pytest.raises(InUse) as err,
        provider.explained(outs, "u1"),  # as delete explains it
    ):
        provider.api_delete(client, "u1", outs)
    # then
    assert "does not cascade deletes" in str(err.value)
    assert "Still referencing it: service s1 ('llm');" in str(err.value)


def test_a_400_on_create_is_invalid_input_not_in_use():
    client, _ = client_answering(400, {"error": "name is being used by another upstream"})
    provider = UpstreamProvider()
    with pytest.raises(InvalidInput) as err, provider.explained(UPSTREAM):
        provider.api_create(client, UPSTREAM)
    assert not isinstance(err.value, InUse)
    assert "TrustGate rejected the request (400)" in str(err.value)


def test_upstream_body_merges_credentials_back_and_never_sends_response_keys():
    # given
    inputs = {
        "gateway_id": GW,
        "name": "u",
        "algorithm": "round-robin",
        "targets": [{"provider": "openai", "models": ["m"], "default_model": "m", "weight": 5.0}],
        "target_credentials": [{"api_key": SECRET}],
        "proxy_config": {"host": "p", "port": "3128"},
    }
    # when
    client, seen = client_answering(201, {"id": "u1"})
    UpstreamProvider().api_create(client, inputs)
    body = json.loads(seen[0].content)
    # then
    assert seen[0].url.path == "/api/v1/gateways/6f1c1b1e-0000-4000-8000-00000000000a/upstreams"
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
    body = provider.desired_body(
        {
            "gateway_id": GW,
            "name": "s",
            "type": "endpoint",
            "host": "h",
            "port": 443.0,
        }
    )
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
    news = {"gateway_id": GW, "name": "s", "type": "endpoint", "host": "h", "port": 1.0, "protocol": "http",
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
    # given: the real service delete has no 404 branch
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(500, json={"error": "record not found"})
        if request.url.path == f"/api/v1/gateways/{GW}/services":  # the service's list answers: 404 is "gone"
            return httpx.Response(200, json=[])
        return httpx.Response(404, json={"error": "service not found"})

    # when / then: no exception
    ServiceProvider().api_delete(trustgate_client(handler), "s", {"gateway_id": GW})


# -- review fixes ---------------------------------------------------------------------------------

UPSTREAM = {
    "gateway_id": GW,
    "name": "llms",
    "algorithm": "round-robin",
    "targets": [{"id": "primary", "host": "a.internal", "port": 80.0, "protocol": "http"}],
    "websocket_config": {"ping_period": "30s"},
}


def listed_upstream(id_: str, **changes) -> dict:
    """An upstream as the list returns it: server-filled fields included."""
    obj = {
        "id": id_, "gateway_id": GW, "name": "llms", "algorithm": "round-robin",
        "targets": [{"id": "primary", "host": "a.internal", "port": 80, "protocol": "http", "credentials": {}}],
        "websocket_config": {"ping_period": "30s", "enable_direct_communication": True},
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    obj.update(changes)
    return obj


def test_recovery_matches_only_the_one_object_with_the_desired_content():
    # given: same-named upstreams; only "mine" has the desired content (server-filled fields aside)
    provider = UpstreamProvider()
    other = listed_upstream("other", algorithm="least-conn")
    mine = listed_upstream("mine")
    tagged = listed_upstream("tagged", tags=["set-by-someone-else"])
    # when / then
    assert provider.find_same([other, mine, tagged], UPSTREAM) == ("mine", mine)
    assert provider.find_same([other, tagged], UPSTREAM) is None  # name alone never matches
    assert provider.find_same([mine, listed_upstream("twin")], UPSTREAM) is None  # ambiguous: POST again


def test_service_recovery_ignores_a_same_named_service_of_another_shape():
    provider = ServiceProvider()
    inputs = {
        "gateway_id": GW,
        "name": "s",
        "type": "endpoint",
        "host": "h",
        "port": 443.0,
        "protocol": "https",
    }
    base = {"gateway_id": GW, "name": "s", "upstream_id": trustgate.api.NIL_UUID, "credentials": {},
            "description": "", "created_at": "t", "updated_at": "t"}  # fmt: skip
    other = {**base, "id": "a", "type": "upstream", "upstream_id": "0b2c6c58-6a4f-4b7e-9c1d-3f0e0f6f6a11"}
    mine = {**base, "id": "b", "type": "endpoint", "host": "h", "port": 443, "protocol": "https"}
    assert provider.find_same([other], inputs) is None
    assert provider.find_same([other, mine], inputs) == ("b", mine)


def test_list_all_pages_past_a_server_capped_page_size():
    # given: 5 gateways, the server answers at most 2 per page whatever limit is asked
    gateways = [{"id": str(i), "subdomain": f"s{i}"} for i in range(5)]
    offsets: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        offsets.append(str(offset))
        return httpx.Response(200, json=gateways[offset : offset + 2])

    client = ApiClient("trustgate", "http://127.0.0.1:1", {}, transport=httpx.MockTransport(handler))
    # when
    items = trustgate.api.list_all(client, "/api/v1/gateways", "gateways")
    # then
    assert [i["id"] for i in items] == ["0", "1", "2", "3", "4"]
    assert offsets == ["0", "2", "4", "5"]


GATEWAY = {"name": "g", "subdomain": "s"}


def test_gateway_blocks_accept_dicts_and_typed_args_alike():
    # given
    from pulumi_deploy.core.resource import to_props
    from pulumi_deploy.trustgate.gateway import GatewayProvider

    typed = trustgate.GatewayArgs(
        **GATEWAY,
        telemetry=trustgate.TelemetryArgs(header_mapping={"session_id": "X-S"}, enable_request_traces=True),
        security_config=trustgate.SecurityConfigArgs(allowed_hosts=["a"], sts_seconds=31536000),
        required_plugins=[trustgate.PluginArgs(name="rate_limiter", stage="pre_request", settings={"k": 1})],
        session_config=trustgate.SessionConfigArgs(enabled=True, ttl=3600),
    )
    plain = {
        **GATEWAY,
        "telemetry": {"header_mapping": {"session_id": "X-S"}, "enable_request_traces": True},
        "security_config": {"allowed_hosts": ["a"], "sts_seconds": 31536000.0},
        "required_plugins": [{"name": "rate_limiter", "stage": "pre_request", "settings": {"k": 1}}],
        "session_config": {"enabled": True, "ttl": 3600.0},
    }
    # when
    from_typed = GatewayProvider().check({}, {k: v for k, v in to_props(typed).items() if v is not None})
    from_plain = GatewayProvider().check({}, plain)
    # then
    assert from_typed.failures == [] and from_plain.failures == []
    assert from_typed.inputs == from_plain.inputs
    assert from_plain.inputs["security_config"]["sts_seconds"] == 31536000


@pytest.mark.parametrize(
    "block,where",
    [
        ({"telemetry": {"header_mapping": {"bogus": "X"}}}, "telemetry.header_mapping"),
        ({"telemetry": {"exporter": []}}, "telemetry.exporter"),
        ({"security_config": {"sts_seconds": "1y"}}, "security_config.sts_seconds"),
        ({"security_config": {"allowed_host": ["x"]}}, "security_config.allowed_host"),
        ({"required_plugins": [{"name": "p", "stage": "later"}]}, "required_plugins.0.stage"),
        ({"required_plugins": [{"name": "p", "level": "global"}]}, "required_plugins.0.level"),
        ({"client_tls": {"b": {"ca_cert": "c", "min_version": "TLS13", "max_version": "TLS12",
                               "client_certs": {"certificate": "c", "private_key": "k"}}}}, "client_tls: backend 'b'"),
        ({"client_tls": {"b": {"ca_cert": "c", "min_version": "TLS1", "max_version": "TLS12",
                               "client_certs": {"certificate": "c", "private_key": "k"}}}}, "client_tls.b.min_version"),
    ],
)  # fmt: skip
def test_invalid_gateway_block_is_a_check_failure_naming_the_nested_property(block, where):
    from pulumi_deploy.trustgate.gateway import GatewayProvider

    result = GatewayProvider().check({}, {**GATEWAY, **block})
    assert len(result.failures) == 1
    assert result.failures[0].reason.startswith(where)


def test_plugin_settings_are_not_echoed_in_a_check_failure():
    from pulumi_deploy.trustgate.gateway import GatewayProvider

    plugins = [{"name": "p", "level": "bad", "settings": {"api_key": SECRET}}]
    result = GatewayProvider().check({}, {**GATEWAY, "required_plugins": plugins})
    assert [f.property for f in result.failures] == [""]  # secret: the engine would print the value
    assert SECRET not in result.failures[0].reason


def test_service_upstream_id_must_be_a_uuid():
    news = {
        "gateway_id": GW,
        "name": "s",
        "type": "upstream",
        "upstream_id": "not-a-uuid",
    }
    result = ServiceProvider().check({}, news)
    assert [f.property for f in result.failures] == ["upstream_id"]
    assert "not a UUID" in result.failures[0].reason
    for ok in ("0b2c6c58-6a4f-4b7e-9c1d-3f0e0f6f6a11", "0b2c6c586a4f4b7e9c1d3f0e0f6f6a11"):
        assert ServiceProvider().check({}, {**news, "upstream_id": ok}).failures == []


def test_empty_go_durations_are_unset_and_an_explicit_false_flag_is_kept():
    news = {**UPSTREAM, "websocket_config": {"ping_period": "", "pong_wait": "", "enable_direct_communication": False}}
    result = UpstreamProvider().check({}, news)
    assert result.failures == []
    assert result.inputs["websocket_config"] == {"enable_direct_communication": False}
    assert UpstreamProvider().desired_body(result.inputs)["websocket_config"] == {"enable_direct_communication": False}


def test_websocket_xor_proxy_is_judged_at_preview_only_when_both_blocks_are_known_to_be_set():
    base = {k: v for k, v in UPSTREAM.items() if k != "websocket_config"}
    ws = {"ping_period": "30s"}
    set_later = {**base, "websocket_config": ws, "proxy_config": {"host": Unknown(), "port": "3128"}}
    maybe_none = {**base, "websocket_config": ws, "proxy_config": Unknown()}
    assert [f.property for f in UpstreamProvider().check({}, set_later).failures] == ["websocket_config"]
    assert UpstreamProvider().check({}, maybe_none).failures == []
    both_known = {**base, "websocket_config": ws, "proxy_config": {"host": "p", "port": "3128"}}
    assert [f.property for f in UpstreamProvider().check({}, both_known).failures] == ["websocket_config"]


def test_gateway_id_must_be_a_uuid_for_upstreams_and_services() -> None:
    for provider, news in (
        (ServiceProvider(), {"gateway_id": "gw-1", "name": "s", "type": "endpoint", "host": "h", "port": 443.0}),
        (UpstreamProvider(), {"gateway_id": "gw-1", "name": "u", "algorithm": "round-robin", "targets": []}),
    ):
        failures = provider.check({}, news).failures
        assert [f.property for f in failures if f.property == "gateway_id"] == ["gateway_id"]
        reason = next(f.reason for f in failures if f.property == "gateway_id")
        assert "not a UUID" in reason and "Gateway's `id`" in reason


def test_a_nested_object_as_a_dict_takes_the_defaults_of_its_args_class():
    # given: an embedding typed (its `provider` defaults to openai, the only one the server takes) and plain
    from pulumi_deploy.core.resource import to_props

    semantic = {**UPSTREAM, "algorithm": "semantic", "targets": [{**UPSTREAM["targets"][0], "description": "d"}]}
    credentials = {"api_key": SECRET}
    typed = trustgate.UpstreamArgs(
        **{k: v for k, v in semantic.items() if k != "targets"},
        targets=semantic["targets"],
        embedding=trustgate.EmbeddingArgs(model="m", credentials=trustgate.CredentialsArgs(**credentials)),
    )
    plain = {**semantic, "embedding": {"model": "m", "credentials": credentials}, "_logical_name": "up"}
    # when
    from_typed = UpstreamProvider().check({}, {**to_props(typed), "_logical_name": "up"})
    from_plain = UpstreamProvider().check({}, plain)
    # then: the same inputs, and the body carries the provider
    assert from_typed.failures == [] and from_plain.failures == []
    assert from_plain.inputs["embedding"] == from_typed.inputs["embedding"]
    assert from_plain.inputs["embedding"]["provider"] == "openai"
