"""RunPod REST v1 emulator over HTTP, in-process (status codes, bodies, auth, control API)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pulumi_deploy.emulator.app import create_app
from pulumi_deploy.emulator.runpod import Emulator

BASE = "/runpod/v1"
AUTH = {"Authorization": "Bearer rpa_test_key"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app([Emulator()])) as test_client:
        yield test_client


def create_template(client: TestClient, **overrides: Any) -> dict[str, Any]:
    body = {"name": "tpl", "imageName": "ghcr.io/acme/worker:1.0", "isServerless": True, **overrides}
    response = client.post(f"{BASE}/templates", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def create_endpoint(client: TestClient, template_id: str, **overrides: Any) -> dict[str, Any]:
    response = client.post(f"{BASE}/endpoints", json={"templateId": template_id, **overrides}, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def test_emulator_identity() -> None:
    assert (Emulator.name, Emulator.prefix, Emulator.base_url_env) == (
        "runpod",
        "/runpod/v1",
        "RUNPOD_V1_BASE_URL",
    )


# -- auth ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/endpoints"),
        ("POST", "/endpoints"),
        ("GET", "/endpoints/abc"),
        ("PATCH", "/endpoints/abc"),
        ("POST", "/endpoints/abc/update"),
        ("DELETE", "/endpoints/abc"),
        ("GET", "/templates"),
        ("POST", "/templates"),
        ("DELETE", "/templates/abc"),
        ("GET", "/networkvolumes"),
        ("PATCH", "/networkvolumes/abc"),
    ],
)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "rpa_key"}])
def test_request_error_unauthorized(client: TestClient, method: str, path: str, headers: dict[str, str]) -> None:
    # when
    response = client.request(method, BASE + path, json={}, headers=headers)
    # then
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


# -- endpoints -----------------------------------------------------------------------------------


def test_create_endpoint(client: TestClient) -> None:
    # given
    template = create_template(client, env={"K": "V"})
    # when
    response = client.post(
        f"{BASE}/endpoints",
        json={
            "templateId": template["id"],
            "name": "svc",
            "flashboot": True,
            "dataCenterIds": ["EU-RO-1", "US-TX-3"],
        },
        headers=AUTH,
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "svc -fb"
    assert body["dataCenterIds"] == "EU-RO-1,US-TX-3"
    assert body["env"] == {"K": "V"}
    assert body["version"] == 0
    assert "flashboot" not in body


def test_create_endpoint_error_invalid_json(client: TestClient) -> None:
    response = client.post(f"{BASE}/endpoints", content=b"{not json", headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"message": "request body must be a JSON object"}


def test_create_endpoint_error_unknown_key(client: TestClient) -> None:
    template = create_template(client)
    response = client.post(
        f"{BASE}/endpoints", json={"templateId": template["id"], "gpuIds": "AMPERE_16"}, headers=AUTH
    )
    assert response.status_code == 400
    assert response.json() == {"message": '"gpuIds" is not in input schema'}


def test_create_endpoint_error_unknown_template(client: TestClient) -> None:
    response = client.post(f"{BASE}/endpoints", json={"templateId": "nosuchtpl1"}, headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"message": 'template "nosuchtpl1" not found'}


def test_list_endpoints_is_bare_array(client: TestClient) -> None:
    # given
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"])
    # when
    response = client.get(f"{BASE}/endpoints", params={"includeTemplate": "true"}, headers=AUTH)
    # then
    assert response.status_code == 200
    assert response.json() == [{**endpoint, "template": template}]


def test_get_endpoint(client: TestClient) -> None:
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"])
    response = client.get(f"{BASE}/endpoints/{endpoint['id']}", params={"includeWorkers": "true"}, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {**endpoint, "workers": []}


def test_get_endpoint_error_not_found(client: TestClient) -> None:
    response = client.get(f"{BASE}/endpoints/doesnotexist00", headers=AUTH)
    assert response.status_code == 404
    assert response.json() == {"message": "Endpoint not found"}


@pytest.mark.parametrize("method,suffix", [("PATCH", ""), ("POST", "/update")])
def test_update_endpoint(client: TestClient, method: str, suffix: str) -> None:
    # given
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"], workersMax=3)
    # when
    response = client.request(
        method,
        f"{BASE}/endpoints/{endpoint['id']}{suffix}",
        json={"workersMax": 0, "gpuCount": 2},
        headers=AUTH,
    )
    # then
    assert response.status_code == 200
    assert response.json() == {**endpoint, "workersMax": 0, "gpuCount": 2, "version": 1}


def test_update_endpoint_error_compute_type(client: TestClient) -> None:
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"])
    response = client.patch(f"{BASE}/endpoints/{endpoint['id']}", json={"computeType": "CPU"}, headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"message": '"computeType" is not in input schema'}


def test_update_endpoint_error_range(client: TestClient) -> None:
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"])
    response = client.patch(f"{BASE}/endpoints/{endpoint['id']}", json={"idleTimeout": 0}, headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"message": '"idleTimeout" must be >= 1'}


def test_delete_endpoint(client: TestClient) -> None:
    # given
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"], workersMin=1)
    # when
    response = client.delete(f"{BASE}/endpoints/{endpoint['id']}", headers=AUTH)
    # then
    assert response.status_code == 204
    assert response.content == b""
    again = client.delete(f"{BASE}/endpoints/{endpoint['id']}", headers=AUTH)
    assert again.status_code == 404
    assert again.json() == {"message": "Endpoint not found"}


# -- templates -----------------------------------------------------------------------------------


def test_create_template_error_duplicate_name(client: TestClient) -> None:
    create_template(client, name="dup")
    response = client.post(f"{BASE}/templates", json={"name": "dup", "imageName": "img"}, headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"message": 'Template name "dup" is already in use; template names must be unique'}


def test_get_and_list_templates(client: TestClient) -> None:
    template = create_template(client)
    assert client.get(f"{BASE}/templates", headers=AUTH).json() == [template]
    assert client.get(f"{BASE}/templates/{template['id']}", headers=AUTH).json() == template
    missing = client.get(f"{BASE}/templates/nosuchtpl1", headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, {"message": "Template not found"})


@pytest.mark.parametrize("method,suffix", [("PATCH", ""), ("POST", "/update")])
def test_update_template_rolls_endpoints(client: TestClient, method: str, suffix: str) -> None:
    # given
    template = create_template(client, env={"A": "1"})
    endpoint = create_endpoint(client, template["id"])
    # when
    response = client.request(
        method, f"{BASE}/templates/{template['id']}{suffix}", json={"env": {"A": "2"}}, headers=AUTH
    )
    # then
    assert response.status_code == 200
    assert response.json()["env"] == {"A": "2"}
    after = client.get(f"{BASE}/endpoints/{endpoint['id']}", headers=AUTH).json()
    assert (after["version"], after["env"]) == (1, {"A": "2"})


def test_update_template_error_is_serverless(client: TestClient) -> None:
    template = create_template(client)
    response = client.patch(f"{BASE}/templates/{template['id']}", json={"isServerless": False}, headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"message": '"isServerless" is not in input schema'}


def test_delete_template_error_in_use(client: TestClient) -> None:
    # given
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"])
    # when
    response = client.delete(f"{BASE}/templates/{template['id']}", headers=AUTH)
    # then
    assert response.status_code == 400
    assert response.json() == {
        "message": f'Template "{template["id"]}" is in use by endpoint {endpoint["id"]} and cannot be deleted'
    }
    client.delete(f"{BASE}/endpoints/{endpoint['id']}", headers=AUTH)
    assert client.delete(f"{BASE}/templates/{template['id']}", headers=AUTH).status_code == 204


# -- network volumes -----------------------------------------------------------------------------


def test_network_volume_lifecycle(client: TestClient) -> None:
    # given
    created = client.post(
        f"{BASE}/networkvolumes", json={"name": "data", "size": 50, "dataCenterId": "EU-RO-1"}, headers=AUTH
    )
    assert created.status_code == 200
    volume = created.json()
    # when
    grown = client.post(f"{BASE}/networkvolumes/{volume['id']}/update", json={"size": 60}, headers=AUTH)
    shrunk = client.patch(f"{BASE}/networkvolumes/{volume['id']}", json={"size": 40}, headers=AUTH)
    listed = client.get(f"{BASE}/networkvolumes", headers=AUTH)
    deleted = client.delete(f"{BASE}/networkvolumes/{volume['id']}", headers=AUTH)
    gone = client.get(f"{BASE}/networkvolumes/{volume['id']}", headers=AUTH)
    # then
    assert (grown.status_code, grown.json()) == (200, {**volume, "size": 60})
    assert shrunk.status_code == 400
    assert shrunk.json() == {"message": '"size" must be greater than the current size of the network volume (40 <= 60)'}
    assert listed.json() == [{**volume, "size": 60}]
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (gone.status_code, gone.json()) == (404, {"message": "Network volume not found"})


def test_create_network_volume_error_missing_field(client: TestClient) -> None:
    response = client.post(f"{BASE}/networkvolumes", json={"name": "v", "size": 5}, headers=AUTH)
    assert response.status_code == 400
    assert response.json() == {"message": '"dataCenterId" is required'}


# -- control API ---------------------------------------------------------------------------------


def test_control_seed_drift_and_out_of_band_delete(client: TestClient) -> None:
    # given
    template = create_template(client)
    endpoint = create_endpoint(client, template["id"], workersMax=3)
    # when: drift, then deletion behind the client's back
    drift = client.patch(f"/_emulator/runpod/objects/endpoints/{endpoint['id']}", json={"workersMax": 0})
    read_after_drift = client.get(f"{BASE}/endpoints/{endpoint['id']}", headers=AUTH).json()
    client.delete(f"/_emulator/runpod/objects/endpoints/{endpoint['id']}")
    read_after_delete = client.get(f"{BASE}/endpoints/{endpoint['id']}", headers=AUTH)
    # then
    assert drift.status_code == 200
    assert read_after_drift["workersMax"] == 0
    assert read_after_delete.status_code == 404


def test_control_seed_endpoint_is_readable(client: TestClient) -> None:
    # given
    template = create_template(client)
    seeded = {**create_endpoint(client, template["id"]), "id": "seeded00000001", "name": "legacy -fb"}
    # when
    client.post("/_emulator/runpod/objects/endpoints", json=seeded)
    # then
    assert client.get(f"{BASE}/endpoints/seeded00000001", headers=AUTH).json() == seeded
    inventory = client.get("/_emulator/inventory", params={"vendor": "runpod"}).json()["runpod"]
    assert seeded in inventory["endpoints"]
    assert len(inventory["endpoints"]) == 2


def test_control_injected_fault_uses_vendor_error_body(client: TestClient) -> None:
    # given
    client.post(
        "/_emulator/faults",
        json={"vendor": "runpod", "status": 429, "retry_after": 2, "message": "slow down"},
    )
    # when
    response = client.get(f"{BASE}/endpoints", headers=AUTH)
    # then
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json() == {"message": "slow down"}


def test_control_settings_has_no_knobs(client: TestClient) -> None:
    response = client.put("/_emulator/runpod/settings", json={"anything": 1})
    assert response.status_code == 400


def test_coverage_table_matches_routes() -> None:
    # given
    coverage = (Path(__file__).parents[2] / "pulumi_deploy/emulator/runpod/COVERAGE.md").read_text()
    documented = set(re.findall(r"^\| (GET|POST|PATCH|DELETE) \| (/\S+) \|", coverage, flags=re.MULTILINE))
    # when
    served = {
        (method, route.path)
        for route in Emulator().router().routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    # then
    assert documented == served
