"""NeMo models v2 emulator backend, without HTTP (moto style)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fake_clock import FakeClock

from pulumi_deploy.emulator.nemo import NemoBackend
from pulumi_deploy.emulator.nemo import errors as e

WS = "default"
NAME_PATTERN = r"^[a-z](?!.*--)[a-z0-9\-@.+_]{1,62}(?<!-)$"


@pytest.fixture
def backend(clock: FakeClock) -> NemoBackend:
    b = NemoBackend(clock=clock)
    b.update_settings({"created_seconds": 1, "pending_seconds": 2, "deleting_seconds": 1, "hard_delete_seconds": 5})
    return b


def config_body(name: str = "cfg", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "engine": "nim",
        "model_spec": {"model_namespace": "meta", "model_name": "llama-3.1-8b"},
        "executor_config": {"gpu": 1},
    }
    body.update(overrides)
    return body


def make_config(backend: NemoBackend, name: str = "cfg", **overrides: Any) -> dict[str, Any]:
    return backend.create_config(WS, config_body(name, **overrides))


def make_deployment(backend: NemoBackend, name: str = "dep", config: str = "cfg") -> dict[str, Any]:
    if f"{WS}/{config}" not in backend.stores["deployment_configs"]:
        make_config(backend, config)
    return backend.create_deployment(WS, {"name": name, "config": config})


def tick(backend: NemoBackend, clock: FakeClock, seconds: float) -> None:
    clock.now += seconds
    backend.advance()


# -- deployment configs ----------------------------------------------------------------------


def test_create_config() -> None:
    # given
    backend = NemoBackend()
    backend.entities.add_project(WS, "team/a")
    # when
    record = make_config(backend, project="team/a", description="d")
    # then
    assert record["entity_version"] == 1
    assert re.fullmatch(r"model-deployment-config-[1-9A-HJ-NP-Za-km-z]{22}", record["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", record["created_at"])  # no zone, as served
    assert (record["name"], record["workspace"], record["project"]) == ("cfg", WS, "team/a")
    assert record["executor_config"]["disk_size"] == "50Gi"
    assert record["executor_config"]["additional_args"] == []
    assert record["executor_config"]["image_name"] is None
    assert record["model_spec"]["lora_enabled"] is False
    assert record["model_entity_id"] is None
    assert backend.stores["deployment_configs"]["default/cfg"] == record


def test_create_config_error_already_exists(backend: NemoBackend) -> None:
    # given
    make_config(backend)
    # when
    with pytest.raises(e.ConfigAlreadyExists) as exc:
        make_config(backend)
    # then
    assert exc.value.status == 409
    assert exc.value.message == "Deployment config with workspace 'default' and name 'cfg' already exists"


@pytest.mark.parametrize("name", ["A1", "a", "1ab", "a--b", "ab-", "a b"])
def test_create_config_error_invalid_name(backend: NemoBackend, name: str) -> None:
    # when
    with pytest.raises(e.ValidationFailed) as exc:
        make_config(backend, name)
    # then
    assert exc.value.status == 422
    assert exc.value.errors == [
        {
            "type": "string_pattern_mismatch",
            "loc": ["body", "name"],
            "msg": f"String should match pattern '{NAME_PATTERN}'",
            "input": name,
            "ctx": {"pattern": NAME_PATTERN},
        }
    ]


def test_create_config_error_name_too_long(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.ValidationFailed) as exc:
        make_config(backend, "a" * 64)
    # then
    assert exc.value.errors[0]["type"] == "string_too_long"
    assert exc.value.errors[0]["msg"] == "String should have at most 63 characters"


def test_a_version_is_stored_under_its_versioned_name_which_must_keep_the_name_rule(backend: NemoBackend) -> None:
    # given: a 60-character config at version 9 (`<name>-v9` is 63 characters)
    name = "a" * 60
    make_config(backend, name)
    update = {"engine": "nim", "model_spec": {}, "executor_config": {"gpu": 1}}
    for _ in range(8):
        backend.update_config(WS, name, update)
    # when: version 10, and a create of a 61-character name (version 1 is 64 characters)
    with pytest.raises(e.ValidationFailed) as tenth:
        backend.update_config(WS, name, update)
    with pytest.raises(e.ValidationFailed) as longer:
        make_config(backend, "b" * 61)
    # then: refused at the stored name, which the answer quotes; nothing is stored
    assert [(x["type"], x["loc"], x["input"]) for x in tenth.value.errors] == [
        ("string_pattern_mismatch", ["body", "name"], f"{name}-v10")
    ]
    assert longer.value.errors[0]["input"] == "b" * 61 + "-v1"
    assert backend.get_config(WS, name)["entity_version"] == 9
    assert f"{WS}/{'b' * 61}" not in backend.stores["deployment_configs"]


def test_create_config_error_missing_fields_and_bad_enum(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.ValidationFailed) as exc:
        backend.create_config(WS, {"name": "cfg", "engine": "triton", "model_spec": {}})
    # then
    assert [(x["type"], x["loc"]) for x in exc.value.errors] == [
        ("enum", ["body", "engine"]),
        ("missing", ["body", "executor_config"]),
    ]
    assert exc.value.errors[0]["msg"] == "Input should be 'nim', 'vllm' or 'generic'"


def test_create_config_error_negative_gpu(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.ValidationFailed) as exc:
        make_config(backend, executor_config={"gpu": -1})
    # then
    assert exc.value.errors == [
        {
            "type": "greater_than_equal",
            "loc": ["body", "executor_config", "gpu"],
            "msg": "Input should be greater than or equal to 0",
            "input": -1,
            "ctx": {"ge": 0},
        }
    ]


def test_create_config_generic_error_missing_image_and_health(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.BadRequest) as exc:
        make_config(backend, engine="generic", executor_config={"gpu": 0, "image_name": "  "})
    # then
    assert exc.value.status == 400
    assert exc.value.message == (
        "The 'generic' engine requires executor_config.image_name and executor_config.health_check_path "
        "to be set (no platform default exists for a generic container)."
    )


def test_create_config_generic_error_padded_values(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.BadRequest) as exc:
        make_config(
            backend,
            engine="generic",
            executor_config={"gpu": 0, "image_name": " img", "health_check_path": "/h"},
        )
    # then
    assert exc.value.message == "executor_config.image_name must not have leading or trailing whitespace."


def test_create_config_generic_error_lora(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.BadRequest) as exc:
        make_config(
            backend,
            engine="generic",
            model_spec={"lora_enabled": True},
            executor_config={"gpu": 0, "image_name": "img", "health_check_path": "/h"},
        )
    # then
    assert exc.value.message == (
        "The 'generic' engine does not support LoRA (model_spec.lora_enabled); "
        "there is no engine compiler to wire the adapter sidecar against."
    )


def test_create_config_generic(backend: NemoBackend) -> None:
    # when
    record = make_config(
        backend, engine="generic", executor_config={"gpu": 0, "image_name": "img", "health_check_path": "/h"}
    )
    # then
    assert record["engine"] == "generic"


def test_create_config_unknown_fields_ignored(backend: NemoBackend) -> None:
    # when
    record = make_config(backend, colour="red", executor_config={"gpu": 1, "gpus": 2})
    # then
    assert "colour" not in record
    assert "gpus" not in record["executor_config"]


def test_create_config_unknown_fields_rejected_when_strict(backend: NemoBackend) -> None:
    # given
    backend.update_settings({"reject_unknown_fields": True})
    # when
    with pytest.raises(e.ValidationFailed) as exc:
        make_config(backend, colour="red", executor_config={"gpu": 1, "gpus": 2})
    # then
    assert exc.value.errors == [
        {
            "type": "extra_forbidden",
            "loc": ["body", "executor_config", "gpus"],
            "msg": "Extra inputs are not permitted",
            "input": 2,
        },
        {
            "type": "extra_forbidden",
            "loc": ["body", "colour"],
            "msg": "Extra inputs are not permitted",
            "input": "red",
        },
    ]


def test_update_config_writes_new_version(backend: NemoBackend) -> None:
    # given
    backend.entities.add_project(WS, "p")
    v1 = make_config(backend, project="p", description="first")
    # when
    v2 = backend.update_config(WS, "cfg", {"engine": "vllm", "model_spec": {}, "executor_config": {"gpu": 2}})
    # then
    assert v2["entity_version"] == 2
    assert v2["id"] != v1["id"]
    assert (v2["project"], v2["description"], v2["engine"]) == ("p", None, "vllm")
    assert backend.get_config(WS, "cfg") == v2
    assert backend.get_config(WS, "cfg", "1") == v1
    assert [c["entity_version"] for c in backend.list_config_versions(WS, "cfg")] == [2, 1]
    assert backend.history["deployment_configs"]["default/cfg"] == [v1]


def test_update_config_error_unknown(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.BadRequest) as exc:
        backend.update_config(WS, "nope", {"engine": "nim", "model_spec": {}, "executor_config": {"gpu": 1}})
    # then
    assert exc.value.message == "Deployment config with workspace 'default' and name 'nope' does not exist"


def test_get_config_error_not_found(backend: NemoBackend) -> None:
    # given
    make_config(backend)
    # when / then
    with pytest.raises(e.ConfigNotFound) as exc:
        backend.get_config(WS, "nope")
    assert (exc.value.status, exc.value.message) == (404, "Deployment config 'default/nope' not found")
    with pytest.raises(e.ConfigNotFound) as exc:
        backend.get_config(WS, "cfg", "7")
    assert exc.value.message == "Deployment config 'default/cfg' version '7' not found"
    with pytest.raises(e.InvalidVersion) as bad:
        backend.get_config(WS, "cfg", "latest")
    assert (bad.value.status, bad.value.message) == (
        400,
        "Invalid version 'latest': must be a positive integer",
    )


def test_delete_config_error_in_use_until_deployment_deleted(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend)
    # when
    with pytest.raises(e.ConfigInUse) as exc:
        backend.delete_config(WS, "cfg")
    # then
    assert exc.value.status == 409
    assert exc.value.message == (
        "Cannot delete ModelDeploymentConfig 'default/cfg' because 1 ModelDeployment(s) still reference it "
        "and are not in DELETED status. Delete the dependent deployments first."
    )
    backend.delete_deployment(WS, "dep")
    with pytest.raises(e.ConfigInUse):  # DELETING still blocks
        backend.delete_config(WS, "cfg")
    tick(backend, clock, 1)  # -> DELETED
    backend.delete_config(WS, "cfg")
    assert backend.stores["deployment_configs"] == {}


def test_delete_config_refused_while_an_older_deployment_version_using_it_is_not_deleted(
    backend: NemoBackend, clock: FakeClock
) -> None:
    # given: dep v1 uses "cfg", v2 (the latest) uses "cfg2" (a config rename); v1 stays READY in history
    make_deployment(backend)
    tick(backend, clock, 3)
    make_config(backend, "cfg2")
    backend.update_deployment(WS, "dep", {"config": "cfg2"})
    assert backend.get_deployment(WS, "dep", "1")["status"] == "READY"
    # when: the newest version referencing "cfg" is v1, not DELETED
    with pytest.raises(e.ConfigInUse) as refused:
        backend.delete_config(WS, "cfg")
    backend.update_deployment_status(WS, "dep", {"status": "DELETED", "status_message": "retired"}, "1")
    backend.delete_config(WS, "cfg")
    # then
    assert refused.value.message.startswith("Cannot delete ModelDeploymentConfig 'default/cfg' because 1 ")
    assert sorted(backend.stores["deployment_configs"]) == [f"{WS}/cfg2"]
    assert backend.get_deployment(WS, "dep")["status"] == "PENDING"  # the latest version is untouched
    with pytest.raises(e.ConfigInUse):
        backend.delete_config(WS, "cfg2")


def test_delete_config_version(backend: NemoBackend) -> None:
    # given: deployment pinned to v2
    make_config(backend)
    backend.update_config(WS, "cfg", {"engine": "nim", "model_spec": {}, "executor_config": {"gpu": 1}})
    backend.create_deployment(WS, {"name": "dep", "config": "cfg", "config_version": 2})
    # when
    backend.delete_config(WS, "cfg", "1")
    with pytest.raises(e.ConfigInUse) as exc:
        backend.delete_config(WS, "cfg", "2")
    # then
    assert exc.value.message == (
        "Cannot delete ModelDeploymentConfig 'default/cfg' version 2 because 1 ModelDeployment(s) "
        "still reference it and are not in DELETED status"
    )
    assert [c["entity_version"] for c in backend.list_config_versions(WS, "cfg")] == [2]


def test_delete_config_error_not_found(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.ConfigNotFound) as exc:
        backend.delete_config(WS, "nope")
    # then
    assert exc.value.message == "Deployment config 'default/nope' not found"


def test_list_configs(backend: NemoBackend) -> None:
    # given
    make_config(backend, "a-cfg")
    make_config(backend, "b-cfg", description="x")
    backend.update_config(WS, "a-cfg", {"engine": "nim", "model_spec": {}, "executor_config": {"gpu": 1}})
    # when
    page = backend.list_configs(WS, [("filter[name]", "a-cfg")])
    everything = backend.list_configs(WS, [("page_size", "1"), ("page", "2"), ("sort", "name")])
    # then
    assert [(c["name"], c["entity_version"]) for c in page["data"]] == [("a-cfg", 2)]
    assert "project" not in page["data"][0]  # nulls dropped in lists
    assert [c["name"] for c in everything["data"]] == ["b-cfg"]
    assert everything["pagination"] == {
        "page": 2,
        "page_size": 1,
        "current_page_size": 1,
        "total_pages": 2,
        "total_results": 2,
    }


def test_list_configs_error_unknown_filter(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.BadRequest) as exc:
        backend.list_configs(WS, [("filter[engine]", "nim")])
    with pytest.raises(e.ValidationFailed) as bad_page:
        backend.list_configs(WS, [("page", "x")])
    with pytest.raises(e.ServerFailure) as zero:
        backend.list_configs(WS, [("page_size", "0")])
    # then
    assert (exc.value.status, exc.value.message) == (
        400,
        "Unknown filter field 'engine'. Valid fields: ['created_at', 'description', 'entity_type', 'id', "
        "'model_entity_id', 'name', 'project', 'updated_at', 'workspace']",
    )
    assert bad_page.value.errors == [
        {
            "type": "int_parsing",
            "loc": ["query", "page"],
            "input": "x",
            "msg": "Input should be a valid integer, unable to parse string as an integer",
        },
    ]
    assert (zero.value.status, zero.value.message) == (500, "Failed to list deployment configs")


# -- deployments -----------------------------------------------------------------------------


def test_create_deployment(backend: NemoBackend) -> None:
    # given
    make_config(backend)
    backend.entities.add_project(WS, "p")
    # when
    record = backend.create_deployment(WS, {"name": "dep", "config": "cfg", "config_version": 0, "project": "p"})
    # then
    assert record["entity_version"] == 1
    assert re.fullmatch(r"model-deployment-[1-9A-HJ-NP-Za-km-z]{22}", record["id"])
    assert (record["config"], record["config_version"], record["project"]) == ("cfg", 1, "p")
    assert (record["status"], record["status_message"], record["status_history"]) == (
        "CREATED",
        "Deployment created",
        [],
    )
    assert record["model_provider_id"] is None
    assert record["auth_context"]["principal_id"] == ""  # auth off
    assert backend.stores["deployments"]["default/dep"] == record


def test_create_deployment_error_unknown_config(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.BadRequest) as exc:
        backend.create_deployment(WS, {"name": "dep", "config": "nope"})
    # then
    assert (exc.value.status, exc.value.message) == (400, "Deployment config 'default/nope' does not exist")


def test_create_deployment_error_unknown_config_version(backend: NemoBackend) -> None:
    # given
    make_config(backend)
    # when
    with pytest.raises(e.BadRequest) as exc:
        backend.create_deployment(WS, {"name": "dep", "config": "cfg", "config_version": 3})
    # then
    assert exc.value.message == "Deployment config 'default/cfg' version '3' does not exist"


def test_create_deployment_error_name_taken_until_hard_delete(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend)
    backend.delete_deployment(WS, "dep")
    tick(backend, clock, 1)  # DELETED, not yet removed
    # when
    with pytest.raises(e.DeploymentAlreadyExists) as exc:
        make_deployment(backend)
    # then
    assert (exc.value.status, exc.value.message) == (
        409,
        "Deployment with workspace 'default' and name 'dep' already exists",
    )
    tick(backend, clock, 5)  # hard delete
    assert make_deployment(backend)["entity_version"] == 1


def test_deployment_status_progression(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend)
    # when / then
    tick(backend, clock, 0.5)
    assert backend.get_deployment(WS, "dep")["status"] == "CREATED"
    tick(backend, clock, 0.5)
    assert backend.get_deployment(WS, "dep")["status"] == "PENDING"
    tick(backend, clock, 2)
    record = backend.get_deployment(WS, "dep")
    assert (record["status"], record["status_message"], record["model_provider_id"]) == (
        "READY",
        "",
        "default/dep",
    )
    assert [h["status"] for h in record["status_history"]] == ["CREATED", "PENDING", "READY"]


def test_deployment_status_chained_transitions_in_one_advance(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend)
    # when
    tick(backend, clock, 10)
    # then
    assert backend.get_deployment(WS, "dep")["status"] == "READY"


def test_deployment_status_error_when_failing(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    backend.update_settings({"fail_new_deployments": True, "error_message": "boom"})
    make_deployment(backend)
    # when
    tick(backend, clock, 3)
    # then
    record = backend.get_deployment(WS, "dep")
    assert (record["status"], record["status_message"], record["model_provider_id"]) == (
        "ERROR",
        "boom",
        None,
    )


def test_deployment_status_frozen_without_controller(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    backend.update_settings({"controller_enabled": False})
    make_deployment(backend)
    # when
    tick(backend, clock, 100)
    # then
    assert backend.get_deployment(WS, "dep")["status"] == "CREATED"


def test_update_deployment_writes_new_version(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    v1 = make_deployment(backend)
    tick(backend, clock, 3)
    backend.update_config(WS, "cfg", {"engine": "nim", "model_spec": {}, "executor_config": {"gpu": 2}})
    # when
    v2 = backend.update_deployment(WS, "dep", {"config": "cfg"})
    # then
    assert (v2["entity_version"], v2["config_version"], v2["status"]) == (2, 2, "PENDING")
    assert v2["status_message"] == "Deployment update pending"
    assert v2["id"] != v1["id"]
    assert backend.get_deployment(WS, "dep", "1")["status"] == "READY"
    assert [d["entity_version"] for d in backend.list_deployment_versions(WS, "dep")] == [2, 1]
    tick(backend, clock, 2)
    assert backend.get_deployment(WS, "dep")["status"] == "READY"


def test_update_deployment_error_unknown(backend: NemoBackend) -> None:
    # given
    make_config(backend)
    # when
    with pytest.raises(e.BadRequest) as exc:
        backend.update_deployment(WS, "nope", {"config": "cfg"})
    # then
    assert exc.value.message == "Deployment with workspace 'default' and name 'nope' does not exist"


def test_update_deployment_while_deleting_writes_a_pending_version_and_the_old_one_goes_on(
    backend: NemoBackend, clock: FakeClock
) -> None:
    # given
    make_deployment(backend)
    backend.delete_deployment(WS, "dep")
    # when
    record = backend.update_deployment(WS, "dep", {"config": "cfg"})
    tick(backend, clock, 1)
    # then
    assert (record["entity_version"], record["status"], record["status_message"]) == (
        2,
        "PENDING",
        "Deployment update pending",
    )
    assert backend.get_deployment(WS, "dep", "1")["status"] == "DELETED"
    assert backend.get_deployment(WS, "dep")["entity_version"] == 2


def test_project_and_workspace_must_exist(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.Unprocessable) as no_project:
        make_config(backend, project="nope")
    with pytest.raises(e.ServerFailure) as no_workspace:
        backend.entities.require_workspace("ghost", "Failed to list deployments")
    # then
    assert (no_project.value.status, no_project.value.message) == (
        422,
        "Project 'nope' does not exist in workspace 'default'. Please create the project first.",
    )
    assert (no_workspace.value.status, no_workspace.value.message) == (500, "Failed to list deployments")


def test_update_deployment_error_injected_conflict_once(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    backend.update_settings({"inject_update_conflict": True})
    # when
    with pytest.raises(e.ConcurrentModification):
        backend.update_deployment(WS, "dep", {"config": "cfg"})
    # then
    assert backend.settings["inject_update_conflict"] is False
    assert backend.update_deployment(WS, "dep", {"config": "cfg"})["entity_version"] == 2


def test_update_deployment_status(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    # when
    record = backend.update_deployment_status(
        WS, "dep", {"status": "READY", "status_message": "up", "model_provider_id": "default/prov"}
    )
    # then
    assert (record["status"], record["status_message"], record["model_provider_id"]) == (
        "READY",
        "up",
        "default/prov",
    )
    assert [(h["status"], h["status_message"]) for h in record["status_history"]] == [
        ("CREATED", "Deployment created"),
        ("READY", "up"),
    ]
    assert set(record) == {
        "id", "name", "workspace", "project", "created_at", "updated_at", "entity_version", "config",
        "config_version", "status", "status_message", "status_history", "model_provider_id", "auth_context",
    }  # fmt: skip


def test_update_deployment_status_identical_is_noop(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    first = backend.update_deployment_status(WS, "dep", {"status": "READY"})
    # when
    second = backend.update_deployment_status(WS, "dep", {"status": "READY"})
    # then
    assert second == first


def test_update_deployment_status_version(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    backend.update_deployment(WS, "dep", {"config": "cfg"})
    # when
    record = backend.update_deployment_status(WS, "dep", {"status": "LOST"}, version="1")
    # then
    assert (record["entity_version"], record["status"]) == (1, "LOST")
    assert backend.get_deployment(WS, "dep")["status"] == "PENDING"


def test_update_deployment_status_error_deleting(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    backend.delete_deployment(WS, "dep")
    # when
    with pytest.raises(e.DeletingStatusConflict) as exc:
        backend.update_deployment_status(WS, "dep", {"status": "READY"})
    # then
    assert (exc.value.status, exc.value.message) == (
        409,
        "Deployment is marked for deletion (DELETING). Only transition to DELETED is allowed.",
    )
    assert backend.update_deployment_status(WS, "dep", {"status": "DELETED"})["status"] == "DELETED"


def test_update_deployment_status_error_not_found(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    # when / then
    with pytest.raises(e.DeploymentNotFound) as exc:
        backend.update_deployment_status(WS, "dep", {"status": "READY"}, version="4")
    assert exc.value.message == "Deployment 'default/dep' version '4' not found"
    with pytest.raises(e.InvalidVersion):
        backend.update_deployment_status(WS, "dep", {"status": "READY"}, version="v1")


def test_update_deployment_status_error_validation(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    # when
    with pytest.raises(e.ValidationFailed) as exc:
        backend.update_deployment_status(WS, "dep", {"status": "RUNNING", "status_message": "x" * 1001})
    # then
    assert [(x["type"], x["loc"]) for x in exc.value.errors] == [
        ("enum", ["body", "status"]),
        ("string_too_long", ["body", "status_message"]),
    ]
    assert exc.value.errors[0]["msg"] == (
        "Input should be 'UNKNOWN', 'CREATED', 'PENDING', 'READY', 'ERROR', 'DELETING', 'DELETED' or 'LOST'"
    )


def test_delete_deployment_is_asynchronous(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend)
    backend.update_deployment(WS, "dep", {"config": "cfg"})
    # when
    backend.delete_deployment(WS, "dep")
    # then
    assert [d["status"] for d in backend.list_deployment_versions(WS, "dep")] == ["DELETING", "DELETING"]
    assert backend.get_deployment(WS, "dep")["status_message"] == "Deployment deletion requested"
    tick(backend, clock, 1)
    assert backend.get_deployment(WS, "dep")["status"] == "DELETED"
    tick(backend, clock, 5)
    with pytest.raises(e.DeploymentNotFound) as exc:
        backend.get_deployment(WS, "dep")
    assert (exc.value.status, exc.value.message) == (404, "Deployment 'default/dep' not found")
    assert backend.list_deployment_versions(WS, "dep") == []
    assert backend.history["deployments"] == {}


def test_delete_deployment_already_deleted_removes_and_answers_404(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    backend.update_deployment_status(WS, "dep", {"status": "DELETED"})
    # when
    with pytest.raises(e.DeploymentNotFound):
        backend.delete_deployment(WS, "dep")
    # then
    assert backend.stores["deployments"] == {}


def test_delete_deployment_version(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend)
    backend.update_deployment(WS, "dep", {"config": "cfg"})
    # when
    backend.delete_deployment(WS, "dep", "2")
    tick(backend, clock, 6)
    # then: v2 is gone and v1 is the latest again, reconciled by the controller from then on
    assert backend.get_deployment(WS, "dep")["entity_version"] == 1
    tick(backend, clock, 0)
    assert backend.get_deployment(WS, "dep")["status"] == "READY"


def test_delete_deployment_error_not_found(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.DeploymentNotFound) as exc:
        backend.delete_deployment(WS, "nope")
    # then
    assert exc.value.message == "Deployment 'default/nope' not found"


def test_list_deployments(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend, "dep-a")
    make_deployment(backend, "dep-b")
    backend.update_deployment(WS, "dep-a", {"config": "cfg"})
    # when
    latest = backend.list_deployments(WS, [])
    every = backend.list_deployments(WS, [("all_versions", "true"), ("sort", "-entity_version")])
    pending = backend.list_deployments(WS, [("filter[status]", "PENDING")])
    # then
    assert [(d["name"], d["entity_version"]) for d in latest["data"]] == [("dep-a", 2), ("dep-b", 1)]
    assert every["pagination"]["total_results"] == 3
    assert every["data"][0]["entity_version"] == 2
    assert [d["name"] for d in pending["data"]] == ["dep-a"]
    assert "model_provider_id" not in latest["data"][0]


def test_list_deployments_error_bad_all_versions(backend: NemoBackend) -> None:
    # when
    with pytest.raises(e.ValidationFailed) as exc:
        backend.list_deployments(WS, [("all_versions", "maybe")])
    # then
    assert exc.value.errors == [
        {
            "type": "bool_parsing",
            "loc": ["query", "all_versions"],
            "input": "maybe",
            "msg": "Input should be a valid boolean, unable to interpret input",
        }
    ]


def test_mutations_error_runtime_none(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    backend.update_settings({"runtime_none": True})
    # when
    with pytest.raises(e.DeploymentsNotEnabled) as exc:
        backend.update_deployment(WS, "dep", {"config": "cfg"})
    # then
    assert (exc.value.status, exc.value.message) == (
        422,
        "Deployments are not enabled because the backend runtime is set to 'none'",
    )
    assert backend.get_deployment(WS, "dep")["entity_version"] == 1


# -- control hooks ---------------------------------------------------------------------------


def test_control_seed_fills_defaults_and_versions(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    # when
    seeded = backend.control_seed("deployments", {"name": "dep", "workspace": WS, "config": "cfg", "status": "READY"})
    # then
    assert (seeded["entity_version"], seeded["status"]) == (2, "READY")
    assert [d["entity_version"] for d in backend.list_deployment_versions(WS, "dep")] == [2, 1]
    assert backend.inventory()["deployments"] == [seeded]


def test_control_patch_drift_restarts_controller_timer(backend: NemoBackend, clock: FakeClock) -> None:
    # given
    make_deployment(backend)
    tick(backend, clock, 3)
    # when
    backend.control_patch("deployments", "default/dep", {"status": "PENDING"})
    tick(backend, clock, 1)
    # then
    assert backend.get_deployment(WS, "dep")["status"] == "PENDING"
    tick(backend, clock, 1)
    assert backend.get_deployment(WS, "dep")["status"] == "READY"


def test_control_delete_drops_all_versions(backend: NemoBackend) -> None:
    # given
    make_deployment(backend)
    backend.update_deployment(WS, "dep", {"config": "cfg"})
    # when
    backend.control_delete("deployments", "default/dep")
    # then
    assert backend.list_deployment_versions(WS, "dep") == []
    assert make_deployment(backend)["entity_version"] == 1
