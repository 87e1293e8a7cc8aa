"""Aieev emulator over HTTP (in-process app), including the control API recipes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import pulumi_deploy.emulator.aieev as aieev_package
from pulumi_deploy.emulator.aieev import Emulator
from pulumi_deploy.emulator.app import create_app

BASE = "/aieev/external/api/v1"
AUTH = {"Authorization": "Bearer key-1"}
EP = "cad59665-b77b-4cb6-9308-d276294bce79"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app([Emulator()])) as test_client:
        yield test_client


def seed(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post(
        "/_emulator/aieev/objects/endpoints", json={"endpoint_id": EP, "name": "cpu-bench", **fields}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_emulator_identity() -> None:
    # then
    assert (Emulator.name, Emulator.prefix, Emulator.base_url_env) == (
        "aieev", "/aieev/external/api/v1", "AIEEV_BASE_URL",
    )  # fmt: skip


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Token key-1"}])
def test_get_endpoint_unauthorized_is_plain_text(client: TestClient, headers: dict[str, str]) -> None:
    # given
    seed(client)
    # when
    response = client.get(f"{BASE}/endpoints/{EP}", headers=headers)
    # then
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "invalid api key"


def test_patch_endpoint_unauthorized_before_body_validation(client: TestClient) -> None:
    # when
    response = client.patch(f"{BASE}/endpoints/{EP}", content=b"{broken")
    # then
    assert (response.status_code, response.text) == (401, "invalid api key")


def test_me(client: TestClient) -> None:
    # when
    response = client.get(f"{BASE}/me", headers=AUTH)
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"organization_id", "project_id", "api_key_id", "user_id", "authenticated_via"}
    assert body["authenticated_via"] == "api_key"


def test_get_endpoint(client: TestClient) -> None:
    # given
    seed(client, container_port=8080, granted_keys=["key-1"], num_replicas=2, is_active=True)
    # when
    response = client.get(f"{BASE}/endpoints/{EP}", headers=AUTH)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["endpoint_id"] == EP
    assert (body["is_active"], body["status"], body["replica_status_summary"]) == (
        True,
        "RUNNING",
        {"RUNNING": 2},
    )
    assert "container_port" not in body
    assert "granted_keys" not in body


def test_get_endpoint_not_found(client: TestClient) -> None:
    # when
    response = client.get(f"{BASE}/endpoints/missing", headers=AUTH)
    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Endpoint missing not found"}


def test_get_endpoint_forbidden(client: TestClient) -> None:
    # given
    seed(client, granted_keys=["someone-else"])
    # when
    response = client.get(f"{BASE}/endpoints/{EP}", headers=AUTH)
    # then
    assert response.status_code == 403
    assert response.json() == {"detail": f"Endpoint {EP} does not belong to your organization or project"}


def test_list_endpoints(client: TestClient) -> None:
    # given
    seed(client)
    client.post("/_emulator/aieev/objects/endpoints", json={"id": "other", "name": "hidden", "granted_keys": []})
    # when
    response = client.get(f"{BASE}/endpoints", headers=AUTH, params={"search": "bench", "is_active": "false"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [EP]
    assert (body["total"], body["page"], body["size"], body["pages"]) == (1, 1, 50, 1)


def test_list_endpoints_invalid_size(client: TestClient) -> None:
    # when
    response = client.get(f"{BASE}/endpoints", headers=AUTH, params={"size": "0"})
    # then
    assert response.status_code == 422
    assert response.json() == {"detail": [{
        "type": "greater_than_equal", "loc": ["query", "size"],
        "msg": "Input should be greater than or equal to 1", "input": "0", "ctx": {"ge": 1},
    }]}  # fmt: skip


def test_patch_endpoint(client: TestClient) -> None:
    # given
    seed(client)
    # when
    response = client.patch(
        f"{BASE}/endpoints/{EP}", headers=AUTH,
        json={"container_port": 8088, "container_env_vars": [{"key": "ENV", "value": "prod"}]},
    )  # fmt: skip
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["is_active"] is False
    assert body["container_port"] == 8088
    assert body["container_env_vars"] == [{"key": "ENV", "value": "prod"}]
    assert set(body) == {
        "endpoint_id", "name", "is_active", "container_start_command", "container_env_vars", "container_port",
        "container_health_check_path", "container_health_check_timeout", "health_check_timeout",
        "container_metric_path", "updated_at",
    }  # fmt: skip
    inventory = client.get("/_emulator/inventory", params={"vendor": "aieev"}).json()
    assert inventory["aieev"]["endpoints"][0]["container_port"] == 8088


def test_patch_endpoint_no_field(client: TestClient) -> None:
    # given
    seed(client)
    # when
    response = client.patch(f"{BASE}/endpoints/{EP}", headers=AUTH, json={})
    # then
    assert response.status_code == 400
    assert response.json() == {"detail": "No patch field provided."}


def test_patch_endpoint_active_conflict(client: TestClient) -> None:
    # given
    seed(client, is_active=True)
    # when
    response = client.patch(f"{BASE}/endpoints/{EP}", headers=AUTH, json={"container_port": 8080})
    # then
    assert response.status_code == 409
    assert response.json() == {"detail": f"Endpoint {EP} is active. Stop it first."}


def test_patch_endpoint_invalid_port(client: TestClient) -> None:
    # given
    seed(client)
    # when
    response = client.patch(f"{BASE}/endpoints/{EP}", headers=AUTH, json={"container_port": 70000, "bogus": 1})
    # then
    assert response.status_code == 422
    assert response.json() == {"detail": [
        {"type": "extra_forbidden", "loc": ["body", "bogus"], "msg": "Extra inputs are not permitted",
         "input": 1},
        {"type": "less_than_equal", "loc": ["body", "container_port"],
         "msg": "Input should be less than or equal to 65535", "input": 70000, "ctx": {"le": 65535}},
    ]}  # fmt: skip


def test_patch_endpoint_missing_body(client: TestClient) -> None:
    # given
    seed(client)
    # when
    response = client.patch(f"{BASE}/endpoints/{EP}", headers=AUTH)
    # then
    assert response.status_code == 422
    assert response.json() == {"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]}


def test_patch_endpoint_malformed_json(client: TestClient) -> None:
    # given
    seed(client)
    # when
    response = client.patch(f"{BASE}/endpoints/{EP}", headers=AUTH, content=b"{not json")
    # then
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (detail[0]["type"], detail[0]["msg"]) == ("json_invalid", "JSON decode error")


def test_start_endpoint_then_running(client: TestClient) -> None:
    # given
    seed(client)
    client.put("/_emulator/aieev/settings", json={"deploy_duration": 0})
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/start", headers=AUTH)
    again = client.post(f"{BASE}/endpoints/{EP}/start", headers=AUTH)
    # then
    assert response.json() == {
        "endpoint_id": EP,
        "is_active": True,
        "message": "Endpoint started successfully",
    }
    assert again.json() == {"endpoint_id": EP, "is_active": True, "message": "Endpoint is already active"}
    assert client.get(f"{BASE}/endpoints/{EP}", headers=AUTH).json()["status"] == "RUNNING"


def test_start_endpoint_deploying(client: TestClient) -> None:
    # given
    seed(client)
    client.put("/_emulator/aieev/settings", json={"deploy_duration": 3600})
    # when
    client.post(f"{BASE}/endpoints/{EP}/start", headers=AUTH)
    # then
    assert client.get(f"{BASE}/endpoints/{EP}", headers=AUTH).json()["status"] == "DEPLOYING"


def test_start_endpoint_health_fails(client: TestClient) -> None:
    # given
    seed(client, health_check_passes=False)
    client.put("/_emulator/aieev/settings", json={"deploy_duration": 0})
    # when
    client.post(f"{BASE}/endpoints/{EP}/start", headers=AUTH)
    # then
    body = client.get(f"{BASE}/endpoints/{EP}", headers=AUTH).json()
    assert (body["is_active"], body["status"]) == (True, "DEPLOY_FAILED")


def test_start_endpoint_insufficient_credit(client: TestClient) -> None:
    # given
    seed(client)
    client.put("/_emulator/aieev/settings", json={"insufficient_credit": True})
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/start", headers=AUTH)
    # then
    assert response.status_code == 500
    assert response.json() == {"detail": f"Failed to start endpoint {EP}: insufficient credit balance"}


def test_stop_endpoint(client: TestClient) -> None:
    # given
    seed(client, is_active=True)
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/stop", headers=AUTH)
    again = client.post(f"{BASE}/endpoints/{EP}/stop", headers=AUTH)
    # then
    assert response.json() == {
        "endpoint_id": EP,
        "is_active": False,
        "message": "Endpoint stopped successfully",
    }
    assert again.json() == {"endpoint_id": EP, "is_active": False, "message": "Endpoint is already stopped"}


def test_scale_endpoint(client: TestClient) -> None:
    # given
    seed(client, is_active=True, num_replicas=2)
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/scale", headers=AUTH, json={"num_replicas": 3})
    # then
    assert response.status_code == 200
    assert response.json() == {"endpoint_id": EP, "previous_replicas": 2, "current_replicas": 3,
                               "message": "Successfully scaled from 2 to 3 replicas"}  # fmt: skip


def test_scale_endpoint_inactive(client: TestClient) -> None:
    # given
    seed(client)
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/scale", headers=AUTH, json={"num_replicas": 3})
    # then
    assert response.status_code == 400
    assert response.json() == {"detail": f"Endpoint {EP} is inactive. Start it first."}


def test_scale_endpoint_autoscaling(client: TestClient) -> None:
    # given
    seed(client, is_active=True, enable_autoscaling=True)
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/scale", headers=AUTH, json={"num_replicas": 3})
    # then
    assert response.status_code == 400
    assert response.json() == {"detail": f"Autoscaling is enabled for endpoint {EP}. Disable it first."}


def test_scale_endpoint_out_of_range(client: TestClient) -> None:
    # given
    seed(client, is_active=True)
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/scale", headers=AUTH, json={"num_replicas": 101})
    # then
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "num_replicas"]


def test_list_replicas_and_logs(client: TestClient) -> None:
    # given
    seed(client, is_active=True, num_replicas=2)
    # when
    replicas = client.get(f"{BASE}/endpoints/{EP}/replicas", headers=AUTH).json()
    files = client.get(f"{BASE}/endpoints/{EP}/logs", headers=AUTH, params={"include_history": "false"}).json()
    content = client.get(
        f"{BASE}/endpoints/{EP}/logs/file", headers=AUTH,
        params={"node_id": files[0]["node_id"], "filename": files[0]["filename"], "end_line": 1},
    ).json()  # fmt: skip
    # then
    assert len(replicas) == 2
    assert {f["replica_id"] for f in files} == {r["replica_id"] for r in replicas}
    assert (content["start_line"], content["end_line"]) == (1, 1)


def test_control_patch_drift_and_delete(client: TestClient) -> None:
    # given
    seed(client)
    # when
    client.patch(f"/_emulator/aieev/objects/endpoints/{EP}", json={"name": "renamed", "num_replicas": 4})
    drifted = client.get(f"{BASE}/endpoints/{EP}", headers=AUTH).json()
    client.delete(f"/_emulator/aieev/objects/endpoints/{EP}")
    gone = client.get(f"{BASE}/endpoints/{EP}", headers=AUTH)
    # then
    assert (drifted["name"], drifted["num_replicas"]) == ("renamed", 4)
    assert gone.status_code == 404


def test_control_seed_unknown_field(client: TestClient) -> None:
    # when
    response = client.post("/_emulator/aieev/objects/endpoints", json={"id": "x", "colour": "red"})
    # then
    assert response.status_code == 400


def test_injected_fault_uses_detail_body(client: TestClient) -> None:
    # given
    seed(client)
    client.post("/_emulator/faults", json={"vendor": "aieev", "path": "/start$", "status": 503, "message": "busy"})
    # when
    response = client.post(f"{BASE}/endpoints/{EP}/start", headers=AUTH)
    # then
    assert response.status_code == 503
    assert response.json() == {"detail": "busy"}


def test_coverage_table_lists_every_route() -> None:
    # given
    coverage = (Path(aieev_package.__file__).parent / "COVERAGE.md").read_text()
    documented = set(re.findall(r"^\| (GET|POST|PATCH|PUT|DELETE) \| (\S+) \|", coverage, flags=re.M))
    # when
    routes = {
        (method, route.path)
        for route in Emulator().router().routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    # then
    assert documented == routes
