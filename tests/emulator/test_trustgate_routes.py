"""TrustGate admin API emulator over HTTP, in-process (moto's test_server style)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import pulumi_deploy.emulator.trustgate as trustgate_pkg
from pulumi_deploy.emulator.app import create_app
from pulumi_deploy.emulator.trustgate import Emulator

NIL = "00000000-0000-0000-0000-000000000000"
MISSING = "11111111-2222-4333-8444-555555555555"
API = "/trustgate/api/v1/gateways"
AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app([Emulator()]))


def provider_target() -> dict[str, Any]:
    return {
        "provider": "anthropic",
        "models": ["claude-3-5-sonnet"],
        "default_model": "claude-3-5-sonnet",
        "credentials": {"api_key": "k"},
        "weight": 1,
    }


def create_gateway(client: TestClient, subdomain: str = "acme") -> str:
    response = client.post(API, json={"name": "gw", "subdomain": subdomain}, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def create_upstream(client: TestClient, gid: str, **extra: Any) -> dict[str, Any]:
    body = {"name": "llm", "algorithm": "weighted-round-robin", "targets": [provider_target()], **extra}
    response = client.post(f"{API}/{gid}/upstreams", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


# -- auth and errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authorization required"),
        ({"Authorization": "Token abc"}, "Invalid authorization format"),
        ({"Authorization": "Bearer "}, "Empty token provided"),
    ],
)
def test_list_gateways_unauthorized(client: TestClient, headers: dict[str, str], message: str) -> None:
    # when
    response = client.get(API, headers=headers)
    # then
    assert response.status_code == 401
    assert response.json() == {"error": message}


def test_create_gateway_invalid_json(client: TestClient) -> None:
    # when
    response = client.post(API, content=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    # then
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid JSON payload"}


# -- gateways ----------------------------------------------------------------------------------------


def test_gateway_lifecycle(client: TestClient) -> None:
    # given
    gid = create_gateway(client)
    # when
    updated = client.put(f"{API}/{gid}", json={"status": "inactive"}, headers=AUTH)
    # then
    assert updated.status_code == 204
    assert updated.content == b""
    fetched = client.get(f"{API}/{gid}", headers=AUTH).json()
    assert (fetched["name"], fetched["subdomain"], fetched["status"]) == ("gw", "acme", "inactive")
    assert [g["id"] for g in client.get(API, headers=AUTH).json()] == [gid]
    assert client.delete(f"{API}/{gid}", headers=AUTH).status_code == 204
    missing = client.get(f"{API}/{gid}", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, {"error": "gateway not found"})


def test_create_gateway_duplicate_subdomain(client: TestClient) -> None:
    # given
    create_gateway(client)
    # when
    response = client.post(API, json={"name": "again", "subdomain": "acme"}, headers=AUTH)
    # then
    assert response.status_code == 500
    assert response.json() == {
        "error": 'ERROR: duplicate key value violates unique constraint "idx_gateways_subdomain" (SQLSTATE 23505)'
    }


def test_list_gateways_limit(client: TestClient) -> None:
    # given
    for i in range(3):
        create_gateway(client, f"s{i}")
    # when
    response = client.get(API, params={"offset": 1, "limit": 1}, headers=AUTH)
    # then
    assert [g["subdomain"] for g in response.json()] == ["s1"]


def test_delete_gateway_in_use(client: TestClient) -> None:
    # given
    gid = create_gateway(client)
    create_upstream(client, gid)
    # when
    response = client.delete(f"{API}/{gid}", headers=AUTH)
    # then
    assert response.status_code == 400
    assert response.json() == {"error": "gateway is being used by upstreams"}


# -- upstreams ---------------------------------------------------------------------------------------


def test_upstream_lifecycle(client: TestClient) -> None:
    # given
    gid = create_gateway(client)
    created = create_upstream(client, gid, health_checks={"passive": True, "threshold": 2})
    uid = created["id"]
    # when
    replaced = client.put(
        f"{API}/{gid}/upstreams/{uid}",
        json={"name": "llm", "algorithm": "least-conn", "targets": [provider_target()]},
        headers=AUTH,
    )
    # then
    assert replaced.status_code == 200
    body = replaced.json()
    assert body["algorithm"] == "least-conn"
    assert "health_checks" not in body
    assert body["created_at"] == created["created_at"]
    assert client.get(f"{API}/{gid}/upstreams/{uid}", headers=AUTH).json() == body
    assert [u["id"] for u in client.get(f"{API}/{gid}/upstreams", headers=AUTH).json()] == [uid]
    assert client.delete(f"{API}/{gid}/upstreams/{uid}", headers=AUTH).status_code == 204


def test_create_upstream_domain_error_is_500(client: TestClient) -> None:
    # given
    gid = create_gateway(client)
    # when
    response = client.post(f"{API}/{gid}/upstreams", json={"name": "llm", "targets": [provider_target()]}, headers=AUTH)
    # then
    assert response.status_code == 500
    assert response.json() == {"error": "invalid algorithm: "}


def test_create_upstream_request_error_is_400(client: TestClient) -> None:
    # given
    gid = create_gateway(client)
    body = {
        "name": "llm",
        "algorithm": "round-robin",
        "targets": [provider_target()],
        "websocket_config": {"ping_period": "5s"},
        "proxy_config": {"host": "p", "port": "8080"},
    }
    # when
    response = client.post(f"{API}/{gid}/upstreams", json=body, headers=AUTH)
    # then
    assert response.status_code == 400
    assert response.json() == {"error": "webhook_config and proxy_config cannot coexist, only one can be specified"}


def test_get_upstream_invalid_id(client: TestClient) -> None:
    gid = create_gateway(client)
    response = client.get(f"{API}/{gid}/upstreams/nope", headers=AUTH)
    assert (response.status_code, response.json()) == (400, {"error": "invalid upstream ID"})


# -- services ----------------------------------------------------------------------------------------


def test_put_service_seed_contract(client: TestClient) -> None:
    # given
    gid = create_gateway(client)
    upstream = create_upstream(client, gid)
    sid = client.post(
        f"{API}/{gid}/services",
        json={
            "name": "svc",
            "type": "endpoint",
            "upstream_id": NIL,
            "host": "h",
            "port": 80,
            "protocol": "http",
        },
        headers=AUTH,
    ).json()["id"]
    # when
    response = client.put(
        f"{API}/{gid}/services/{sid}",
        json={
            "name": "svc",
            "type": "upstream",
            "upstream_id": upstream["id"],
            "path": "/v1",
            "headers": {"x-a": "b"},
            "credentials": {"allow_override": True},
            "retries": 3,
            "tags": ["t"],
            "description": "d",
            "createdAt": "2020-01-01T00:00:00Z",
            "updatedAt": "2020-01-01T00:00:00Z",
        },
        headers=AUTH,
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": sid,
        "gateway_id": gid,
        "name": "svc",
        "type": "upstream",
        "description": "d",
        "tags": ["t"],
        "upstream_id": upstream["id"],
        "path": "/v1",
        "headers": {"x-a": "b"},
        "credentials": {"allow_override": True},
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "upstream": upstream,
    }
    assert client.get(f"{API}/{gid}/services/{sid}", headers=AUTH).json() == body


def test_create_service_invalid_upstream_id(client: TestClient) -> None:
    gid = create_gateway(client)
    response = client.post(f"{API}/{gid}/services", json={"name": "s", "type": "endpoint"}, headers=AUTH)
    assert (response.status_code, response.json()) == (400, {"error": "invalid upstream ID"})


def test_create_service_domain_error(client: TestClient) -> None:
    gid = create_gateway(client)
    response = client.post(
        f"{API}/{gid}/services", json={"name": "s", "type": "endpoint", "upstream_id": NIL}, headers=AUTH
    )
    assert (response.status_code, response.json()) == (
        500,
        {"error": "either upstream_id or host must be specified"},
    )


def test_delete_upstream_used_by_service(client: TestClient) -> None:
    # given
    gid = create_gateway(client)
    uid = create_upstream(client, gid)["id"]
    client.post(f"{API}/{gid}/services", json={"name": "s", "type": "upstream", "upstream_id": uid}, headers=AUTH)
    # when
    response = client.delete(f"{API}/{gid}/upstreams/{uid}", headers=AUTH)
    # then
    assert (response.status_code, response.json()) == (400, {"error": "upstream is being used by services"})


def test_delete_service_not_found(client: TestClient) -> None:
    gid = create_gateway(client)
    response = client.delete(f"{API}/{gid}/services/{MISSING}", headers=AUTH)
    assert (response.status_code, response.json()) == (404, {"error": "service not found"})


# -- control API ---------------------------------------------------------------------------------------


def test_control_seed_drift_and_delete(client: TestClient) -> None:
    # given: a service seeded behind the client's back
    gid = create_gateway(client)
    sid = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    record = {
        "id": sid,
        "gateway_id": gid,
        "name": "seeded",
        "type": "endpoint",
        "description": "",
        "upstream_id": NIL,
        "host": "h",
        "port": 80,
        "protocol": "http",
        "credentials": {},
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
    }
    assert client.post("/_emulator/trustgate/objects/services", json=record).status_code == 200
    # when: drift, then delete out of band
    client.patch(f"/_emulator/trustgate/objects/services/{sid}", json={"port": 8080})
    drifted = client.get(f"{API}/{gid}/services/{sid}", headers=AUTH).json()
    client.delete(f"/_emulator/trustgate/objects/services/{sid}")
    # then
    assert drifted == {**record, "port": 8080}
    assert client.get(f"{API}/{gid}/services/{sid}", headers=AUTH).status_code == 404
    inventory = client.get("/_emulator/inventory", params={"vendor": "trustgate"}).json()
    assert inventory["trustgate"]["services"] == []


def test_control_settings_websocket_direct(client: TestClient) -> None:
    # given
    client.put("/_emulator/trustgate/settings", json={"websocket_direct_on_create": False})
    gid = create_gateway(client)
    # when
    upstream = create_upstream(client, gid, websocket_config={"handshake_timeout": "10s"})
    # then
    assert upstream["websocket_config"]["enable_direct_communication"] is False


def test_coverage_table_matches_routes() -> None:
    # given
    coverage = (Path(trustgate_pkg.__file__).parent / "COVERAGE.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z]+)` \| `([^`]+)` \|", coverage, flags=re.MULTILINE))
    # when
    routed = {
        (method, route.path)
        for route in Emulator().router().routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    # then
    assert documented == routed
