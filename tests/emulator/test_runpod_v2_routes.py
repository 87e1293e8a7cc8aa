"""RunPod REST v2 emulator over HTTP, in-process: codes, problem details, schema and rule violations,
the shared state with v1, and the control API for v2 (call log, faults, actions, mounts)."""

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

V1 = "/runpod/v1"
V2 = "/runpod/v2"
AUTH = {"Authorization": "Bearer rpa_test_key"}
GPU_ENDPOINT: dict[str, Any] = {
    "name": "llm",
    "type": "QUEUE",
    "image": "ghcr.io/acme/worker:1.0",
    "gpu": {"pools": ["AMPERE_24"]},
    "scaling": {"type": "QUEUE_DELAY", "queueDelay": 4},
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app([Emulator()])) as test_client:
        yield test_client


def create(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{V2}{path}", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def endpoint(client: TestClient, **overrides: Any) -> dict[str, Any]:
    return create(client, "/serverless", {**GPU_ENDPOINT, **overrides})


def patch(client: TestClient, path: str, body: Any) -> Any:
    return client.patch(f"{V2}{path}", json=body, headers=AUTH)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# -- identity, auth, errors ---------------------------------------------------------------------


def test_v2_view_is_mounted_next_to_v1_and_listed_in_mounts(client: TestClient) -> None:
    mounts = client.get("/_emulator/mounts").json()
    assert {"vendor": "runpod", "prefix": "/runpod/v1", "base_url_env": "RUNPOD_V1_BASE_URL"} in mounts
    assert {"vendor": "runpod", "prefix": "/runpod/v2", "base_url_env": "RUNPOD_BASE_URL"} in mounts
    assert client.get("/_emulator/vendors").json() == {"runpod": "/runpod/v1"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/serverless"),
        ("POST", "/serverless"),
        ("PATCH", "/serverless/x"),
        ("DELETE", "/serverless/x"),
        ("GET", "/serverless/x/releases"),
        ("GET", "/templates"),
        ("GET", "/network-volumes"),
        ("GET", "/registries"),
        ("GET", "/catalog/gpus"),
    ],
)
def test_every_route_needs_a_bearer_token(client: TestClient, method: str, path: str) -> None:
    body = problem(client.request(method, f"{V2}{path}", json={}), 401)
    assert body == {"title": "Unauthorized", "status": 401, "detail": "missing bearer token"}


def test_unknown_endpoint_is_a_404_problem(client: TestClient) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        body = problem(client.request(method, f"{V2}/serverless/nosuch", json={}, headers=AUTH), 404)
        assert body == {"title": "Not Found", "status": 404, "detail": "endpoint nosuch not found"}


def test_invalid_json_is_a_400_problem(client: TestClient) -> None:
    response = client.post(
        f"{V2}/serverless", content=b"{not json", headers={**AUTH, "content-type": "application/json"}
    )
    assert problem(response, 400)["detail"] == "request body is not valid JSON"


# -- endpoint create ----------------------------------------------------------------------------


def test_create_gpu_endpoint_answers_201_with_server_defaults(client: TestClient) -> None:
    created = endpoint(client)
    eid = created["id"]
    assert created == {
        "id": eid,
        "name": "llm",
        "type": "QUEUE",
        "requestUrls": {
            "run": f"https://api.runpod.ai/v2/{eid}/run",
            "runSync": f"https://api.runpod.ai/v2/{eid}/runsync",
            "status": f"https://api.runpod.ai/v2/{eid}/status/{{job_id}}",
            "stream": f"https://api.runpod.ai/v2/{eid}/stream/{{job_id}}",
            "cancel": f"https://api.runpod.ai/v2/{eid}/cancel/{{job_id}}",
            "retry": f"https://api.runpod.ai/v2/{eid}/retry/{{job_id}}",
            "purgeQueue": f"https://api.runpod.ai/v2/{eid}/purge-queue",
            "health": f"https://api.runpod.ai/v2/{eid}/health",
        },
        "image": "ghcr.io/acme/worker:1.0",
        "args": "",
        "disk": 20,
        "ports": [],
        "env": {},
        "registry": None,
        "gpu": {"pools": ["AMPERE_24"], "count": 1, "allowedCudaVersions": [], "minCudaVersion": None},
        "workers": {"min": 0, "max": 3, "idleTimeout": 10},
        "scaling": {"type": "QUEUE_DELAY", "queueDelay": 4},
        "dataCenterIds": [],
        "networkVolumes": [],
        "timeout": 300000,
        "flashboot": "OFF",
        "createdAt": created["createdAt"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", created["createdAt"])
    assert client.get(f"{V2}/serverless/{eid}", headers=AUTH).json() == created


def test_list_wraps_endpoints_in_an_object(client: TestClient) -> None:
    first, second = endpoint(client, name="a"), endpoint(client, name="b")
    listed = client.get(f"{V2}/serverless", headers=AUTH).json()
    assert listed == {"endpoints": [first, second]}


def test_create_cpu_endpoint_derives_memory_and_has_no_gpu(client: TestClient) -> None:
    body = {**GPU_ENDPOINT, "cpu": [{"id": "cpu5c", "vcpuCount": 4}, {"id": "cpu3g", "vcpuCount": 8}]}
    del body["gpu"]
    created = create(client, "/serverless", body)
    assert created["gpu"] is None
    assert created["cpu"] == [
        {"id": "cpu5c", "vcpuCount": 4, "memory": 8},
        {"id": "cpu3g", "vcpuCount": 8, "memory": 32},
    ]


def test_load_balancer_endpoint_has_base_urls_and_scales_on_requests(client: TestClient) -> None:
    created = endpoint(
        client, type="LOAD_BALANCER", scaling={"type": "REQUEST_COUNT", "requestCount": 3}, workers={"idleTimeout": 30}
    )
    eid = created["id"]
    assert created["requestUrls"] == {
        "base": f"https://{eid}.api.runpod.ai",
        "health": f"https://{eid}.api.runpod.ai/ping",
    }
    assert created["workers"]["idleTimeout"] == 30


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"bogus": 1}, ["$: additional properties 'bogus' not allowed"]),
        (
            {"gpu": {"pools": ["AMPERE_24"], "gpuTypeIds": ["NVIDIA L4"]}},
            ["$.gpu: additional properties 'gpuTypeIds' not allowed"],
        ),
        ({"type": "SYNC"}, ['$.type: value must be one of "QUEUE", "LOAD_BALANCER"']),
        (
            {"scaling": {"type": "QUEUE_DELAY", "queueDelay": 0.4}},
            ["$.scaling.queueDelay: must be >= 0.5 but found 0.4"],
        ),
        (
            {"scaling": {"type": "REQUEST_COUNT", "requestCount": 0}},
            ["$.scaling.requestCount: must be >= 1 but found 0"],
        ),
        (
            {"scaling": {"type": "QUEUE_DELAY", "requestCount": 2}},
            [
                "$.scaling: additional properties 'requestCount' not allowed",
                "$.scaling: missing properties: 'queueDelay'",
            ],
        ),
        ({"workers": {"idleTimeout": 0}}, ["$.workers.idleTimeout: must be >= 1 but found 0"]),
        ({"workers": {"idleTimeout": 3601}}, ["$.workers.idleTimeout: must be <= 3600 but found 3601"]),
        ({"workers": {"max": -1}}, ["$.workers.max: must be >= 0 but found -1"]),
        ({"gpu": {"pools": []}}, ["$.gpu.pools: minimum 1 items required, but found 0 items"]),
        ({"gpu": {"pools": ["AMPERE_24"], "count": 0}}, ["$.gpu.count: must be >= 1 but found 0"]),
        ({"gpu": {"count": 1}}, ["$.gpu: missing properties: 'pools'"]),
        (
            {"gpu": {"pools": ["AMPERE_24"], "minCudaVersion": "12"}},
            ['$.gpu.minCudaVersion: "12" does not match pattern "^\\\\d+\\\\.\\\\d+$"'],
        ),
        (
            {"gpu": {"pools": ["AMPERE_24"], "excludedTypes": ["NVIDIA L4", "NVIDIA L4"]}},
            ["$.gpu.excludedTypes: items at index 0 and 1 are equal"],
        ),
        ({"flashboot": True}, ["$.flashboot: expected string, but got boolean"]),
        ({"name": ""}, ["$.name: length must be >= 1, but got 0"]),
        ({"disk": 0}, ["$.disk: must be >= 1 but found 0"]),
        ({"type": "LOAD_BALANCER"}, ['$.scaling.type: value must be one of "REQUEST_COUNT"']),
    ],
)
def test_create_schema_violations_are_422_with_every_error(
    client: TestClient, change: dict[str, Any], errors: list[str]
) -> None:
    response = client.post(f"{V2}/serverless", json={**GPU_ENDPOINT, **change}, headers=AUTH)
    body = problem(response, 422)
    assert body == {
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "Request validation failed.",
        "errors": errors,
    }


def test_create_reports_all_missing_required_fields_at_once(client: TestClient) -> None:
    body = problem(client.post(f"{V2}/serverless", json={"gpu": {"pools": ["ADA_24"]}}, headers=AUTH), 422)
    assert body["errors"] == ["$: missing properties: 'name', 'type', 'scaling'"]


def test_create_needs_image_unless_template(client: TestClient) -> None:
    body = {k: v for k, v in GPU_ENDPOINT.items() if k != "image"}
    assert problem(client.post(f"{V2}/serverless", json=body, headers=AUTH), 422)["errors"] == [
        "$: missing properties: 'image'"
    ]


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (
            {"gpu": {"pools": ["ADA_24"], "allowedCudaVersions": ["12.8"], "minCudaVersion": "12.4"}},
            "gpu.allowedCudaVersions and gpu.minCudaVersion are mutually exclusive",
        ),
        (
            {"scaling": {"type": "REQUEST_COUNT", "requestCount": 2}, "workers": {"idleTimeout": 5}},
            "workers.idleTimeout is not applicable to a QUEUE endpoint scaling on REQUEST_COUNT",
        ),
        ({"gpu": {"pools": ["NOPE_24"]}}, "gpu.pools: unknown GPU pool 'NOPE_24'; see GET /v2/catalog/gpus (pool)"),
        (
            {"gpu": {"pools": ["ADA_24"], "excludedTypes": ["NVIDIA L4"]}},
            "gpu.excludedTypes: 'NVIDIA L4' is not a GPU type in the selected pools",
        ),
        (
            {"gpu": {"pools": ["ADA_24"], "excludedTypes": ["NVIDIA GeForce RTX 4090"]}},
            "gpu.excludedTypes: the selection leaves no GPU type",
        ),
        ({"cpu": [{"id": "cpu5c", "vcpuCount": 4}]}, "exactly one of gpu or cpu must be specified"),
        ({"workers": {"min": 4, "max": 2}}, "workers.min (4) must not exceed workers.max (2)"),
        ({"dataCenterIds": ["MARS-1"]}, "dataCenterIds: unknown data center 'MARS-1'; see GET /v2/catalog/datacenters"),
        ({"networkVolumes": ["novol"]}, "networkVolumes: network volume 'novol' not found"),
        ({"registry": "noreg"}, "registry: container registry credential 'noreg' not found"),
    ],
)
def test_create_rule_violations_are_400(client: TestClient, change: dict[str, Any], detail: str) -> None:
    body = problem(client.post(f"{V2}/serverless", json={**GPU_ENDPOINT, **change}, headers=AUTH), 400)
    assert body == {"title": "Bad Request", "status": 400, "detail": detail}
    assert client.get(f"{V2}/serverless", headers=AUTH).json() == {"endpoints": []}


def test_cpu_vcpu_count_must_be_a_power_of_two_within_the_flavor(client: TestClient) -> None:
    body = {k: v for k, v in GPU_ENDPOINT.items() if k != "gpu"}
    response = client.post(f"{V2}/serverless", json={**body, "cpu": [{"id": "cpu5c", "vcpuCount": 6}]}, headers=AUTH)
    assert (
        problem(response, 400)["detail"] == "cpu[0].vcpuCount: 6 is not valid for cpu5c (a power of two from 2 to 32)"
    )


def test_explicit_empty_cuda_set_may_accompany_a_floor(client: TestClient) -> None:
    created = endpoint(client, gpu={"pools": ["ADA_24"], "allowedCudaVersions": [], "minCudaVersion": "12.4"})
    assert created["gpu"]["minCudaVersion"] == "12.4"


def test_excluded_types_are_trimmed_and_subtracted(client: TestClient) -> None:
    created = endpoint(client, gpu={"pools": ["AMPERE_24"], "excludedTypes": [" NVIDIA L4"]})
    assert created["gpu"]["excludedTypes"] == ["NVIDIA L4"]
    v1 = client.get(f"{V1}/endpoints/{created['id']}", headers=AUTH).json()
    assert v1["gpuTypeIds"] == ["NVIDIA RTX A5000", "NVIDIA GeForce RTX 3090"]


# -- templates applied once ---------------------------------------------------------------------


def test_template_id_is_applied_once_and_body_overrides_it(client: TestClient) -> None:
    tpl = create(
        client,
        "/templates",
        {
            "name": "base",
            "image": "acme/a:1",
            "serverless": True,
            "disk": 40,
            "env": {"A": "1", "B": "1"},
            "allowedCudaVersions": ["12.8"],
        },
    )
    body = {k: v for k, v in GPU_ENDPOINT.items() if k != "image"}
    created = create(client, "/serverless", {**body, "templateId": tpl["id"], "env": {"B": "2"}})
    assert (created["image"], created["disk"], created["env"]) == ("acme/a:1", 40, {"A": "1", "B": "2"})
    assert created["gpu"]["allowedCudaVersions"] == ["12.8"]  # seeded from the template
    # later template edits do not reach the endpoint
    assert patch(client, f"/templates/{tpl['id']}", {"image": "acme/a:2"}).status_code == 200
    assert client.get(f"{V2}/serverless/{created['id']}", headers=AUTH).json()["image"] == "acme/a:1"
    # and the endpoint does not hold the template: it can be deleted
    assert client.delete(f"{V2}/templates/{tpl['id']}", headers=AUTH).status_code == 204


def test_template_cuda_set_is_not_seeded_beside_a_floor(client: TestClient) -> None:
    tpl = create(
        client, "/templates", {"name": "cuda", "image": "a:1", "serverless": True, "allowedCudaVersions": ["12.8"]}
    )
    body = {k: v for k, v in GPU_ENDPOINT.items() if k != "image"}
    created = create(
        client, "/serverless", {**body, "templateId": tpl["id"], "gpu": {"pools": ["ADA_24"], "minCudaVersion": "12.4"}}
    )
    assert created["gpu"]["allowedCudaVersions"] == []


def test_template_id_errors(client: TestClient) -> None:
    pod_tpl = create(client, "/templates", {"name": "pod", "image": "a:1"})
    body = {k: v for k, v in GPU_ENDPOINT.items() if k != "image"}
    missing = client.post(f"{V2}/serverless", json={**body, "templateId": "nosuchtpl"}, headers=AUTH)
    assert problem(missing, 404)["detail"] == "template nosuchtpl not found"
    not_serverless = client.post(f"{V2}/serverless", json={**body, "templateId": pod_tpl["id"]}, headers=AUTH)
    assert problem(not_serverless, 422)["detail"] == f"template {pod_tpl['id']} is not a serverless template"


def test_patch_with_template_id_replaces_env_and_starts_a_release(client: TestClient) -> None:
    created = endpoint(client, env={"OLD": "1"})
    tpl = create(client, "/templates", {"name": "t2", "image": "acme/b:2", "serverless": True, "env": {"T": "1"}})
    updated = patch(client, f"/serverless/{created['id']}", {"templateId": tpl["id"], "env": {"X": "1"}}).json()
    assert (updated["image"], updated["env"]) == ("acme/b:2", {"T": "1", "X": "1"})
    releases = client.get(f"{V2}/serverless/{created['id']}/releases", headers=AUTH).json()
    assert releases["endpointVersion"] == 1
    assert [d["field"] for d in releases["releases"][0]["diff"]] == ["image", "disk", "env"]


# -- endpoint PATCH -----------------------------------------------------------------------------


def test_patch_is_sparse_and_workers_do_not_make_a_release(client: TestClient) -> None:
    created = endpoint(client)
    updated = patch(client, f"/serverless/{created['id']}", {"workers": {"max": 5}})
    assert updated.status_code == 200
    assert updated.json() == {**created, "workers": {**created["workers"], "max": 5}}
    releases = client.get(f"{V2}/serverless/{created['id']}/releases", headers=AUTH).json()
    assert (releases["endpointVersion"], len(releases["releases"])) == (0, 1)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"type": "LOAD_BALANCER"}, ["$: additional properties 'type' not allowed"]),
        ({"gpu": {"excludedTypes": ["NVIDIA L4"]}}, ["$.gpu: property 'excludedTypes' requires property 'pools'"]),
        (
            {"gpu": {"minCudaVersion": "x"}},
            ['$.gpu.minCudaVersion: "x" does not match pattern "^$|^\\\\d+\\\\.\\\\d+$"'],
        ),
        (
            {"workers": {"idleTimeout": 0}, "timeout": "1"},
            ["$.workers.idleTimeout: must be >= 1 but found 0", "$.timeout: expected integer, but got string"],
        ),
        ([], ["$: expected object, but got array"]),
    ],
)
def test_patch_schema_violations_are_422(client: TestClient, body: Any, errors: list[str]) -> None:
    created = endpoint(client)
    assert problem(patch(client, f"/serverless/{created['id']}", body), 422)["errors"] == errors
    assert client.get(f"{V2}/serverless/{created['id']}", headers=AUTH).json() == created


def test_patch_pools_without_exclusions_clears_them(client: TestClient) -> None:
    created = endpoint(client, gpu={"pools": ["AMPERE_24"], "excludedTypes": ["NVIDIA L4"]})
    kept = patch(client, f"/serverless/{created['id']}", {"gpu": {"count": 2}}).json()
    assert kept["gpu"]["excludedTypes"] == ["NVIDIA L4"]
    cleared = patch(client, f"/serverless/{created['id']}", {"gpu": {"pools": ["AMPERE_24", "ADA_24"]}}).json()
    assert "excludedTypes" not in cleared["gpu"] and cleared["gpu"]["pools"] == ["AMPERE_24", "ADA_24"]


def test_patch_cuda_floor_beside_a_stored_set_is_400_unless_cleared(client: TestClient) -> None:
    created = endpoint(client, gpu={"pools": ["ADA_24"], "allowedCudaVersions": ["12.8"]})
    refused = patch(client, f"/serverless/{created['id']}", {"gpu": {"minCudaVersion": "12.4"}})
    assert problem(refused, 400)["detail"] == "gpu.allowedCudaVersions and gpu.minCudaVersion are mutually exclusive"
    ok = patch(client, f"/serverless/{created['id']}", {"gpu": {"minCudaVersion": "12.4", "allowedCudaVersions": []}})
    assert ok.json()["gpu"] == {"pools": ["ADA_24"], "count": 1, "allowedCudaVersions": [], "minCudaVersion": "12.4"}
    cleared = patch(client, f"/serverless/{created['id']}", {"gpu": {"minCudaVersion": ""}})
    assert cleared.json()["gpu"]["minCudaVersion"] is None


def test_patch_compute_family_is_immutable(client: TestClient) -> None:
    gpu = endpoint(client)
    cpu_body = {k: v for k, v in GPU_ENDPOINT.items() if k != "gpu"}
    cpu = create(client, "/serverless", {**cpu_body, "cpu": [{"id": "cpu5c", "vcpuCount": 2}]})
    assert (
        problem(patch(client, f"/serverless/{gpu['id']}", {"cpu": [{"id": "cpu5c", "vcpuCount": 2}]}), 400)["detail"]
        == "cpu cannot be set on a GPU endpoint: compute family is immutable"
    )
    assert (
        problem(patch(client, f"/serverless/{cpu['id']}", {"gpu": {"count": 1}}), 400)["detail"]
        == "gpu cannot be set on a CPU endpoint: compute family is immutable"
    )


def test_patch_idle_timeout_with_request_count_is_400_and_hidden_after_switch(client: TestClient) -> None:
    created = endpoint(client)
    refused = patch(
        client,
        f"/serverless/{created['id']}",
        {"scaling": {"type": "REQUEST_COUNT", "requestCount": 2}, "workers": {"idleTimeout": 5}},
    )
    assert problem(refused, 400)["status"] == 400
    switched = patch(client, f"/serverless/{created['id']}", {"scaling": {"type": "REQUEST_COUNT", "requestCount": 2}})
    assert switched.json()["workers"] == {"min": 0, "max": 3}
    assert switched.json()["scaling"] == {"type": "REQUEST_COUNT", "requestCount": 2}


def test_patch_load_balancer_cannot_scale_on_queue_delay(client: TestClient) -> None:
    created = endpoint(client, type="LOAD_BALANCER", scaling={"type": "REQUEST_COUNT", "requestCount": 3})
    refused = patch(client, f"/serverless/{created['id']}", {"scaling": {"type": "QUEUE_DELAY", "queueDelay": 2}})
    assert problem(refused, 422)["errors"] == ['$.scaling.type: value must be one of "REQUEST_COUNT"']


def test_delete_answers_204_then_404(client: TestClient) -> None:
    created = endpoint(client)
    deleted = client.delete(f"{V2}/serverless/{created['id']}", headers=AUTH)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert client.get(f"{V2}/serverless/{created['id']}", headers=AUTH).status_code == 404
    inventory = client.get("/_emulator/inventory", params={"vendor": "runpod"}).json()["runpod"]
    assert inventory == {"endpoints": [], "templates": [], "networkvolumes": []}  # bound template went with it


# -- one state, two views -----------------------------------------------------------------------


def test_v1_endpoint_is_visible_through_v2_and_v2_through_v1(client: TestClient) -> None:
    tpl = client.post(
        f"{V1}/templates",
        json={"name": "t", "imageName": "acme/w:1", "isServerless": True, "env": {"K": "V"}},
        headers=AUTH,
    ).json()
    v1 = client.post(
        f"{V1}/endpoints",
        json={"templateId": tpl["id"], "gpuTypeIds": ["NVIDIA GeForce RTX 4090"], "workersMax": 2, "name": "svc"},
        headers=AUTH,
    ).json()
    seen = client.get(f"{V2}/serverless/{v1['id']}", headers=AUTH).json()
    assert (seen["image"], seen["env"], seen["gpu"]["pools"], seen["workers"]["max"]) == (
        "acme/w:1",
        {"K": "V"},
        ["ADA_24"],
        2,
    )
    assert seen["timeout"] == v1["executionTimeoutMs"] and seen["name"] == "svc"

    v2 = endpoint(client, workers={"max": 4})
    back = client.get(f"{V1}/endpoints/{v2['id']}", params={"includeTemplate": "true"}, headers=AUTH).json()
    assert (back["workersMax"], back["template"]["imageName"]) == (4, "ghcr.io/acme/worker:1.0")
    assert "type" not in back and "gpuPools" not in back  # v2-only facts stay out of the v1 view
    bound = client.get(f"{V1}/templates", headers=AUTH).json()
    assert [t["id"] for t in bound] == [tpl["id"]]  # an endpoint's own template is hidden from lists
    assert (
        len(client.get(f"{V1}/templates", params={"includeEndpointBoundTemplates": "true"}, headers=AUTH).json()) == 2
    )


def test_v2_container_change_on_a_v1_endpoint_forks_the_shared_template(client: TestClient) -> None:
    tpl = client.post(
        f"{V1}/templates", json={"name": "t", "imageName": "acme/w:1", "isServerless": True}, headers=AUTH
    ).json()
    v1 = client.post(f"{V1}/endpoints", json={"templateId": tpl["id"]}, headers=AUTH).json()
    updated = patch(client, f"/serverless/{v1['id']}", {"image": "acme/w:2"}).json()
    assert updated["image"] == "acme/w:2"
    assert client.get(f"{V2}/templates/{tpl['id']}", headers=AUTH).json()["image"] == "acme/w:1"
    assert client.get(f"{V1}/endpoints/{v1['id']}", headers=AUTH).json()["templateId"] != tpl["id"]


# -- templates, network volumes, registries -----------------------------------------------------


def test_template_crud_and_rules(client: TestClient) -> None:
    tpl = create(
        client, "/templates", {"name": "t", "image": "a:1", "args": "python -u 'h.py'", "ports": ["8000/http"]}
    )
    assert tpl == {
        "id": tpl["id"],
        "name": "t",
        "image": "a:1",
        "args": "python -u 'h.py'",
        "disk": 50,
        "ports": ["8000/http"],
        "env": {},
        "registry": None,
        "mounts": {},
        "serverless": False,
        "public": False,
        "category": "NVIDIA",
        "startSsh": True,
        "startJupyter": True,
        "allowedCudaVersions": [],
    }
    assert client.get(f"{V2}/templates", headers=AUTH).json() == {"templates": [tpl]}
    dup = client.post(f"{V2}/templates", json={"name": "t", "image": "b:1"}, headers=AUTH)
    assert problem(dup, 400)["detail"] == 'Template name "t" is already in use; template names must be unique'
    assert problem(client.post(f"{V2}/templates", json={"name": "u"}, headers=AUTH), 422)["errors"] == [
        "$: missing properties: 'image'"
    ]
    mounted = patch(
        client, f"/templates/{tpl['id']}", {"serverless": True, "mounts": {"persistent": {"size": 20, "path": "/w"}}}
    )
    assert (mounted.json()["serverless"], mounted.json()["mounts"]) == (
        True,
        {"persistent": {"size": 20, "path": "/w"}},
    )
    bad_mount = patch(client, f"/templates/{tpl['id']}", {"mounts": {"network": []}})
    assert problem(bad_mount, 422)["errors"] == ["$.mounts: additional properties 'network' not allowed"]


def test_template_in_use_by_a_v1_endpoint_cannot_be_deleted(client: TestClient) -> None:
    tpl = create(client, "/templates", {"name": "t", "image": "a:1", "serverless": True})
    ep = client.post(f"{V1}/endpoints", json={"templateId": tpl["id"]}, headers=AUTH).json()
    refused = client.delete(f"{V2}/templates/{tpl['id']}", headers=AUTH)
    assert (
        problem(refused, 400)["detail"]
        == f'Template "{tpl["id"]}" is in use by endpoint {ep["id"]} and cannot be deleted'
    )


def test_network_volume_size_only_grows_and_data_centre_is_fixed(client: TestClient) -> None:
    volume = create(client, "/network-volumes", {"name": "data", "size": 50, "dataCenter": "US-TX-3"})
    assert volume == {"id": volume["id"], "name": "data", "size": 50, "dataCenter": "US-TX-3", "type": "STANDARD"}
    assert patch(client, f"/network-volumes/{volume['id']}", {"size": 50}).status_code == 200  # equal is allowed
    shrink = patch(client, f"/network-volumes/{volume['id']}", {"size": 40})
    assert problem(shrink, 400)["detail"] == "size: network volume storage cannot be reduced (40 < 50)"
    move = patch(client, f"/network-volumes/{volume['id']}", {"dataCenter": "EU-RO-1"})
    assert problem(move, 422)["errors"] == ["$: additional properties 'dataCenter' not allowed"]
    assert problem(patch(client, f"/network-volumes/{volume['id']}", {}), 422)["errors"] == [
        "$: minimum 1 properties required, but found 0"
    ]
    grown = patch(client, f"/network-volumes/{volume['id']}", {"size": 100}).json()
    assert grown["size"] == 100
    assert client.get(f"{V1}/networkvolumes/{volume['id']}", headers=AUTH).json() == {
        "dataCenterId": "US-TX-3",
        "id": volume["id"],
        "name": "data",
        "size": 100,
    }


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"name": "v", "size": 5, "dataCenter": "US-TX-3"}, 422, "Request validation failed."),
        ({"name": "v", "size": 5000, "dataCenter": "US-TX-3"}, 422, "Request validation failed."),
        (
            {"name": "v", "size": 10, "dataCenter": "MARS-1"},
            400,
            "dataCenter: unknown data center 'MARS-1'; see GET /v2/catalog/datacenters",
        ),
        (
            {"name": "v", "size": 10, "dataCenter": "EU-RO-1", "type": "HIGH_PERFORMANCE"},
            400,
            "type: EU-RO-1 offers no HIGH_PERFORMANCE network volumes",
        ),
    ],
)
def test_network_volume_create_rules(client: TestClient, body: dict[str, Any], status: int, detail: str) -> None:
    assert problem(client.post(f"{V2}/network-volumes", json=body, headers=AUTH), status)["detail"] == detail


def test_endpoint_network_volumes_must_be_in_its_data_centres(client: TestClient) -> None:
    volume = create(client, "/network-volumes", {"name": "data", "size": 50, "dataCenter": "US-TX-3"})
    refused = client.post(
        f"{V2}/serverless",
        json={**GPU_ENDPOINT, "networkVolumes": [volume["id"]], "dataCenterIds": ["EU-RO-1"]},
        headers=AUTH,
    )
    assert (
        problem(refused, 400)["detail"]
        == f"networkVolumes: network volume '{volume['id']}' is in US-TX-3, not in dataCenterIds"
    )
    created = endpoint(client, networkVolumes=[volume["id"]], dataCenterIds=["US-TX-3"])
    assert created["networkVolumes"] == [volume["id"]]


def test_registry_has_no_update_and_never_returns_credentials(client: TestClient) -> None:
    registry = create(client, "/registries", {"name": "ghcr", "username": "bot", "password": "s3cret"})
    assert registry == {"id": registry["id"], "name": "ghcr"}
    assert client.get(f"{V2}/registries/{registry['id']}", headers=AUTH).json() == registry
    assert client.get(f"{V2}/registries", headers=AUTH).json() == {"registries": [registry]}
    assert client.patch(f"{V2}/registries/{registry['id']}", json={"name": "x"}, headers=AUTH).status_code == 405
    stored = client.get("/_emulator/inventory", params={"vendor": "runpod"}).json()["runpod"]["registries"]
    assert "s3cret" not in str(stored)
    assert problem(client.post(f"{V2}/registries", json={"name": "r", "username": "u"}, headers=AUTH), 422)[
        "errors"
    ] == ["$: missing properties: 'password'"]


def test_endpoint_uses_a_registry_by_id_and_loses_it_when_deleted(client: TestClient) -> None:
    registry = create(client, "/registries", {"name": "ghcr", "username": "bot", "password": "s3cret"})
    created = endpoint(client, registry=registry["id"])
    assert created["registry"] == registry["id"]
    assert client.delete(f"{V2}/registries/{registry['id']}", headers=AUTH).status_code == 204
    assert client.get(f"{V2}/serverless/{created['id']}", headers=AUTH).json()["registry"] is None
    assert client.get(f"{V2}/registries/{registry['id']}", headers=AUTH).status_code == 404


# -- catalog ------------------------------------------------------------------------------------


def test_catalog_gpu_types_name_their_pools(client: TestClient) -> None:
    gpus = client.get(f"{V2}/catalog/gpus", headers=AUTH).json()["gpus"]
    by_id = {g["id"]: g for g in gpus}
    assert by_id["NVIDIA GeForce RTX 4090"]["pool"] == "ADA_24"
    assert by_id["Tesla T4"]["pool"] is None
    serverless = client.get(
        f"{V2}/catalog/gpus", params={"product": "SERVERLESS", "include": "AVAILABILITY"}, headers=AUTH
    )
    assert all(g["pool"] is not None and g["availability"] == "HIGH" for g in serverless.json()["gpus"])
    one = client.get(f"{V2}/catalog/gpus/NVIDIA L4", headers=AUTH).json()
    assert (one["pool"], one["memory"]) == ("AMPERE_24", 24)
    assert problem(client.get(f"{V2}/catalog/gpus/Nope", headers=AUTH), 404)["detail"] == "GPU type Nope not found"
    assert problem(client.get(f"{V2}/catalog/gpus", params={"include": "PRICES"}, headers=AUTH), 422)["status"] == 422


def test_catalog_cpus_and_data_centres(client: TestClient) -> None:
    cpus = client.get(f"{V2}/catalog/cpus", headers=AUTH).json()["cpus"]
    assert [c["id"] for c in cpus] == ["cpu3c", "cpu3g", "cpu5c", "cpu5g"]
    assert client.get(f"{V2}/catalog/cpus/cpu5g", headers=AUTH).json()["ramGbPerVcpu"] == 4
    dcs = client.get(f"{V2}/catalog/datacenters", headers=AUTH).json()["dataCenters"]
    assert len(dcs) == 26 and {"id", "name", "region", "networkVolumeTypes", "compliance", "globalNetwork"} <= set(
        dcs[0]
    )
    assert client.get(f"{V2}/catalog/datacenters/EU-RO-1", headers=AUTH).json()["region"] == "EUROPE"


# -- control API for v2 -------------------------------------------------------------------------


def test_call_log_names_v2_paths_with_their_version(client: TestClient) -> None:
    created = endpoint(client)
    client.get(f"{V1}/endpoints/{created['id']}", headers=AUTH)
    calls = [(c["vendor"], c["method"], c["path"], c["status"]) for c in client.get("/_emulator/calls").json()]
    assert calls == [("runpod", "POST", "/v2/serverless", 201), ("runpod", "GET", f"/endpoints/{created['id']}", 200)]


def test_faults_and_retry_after_apply_to_v2_in_problem_format(client: TestClient) -> None:
    client.post(
        "/_emulator/faults",
        json={
            "vendor": "runpod",
            "path": "^/v2/serverless$",
            "status": 429,
            "retry_after": 3,
            "message": "rate limit exceeded",
        },
    )
    v1_untouched = client.get(f"{V1}/endpoints", headers=AUTH)
    assert v1_untouched.status_code == 200
    limited = client.get(f"{V2}/serverless", headers=AUTH)
    assert problem(limited, 429) == {"title": "Too Many Requests", "status": 429, "detail": "rate limit exceeded"}
    assert limited.headers["retry-after"] == "3"
    assert client.get(f"{V2}/serverless", headers=AUTH).status_code == 200


def test_lost_create_response_leaves_exactly_one_endpoint(client: TestClient) -> None:
    client.post(
        "/_emulator/faults",
        json={"vendor": "runpod", "kind": "drop_after", "method": "POST", "path": "^/v2/serverless$"},
    )
    with pytest.raises(Exception, match="injected connection drop"):
        client.post(f"{V2}/serverless", json=GPU_ENDPOINT, headers=AUTH)
    assert len(client.get(f"{V2}/serverless", headers=AUTH).json()["endpoints"]) == 1


def test_control_actions_step_and_fail_releases(client: TestClient) -> None:
    client.put("/_emulator/runpod/settings", json={"rollout_workers_per_read": 0})
    created = endpoint(client, workers={"min": 2, "max": 3})
    patch(client, f"/serverless/{created['id']}", {"image": "ghcr.io/acme/worker:2.0"})
    stepped = client.post("/_emulator/runpod/actions/rollout_step", json={"endpointId": created["id"]}).json()
    assert stepped["rollout"] == {"inProgress": True, "workersOnLatest": 1, "workersTotal": 2, "percentOnLatest": 50}
    failed = client.post("/_emulator/runpod/actions/fail_release", json={"endpointId": created["id"]})
    assert failed.status_code == 200
    workers = client.get(f"{V2}/serverless/{created['id']}/workers", headers=AUTH).json()
    assert workers["summary"]["unhealthy"] == 1 and workers["endpointVersion"] == 1
    unknown = client.post("/_emulator/runpod/actions/rollout_step", json={"endpointId": "nope"})
    assert unknown.status_code == 400


def test_coverage_table_matches_v2_routes() -> None:
    coverage = (Path(__file__).parents[2] / "pulumi_deploy/emulator/runpod/COVERAGE.md").read_text()
    documented = set(re.findall(r"^\| (GET|POST|PATCH|DELETE) \| `/v2(/\S+)` \|", coverage, flags=re.MULTILINE))
    served = {
        (method, route.path)
        for route in Emulator().v2.router().routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert {(m, _normalise(p)) for m, p in documented} == {(m, _normalise(p)) for m, p in served}


def _normalise(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)
