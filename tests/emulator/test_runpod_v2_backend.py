"""RunPod REST v2 over the shared backend, without HTTP: rollouts over emulated time, failed
releases, releases made by v1 changes, the one-state mapping, inventory, and the schema checker."""

from __future__ import annotations

from typing import Any

import pytest
from fake_clock import FakeClock

from pulumi_deploy.emulator.runpod import RunpodBackend, RunpodV2
from pulumi_deploy.emulator.runpod.v2_errors import Problem
from pulumi_deploy.emulator.runpod.v2_validator import Schema, check

GPU_ENDPOINT: dict[str, Any] = {
    "name": "llm",
    "type": "QUEUE",
    "image": "acme/worker:1",
    "gpu": {"pools": ["AMPERE_24"]},
    "scaling": {"type": "QUEUE_DELAY", "queueDelay": 4},
}


@pytest.fixture
def backend(clock: FakeClock) -> RunpodBackend:
    return RunpodBackend(clock=clock)


@pytest.fixture
def v2(backend: RunpodBackend) -> RunpodV2:
    return RunpodV2(backend)


def endpoint(v2: RunpodV2, **overrides: Any) -> dict[str, Any]:
    return v2.create_endpoint({**GPU_ENDPOINT, **overrides})


def rollout(v2: RunpodV2, endpoint_id: str) -> dict[str, Any]:
    return v2.list_releases(endpoint_id)["rollout"]  # type: ignore[no-any-return]


# -- rollouts -----------------------------------------------------------------------------------


def test_a_release_rolls_one_worker_per_read(v2: RunpodV2) -> None:
    created = endpoint(v2, workers={"min": 3, "max": 3})
    assert rollout(v2, created["id"]) == {
        "inProgress": False,
        "workersOnLatest": 3,
        "workersTotal": 3,
        "percentOnLatest": 100,
    }
    v2.update_endpoint(created["id"], {"image": "acme/worker:2"})
    seen = [rollout(v2, created["id"]) for _ in range(4)]
    assert [(r["inProgress"], r["workersOnLatest"], r["percentOnLatest"]) for r in seen] == [
        (True, 1, 33),
        (True, 2, 66),
        (False, 3, 100),
        (False, 3, 100),
    ]
    releases = v2.list_releases(created["id"])
    assert releases["endpointVersion"] == 1
    assert [(r["version"], r["workerCount"]) for r in releases["releases"]] == [(1, 3), (0, 0)]
    assert releases["releases"][0]["diff"] == [{"field": "image", "old": "acme/worker:1", "new": "acme/worker:2"}]


def test_workers_show_stale_versions_mid_rollout(v2: RunpodV2, backend: RunpodBackend) -> None:
    backend.update_settings({"rollout_workers_per_read": 0})
    created = endpoint(v2, workers={"min": 2, "max": 2}, dataCenterIds=["EU-RO-1"])
    v2.update_endpoint(created["id"], {"gpu": {"pools": ["ADA_24"]}})
    workers = v2.list_workers(created["id"])
    assert [(w["version"], w["isStale"], w["status"]) for w in workers["workers"]] == [
        (0, True, "IDLE"),
        (0, True, "IDLE"),
    ]
    assert workers["workers"][0]["gpuTypeId"] == "NVIDIA GeForce RTX 4090"
    assert workers["workers"][0]["dataCenterId"] == "EU-RO-1"
    backend.control_action("rollout_step", {"endpointId": created["id"], "steps": 5})
    assert {w["version"] for w in v2.list_workers(created["id"])["workers"]} == {1}


def test_clock_driven_steps_need_no_reads(v2: RunpodV2, backend: RunpodBackend, clock: FakeClock) -> None:
    backend.update_settings({"rollout_workers_per_read": 0, "rollout_step_seconds": 10.0})
    created = endpoint(v2, workers={"min": 3, "max": 3})
    v2.update_endpoint(created["id"], {"env": {"A": "1"}})
    clock.advance(9)
    backend.advance()
    assert rollout(v2, created["id"])["workersOnLatest"] == 0
    clock.advance(1)
    backend.advance()
    assert rollout(v2, created["id"])["workersOnLatest"] == 1
    clock.advance(25)
    backend.advance()
    assert rollout(v2, created["id"])["workersOnLatest"] == 3


def test_an_endpoint_without_workers_has_nothing_to_roll(v2: RunpodV2) -> None:
    created = endpoint(v2)  # workers.min 0 and no traffic
    v2.update_endpoint(created["id"], {"image": "acme/worker:2"})
    assert rollout(v2, created["id"]) == {
        "inProgress": False,
        "workersOnLatest": 0,
        "workersTotal": 0,
        "percentOnLatest": 0,
    }


def test_traffic_workers_bring_workers_up_to_max(v2: RunpodV2, backend: RunpodBackend) -> None:
    backend.update_settings({"traffic_workers": 5})
    created = endpoint(v2, workers={"min": 0, "max": 2})
    assert rollout(v2, created["id"])["workersTotal"] == 2


def test_scaling_down_mid_rollout_removes_stale_workers_first(v2: RunpodV2, backend: RunpodBackend) -> None:
    backend.update_settings({"rollout_workers_per_read": 0})
    created = endpoint(v2, workers={"min": 3, "max": 3})
    v2.update_endpoint(created["id"], {"image": "acme/worker:2"})
    backend.control_action("rollout_step", {"endpointId": created["id"]})
    v2.update_endpoint(created["id"], {"workers": {"min": 1}})
    assert rollout(v2, created["id"]) == {
        "inProgress": False,
        "workersOnLatest": 1,
        "workersTotal": 1,
        "percentOnLatest": 100,
    }


def test_a_failed_release_halts_with_an_unhealthy_surge_worker(v2: RunpodV2, backend: RunpodBackend) -> None:
    created = endpoint(v2, workers={"min": 2, "max": 2})
    backend.update_settings({"fail_new_releases": True})
    v2.update_endpoint(created["id"], {"image": "acme/broken:1"})
    for _ in range(5):
        state = rollout(v2, created["id"])
    assert state == {"inProgress": True, "workersOnLatest": 1, "workersTotal": 3, "percentOnLatest": 33}
    workers = v2.list_workers(created["id"])
    assert [(w["version"], w["status"]) for w in workers["workers"]] == [(0, "IDLE"), (0, "IDLE"), (1, "UNHEALTHY")]
    assert workers["summary"] == {
        "running": 0,
        "idle": 2,
        "initializing": 0,
        "throttled": 0,
        "unhealthy": 1,
        "total": 3,
    }
    # a fixed release rolls on normally
    backend.update_settings({"fail_new_releases": False})
    v2.update_endpoint(created["id"], {"image": "acme/worker:3"})
    for _ in range(5):
        state = rollout(v2, created["id"])
    assert state == {"inProgress": False, "workersOnLatest": 2, "workersTotal": 2, "percentOnLatest": 100}


def test_fail_release_action_turns_rolled_workers_unhealthy(v2: RunpodV2, backend: RunpodBackend) -> None:
    created = endpoint(v2, workers={"min": 2, "max": 2})
    v2.update_endpoint(created["id"], {"image": "acme/worker:2"})
    rollout(v2, created["id"])  # one worker on the new version
    backend.control_action("fail_release", {"endpointId": created["id"]})
    for _ in range(3):
        state = rollout(v2, created["id"])
    assert state["inProgress"] is True and state["workersOnLatest"] == 1
    assert [w["status"] for w in v2.list_workers(created["id"])["workers"] if not w["isStale"]] == ["UNHEALTHY"]


def test_unknown_control_action_is_a_key_error(backend: RunpodBackend, v2: RunpodV2) -> None:
    created = endpoint(v2)
    with pytest.raises(KeyError, match="unknown action 'explode'"):
        backend.control_action("explode", {"endpointId": created["id"]})


# -- releases made through v1 -------------------------------------------------------------------


def test_v1_changes_make_releases_with_v1_field_names(backend: RunpodBackend, v2: RunpodV2) -> None:
    template = backend.create_template({"name": "t", "imageName": "acme/w:1", "isServerless": True})
    v1 = backend.create_endpoint({"templateId": template["id"], "gpuTypeIds": ["NVIDIA L4"]})
    backend.update_endpoint(v1["id"], {"gpuCount": 2})
    backend.update_template(template["id"], {"imageName": "acme/w:2"})
    releases = v2.list_releases(v1["id"])
    assert releases["endpointVersion"] == 2
    assert [r["diff"] for r in releases["releases"]] == [
        [{"field": "template.imageName", "old": "acme/w:1", "new": "acme/w:2"}],
        [{"field": "gpuCount", "old": 1, "new": 2}],
        [],
    ]
    assert v2.get_endpoint(v1["id"])["image"] == "acme/w:2"  # a v1 link follows its template


# -- one state ----------------------------------------------------------------------------------


def test_v1_gpu_types_replace_the_v2_pool_selection(backend: RunpodBackend, v2: RunpodV2) -> None:
    created = endpoint(v2, gpu={"pools": ["AMPERE_24"], "excludedTypes": ["NVIDIA L4"]})
    backend.update_endpoint(created["id"], {"gpuTypeIds": ["NVIDIA GeForce RTX 4090", "NVIDIA L4"]})
    gpu = v2.get_endpoint(created["id"])["gpu"]
    assert (gpu["pools"], gpu["excludedTypes"]) == (
        ["ADA_24", "AMPERE_24"],
        ["NVIDIA RTX A5000", "NVIDIA GeForce RTX 3090"],
    )


def test_v1_delete_of_a_v2_endpoint_takes_its_bound_template(backend: RunpodBackend, v2: RunpodV2) -> None:
    created = endpoint(v2)
    assert [e["id"] for e in backend.list_endpoints()] == [created["id"]]
    backend.delete_endpoint(created["id"])
    assert backend.stores["templates"] == {} and backend.rollouts.by_endpoint == {}


def test_refused_update_changes_nothing(v2: RunpodV2, backend: RunpodBackend) -> None:
    created = endpoint(v2)
    before = backend.inventory()
    with pytest.raises(Problem) as refused:
        v2.update_endpoint(created["id"], {"image": "acme/worker:2", "workers": {"min": 9, "max": 1}})
    assert refused.value.status == 400
    assert backend.inventory() == before


def test_inventory_lists_v2_kinds_only_when_they_hold_something(backend: RunpodBackend, v2: RunpodV2) -> None:
    assert backend.inventory() == {"endpoints": [], "templates": [], "networkvolumes": []}
    registry = v2.create_registry({"name": "ghcr", "username": "bot", "password": "pw"})
    created = endpoint(v2, registry=registry["id"])
    inventory = backend.inventory()
    assert [r["id"] for r in inventory["registries"]] == [registry["id"]]
    assert inventory["registries"][0]["username"] == "bot" and "password" not in inventory["registries"][0]
    assert inventory["releases"] == [
        {"endpointId": created["id"], "id": inventory["releases"][0]["id"], "version": 0, "failed": False, "diff": []}
    ]
    backend.reset()
    assert backend.inventory() == {"endpoints": [], "templates": [], "networkvolumes": []}


# -- the schema checker -------------------------------------------------------------------------


def test_checker_collects_every_violation_and_honours_null_and_json_integers() -> None:
    schema = Schema(
        "object",
        props={"a": Schema("integer", minimum=1), "b": Schema("string", nullable=True), "c": Schema("number")},
        required=("a",),
    )
    assert check({"a": 3.0, "b": None, "c": 1}, schema) == []
    assert check({"b": 1, "c": "x", "d": 0}, schema) == [
        "$: additional properties 'd' not allowed",
        "$: missing properties: 'a'",
        "$.b: expected string or null, but got integer",
        "$.c: expected number, but got string",
    ]


def test_moving_data_centres_away_from_an_attached_volume_is_400(v2: RunpodV2) -> None:
    volume = v2.create_network_volume({"name": "data", "size": 20, "dataCenter": "US-KS-2"})
    created = endpoint(v2, networkVolumes=[volume["id"]])
    with pytest.raises(Problem) as refused:
        v2.update_endpoint(created["id"], {"dataCenterIds": ["EU-RO-1"]})
    assert (
        refused.value.message == f"networkVolumes: network volume '{volume['id']}' is in US-KS-2, not in dataCenterIds"
    )
    moved = v2.update_endpoint(created["id"], {"dataCenterIds": ["US-KS-2"]})
    assert (moved["dataCenterIds"], moved["networkVolumes"]) == (["US-KS-2"], [volume["id"]])


def test_in_place_fields_apply_without_a_release(v2: RunpodV2) -> None:
    created = endpoint(v2)
    v2.update_endpoint(
        created["id"],
        {
            "name": "renamed",
            "flashboot": "FLASHBOOT",
            "timeout": 1000,
            "scaling": {"type": "QUEUE_DELAY", "queueDelay": 0.5},
        },
    )
    after = v2.get_endpoint(created["id"])
    assert (after["name"], after["flashboot"], after["timeout"], after["scaling"]["queueDelay"]) == (
        "renamed",
        "FLASHBOOT",
        1000,
        0.5,
    )
    assert v2.list_releases(created["id"])["endpointVersion"] == 0
