"""TrustGate admin API emulator: the backend, without HTTP (moto style)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pulumi_deploy.emulator.trustgate.backend import TrustGateBackend, go_time
from pulumi_deploy.emulator.trustgate.errors import TrustGateError

NIL = "00000000-0000-0000-0000-000000000000"
MISSING = "11111111-2222-4333-8444-555555555555"


class FakeWallclock:
    def __init__(self) -> None:
        self.now = datetime(2025, 7, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1.0) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def wall() -> FakeWallclock:
    return FakeWallclock()


@pytest.fixture
def backend(wall: FakeWallclock) -> TrustGateBackend:
    return TrustGateBackend(wallclock=wall)


def provider_target(**extra: Any) -> dict[str, Any]:
    return {
        "provider": "openai",
        "models": ["gpt-4o", "gpt-4o-mini"],
        "default_model": "gpt-4o",
        "credentials": {"api_key": "sk-test"},
        **extra,
    }


def host_target(**extra: Any) -> dict[str, Any]:
    return {"host": "api.example.com", "port": 443, "protocol": "https", "path": "/v1", **extra}


def upstream_body(**extra: Any) -> dict[str, Any]:
    return {"name": "llm", "algorithm": "round-robin", "targets": [provider_target()], **extra}


def endpoint_service(**extra: Any) -> dict[str, Any]:
    return {
        "name": "svc",
        "type": "endpoint",
        "upstream_id": NIL,
        "host": "api.example.com",
        "port": 443,
        "protocol": "https",
        **extra,
    }


def gateway(backend: TrustGateBackend, subdomain: str = "acme") -> str:
    return backend.create_gateway({"name": "gw", "subdomain": subdomain})["id"]


def upstream(backend: TrustGateBackend, gid: str, **extra: Any) -> str:
    return backend.create_upstream(gid, upstream_body(**extra))["id"]


def assert_error(exc: pytest.ExceptionInfo[TrustGateError], status: int, message: str) -> None:
    assert (exc.value.status, exc.value.message) == (status, message)


# -- auth ------------------------------------------------------------------------------------------


def test_authenticate_accepts_any_bearer_token(backend: TrustGateBackend) -> None:
    # given / when / then: no error
    backend.authenticate("Bearer any.jwt.token")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Authorization required"),
        ("", "Authorization required"),
        ("Basic abc", "Invalid authorization format"),
        ("Bearer ", "Empty token provided"),
    ],
)
def test_authenticate_rejected(backend: TrustGateBackend, header: str | None, message: str) -> None:
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.authenticate(header)
    # then
    assert_error(exc, 401, message)


# -- gateways --------------------------------------------------------------------------------------


def test_create_gateway(backend: TrustGateBackend, wall: FakeWallclock) -> None:
    # when
    record = backend.create_gateway({"name": "gw", "subdomain": "acme", "session_config": {"enabled": True, "ttl": 60}})
    # then
    assert record == {
        "id": record["id"],
        "name": "gw",
        "subdomain": "acme",
        "status": "",
        "required_plugins": [],
        "session_config": {"enabled": True, "ttl": 60},
        "created_at": "2025-07-01T12:00:00Z",
        "updated_at": "2025-07-01T12:00:00Z",
    }
    assert backend.stores["gateways"][record["id"]] == record


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"subdomain": "a"}, 400, "name is required"),
        ({"name": "gw"}, 400, "subdomain is required"),
        ({"name": "gw", "subdomain": "a", "color": "red"}, 400, 'json: unknown field "color"'),
        ({"name": 5, "subdomain": "a"}, 400, "Invalid JSON payload"),
        (["not", "an", "object"], 400, "Invalid JSON payload"),
        (
            {"name": "gw", "subdomain": "a", "telemetry": {"header_mapping": {"user": "x-user"}}},
            400,
            "invalid key in header_mapping: user. only 'conversation_id' and 'interaction_id' "
            "and 'session_id' are allowed",
        ),
        (
            {"name": "gw", "subdomain": "a", "client_tls": {"api": {"min_version": "TLS9"}}},
            400,
            "invalid min_version in client_tls for backend 'api': TLS9",
        ),
        (
            {"name": "gw", "subdomain": "a", "required_plugins": [{"name": "p", "stage": "later"}]},
            400,
            "Invalid plugin configuration: invalid stage: later",
        ),
    ],
)
def test_create_gateway_invalid(backend: TrustGateBackend, body: Any, status: int, message: str) -> None:
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.create_gateway(body)
    # then
    assert_error(exc, status, message)
    assert backend.stores["gateways"] == {}


def test_create_gateway_duplicate_subdomain(backend: TrustGateBackend) -> None:
    # given
    gateway(backend, "acme")
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.create_gateway({"name": "other", "subdomain": "acme"})
    # then
    assert_error(
        exc,
        500,
        'ERROR: duplicate key value violates unique constraint "idx_gateways_subdomain" (SQLSTATE 23505)',
    )


def test_update_gateway_is_partial(backend: TrustGateBackend, wall: FakeWallclock) -> None:
    # given
    gid = backend.create_gateway({"name": "gw", "subdomain": "acme", "status": "active"})["id"]
    wall.tick()
    # when
    result = backend.update_gateway(gid, {"name": "renamed"})
    # then
    record = backend.get_gateway(gid)
    assert result is None
    assert (record["name"], record["status"], record["subdomain"]) == ("renamed", "active", "acme")
    assert (record["created_at"], record["updated_at"]) == ("2025-07-01T12:00:00Z", "2025-07-01T12:00:01Z")


def test_update_gateway_subdomain_not_updatable(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.update_gateway(gid, {"subdomain": "new"})
    # then
    assert_error(exc, 400, 'json: unknown field "subdomain"')


def test_get_gateway_not_found(backend: TrustGateBackend) -> None:
    with pytest.raises(TrustGateError) as exc:
        backend.get_gateway(MISSING)
    assert_error(exc, 404, "gateway not found")


def test_get_gateway_invalid_id(backend: TrustGateBackend) -> None:
    with pytest.raises(TrustGateError) as exc:
        backend.get_gateway("not-a-uuid")
    assert_error(exc, 400, "invalid gateway ID")


def test_list_gateways_is_paged(backend: TrustGateBackend) -> None:
    # given
    ids = [gateway(backend, f"sub{i}") for i in range(12)]
    # when / then
    assert [g["id"] for g in backend.list_gateways()] == ids[:10]
    assert [g["id"] for g in backend.list_gateways(offset="10", limit="100")] == ids[10:]
    with pytest.raises(TrustGateError) as exc:
        backend.list_gateways(limit="many")
    assert_error(exc, 400, "invalid limit: many")


def test_delete_gateway(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    # when
    backend.delete_gateway(gid)
    # then
    assert backend.stores["gateways"] == {}


def test_delete_gateway_with_upstreams(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    upstream(backend, gid)
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.delete_gateway(gid)
    # then
    assert_error(exc, 400, "gateway is being used by upstreams")


# -- upstreams -------------------------------------------------------------------------------------


def test_create_upstream_maps_request_keys(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    body = upstream_body(
        algorithm="semantic",
        targets=[provider_target(description="general chat")],
        embedding={"provider": "openai", "model": "text-embedding-3-small", "credentials": {"api_key": "k"}},
        health_checks={"passive": True, "threshold": 3, "interval": 60},
        tags=["prod"],
    )
    # when
    record = backend.create_upstream(gid, body)
    # then
    uid = record["id"]
    assert record == {
        "id": uid,
        "gateway_id": gid,
        "name": "llm",
        "algorithm": "semantic",
        "targets": [
            {
                "id": f"{uid}-openai-0",
                "provider": "openai",
                "models": ["gpt-4o", "gpt-4o-mini"],
                "default_model": "gpt-4o",
                "description": "general chat",
                "credentials": {"api_key": "sk-test"},
            }
        ],
        "embedding_config": {
            "provider": "openai",
            "model": "text-embedding-3-small",
            "credentials": {"api_key": "k"},
        },
        "health_checks": {"passive": True, "path": "", "headers": None, "threshold": 3, "interval": 60},
        "tags": ["prod"],
        "created_at": "2025-07-01T12:00:00Z",
        "updated_at": "2025-07-01T12:00:00Z",
    }


def test_create_upstream_proxy_config_becomes_proxy(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    body = upstream_body(
        targets=[host_target(id="t1", weight=2, insecure_ssl=True)],
        proxy_config={"host": "proxy", "port": "3128"},
    )
    # when
    record = backend.create_upstream(gid, body)
    # then
    assert record["proxy"] == {"host": "proxy", "port": "3128", "protocol": ""}
    assert record["targets"] == [
        {
            "id": "t1",
            "weight": 2,
            "path": "/v1",
            "host": "api.example.com",
            "port": 443,
            "protocol": "https",
            "credentials": {},
            "insecure_ssl": True,
        }
    ]


def test_create_upstream_websocket_direct_forced_on_create(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    # when
    record = backend.create_upstream(gid, upstream_body(websocket_config={"ping_period": "1m30s"}))
    # then
    assert record["websocket_config"]["enable_direct_communication"] is True
    assert record["websocket_config"]["ping_period"] == "1m30s"


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"algorithm": "random"}, 500, "invalid algorithm: random"),
        ({"algorithm": ""}, 500, "invalid algorithm: "),
        ({"name": ""}, 500, "name is required"),
        ({"targets": []}, 500, "at least one target is required"),
        ({"targets": [provider_target(provider="cohere")]}, 400, "target 0: invalid provider: cohere"),
        (
            {"targets": [provider_target(path="/v1")]},
            400,
            "target 0: when target has provider specified, path must be empty",
        ),
        (
            {"targets": [provider_target(host="h")]},
            500,
            "invalid target 0: provider-type target cannot have host/port configuration",
        ),
        (
            {"targets": [provider_target(credentials={})]},
            500,
            "invalid target 0: provider-type target requires credentials",
        ),
        (
            {"targets": [provider_target(models=[])]},
            500,
            "invalid target 0: provider-type target requires at least one model",
        ),
        (
            {"targets": [provider_target(default_model="o3")]},
            500,
            "invalid target 0: default model must be in the models list",
        ),
        ({"targets": [host_target(port=0)]}, 500, "invalid target 0: invalid port number"),
        (
            {"targets": [host_target(protocol="ftp")]},
            500,
            "invalid target 0: invalid protocol: must be http or https",
        ),
        ({"targets": [{"weight": 1}]}, 500, "invalid target 0: target must specify either provider or host"),
        (
            {"targets": [host_target(weight=-1)]},
            500,
            "invalid target 0: weight cannot be negative",
        ),
        (
            {"algorithm": "semantic", "targets": [provider_target()]},
            400,
            "target 0: description is required",
        ),
        (
            {"algorithm": "semantic", "targets": [provider_target(description="d")]},
            400,
            "embedding configuration is required when algorithm is semantic",
        ),
        (
            {
                "algorithm": "semantic",
                "targets": [provider_target(description="d")],
                "embedding": {"provider": "openai", "model": "m", "credentials": {"header_name": "x"}},
            },
            400,
            "embedding credentials header_value is required when algorithm is semantic",
        ),
        (
            {"embedding": {"provider": "cohere", "model": "m"}},
            400,
            "embedding provider 'cohere' is not allowed",
        ),
        (
            {"embedding": {"model": "m"}},
            400,
            "embedding provider '' is not allowed",
        ),
        (
            {"websocket_config": {}, "proxy_config": {"host": "p", "port": "1"}},
            400,
            "webhook_config and proxy_config cannot coexist, only one can be specified",
        ),
        (
            {"websocket_config": {"pong_wait": "soon"}},
            400,
            'webhook_config validation failed: invalid pong_wait format: time: invalid duration "soon"',
        ),
        (
            {"websocket_config": {"ping_period": "5"}},
            400,
            'webhook_config validation failed: invalid ping_period format: time: missing unit in duration "5"',
        ),
        ({"proxy_config": {"host": "p"}}, 400, "proxy_config.port cannot be empty"),
        (
            {"proxy_config": {"host": "p", "port": "1", "protocol": "socks5"}},
            400,
            "proxy_config.protocol must be either 'http' or 'https'",
        ),
        ({"targets": [provider_target(weight="1")]}, 400, "Invalid JSON payload"),
        ({"targets": [provider_target(auth={})]}, 400, 'json: unknown field "targets.auth"'),
        ({"embedding_config": {}}, 400, 'json: unknown field "embedding_config"'),
    ],
)
def test_create_upstream_invalid(backend: TrustGateBackend, changes: dict[str, Any], status: int, message: str) -> None:
    # given
    gid = gateway(backend)
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.create_upstream(gid, upstream_body(**changes))
    # then
    assert_error(exc, status, message)
    assert backend.stores["upstreams"] == {}


def test_create_upstream_unknown_gateway(backend: TrustGateBackend) -> None:
    with pytest.raises(TrustGateError) as exc:
        backend.create_upstream(MISSING, upstream_body())
    assert_error(exc, 404, "gateway not found")


def test_update_upstream_replaces_everything(backend: TrustGateBackend, wall: FakeWallclock) -> None:
    # given
    gid = gateway(backend)
    uid = upstream(backend, gid, tags=["a"], health_checks={"passive": True}, websocket_config={"pong_wait": "5s"})
    wall.tick(5)
    # when
    record = backend.update_upstream(
        gid, uid, upstream_body(name="llm2", websocket_config={"enable_direct_communication": False})
    )
    # then
    assert record["name"] == "llm2"
    assert "health_checks" not in record and "tags" not in record
    assert record["websocket_config"]["pong_wait"] == ""
    assert record["websocket_config"]["enable_direct_communication"] is False
    assert (record["created_at"], record["updated_at"]) == ("2025-07-01T12:00:00Z", "2025-07-01T12:00:05Z")
    assert backend.get_upstream(gid, uid) == record


def test_update_upstream_not_found(backend: TrustGateBackend) -> None:
    gid = gateway(backend)
    with pytest.raises(TrustGateError) as exc:
        backend.update_upstream(gid, MISSING, upstream_body())
    assert_error(exc, 404, "upstream not found")


def test_get_upstream_in_other_gateway(backend: TrustGateBackend) -> None:
    # given
    uid = upstream(backend, gateway(backend, "one"))
    other = gateway(backend, "two")
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.get_upstream(other, uid)
    # then
    assert_error(exc, 404, "upstream not found")


def test_list_upstreams(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    uid = upstream(backend, gid)
    upstream(backend, gateway(backend, "other"))
    # when / then
    assert [u["id"] for u in backend.list_upstreams(gid)] == [uid]


def test_delete_upstream_used_by_service(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    uid = upstream(backend, gid)
    backend.create_service(gid, {"name": "s", "type": "upstream", "upstream_id": uid})
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.delete_upstream(gid, uid)
    # then
    assert_error(exc, 400, "upstream is being used by services")


def test_delete_upstream(backend: TrustGateBackend) -> None:
    gid = gateway(backend)
    uid = upstream(backend, gid)
    backend.delete_upstream(gid, uid)
    with pytest.raises(TrustGateError) as exc:
        backend.delete_upstream(gid, uid)
    assert_error(exc, 404, "upstream not found")


# -- services --------------------------------------------------------------------------------------


def test_create_service_endpoint(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    # when
    record = backend.create_service(
        gid,
        endpoint_service(
            headers={"x-env": "prod"},
            credentials={"header_name": "Authorization", "header_value": "Bearer k", "aws_use_role": False},
            retries=3,
            createdAt="2020-01-01T00:00:00Z",
            tags=[],
        ),
    )
    # then
    assert record == {
        "id": record["id"],
        "gateway_id": gid,
        "name": "svc",
        "type": "endpoint",
        "description": "",
        "upstream_id": NIL,
        "host": "api.example.com",
        "port": 443,
        "protocol": "https",
        "headers": {"x-env": "prod"},
        "credentials": {"header_name": "Authorization", "header_value": "Bearer k"},
        "created_at": "2025-07-01T12:00:00Z",
        "updated_at": "2025-07-01T12:00:00Z",
    }


def test_create_service_upstream_nests_upstream(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    uid = upstream(backend, gid)
    # when
    record = backend.create_service(gid, {"name": "s", "type": "upstream", "upstream_id": uid.upper()})
    # then
    assert record["upstream_id"] == uid
    assert record["upstream"] == backend.get_upstream(gid, uid)
    assert "upstream" not in backend.stores["services"][record["id"]]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (endpoint_service(upstream_id=""), 400, "invalid upstream ID"),
        (
            {"name": "s", "type": "endpoint", "host": "h", "port": 1, "protocol": "http"},
            400,
            "invalid upstream ID",
        ),
        (endpoint_service(stream=True), 400, 'json: unknown field "stream"'),
        (endpoint_service(created_at="x"), 400, 'json: unknown field "created_at"'),
        (endpoint_service(port="443"), 400, "Invalid JSON payload"),
        (endpoint_service(name=""), 500, "name is required"),
        (endpoint_service(type="direct"), 500, "invalid service type: direct"),
        (endpoint_service(host=""), 500, "either upstream_id or host must be specified"),
        (endpoint_service(port=70000), 500, "invalid port number"),
        (endpoint_service(protocol="grpc"), 500, "invalid protocol: must be http or https"),
        (
            {"name": "s", "type": "upstream", "upstream_id": MISSING, "host": "h"},
            500,
            "cannot specify host configuration when using upstream",
        ),
        (
            {"name": "s", "type": "endpoint", "upstream_id": MISSING},
            500,
            "endpoint service cannot reference an upstream: upstream_id must be the nil UUID",
        ),
        (endpoint_service(type="upstream"), 500, "upstream service requires an upstream_id"),
        ({"name": "s", "type": "upstream", "upstream_id": MISSING}, 404, "upstream not found"),
    ],
)
def test_create_service_invalid(backend: TrustGateBackend, body: Any, status: int, message: str) -> None:
    # given
    gid = gateway(backend)
    # when
    with pytest.raises(TrustGateError) as exc:
        backend.create_service(gid, body)
    # then
    assert_error(exc, status, message)
    assert backend.stores["services"] == {}


def test_update_service_replaces_everything(backend: TrustGateBackend, wall: FakeWallclock) -> None:
    # given
    gid = gateway(backend)
    sid = backend.create_service(gid, endpoint_service(tags=["a"], description="d", path="/x"))["id"]
    uid = upstream(backend, gid)
    wall.tick(2)
    # when
    record = backend.update_service(gid, sid, {"name": "svc", "type": "upstream", "upstream_id": uid, "retries": 5})
    # then
    assert record == {
        "id": sid,
        "gateway_id": gid,
        "name": "svc",
        "type": "upstream",
        "description": "",
        "upstream_id": uid,
        "credentials": {},
        "created_at": "2025-07-01T12:00:00Z",
        "updated_at": "2025-07-01T12:00:02Z",
        "upstream": backend.get_upstream(gid, uid),
    }
    assert backend.get_service(gid, sid) == record


def test_update_service_not_found(backend: TrustGateBackend) -> None:
    gid = gateway(backend)
    with pytest.raises(TrustGateError) as exc:
        backend.update_service(gid, MISSING, endpoint_service())
    assert_error(exc, 404, "service not found")


def test_update_service_invalid_id(backend: TrustGateBackend) -> None:
    gid = gateway(backend)
    with pytest.raises(TrustGateError) as exc:
        backend.update_service(gid, "abc", endpoint_service())
    assert_error(exc, 400, "invalid service ID")


def test_get_service_reflects_upstream_update(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    uid = upstream(backend, gid)
    sid = backend.create_service(gid, {"name": "s", "type": "upstream", "upstream_id": uid})["id"]
    # when
    backend.update_upstream(gid, uid, upstream_body(name="renamed"))
    # then
    assert backend.get_service(gid, sid)["upstream"]["name"] == "renamed"
    assert [s["id"] for s in backend.list_services(gid)] == [sid]


def test_delete_service_frees_upstream(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    uid = upstream(backend, gid)
    sid = backend.create_service(gid, {"name": "s", "type": "upstream", "upstream_id": uid})["id"]
    # when
    backend.delete_service(gid, sid)
    backend.delete_upstream(gid, uid)
    backend.delete_gateway(gid)
    # then
    assert backend.inventory() == {"gateways": [], "upstreams": [], "services": []}


def test_delete_gateway_with_services(backend: TrustGateBackend) -> None:
    gid = gateway(backend)
    backend.create_service(gid, endpoint_service())
    with pytest.raises(TrustGateError) as exc:
        backend.delete_gateway(gid)
    assert_error(exc, 400, "gateway is being used by services")


# -- control hooks ---------------------------------------------------------------------------------


def test_control_patch_drifts_service(backend: TrustGateBackend) -> None:
    # given
    gid = gateway(backend)
    sid = backend.create_service(gid, endpoint_service())["id"]
    # when
    backend.control_patch("services", sid, {"port": 8443, "tags": ["drifted"]})
    # then
    assert (backend.get_service(gid, sid)["port"], backend.get_service(gid, sid)["tags"]) == (
        8443,
        ["drifted"],
    )


def test_control_delete_upstream_then_get(backend: TrustGateBackend) -> None:
    gid = gateway(backend)
    uid = upstream(backend, gid)
    backend.control_delete("upstreams", uid)
    with pytest.raises(TrustGateError) as exc:
        backend.get_upstream(gid, uid)
    assert_error(exc, 404, "upstream not found")


def test_go_time_trims_fraction() -> None:
    assert go_time(datetime(2025, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)) == "2025-01-02T03:04:05.12Z"
