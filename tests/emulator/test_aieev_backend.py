"""Aieev emulator backend, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from fake_clock import FakeClock

from pulumi_deploy.emulator.aieev.backend import AieevBackend
from pulumi_deploy.emulator.aieev.errors import (
    AutoscalingEnabled,
    EndpointAccessDenied,
    EndpointIsActive,
    EndpointIsInactive,
    EndpointNotFound,
    InsufficientCredit,
    InvalidApiKey,
    LogFileNotFound,
    NoPatchField,
    RequestValidationFailed,
)

AUTH = "Bearer key-1"
EP = "51c910f7-ecde-4c6c-88f8-d8e37ca9d598"


@pytest.fixture
def backend(clock: FakeClock) -> AieevBackend:
    return AieevBackend(clock=clock)


def seed(backend: AieevBackend, **fields: Any) -> dict[str, Any]:
    return backend.control_seed("endpoints", {"endpoint_id": EP, "name": "my-llm", **fields})


def running(backend: AieevBackend, **fields: Any) -> dict[str, Any]:
    return seed(backend, is_active=True, status="RUNNING", **fields)


# -- seeding -------------------------------------------------------------------------------------


def test_control_seed_fills_defaults(backend: AieevBackend) -> None:
    # when
    record = backend.control_seed("endpoints", {"id": "ep-1"})
    # then
    assert record["endpoint_id"] == "ep-1"
    assert "id" not in record
    assert record["is_active"] is False
    assert record["status"] == "STOPPED"
    assert record["replica_status_summary"] is None
    assert record["container_env_vars"] == [{"key": "", "value": ""}]
    assert record["granted_keys"] is None
    assert backend.stores["endpoints"]["ep-1"] == record


def test_control_seed_active_has_replica_summary(backend: AieevBackend) -> None:
    # when
    record = seed(backend, is_active=True, num_replicas=2)
    # then
    assert record["status"] == "RUNNING"
    assert record["replica_status_summary"] == {"RUNNING": 2}


def test_control_seed_unknown_field(backend: AieevBackend) -> None:
    # when / then
    with pytest.raises(KeyError, match="unknown endpoint fields \\['colour'\\]"):
        backend.control_seed("endpoints", {"endpoint_id": "x", "colour": "red"})


# -- auth ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer  ", "Basic abc", "key-1"])
def test_get_endpoint_invalid_api_key(backend: AieevBackend, header: str | None) -> None:
    # given
    seed(backend)
    # when / then
    with pytest.raises(InvalidApiKey) as exc:
        backend.get_endpoint(header, EP)
    assert exc.value.status == 401
    assert exc.value.message == "invalid api key"


def test_get_endpoint_key_not_in_api_keys_setting(backend: AieevBackend) -> None:
    # given
    seed(backend)
    backend.update_settings({"api_keys": ["other"]})
    # when / then
    with pytest.raises(InvalidApiKey):
        backend.get_endpoint(AUTH, EP)


def test_me(backend: AieevBackend) -> None:
    # when
    me = backend.me(AUTH)
    # then
    assert me["organization_id"] == "org-emulator"
    assert me["project_id"] == "proj-emulator"
    assert me["authenticated_via"] == "api_key"
    assert me["api_key_id"] == backend.me(AUTH)["api_key_id"] != backend.me("Bearer key-2")["api_key_id"]


# -- get / list ----------------------------------------------------------------------------------


def test_get_endpoint_hides_settings(backend: AieevBackend) -> None:
    # given
    seed(backend, container_port=8080, granted_keys=["key-1"])
    # when
    view = backend.get_endpoint(AUTH, EP)
    # then
    assert list(view) == [
        "endpoint_id", "name", "endpoint_type", "is_active", "status", "num_replicas",
        "enable_autoscaling", "instance_type_name", "serving_endpoint_url", "replica_status_summary",
        "created_at", "updated_at",
    ]  # fmt: skip


def test_get_endpoint_not_found(backend: AieevBackend) -> None:
    # when / then
    with pytest.raises(EndpointNotFound) as exc:
        backend.get_endpoint(AUTH, "nope")
    assert exc.value.status == 404
    assert exc.value.message == "Endpoint nope not found"


def test_get_endpoint_not_granted(backend: AieevBackend) -> None:
    # given
    seed(backend, granted_keys=["key-2"])
    # when / then
    with pytest.raises(EndpointAccessDenied) as exc:
        backend.get_endpoint(AUTH, EP)
    assert exc.value.status == 403
    assert exc.value.message == f"Endpoint {EP} does not belong to your organization or project"


def test_list_endpoints_filters_and_pages(backend: AieevBackend) -> None:
    # given
    backend.control_seed("endpoints", {"id": "a", "name": "alpha-llm", "is_active": True})
    backend.control_seed("endpoints", {"id": "b", "name": "beta-LLM"})
    backend.control_seed("endpoints", {"id": "c", "name": "gamma"})
    backend.control_seed("endpoints", {"id": "d", "name": "delta-llm", "granted_keys": ["other"]})
    # when
    everything = backend.list_endpoints(AUTH, {})
    llm = backend.list_endpoints(AUTH, {"search": "llm"})
    stopped = backend.list_endpoints(AUTH, {"is_active": "false", "size": "1", "page": "2"})
    # then
    assert [i["id"] for i in everything["items"]] == ["a", "b", "c"]
    assert (everything["total"], everything["page"], everything["size"], everything["pages"]) == (3, 1, 50, 1)
    assert [i["id"] for i in llm["items"]] == ["a", "b"]
    assert [i["id"] for i in stopped["items"]] == ["c"]
    assert (stopped["total"], stopped["pages"]) == (2, 2)
    assert "replica_status_summary" not in everything["items"][0]
    assert "endpoint_id" not in everything["items"][0]


def test_list_endpoints_invalid_query(backend: AieevBackend) -> None:
    # when / then
    with pytest.raises(RequestValidationFailed) as exc:
        backend.list_endpoints(AUTH, {"page": "0", "size": "2001", "is_active": "maybe"})
    assert exc.value.status == 422
    assert [(e["type"], e["loc"]) for e in exc.value.errors] == [
        ("bool_parsing", ["query", "is_active"]),
        ("greater_than_equal", ["query", "page"]),
        ("less_than_equal", ["query", "size"]),
    ]


# -- patch ---------------------------------------------------------------------------------------


def test_patch_endpoint(backend: AieevBackend) -> None:
    # given
    seed(backend)
    body = {
        "container_start_command": "python app.py",
        "container_env_vars": [{"key": "ENV", "value": "prod"}],
        "container_port": 8080,
        "container_health_check_path": "/healthz",
        "container_health_check_timeout": 30,
        "health_check_timeout": 120,
        "container_metric_path": "/metrics",
    }
    # when
    response = backend.patch_endpoint(AUTH, EP, body)
    # then
    assert response == {"endpoint_id": EP, "name": "my-llm", "is_active": False, **body,
                        "updated_at": response["updated_at"]}  # fmt: skip
    assert backend.stores["endpoints"][EP]["container_port"] == 8080


def test_patch_endpoint_leaves_other_fields(backend: AieevBackend) -> None:
    # given
    seed(backend, container_start_command="serve", container_port=9000)
    # when
    response = backend.patch_endpoint(AUTH, EP, {"container_port": 8088, "container_metric_path": None})
    # then
    assert response["container_start_command"] == "serve"
    assert response["container_port"] == 8088
    assert response["container_metric_path"] is None


def test_patch_endpoint_env_vars_replace_and_empty_means_none(backend: AieevBackend) -> None:
    # given
    seed(backend, container_env_vars=[{"key": "A", "value": "1"}])
    # when
    replaced = backend.patch_endpoint(AUTH, EP, {"container_env_vars": [{"key": "B", "value": "2"}]})
    cleared = backend.patch_endpoint(AUTH, EP, {"container_env_vars": []})
    blank = backend.patch_endpoint(AUTH, EP, {"container_env_vars": [{"key": "", "value": ""}]})
    # then
    assert replaced["container_env_vars"] == [{"key": "B", "value": "2"}]
    assert cleared["container_env_vars"] == [{"key": "", "value": ""}]
    assert blank["container_env_vars"] == [{"key": "", "value": ""}]


def test_patch_endpoint_no_field(backend: AieevBackend) -> None:
    # given
    seed(backend)
    # when / then
    for body in ({}, {"container_port": None}):
        with pytest.raises(NoPatchField) as exc:
            backend.patch_endpoint(AUTH, EP, body)
        assert exc.value.status == 400
        assert exc.value.message == "No patch field provided."


def test_patch_endpoint_null_clears_when_set(backend: AieevBackend) -> None:
    # given
    seed(backend, container_metric_path="/metrics")
    backend.update_settings({"patch_null": "clear"})
    # when
    response = backend.patch_endpoint(AUTH, EP, {"container_metric_path": None})
    # then
    assert response["container_metric_path"] is None


def test_patch_endpoint_active(backend: AieevBackend) -> None:
    # given
    running(backend)
    # when / then
    with pytest.raises(EndpointIsActive) as exc:
        backend.patch_endpoint(AUTH, EP, {"container_port": 8080})
    assert exc.value.status == 409
    assert exc.value.message == f"Endpoint {EP} is active. Stop it first."


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"container_port": 0}, ("greater_than_equal", ["body", "container_port"], {"ge": 1})),
        ({"container_port": 65536}, ("less_than_equal", ["body", "container_port"], {"le": 65535})),
        ({"container_port": "8080"}, ("int_type", ["body", "container_port"], None)),
        ({"container_port": True}, ("int_type", ["body", "container_port"], None)),
        ({"health_check_timeout": 0}, ("greater_than_equal", ["body", "health_check_timeout"], {"ge": 1})),
        ({"container_health_check_timeout": 1.5},
         ("int_type", ["body", "container_health_check_timeout"], None)),
        ({"container_start_command": ["a"]}, ("string_type", ["body", "container_start_command"], None)),
        ({"container_env_vars": {"A": "1"}}, ("list_type", ["body", "container_env_vars"], None)),
        ({"container_env_vars": [{"key": "A"}]},
         ("missing", ["body", "container_env_vars", 0, "value"], None)),
        ({"container_env_vars": [{"key": "A", "value": 1}]},
         ("string_type", ["body", "container_env_vars", 0, "value"], None)),
        ({"container_env_vars": [{"key": "A", "value": "1", "x": 1}]},
         ("extra_forbidden", ["body", "container_env_vars", 0, "x"], None)),
        ({"auth_mode": "none"}, ("extra_forbidden", ["body", "auth_mode"], None)),
        (None, ("missing", ["body"], None)),
        ([1], ("model_attributes_type", ["body"], None)),
    ],
)  # fmt: skip
def test_patch_endpoint_invalid_body(backend: AieevBackend, body: Any, error: tuple[Any, ...]) -> None:
    # given
    seed(backend)
    # when / then
    with pytest.raises(RequestValidationFailed) as exc:
        backend.patch_endpoint(AUTH, EP, body)
    assert exc.value.status == 422
    [got] = exc.value.errors
    assert (got["type"], got["loc"], got.get("ctx")) == error


def test_patch_endpoint_invalid_json_bytes(backend: AieevBackend) -> None:
    # given
    seed(backend)
    # when / then
    with pytest.raises(RequestValidationFailed) as exc:
        backend.patch_endpoint(AUTH, EP, b"{nope")
    assert exc.value.errors[0]["type"] == "json_invalid"


def test_patch_endpoint_validation_before_lookup(backend: AieevBackend) -> None:
    # when / then
    with pytest.raises(RequestValidationFailed):
        backend.patch_endpoint(AUTH, "unknown", {"container_port": 0})


# -- start / stop --------------------------------------------------------------------------------


def test_start_endpoint_deploys_then_runs(backend: AieevBackend, clock: FakeClock) -> None:
    # given
    seed(backend, num_replicas=2)
    # when
    response = backend.start_endpoint(AUTH, EP)
    deploying = backend.get_endpoint(AUTH, EP)
    clock.now += 0.2
    backend.advance()
    ready = backend.get_endpoint(AUTH, EP)
    # then
    assert response == {"endpoint_id": EP, "is_active": True, "message": "Endpoint started successfully"}
    assert (deploying["is_active"], deploying["status"]) == (True, "DEPLOYING")
    assert deploying["replica_status_summary"] == {"STARTING": 2}
    assert ready["status"] == "RUNNING"
    assert ready["replica_status_summary"] == {"RUNNING": 2}


def test_start_endpoint_zero_duration_runs_at_once(backend: AieevBackend) -> None:
    # given
    seed(backend)
    backend.update_settings({"deploy_duration": 0})
    # when
    backend.start_endpoint(AUTH, EP)
    # then
    assert backend.get_endpoint(AUTH, EP)["status"] == "RUNNING"


def test_start_endpoint_health_never_passes(backend: AieevBackend, clock: FakeClock) -> None:
    # given
    seed(backend, health_check_passes=False)
    # when
    backend.start_endpoint(AUTH, EP)
    clock.now += 1
    backend.advance()
    # then
    view = backend.get_endpoint(AUTH, EP)
    assert (view["is_active"], view["status"]) == (True, "DEPLOY_FAILED")
    assert view["replica_status_summary"] == {"UNHEALTHY": 1}


def test_start_endpoint_health_setting(backend: AieevBackend) -> None:
    # given
    seed(backend)
    backend.update_settings({"deploy_duration": 0, "health_check_passes": False})
    # when
    backend.start_endpoint(AUTH, EP)
    # then
    assert backend.get_endpoint(AUTH, EP)["status"] == "DEPLOY_FAILED"


def test_start_endpoint_already_active(backend: AieevBackend) -> None:
    # given
    running(backend)
    # when
    response = backend.start_endpoint(AUTH, EP)
    # then
    assert response == {"endpoint_id": EP, "is_active": True, "message": "Endpoint is already active"}


def test_start_endpoint_insufficient_credit(backend: AieevBackend) -> None:
    # given
    seed(backend)
    backend.update_settings({"insufficient_credit": True})
    # when / then
    with pytest.raises(InsufficientCredit) as exc:
        backend.start_endpoint(AUTH, EP)
    assert exc.value.status == 500
    assert exc.value.message == f"Failed to start endpoint {EP}: insufficient credit balance"
    assert backend.stores["endpoints"][EP]["is_active"] is False


def test_stop_endpoint(backend: AieevBackend, clock: FakeClock) -> None:
    # given
    seed(backend)
    backend.start_endpoint(AUTH, EP)
    # when
    response = backend.stop_endpoint(AUTH, EP)
    clock.now += 1
    backend.advance()
    # then
    assert response == {"endpoint_id": EP, "is_active": False, "message": "Endpoint stopped successfully"}
    view = backend.get_endpoint(AUTH, EP)
    assert (view["is_active"], view["status"], view["replica_status_summary"]) == (False, "STOPPED", None)


def test_stop_endpoint_already_stopped(backend: AieevBackend) -> None:
    # given
    seed(backend)
    # when
    response = backend.stop_endpoint(AUTH, EP)
    # then
    assert response == {"endpoint_id": EP, "is_active": False, "message": "Endpoint is already stopped"}


def test_stop_patch_start_cycle(backend: AieevBackend) -> None:
    # given
    running(backend)
    backend.update_settings({"deploy_duration": 0})
    # when
    backend.stop_endpoint(AUTH, EP)
    patched = backend.patch_endpoint(AUTH, EP, {"container_port": 8088})
    backend.start_endpoint(AUTH, EP)
    # then
    assert patched["is_active"] is False
    assert backend.get_endpoint(AUTH, EP)["status"] == "RUNNING"
    assert backend.inventory()["endpoints"][0]["container_port"] == 8088


@pytest.mark.parametrize("operation", ["start_endpoint", "stop_endpoint", "list_replicas"])
def test_operations_not_found_and_not_granted(backend: AieevBackend, operation: str) -> None:
    # given
    seed(backend, granted_keys=["key-2"])
    # when / then
    with pytest.raises(EndpointNotFound):
        getattr(backend, operation)(AUTH, "missing")
    with pytest.raises(EndpointAccessDenied):
        getattr(backend, operation)(AUTH, EP)


# -- scale ---------------------------------------------------------------------------------------


def test_scale_endpoint(backend: AieevBackend) -> None:
    # given
    running(backend, num_replicas=2)
    # when
    response = backend.scale_endpoint(AUTH, EP, {"num_replicas": 3})
    # then
    assert response == {"endpoint_id": EP, "previous_replicas": 2, "current_replicas": 3,
                        "message": "Successfully scaled from 2 to 3 replicas"}  # fmt: skip
    view = backend.get_endpoint(AUTH, EP)
    assert (view["num_replicas"], view["replica_status_summary"]) == (3, {"RUNNING": 3})


def test_scale_endpoint_no_change(backend: AieevBackend) -> None:
    # given
    running(backend, num_replicas=3)
    # when
    response = backend.scale_endpoint(AUTH, EP, {"num_replicas": 3})
    # then
    assert response["message"] == "No change - endpoint already has the requested number of replicas"
    assert (response["previous_replicas"], response["current_replicas"]) == (3, 3)


def test_scale_endpoint_inactive(backend: AieevBackend) -> None:
    # given
    seed(backend)
    # when / then
    with pytest.raises(EndpointIsInactive) as exc:
        backend.scale_endpoint(AUTH, EP, {"num_replicas": 2})
    assert exc.value.status == 400
    assert exc.value.message == f"Endpoint {EP} is inactive. Start it first."


def test_scale_endpoint_autoscaling(backend: AieevBackend) -> None:
    # given
    running(backend, enable_autoscaling=True)
    # when / then
    with pytest.raises(AutoscalingEnabled) as exc:
        backend.scale_endpoint(AUTH, EP, {"num_replicas": 2})
    assert exc.value.status == 400
    assert exc.value.message == f"Autoscaling is enabled for endpoint {EP}. Disable it first."


@pytest.mark.parametrize(
    ("body", "kind"),
    [({"num_replicas": 0}, "greater_than_equal"), ({"num_replicas": 101}, "less_than_equal"),
     ({"num_replicas": "2"}, "int_type"), ({}, "missing"), ({"num_replicas": 2, "x": 1}, "extra_forbidden")],
)  # fmt: skip
def test_scale_endpoint_invalid_body(backend: AieevBackend, body: dict[str, Any], kind: str) -> None:
    # given
    running(backend)
    # when / then
    with pytest.raises(RequestValidationFailed) as exc:
        backend.scale_endpoint(AUTH, EP, body)
    assert [e["type"] for e in exc.value.errors] == [kind]


# -- replicas and logs ---------------------------------------------------------------------------


def test_list_replicas(backend: AieevBackend) -> None:
    # given
    running(backend, num_replicas=2)
    # when
    replicas = backend.list_replicas(AUTH, EP)
    # then
    assert [r["state"] for r in replicas] == ["RUNNING", "RUNNING"]
    assert len({r["replica_id"] for r in replicas}) == 2


def test_list_replicas_stopped(backend: AieevBackend) -> None:
    # given
    seed(backend)
    # when / then
    assert backend.list_replicas(AUTH, EP) == []


def test_get_log_file(backend: AieevBackend) -> None:
    # given
    running(backend, num_replicas=2)
    files = backend.list_log_files(AUTH, EP, {})
    first = files[0]
    # when
    only_first = backend.list_log_files(AUTH, EP, {"replica_id": first["replica_id"]})
    content = backend.get_log_file(AUTH, EP, {"node_id": first["node_id"], "filename": first["filename"]})
    # then
    assert len(files) == 2
    assert only_first == [first]
    assert (content["start_line"], content["end_line"]) == (1, 2)
    assert first["replica_id"] in content["content"]


def test_get_log_file_not_found(backend: AieevBackend) -> None:
    # given
    running(backend)
    # when / then
    with pytest.raises(LogFileNotFound) as exc:
        backend.get_log_file(AUTH, EP, {"node_id": "n", "filename": "f.log"})
    assert exc.value.status == 404
    assert exc.value.message == "Log file f.log not found on node n"


def test_get_log_file_invalid_query(backend: AieevBackend) -> None:
    # given
    running(backend)
    # when / then
    with pytest.raises(RequestValidationFailed) as exc:
        backend.get_log_file(AUTH, EP, {"end_line": "50001"})
    assert [(e["type"], e["loc"]) for e in exc.value.errors] == [
        ("missing", ["query", "node_id"]),
        ("missing", ["query", "filename"]),
        ("less_than_equal", ["query", "end_line"]),
    ]


# -- control hooks -------------------------------------------------------------------------------


def test_reset_clears_endpoints_and_settings(backend: AieevBackend) -> None:
    # given
    seed(backend)
    backend.update_settings({"deploy_duration": 5})
    # when
    backend.reset()
    # then
    assert backend.stores == {"endpoints": {}}
    assert backend.settings["deploy_duration"] == 0.2


def test_control_delete_then_get(backend: AieevBackend) -> None:
    # given
    seed(backend)
    backend.start_endpoint(AUTH, EP)
    # when
    backend.control_delete("endpoints", EP)
    backend.advance()
    # then
    with pytest.raises(EndpointNotFound):
        backend.get_endpoint(AUTH, EP)
