"""RunPod REST v1 emulator backend, without HTTP (moto style: test_<operation>[_<case>])."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fake_clock import FakeClock

from pulumi_deploy.emulator.runpod import errors
from pulumi_deploy.emulator.runpod.backend import RunpodBackend
from pulumi_deploy.emulator.runpod.schema import DATA_CENTER_IDS, DEFAULT_GPU_TYPE_IDS

FIXED_NOW = datetime(2026, 11, 22, 10, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def backend() -> RunpodBackend:
    return RunpodBackend(now=lambda: FIXED_NOW)


def make_template(backend: RunpodBackend, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "worker-tpl",
        "imageName": "ghcr.io/acme/worker:1.0",
        "isServerless": True,
    }
    body.update(overrides)
    return backend.create_template(body)


def make_endpoint(backend: RunpodBackend, template_id: str, **overrides: Any) -> dict[str, Any]:
    return backend.create_endpoint({"templateId": template_id, **overrides})


def make_volume(backend: RunpodBackend, **overrides: Any) -> dict[str, Any]:
    return backend.create_network_volume({"name": "vol", "size": 50, "dataCenterId": "EU-RO-1", **overrides})


def assert_invalid(exc: pytest.ExceptionInfo[errors.RunpodError], status: int, message: str) -> None:
    assert exc.value.status == status
    assert exc.value.message == message


# -- auth ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Bearer   ", "Basic abc", "token"])
def test_authenticate_rejects_missing_or_empty_bearer(backend: RunpodBackend, header: str | None) -> None:
    # when / then
    with pytest.raises(errors.Unauthorized) as exc:
        backend.authenticate(header)
    assert_invalid(exc, 401, "Unauthorized")


def test_authenticate_accepts_any_bearer(backend: RunpodBackend) -> None:
    backend.authenticate("Bearer rpa_123")


# -- endpoints: create ---------------------------------------------------------------------------


def test_create_endpoint_fills_server_defaults(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend, env={"MODEL": "llama"})
    # when
    endpoint = make_endpoint(backend, template["id"], name="my endpoint")
    # then
    assert re.fullmatch(r"[a-z0-9]{14}", endpoint["id"])
    assert endpoint == {
        "allowedCudaVersions": [],
        "computeType": "GPU",
        "createdAt": "2026-11-22T10:30:15.123Z",
        "dataCenterIds": ",".join(DATA_CENTER_IDS),
        "env": {"MODEL": "llama"},
        "executionTimeoutMs": 600000,
        "gpuCount": 1,
        "gpuTypeIds": list(DEFAULT_GPU_TYPE_IDS),
        "id": endpoint["id"],
        "idleTimeout": 5,
        "instanceIds": [],
        "name": "my endpoint",
        "scalerType": "QUEUE_DELAY",
        "scalerValue": 4,
        "templateId": template["id"],
        "userId": "user_2emulatorRunpodAccount0001",
        "version": 0,
        "workersMax": 3,
        "workersMin": 0,
    }
    assert backend.stores["endpoints"][endpoint["id"]] == endpoint
    assert len(DATA_CENTER_IDS) == 26


def test_create_endpoint_returns_data_center_ids_as_comma_string(backend: RunpodBackend) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"], dataCenterIds=["EU-RO-1", "US-TX-3"])
    assert endpoint["dataCenterIds"] == "EU-RO-1,US-TX-3"


def test_create_endpoint_write_only_fields_not_returned(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    # when
    endpoint = make_endpoint(
        backend,
        template["id"],
        name="x",
        flashboot=False,
        vcpuCount=4,
        cpuFlavorIds=["cpu3c"],
        computeType="CPU",
    )
    # then
    assert {"flashboot", "vcpuCount", "cpuFlavorIds"}.isdisjoint(endpoint)
    assert endpoint["computeType"] == "GPU"
    assert endpoint["gpuTypeIds"] == list(DEFAULT_GPU_TYPE_IDS)


def test_create_endpoint_flashboot_appends_name_suffix(backend: RunpodBackend) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"], name="fast", flashboot=True)
    assert endpoint["name"] == "fast -fb"


def test_create_endpoint_without_name_generates_one(backend: RunpodBackend) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    assert re.fullmatch(r"[a-z]+_[a-z]+_[a-z]+", endpoint["name"])


def test_create_endpoint_network_volume_id_is_mirrored(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    volume = make_volume(backend)
    # when
    endpoint = make_endpoint(backend, template["id"], networkVolumeId=volume["id"])
    # then
    assert endpoint["networkVolumeId"] == volume["id"]
    assert endpoint["networkVolumeIds"] == [volume["id"]]


def test_create_endpoint_network_volume_ids_are_mirrored(backend: RunpodBackend) -> None:
    template = make_template(backend)
    first, second = make_volume(backend), make_volume(backend, dataCenterId="US-TX-3")
    endpoint = make_endpoint(backend, template["id"], networkVolumeIds=[first["id"], second["id"]])
    assert endpoint["networkVolumeId"] == first["id"]
    assert endpoint["networkVolumeIds"] == [first["id"], second["id"]]


def test_create_endpoint_error_missing_template_id(backend: RunpodBackend) -> None:
    with pytest.raises(errors.MissingField) as exc:
        backend.create_endpoint({"name": "x"})
    assert_invalid(exc, 400, '"templateId" is required')


def test_create_endpoint_error_unknown_template(backend: RunpodBackend) -> None:
    with pytest.raises(errors.TemplateReferenceNotFound) as exc:
        make_endpoint(backend, "nosuchtpl1")
    assert_invalid(exc, 400, 'template "nosuchtpl1" not found')
    assert backend.stores["endpoints"] == {}


def test_create_endpoint_error_pod_template(backend: RunpodBackend) -> None:
    template = make_template(backend, isServerless=False)
    with pytest.raises(errors.TemplateNotServerless) as exc:
        make_endpoint(backend, template["id"])
    assert_invalid(exc, 400, f'template "{template["id"]}" is not a serverless template')


def test_create_endpoint_error_unknown_network_volume(backend: RunpodBackend) -> None:
    template = make_template(backend)
    with pytest.raises(errors.NetworkVolumeReferenceNotFound) as exc:
        make_endpoint(backend, template["id"], networkVolumeId="vol-9")
    assert_invalid(exc, 400, 'network volume "vol-9" not found')


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"dockerArgs": "x"}, '"dockerArgs" is not in input schema'),
        ({"workersStandby": 1}, '"workersStandby" is not in input schema'),
        (
            {"gpuTypeIds": ["NVIDIA RTX A4500", "NVIDIA GeForce RTX 9090"]},
            '"gpuTypeIds[1]" value "NVIDIA GeForce RTX 9090" is not one of the allowed values',
        ),
        (
            {"dataCenterIds": ["US-MO-2"]},
            '"dataCenterIds[0]" value "US-MO-2" is not one of the allowed values',
        ),
        ({"dataCenterIds": "EU-RO-1"}, '"dataCenterIds" must be an array of strings'),
        (
            {"allowedCudaVersions": ["12.10"]},
            '"allowedCudaVersions[0]" value "12.10" is not one of the allowed values',
        ),
        ({"minCudaVersion": "10.0"}, '"minCudaVersion" value "10.0" is not one of the allowed values'),
        ({"cpuFlavorIds": ["cpu9x"]}, '"cpuFlavorIds[0]" value "cpu9x" is not one of the allowed values'),
        ({"scalerType": "LATENCY"}, '"scalerType" value "LATENCY" is not one of the allowed values'),
        ({"computeType": "TPU"}, '"computeType" value "TPU" is not one of the allowed values'),
        ({"idleTimeout": 0}, '"idleTimeout" must be >= 1'),
        ({"idleTimeout": 3601}, '"idleTimeout" must be <= 3600'),
        ({"gpuCount": 0}, '"gpuCount" must be >= 1'),
        ({"workersMin": -1}, '"workersMin" must be >= 0'),
        ({"workersMax": -1}, '"workersMax" must be >= 0'),
        ({"scalerValue": 0}, '"scalerValue" must be >= 1'),
        ({"workersMax": "3"}, '"workersMax" must be an integer'),
        ({"workersMax": 3.0}, '"workersMax" must be an integer'),
        ({"workersMax": True}, '"workersMax" must be an integer'),
        ({"flashboot": "yes"}, '"flashboot" must be a boolean'),
        ({"name": "n" * 192}, '"name" must be at most 191 characters'),
        ({"name": None}, '"name" must be a string'),
    ],
)
def test_create_endpoint_error_invalid_input(backend: RunpodBackend, overrides: dict[str, Any], message: str) -> None:
    # given
    template = make_template(backend)
    # when
    with pytest.raises(errors.InvalidInput) as exc:
        make_endpoint(backend, template["id"], **overrides)
    # then
    assert_invalid(exc, 400, message)
    assert backend.stores["endpoints"] == {}


def test_create_endpoint_accepts_name_of_max_length(backend: RunpodBackend) -> None:
    template = make_template(backend)
    assert make_endpoint(backend, template["id"], name="n" * 191)["name"] == "n" * 191


def test_create_endpoint_error_body_not_object(backend: RunpodBackend) -> None:
    with pytest.raises(errors.InvalidJson) as exc:
        backend.create_endpoint(["templateId"])
    assert_invalid(exc, 400, "request body must be a JSON object")


# -- endpoints: read -----------------------------------------------------------------------------


def test_get_endpoint_include_template_and_workers(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    # when
    plain = backend.get_endpoint(endpoint["id"])
    full = backend.get_endpoint(endpoint["id"], include_template="true", include_workers="true")
    # then
    assert plain == endpoint
    assert full["template"] == backend.get_template(template["id"])
    assert full["workers"] == []


def test_get_endpoint_error_not_found(backend: RunpodBackend) -> None:
    with pytest.raises(errors.EndpointNotFound) as exc:
        backend.get_endpoint("doesnotexist00")
    assert_invalid(exc, 404, "Endpoint not found")


def test_get_endpoint_error_bad_flag(backend: RunpodBackend) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    with pytest.raises(errors.InvalidType) as exc:
        backend.get_endpoint(endpoint["id"], include_template="yes")
    assert_invalid(exc, 400, '"includeTemplate" must be a boolean')


def test_list_endpoints_in_creation_order(backend: RunpodBackend) -> None:
    template = make_template(backend)
    first = make_endpoint(backend, template["id"], name="a")
    second = make_endpoint(backend, template["id"], name="b")
    assert [e["id"] for e in backend.list_endpoints()] == [first["id"], second["id"]]


# -- endpoints: update ---------------------------------------------------------------------------


def test_update_endpoint_is_sparse(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"], name="e", workersMax=5, idleTimeout=30)
    # when
    updated = backend.update_endpoint(endpoint["id"], {"workersMax": 0})
    # then
    assert updated == {**endpoint, "workersMax": 0}


def test_update_endpoint_empty_body_is_noop(backend: RunpodBackend) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    assert backend.update_endpoint(endpoint["id"], {}) == endpoint


@pytest.mark.parametrize(
    "changes",
    [
        {"workersMin": 1},
        {"workersMax": 7},
        {"idleTimeout": 60},
        {"scalerType": "REQUEST_COUNT"},
        {"scalerValue": 2},
        {"executionTimeoutMs": 5000},
        {"name": "renamed"},
        {"flashboot": True},
        {"gpuCount": 1},  # same value as before: not a change
        {"dataCenterIds": list(DATA_CENTER_IDS)},  # same value as before
    ],
)
def test_update_endpoint_keeps_version_for_in_place_fields(backend: RunpodBackend, changes: dict[str, Any]) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    assert backend.update_endpoint(endpoint["id"], changes)["version"] == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"gpuTypeIds": ["NVIDIA L4"]},
        {"gpuTypeIds": list(reversed(DEFAULT_GPU_TYPE_IDS))},  # order is priority: a change
        {"gpuCount": 2},
        {"allowedCudaVersions": ["12.4"]},
        {"minCudaVersion": "12.1"},
        {"dataCenterIds": ["EU-RO-1"]},
    ],
)
def test_update_endpoint_rollout_field_increments_version(backend: RunpodBackend, changes: dict[str, Any]) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    assert backend.update_endpoint(endpoint["id"], changes)["version"] == 1


def test_update_endpoint_template_id_swaps_env_and_increments_version(backend: RunpodBackend) -> None:
    # given
    old = make_template(backend, name="old", env={"A": "1"})
    new = make_template(backend, name="new", env={"B": "2"})
    endpoint = make_endpoint(backend, old["id"])
    # when
    updated = backend.update_endpoint(endpoint["id"], {"templateId": new["id"]})
    # then
    assert updated["templateId"] == new["id"]
    assert updated["env"] == {"B": "2"}
    assert updated["version"] == 1


def test_update_endpoint_network_volume_increments_version(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    volume = make_volume(backend)
    endpoint = make_endpoint(backend, template["id"])
    # when
    attached = backend.update_endpoint(endpoint["id"], {"networkVolumeIds": [volume["id"]]})
    detached = backend.update_endpoint(endpoint["id"], {"networkVolumeId": ""})
    # then
    assert (attached["networkVolumeId"], attached["networkVolumeIds"], attached["version"]) == (
        volume["id"],
        [volume["id"]],
        1,
    )
    assert "networkVolumeId" not in detached
    assert "networkVolumeIds" not in detached
    assert detached["version"] == 2


def test_update_endpoint_flashboot_toggles_name_suffix(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"], name="svc", flashboot=True)
    # when
    renamed = backend.update_endpoint(endpoint["id"], {"name": "svc2"})
    echoed = backend.update_endpoint(endpoint["id"], {"name": "svc2 -fb"})
    off = backend.update_endpoint(endpoint["id"], {"flashboot": False})
    on_again = backend.update_endpoint(endpoint["id"], {"flashboot": True})
    # then
    assert renamed["name"] == "svc2 -fb"
    assert echoed["name"] == "svc2 -fb"
    assert off["name"] == "svc2"
    assert on_again["name"] == "svc2 -fb"


def test_update_endpoint_error_compute_type(backend: RunpodBackend) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    with pytest.raises(errors.UnknownField) as exc:
        backend.update_endpoint(endpoint["id"], {"computeType": "GPU"})
    assert_invalid(exc, 400, '"computeType" is not in input schema')


def test_update_endpoint_error_is_atomic(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    # when
    with pytest.raises(errors.NetworkVolumeReferenceNotFound):
        backend.update_endpoint(endpoint["id"], {"workersMax": 9, "networkVolumeId": "missing"})
    # then
    assert backend.get_endpoint(endpoint["id"]) == endpoint


def test_update_endpoint_error_unknown_template(backend: RunpodBackend) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    with pytest.raises(errors.TemplateReferenceNotFound) as exc:
        backend.update_endpoint(endpoint["id"], {"templateId": "gone123456"})
    assert_invalid(exc, 400, 'template "gone123456" not found')


def test_update_endpoint_error_not_found(backend: RunpodBackend) -> None:
    with pytest.raises(errors.EndpointNotFound) as exc:
        backend.update_endpoint("doesnotexist00", {"workersMax": 1})
    assert_invalid(exc, 404, "Endpoint not found")


# -- endpoints: delete ---------------------------------------------------------------------------


def test_delete_endpoint_with_workers(backend: RunpodBackend) -> None:
    # given: no precondition on workersMin/workersMax for REST delete
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"], workersMin=2, workersMax=4)
    # when
    backend.delete_endpoint(endpoint["id"])
    # then
    assert backend.stores["endpoints"] == {}


def test_delete_endpoint_error_not_found(backend: RunpodBackend) -> None:
    with pytest.raises(errors.EndpointNotFound) as exc:
        backend.delete_endpoint("doesnotexist00")
    assert_invalid(exc, 404, "Endpoint not found")


# -- templates -----------------------------------------------------------------------------------


def test_create_template_fills_defaults(backend: RunpodBackend) -> None:
    # when
    template = backend.create_template({"name": "t", "imageName": "img:1"})
    # then
    assert re.fullmatch(r"[a-z0-9]{10}", template["id"])
    assert template == {
        "category": "NVIDIA",
        "containerDiskInGb": 50,
        "dockerEntrypoint": [],
        "dockerStartCmd": [],
        "earned": 0,
        "env": {},
        "id": template["id"],
        "imageName": "img:1",
        "isPublic": False,
        "isRunpod": False,
        "isServerless": False,
        "name": "t",
        "ports": ["8888/http", "22/tcp"],
        "readme": "",
        "runtimeInMin": 0,
        "volumeInGb": 20,
        "volumeMountPath": "/workspace",
    }


def test_create_template_explicit_empty_ports_kept(backend: RunpodBackend) -> None:
    assert make_template(backend, ports=[])["ports"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"imageName": "img"}, '"name" is required'),
        ({"name": "t"}, '"imageName" is required'),
        ({"name": "t", "imageName": "img", "dockerArgs": "x"}, '"dockerArgs" is not in input schema'),
        (
            {"name": "t", "imageName": "img", "category": "INTEL"},
            '"category" value "INTEL" is not one of the allowed values',
        ),
        (
            {"name": "t", "imageName": "img", "env": [{"key": "A", "value": "1"}]},
            '"env" must be an object with string values',
        ),
        ({"name": "t", "imageName": "img", "env": {"A": 1}}, '"env" must be an object with string values'),
        (
            {"name": "t", "imageName": "img", "ports": "8888/http,22/tcp"},
            '"ports" must be an array of strings',
        ),
        (
            {"name": "t", "imageName": "img", "ports": ["8888/udp"]},
            '"ports[0]" value "8888/udp" must be formatted as [port number]/[http|tcp]',
        ),
        ({"name": "t", "imageName": ""}, '"imageName" must not be empty'),
        ({"name": "t", "imageName": "img", "containerDiskInGb": -1}, '"containerDiskInGb" must be >= 0'),
    ],
)
def test_create_template_error_invalid_input(backend: RunpodBackend, body: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.InvalidInput) as exc:
        backend.create_template(body)
    assert_invalid(exc, 400, message)


def test_create_template_error_duplicate_name(backend: RunpodBackend) -> None:
    # given
    make_template(backend, name="dup")
    # when
    with pytest.raises(errors.DuplicateTemplateName) as exc:
        make_template(backend, name="dup")
    # then
    assert_invalid(exc, 400, 'Template name "dup" is already in use; template names must be unique')


def test_get_template_error_not_found(backend: RunpodBackend) -> None:
    with pytest.raises(errors.TemplateNotFound) as exc:
        backend.get_template("nosuchtpl1")
    assert_invalid(exc, 404, "Template not found")


def test_list_templates(backend: RunpodBackend) -> None:
    first, second = make_template(backend, name="a"), make_template(backend, name="b")
    listed = backend.list_templates(include_endpoint_bound="true", include_public="false")
    assert listed == [first, second]


def test_update_template_is_sparse(backend: RunpodBackend) -> None:
    template = make_template(backend, readme="hi")
    updated = backend.update_template(template["id"], {"readme": "bye"})
    assert updated == {**template, "readme": "bye"}


def test_update_template_rename_to_own_name(backend: RunpodBackend) -> None:
    template = make_template(backend, name="same")
    assert backend.update_template(template["id"], {"name": "same"})["name"] == "same"


def test_update_template_error_duplicate_name(backend: RunpodBackend) -> None:
    make_template(backend, name="taken")
    other = make_template(backend, name="other")
    with pytest.raises(errors.DuplicateTemplateName) as exc:
        backend.update_template(other["id"], {"name": "taken"})
    assert_invalid(exc, 400, 'Template name "taken" is already in use; template names must be unique')


@pytest.mark.parametrize("key,value", [("isServerless", True), ("category", "NVIDIA")])
def test_update_template_error_create_only_field(backend: RunpodBackend, key: str, value: Any) -> None:
    template = make_template(backend)
    with pytest.raises(errors.UnknownField) as exc:
        backend.update_template(template["id"], {key: value})
    assert_invalid(exc, 400, f'"{key}" is not in input schema')


@pytest.mark.parametrize(
    "changes",
    [
        {"imageName": "ghcr.io/acme/worker:2.0"},
        {"env": {"MODEL": "mistral"}},
        {"dockerStartCmd": ["python", "serve.py"]},
        {"dockerEntrypoint": ["/bin/sh"]},
        {"containerDiskInGb": 80},
        {"ports": ["8000/http"]},
    ],
)
def test_update_template_rollout_field_increments_endpoint_versions(
    backend: RunpodBackend, changes: dict[str, Any]
) -> None:
    # given
    template = make_template(backend, env={"MODEL": "llama"})
    other = make_template(backend, name="other")
    first, second = make_endpoint(backend, template["id"]), make_endpoint(backend, template["id"])
    bystander = make_endpoint(backend, other["id"])
    # when
    updated = backend.update_template(template["id"], changes)
    # then
    for endpoint in (first, second):
        after = backend.get_endpoint(endpoint["id"])
        assert after["version"] == 1
        assert after["env"] == updated["env"]
    assert backend.get_endpoint(bystander["id"])["version"] == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "renamed"},
        {"readme": "docs"},
        {"volumeInGb": 0},
        {"isPublic": True},
        {"imageName": "ghcr.io/acme/worker:1.0"},
    ],
)
def test_update_template_in_place_field_keeps_endpoint_versions(
    backend: RunpodBackend, changes: dict[str, Any]
) -> None:
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    backend.update_template(template["id"], changes)
    assert backend.get_endpoint(endpoint["id"])["version"] == 0


def test_delete_template(backend: RunpodBackend) -> None:
    template = make_template(backend)
    backend.delete_template(template["id"])
    assert backend.stores["templates"] == {}


def test_delete_template_error_in_use(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    # when
    with pytest.raises(errors.TemplateInUse) as exc:
        backend.delete_template(template["id"])
    # then
    assert_invalid(
        exc, 400, f'Template "{template["id"]}" is in use by endpoint {endpoint["id"]} and cannot be deleted'
    )
    backend.delete_endpoint(endpoint["id"])
    backend.delete_template(template["id"])


@pytest.mark.parametrize("let_go", ["endpoint deleted", "endpoint moved"])
def test_delete_template_error_in_use_until_release_period_after_last_use(clock: FakeClock, let_go: str) -> None:
    # given
    backend = RunpodBackend(clock=clock)
    backend.update_settings({"template_release_seconds": 120})
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"])
    if let_go == "endpoint deleted":
        backend.delete_endpoint(endpoint["id"])
    else:
        backend.update_endpoint(endpoint["id"], {"templateId": make_template(backend, name="other")["id"]})
    # when
    clock.advance(119)
    with pytest.raises(errors.TemplateInUse) as exc:
        backend.delete_template(template["id"])
    clock.advance(1)
    backend.delete_template(template["id"])
    # then
    assert_invalid(
        exc, 400, f'Template "{template["id"]}" is in use by endpoint {endpoint["id"]} and cannot be deleted'
    )
    assert template["id"] not in backend.stores["templates"]


def test_delete_template_error_not_found(backend: RunpodBackend) -> None:
    with pytest.raises(errors.TemplateNotFound) as exc:
        backend.delete_template("nosuchtpl1")
    assert_invalid(exc, 404, "Template not found")


# -- network volumes -----------------------------------------------------------------------------


def test_create_network_volume(backend: RunpodBackend) -> None:
    volume = make_volume(backend, name="data", size=100)
    assert re.fullmatch(r"[a-z0-9]{10}", volume["id"])
    assert volume == {"dataCenterId": "EU-RO-1", "id": volume["id"], "name": "data", "size": 100}
    assert backend.list_network_volumes() == [volume]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "v", "size": 10}, '"dataCenterId" is required'),
        ({"name": "v", "dataCenterId": "EU-RO-1"}, '"size" is required'),
        ({"size": 10, "dataCenterId": "EU-RO-1"}, '"name" is required'),
        ({"name": "v", "size": 4001, "dataCenterId": "EU-RO-1"}, '"size" must be <= 4000'),
        ({"name": "v", "size": -1, "dataCenterId": "EU-RO-1"}, '"size" must be >= 0'),
        ({"name": "v", "size": 1.5, "dataCenterId": "EU-RO-1"}, '"size" must be an integer'),
        (
            {"name": "v", "size": 10, "dataCenterId": "MARS-1"},
            '"dataCenterId" value "MARS-1" is not one of the allowed values',
        ),
        (
            {"name": "v", "size": 10, "dataCenterId": "EU-RO-1", "type": "STANDARD"},
            '"type" is not in input schema',
        ),
    ],
)
def test_create_network_volume_error_invalid_input(backend: RunpodBackend, body: dict[str, Any], message: str) -> None:
    with pytest.raises(errors.InvalidInput) as exc:
        backend.create_network_volume(body)
    assert_invalid(exc, 400, message)


def test_update_network_volume_grows_and_renames(backend: RunpodBackend) -> None:
    volume = make_volume(backend, size=50)
    updated = backend.update_network_volume(volume["id"], {"name": "bigger", "size": 75})
    assert updated == {**volume, "name": "bigger", "size": 75}


@pytest.mark.parametrize("size", [50, 10])
def test_update_network_volume_error_size_not_increased(backend: RunpodBackend, size: int) -> None:
    # given
    volume = make_volume(backend, size=50)
    # when
    with pytest.raises(errors.VolumeSizeNotIncreased) as exc:
        backend.update_network_volume(volume["id"], {"size": size, "name": "renamed"})
    # then
    assert_invalid(exc, 400, f'"size" must be greater than the current size of the network volume ({size} <= 50)')
    assert backend.get_network_volume(volume["id"]) == volume


def test_update_network_volume_error_data_center_not_updatable(backend: RunpodBackend) -> None:
    volume = make_volume(backend)
    with pytest.raises(errors.UnknownField) as exc:
        backend.update_network_volume(volume["id"], {"dataCenterId": "US-TX-3"})
    assert_invalid(exc, 400, '"dataCenterId" is not in input schema')


def test_delete_network_volume(backend: RunpodBackend) -> None:
    volume = make_volume(backend)
    backend.delete_network_volume(volume["id"])
    with pytest.raises(errors.NetworkVolumeNotFound) as exc:
        backend.get_network_volume(volume["id"])
    assert_invalid(exc, 404, "Network volume not found")


# -- control hooks -------------------------------------------------------------------------------


def test_control_patch_drift_is_visible_on_read(backend: RunpodBackend) -> None:
    # given
    template = make_template(backend)
    endpoint = make_endpoint(backend, template["id"], workersMax=3)
    # when: the platform scales an idle endpoint down on its own
    backend.control_patch("endpoints", endpoint["id"], {"workersMax": 0})
    # then
    assert backend.get_endpoint(endpoint["id"])["workersMax"] == 0


def test_reset_clears_every_kind(backend: RunpodBackend) -> None:
    template = make_template(backend)
    make_endpoint(backend, template["id"])
    make_volume(backend)
    backend.reset()
    assert backend.inventory() == {"endpoints": [], "templates": [], "networkvolumes": []}
