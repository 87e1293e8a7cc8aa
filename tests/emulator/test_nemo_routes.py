"""NeMo models v2 emulator over HTTP, in-process (moto's test_server style)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_clock import FakeClock
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pulumi_deploy.emulator import nemo
from pulumi_deploy.emulator.app import create_app
from pulumi_deploy.emulator.nemo import Emulator

BASE = "/nemo/apis/models/v2/workspaces/default"
AUTH = {"Authorization": "Bearer test-token"}
CONFIG = {
    "name": "cfg",
    "engine": "nim",
    "model_spec": {"model_name": "llama"},
    "executor_config": {"gpu": 1},
}
STATUSES = "'UNKNOWN', 'CREATED', 'PENDING', 'READY', 'ERROR', 'DELETING', 'DELETED' or 'LOST'"
INSTANT = {"created_seconds": 0, "pending_seconds": 0, "deleting_seconds": 0, "hard_delete_seconds": 0}


@pytest.fixture
def client() -> Iterator[TestClient]:
    # A frozen clock: statuses move only when a test sets a duration to 0, never because the machine is slow
    # (with the default 0.2 s a DELETING or PENDING read right after the request could already be past it).
    emulator = Emulator()
    emulator.backend.clock = FakeClock()
    with TestClient(create_app([emulator])) as c:
        yield c


def settings(client: TestClient, changes: dict[str, Any]) -> None:
    assert client.put("/_emulator/nemo/settings", json=changes).status_code == 200


def create_config(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post(f"{BASE}/deployment-configs", json={**CONFIG, **overrides}, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def create_deployment(client: TestClient, name: str = "dep") -> dict[str, Any]:
    response = client.post(f"{BASE}/deployments", json={"name": name, "config": "cfg"}, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def test_auth_off_by_default_needs_no_token_and_ignores_one(client: TestClient) -> None:
    # when
    bare = client.get(f"{BASE}/deployments")
    odd = client.get(f"{BASE}/deployments", headers={"Authorization": "Basic abc"})
    # then
    assert (bare.status_code, odd.status_code) == (200, 200)


@pytest.mark.parametrize(
    ("headers", "status", "detail"),
    [
        ({}, 401, "Unauthorized"),
        ({"Authorization": "Bearer nope"}, 401, "Invalid or expired token"),
        ({"Authorization": "Bearer a b"}, 401, "Invalid bearer token"),
        ({"Authorization": "Bearer team-key"}, 403, "Forbidden"),
        ({"Authorization": "Bearer admin-key"}, 200, None),
    ],
    ids=["no-token", "unknown-token", "malformed", "no-role-in-workspace", "accepted"],
)
def test_auth_on_answers_like_the_platform(
    client: TestClient, headers: dict[str, str], status: int, detail: str | None
) -> None:
    # given
    settings(client, {"auth_enabled": True, "auth_tokens": {"admin-key": ["*"], "team-key": ["team-ws"]}})
    # when
    response = client.get(f"{BASE}/deployments", headers=headers)
    # then
    assert response.status_code == status
    if detail is not None:
        assert response.json() == {"detail": detail}


@pytest.mark.parametrize("name", ["UPPER", "x", "9ws", "w" * 64, "é-ws"])
def test_a_workspace_is_created_only_under_the_name_rule(client: TestClient, name: str) -> None:
    # when
    made = client.post("/nemo/apis/entities/v2/workspaces", json={"name": name})
    # then: 422, FastAPI's list form, at the name
    assert made.status_code == 422, made.text
    assert made.json()["detail"][0]["loc"] == ["body", "name"]


def test_unknown_workspace_answers_500_with_the_operation_and_entities_say_404(client: TestClient) -> None:
    # when
    listed = client.get("/nemo/apis/models/v2/workspaces/ghost/deployments")
    created = client.post("/nemo/apis/models/v2/workspaces/ghost/deployment-configs", json=CONFIG)
    probed = client.get("/nemo/apis/entities/v2/workspaces/ghost")
    made = client.post("/nemo/apis/entities/v2/workspaces", json={"name": "ghost"})
    after = client.get("/nemo/apis/models/v2/workspaces/ghost/deployments")
    # then
    assert (listed.status_code, listed.json()) == (500, {"detail": "Failed to list deployments"})
    assert (created.status_code, created.json()) == (500, {"detail": "Failed to create deployment config"})
    assert (probed.status_code, probed.json()) == (404, {"detail": "Workspace 'ghost' not found"})
    assert (made.status_code, after.status_code) == (201, 200)


def test_project_must_be_created_first(client: TestClient) -> None:
    # when
    refused = client.post(f"{BASE}/deployment-configs", json={**CONFIG, "project": "team-a"})
    made = client.post("/nemo/apis/entities/v2/workspaces/default/projects", json={"name": "team-a"})
    again = client.post("/nemo/apis/entities/v2/workspaces/default/projects", json={"name": "team-a"})
    accepted = client.post(f"{BASE}/deployment-configs", json={**CONFIG, "project": "team-a"})
    # then
    assert (refused.status_code, refused.json()) == (
        422,
        {"detail": "Project 'team-a' does not exist in workspace 'default'. Please create the project first."},
    )
    assert (made.status_code, again.status_code, accepted.status_code) == (201, 409, 201)


def test_create_config(client: TestClient) -> None:
    # when
    record = create_config(client)
    # then
    assert record["name"] == "cfg"
    assert record["project"] is None  # single objects carry explicit nulls
    assert client.get(f"{BASE}/deployment-configs/cfg", headers=AUTH).json() == record
    assert client.get(f"{BASE}/deployment-configs/cfg/versions/1", headers=AUTH).json() == record


def test_create_config_error_validation(client: TestClient) -> None:
    # when
    response = client.post(f"{BASE}/deployment-configs", json={**CONFIG, "name": "Bad"}, headers=AUTH)
    # then
    assert response.status_code == 422
    pattern = r"^[a-z](?!.*--)[a-z0-9\-@.+_]{1,62}(?<!-)$"
    assert response.json() == {
        "detail": [
            {
                "type": "string_pattern_mismatch",
                "loc": ["body", "name"],
                "msg": f"String should match pattern '{pattern}'",
                "input": "Bad",
                "ctx": {"pattern": pattern},
            }
        ]
    }


def test_create_config_error_invalid_json(client: TestClient) -> None:
    # when
    response = client.post(
        f"{BASE}/deployment-configs",
        content=b"{not json",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    # then
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "json_invalid",
                "loc": ["body", 1],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "Expecting property name enclosed in double quotes"},
            }
        ]
    }


def test_create_config_error_generic_engine(client: TestClient) -> None:
    # when
    response = client.post(f"{BASE}/deployment-configs", json={**CONFIG, "engine": "generic"}, headers=AUTH)
    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The 'generic' engine requires executor_config.image_name and "
        "executor_config.health_check_path to be set (no platform default exists for a generic container)."
    }


def test_update_config(client: TestClient) -> None:
    # given
    create_config(client)
    body = {"engine": "vllm", "model_spec": {}, "executor_config": {"gpu": 0}}
    # when
    response = client.post(f"{BASE}/deployment-configs/cfg", json=body, headers=AUTH)
    # then
    assert response.status_code == 201
    assert response.json()["entity_version"] == 2
    versions = client.get(f"{BASE}/deployment-configs/cfg/versions", headers=AUTH).json()
    assert [v["entity_version"] for v in versions] == [2, 1]


def test_delete_config(client: TestClient) -> None:
    # given
    create_config(client)
    # when
    response = client.delete(f"{BASE}/deployment-configs/cfg", headers=AUTH)
    # then
    assert (response.status_code, response.content) == (204, b"")
    missing = client.get(f"{BASE}/deployment-configs/cfg", headers=AUTH)
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "Deployment config 'default/cfg' not found"},
    )


def test_delete_config_error_in_use(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    # when
    response = client.delete(f"{BASE}/deployment-configs/cfg/versions/1", headers=AUTH)
    # then
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cannot delete ModelDeploymentConfig 'default/cfg' version 1 because 1 ModelDeployment(s) "
        "still reference it and are not in DELETED status"
    }


def test_list_configs_drops_nulls(client: TestClient) -> None:
    # given
    create_config(client)
    # when
    page = client.get(f"{BASE}/deployment-configs", params={"filter[name]": "cfg"}, headers=AUTH).json()
    # then
    assert [c["name"] for c in page["data"]] == ["cfg"]
    assert "project" not in page["data"][0]
    assert "image_name" not in page["data"][0]["executor_config"]
    assert page["sort"] == "created_at"


def test_create_deployment_lifecycle(client: TestClient) -> None:
    # given
    settings(client, INSTANT)
    create_config(client)
    # when
    created = create_deployment(client)
    # then
    assert (created["status"], created["entity_version"], created["config_version"]) == ("CREATED", 1, 1)
    ready = client.get(f"{BASE}/deployments/dep", headers=AUTH).json()
    assert (ready["status"], ready["model_provider_id"]) == ("READY", "default/dep")


def test_create_deployment_error_conflict(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    # when
    response = client.post(f"{BASE}/deployments", json={"name": "dep", "config": "cfg"}, headers=AUTH)
    # then
    assert response.status_code == 409
    assert response.json() == {"detail": "Deployment with workspace 'default' and name 'dep' already exists"}


def test_create_deployment_error_missing_config(client: TestClient) -> None:
    # when
    response = client.post(f"{BASE}/deployments", json={"name": "dep", "config": "nope"}, headers=AUTH)
    # then
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Deployment config 'default/nope' does not exist"},
    )


def test_create_deployment_error_missing_body(client: TestClient) -> None:
    # when
    response = client.post(f"{BASE}/deployments", headers=AUTH)
    # then
    assert response.status_code == 422
    assert response.json() == {"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]}


def test_update_deployment(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    # when
    response = client.post(f"{BASE}/deployments/dep", json={"config": "cfg", "config_version": 1}, headers=AUTH)
    # then
    assert response.status_code == 201
    assert (response.json()["entity_version"], response.json()["status"]) == (2, "PENDING")
    assert client.get(f"{BASE}/deployments/dep/versions/1", headers=AUTH).json()["entity_version"] == 1


def test_update_deployment_error_injected_conflict(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    settings(client, {"inject_update_conflict": True})
    # when
    response = client.post(f"{BASE}/deployments/dep", json={"config": "cfg"}, headers=AUTH)
    # then
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Concurrent modification - please retry."},
    )
    assert client.post(f"{BASE}/deployments/dep", json={"config": "cfg"}, headers=AUTH).status_code == 201


def test_update_deployment_status(client: TestClient) -> None:
    # given
    settings(client, {"controller_enabled": False})
    create_config(client)
    create_deployment(client)
    body = {"status": "READY", "status_message": "serving", "model_provider_id": "default/prov"}
    # when
    response = client.post(f"{BASE}/deployments/dep/status", params={"version": "1"}, json=body, headers=AUTH)
    # then
    assert response.status_code == 200
    record = response.json()
    assert (record["status"], record["status_message"], record["model_provider_id"]) == (
        "READY",
        "serving",
        "default/prov",
    )
    assert [h["status"] for h in record["status_history"]] == ["CREATED", "READY"]


def test_update_deployment_status_error_invalid_version(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    # when
    response = client.post(
        f"{BASE}/deployments/dep/status", params={"version": "two"}, json={"status": "READY"}, headers=AUTH
    )
    # then
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid version 'two': must be a positive integer"}


def test_update_deployment_status_error_bad_status(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    # when
    response = client.post(f"{BASE}/deployments/dep/status", json={"status": "UP"}, headers=AUTH)
    # then
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "enum",
                "loc": ["body", "status"],
                "msg": f"Input should be {STATUSES}",
                "input": "UP",
                "ctx": {"expected": STATUSES},
            }
        ]
    }


def test_delete_deployment(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    # when
    response = client.delete(f"{BASE}/deployments/dep", headers=AUTH)
    # then
    assert (response.status_code, response.json()) == (202, None)
    assert client.get(f"{BASE}/deployments/dep", headers=AUTH).json()["status"] == "DELETING"
    settings(client, INSTANT)
    gone = client.get(f"{BASE}/deployments/dep", headers=AUTH)
    assert (gone.status_code, gone.json()) == (404, {"detail": "Deployment 'default/dep' not found"})
    assert client.get(f"{BASE}/deployments/dep/versions", headers=AUTH).json() == []


def test_deployment_models(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client)
    # when
    response = client.get(f"{BASE}/deployments/dep/models", headers=AUTH)
    # then
    assert response.json() == {"workspace": "default", "name": "dep", "models": []}


def test_list_deployments(client: TestClient) -> None:
    # given
    create_config(client)
    create_deployment(client, "dep-a")
    create_deployment(client, "dep-b")
    # when
    page = client.get(f"{BASE}/deployments", params={"page_size": 1}, headers=AUTH).json()
    # then
    assert [d["name"] for d in page["data"]] == ["dep-a"]
    assert page["pagination"]["total_results"] == 2
    assert "project" not in page["data"][0]


def test_control_api_seed_drift_and_delete(client: TestClient) -> None:
    # given: objects seeded without API calls
    settings(client, {"controller_enabled": False})
    seeded = client.post(
        "/_emulator/nemo/objects/deployments",
        json={"name": "dep", "workspace": "default", "config": "cfg", "status": "READY"},
    ).json()
    # when: drift, then out-of-band delete
    client.patch("/_emulator/nemo/objects/deployments/default:dep", json={"status": "LOST"})
    drifted = client.get(f"{BASE}/deployments/dep", headers=AUTH).json()
    inventory = client.get("/_emulator/inventory", params={"vendor": "nemo"}).json()
    deleted = client.delete("/_emulator/nemo/objects/deployments/default:dep")
    # then
    assert seeded["entity_version"] == 1
    assert drifted["status"] == "LOST"
    assert [d["name"] for d in inventory["nemo"]["deployments"]] == ["dep"]
    assert deleted.status_code == 200
    assert client.get(f"{BASE}/deployments/dep", headers=AUTH).status_code == 404


def test_fault_injection_uses_detail_body(client: TestClient) -> None:
    # given
    client.post("/_emulator/faults", json={"vendor": "nemo", "status": 503, "message": "try later"})
    # when
    response = client.get(f"{BASE}/deployments", headers=AUTH)
    # then
    assert (response.status_code, response.json()) == (503, {"detail": "try later"})


def test_coverage_table_matches_routes() -> None:
    # given
    table = (Path(nemo.__file__).parent / "COVERAGE.md").read_text()
    documented = {
        (cells[1], cells[2])
        for line in table.splitlines()
        if (cells := [c.strip() for c in line.split("|")])[1:2] and cells[1] in ("GET", "POST", "DELETE")
    }
    # when
    served = {
        (method, route.path.removeprefix("/apis/models/v2/workspaces/{workspace}"))
        for route in Emulator().router().routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    # then
    assert documented == served
