"""Cyberun emulator over HTTP, in process (moto style: given / when / then)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_clock import FakeClock
from fastapi.testclient import TestClient

from pulumi_deploy.emulator.app import create_app
from pulumi_deploy.emulator.cyberun import Emulator

BASE = "/cyberun/api/v1"
TEAM = "11111111-1111-4111-8111-111111111111"
JWT_HEADERS = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2ln", "X-Team-ID": TEAM}
KEY_HEADERS = {"Authorization": "Bearer sk-test"}
SERVICE = {"service_slug": "vllm-api", "docker_image": "vllm/vllm-openai:latest"}


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
def clock(emulator: Emulator) -> FakeClock:
    fake = FakeClock()
    emulator.backend.clock = fake
    return fake


@pytest.fixture
def client(emulator: Emulator) -> Iterator[TestClient]:
    with TestClient(create_app([emulator])) as client:
        yield client


def create(client: TestClient, **fields: Any) -> str:
    response = client.post(f"{BASE}/containers", json={**SERVICE, **fields}, headers=KEY_HEADERS)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_emulator_identity(emulator: Emulator) -> None:
    assert (emulator.name, emulator.prefix, emulator.base_url_env) == (
        "cyberun",
        "/cyberun/api/v1",
        "CYBERUN_BASE_URL",
    )


def test_create_container_without_bearer(client: TestClient) -> None:
    # when
    response = client.post(f"{BASE}/containers", json=SERVICE)
    # then
    assert response.status_code == 401
    assert response.json() == {"error_message": "missing or invalid bearer token"}


def test_create_container_jwt_without_team_header(client: TestClient) -> None:
    # when
    headers = {"Authorization": JWT_HEADERS["Authorization"]}
    response = client.post(f"{BASE}/containers", json=SERVICE, headers=headers)
    # then
    assert response.status_code == 400
    assert response.json() == {"error_message": "X-Team-ID header is required for user tokens"}


def test_create_container_and_get(client: TestClient) -> None:
    # when
    response = client.post(f"{BASE}/containers", json=SERVICE, headers=JWT_HEADERS)
    # then
    assert response.status_code == 201
    service_id = response.json()["id"]
    record = client.get(f"{BASE}/containers/{service_id}", headers=JWT_HEADERS).json()
    assert record["service_slug"] == "vllm-api" and record["service_status"] == "created"
    by_slug = client.get(f"{BASE}/r/containers/vllm-api", headers=JWT_HEADERS).json()
    assert by_slug == record


def test_create_container_unknown_field(client: TestClient) -> None:
    # when
    response = client.post(f"{BASE}/containers", json={**SERVICE, "replicas": 2}, headers=KEY_HEADERS)
    # then
    assert response.status_code == 400
    assert response.json() == {"error_message": 'invalid request body: unknown field "replicas"'}


def test_create_container_malformed_json(client: TestClient) -> None:
    response = client.post(f"{BASE}/containers", content=b"{", headers=KEY_HEADERS)
    assert response.status_code == 400
    assert response.json() == {"error_message": "invalid request body: malformed JSON"}


def test_create_container_duplicate_slug(client: TestClient) -> None:
    # given
    create(client)
    # when
    response = client.post(f"{BASE}/containers", json=SERVICE, headers=KEY_HEADERS)
    # then
    assert response.status_code == 409
    assert response.json() == {"error_message": "service_slug 'vllm-api' already exists in this team"}


def test_update_container(client: TestClient) -> None:
    # given
    service_id = create(client)
    # when
    response = client.put(f"{BASE}/containers/{service_id}", json={"replica_count": 3}, headers=KEY_HEADERS)
    # then
    assert response.status_code == 200 and response.json() == {"id": service_id}
    assert client.get(f"{BASE}/containers/{service_id}", headers=KEY_HEADERS).json()["replica_count"] == 3


def test_update_container_range_error(client: TestClient) -> None:
    service_id = create(client)
    response = client.put(f"{BASE}/containers/{service_id}", json={"exposed_port": 0}, headers=KEY_HEADERS)
    assert response.status_code == 400
    assert response.json() == {"error_message": "exposed_port: must be between 1 and 65535"}


def test_deploy_container_lifecycle(client: TestClient, clock: FakeClock) -> None:
    # given
    service_id = create(client)
    url = f"{BASE}/containers/{service_id}"
    # when
    deploy = client.post(f"{url}/deploy", headers=KEY_HEADERS)
    busy = client.put(url, json={"display_name": "x"}, headers=KEY_HEADERS)
    during = client.get(url, headers=KEY_HEADERS).json()["service_status"]
    clock.now += 1
    after = client.get(url, headers=KEY_HEADERS).json()["service_status"]
    # then
    assert deploy.json() == {"is_success": True}
    assert busy.status_code == 409
    message = f"container service {service_id} is deploying; retry once it has settled"
    assert busy.json() == {"error_message": message}
    assert (during, after) == ("deploying", "running")


def test_undeploy_container_lifecycle(client: TestClient, clock: FakeClock) -> None:
    # given
    service_id = create(client)
    url = f"{BASE}/containers/{service_id}"
    client.post(f"{url}/deploy", headers=KEY_HEADERS)
    clock.now += 1
    # when
    undeploy = client.post(f"{url}/undeploy", headers=KEY_HEADERS)
    during = client.get(url, headers=KEY_HEADERS).json()["service_status"]
    clock.now += 1
    after = client.get(url, headers=KEY_HEADERS).json()["service_status"]
    # then
    assert undeploy.status_code == 200 and undeploy.json() == {"is_success": True}
    assert (during, after) == ("stopping", "stopped")


def test_deploy_container_fail_next_deploy_via_control_api(client: TestClient) -> None:
    # given
    service_id = create(client)
    settings = {"fail_next_deploy": True, "deploy_seconds": 0}
    assert client.put("/_emulator/cyberun/settings", json=settings).status_code == 200
    # when
    client.post(f"{BASE}/containers/{service_id}/deploy", headers=KEY_HEADERS)
    # then
    status = client.get(f"{BASE}/containers/{service_id}", headers=KEY_HEADERS).json()["service_status"]
    assert status == "failed"


def test_delete_container(client: TestClient) -> None:
    # given
    service_id = create(client)
    # when
    response = client.delete(f"{BASE}/containers/{service_id}", headers=KEY_HEADERS)
    # then
    assert response.status_code == 204 and response.content == b""
    missing = client.get(f"{BASE}/containers/{service_id}", headers=KEY_HEADERS)
    assert missing.status_code == 404 and missing.json() == {"error_message": "resource not found"}


def test_list_containers(client: TestClient) -> None:
    # given
    create(client)
    create(client, service_slug="second")
    # when
    management = client.get(f"{BASE}/containers", params={"per_page": 1}, headers=KEY_HEADERS).json()
    runtime = client.get(f"{BASE}/r/containers", headers=KEY_HEADERS).json()
    # then
    assert [r["service_slug"] for r in management["containers"]] == ["vllm-api"]
    assert management["page_meta"] == {"current_page": 1, "per_page": 1, "total_count": 2}
    assert [r["service_slug"] for r in runtime["containers"]] == ["vllm-api", "second"]


def test_unknown_route(client: TestClient) -> None:
    response = client.get(f"{BASE}/workflows", headers=KEY_HEADERS)
    assert response.status_code == 404 and response.json() == {"error_message": "resource not found"}


def test_control_api_seed_patch_delete(client: TestClient) -> None:
    # given
    service_id = create(client)
    # when
    control = f"/_emulator/cyberun/objects/containers/{service_id}"
    patched = client.patch(control, json={"service_status": "failed"})
    seen = client.get(f"{BASE}/containers/{service_id}", headers=KEY_HEADERS).json()["service_status"]
    deleted = client.delete(control)
    # then
    assert patched.status_code == 200 and seen == "failed"
    assert deleted.status_code == 200
    assert client.get("/_emulator/inventory", params={"vendor": "cyberun"}).json() == {
        "cyberun": {"containers": [], "credentials": []}
    }


def test_credentials_create_list_revoke(client: TestClient) -> None:
    # given
    body = {"kind": "integration", "display_name": "ci", "expires_in_days": 30}
    created = client.post(f"{BASE}/credentials", json=body, headers=JWT_HEADERS)
    raw_key = created.json()["raw_key"]
    # when
    listed = client.get(f"{BASE}/credentials", headers=JWT_HEADERS).json()
    revoked = client.delete(f"{BASE}/credentials/{created.json()['id']}", headers=JWT_HEADERS)
    after = client.get(f"{BASE}/containers", headers={"Authorization": f"Bearer {raw_key}"})
    # then
    assert created.status_code == 201
    assert [r["display_name"] for r in listed["credentials"]] == ["ci"]
    assert revoked.status_code == 204
    assert after.status_code == 401 and after.json() == {"error_message": "API key has been revoked"}


def test_credentials_reject_api_keys(client: TestClient) -> None:
    response = client.get(f"{BASE}/credentials", headers=KEY_HEADERS)
    assert response.status_code == 403
    message = "this endpoint requires a user token (JWT); API keys are not accepted"
    assert response.json() == {"error_message": message}
