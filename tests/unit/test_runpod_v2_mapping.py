"""RunPod REST v2: version selection, the endpoint's wire mapping and problem-details messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pulumi_deploy.core.errors import ConfigError, ErrorReply
from pulumi_deploy.core.http import ApiClient
from pulumi_deploy.core.request import create_call, update_call
from pulumi_deploy.runpod import api
from pulumi_deploy.runpod.catalog import gpu_selection
from pulumi_deploy.runpod.endpoint import EndpointProvider
from pulumi_deploy.runpod.template import TemplateProvider

PROVIDER = {"__provider": "pickled", "_logical_name": "api"}


@pytest.fixture(autouse=True)
def _no_runpod_env(monkeypatch):
    for name in ("RUNPOD_API_VERSION", "RUNPOD_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_default_version_is_v2_with_its_base_url():
    assert api.api_version() == "v2"
    assert api.SETTINGS["v2"].base_url.default == "https://api.runpod.io/v2"
    assert api.SETTINGS["v1"].base_url.default == "https://rest.runpod.io/v1"


def test_unknown_version_is_a_config_error(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_VERSION", "v3")
    with pytest.raises(ConfigError, match="unknown API version 'v3'"):
        api.api_version()


def test_base_url_naming_the_other_version_fails_naming_both_settings(monkeypatch):
    monkeypatch.setenv("RUNPOD_BASE_URL", "https://rest.runpod.io/v1")
    with pytest.raises(ConfigError) as failed:
        api.check_base_url("v2")
    assert "runpod:baseUrl" in str(failed.value) and "runpod:apiVersion" in str(failed.value)
    api.check_base_url("v1")  # the same URL is right for v1
    monkeypatch.setenv("RUNPOD_BASE_URL", "https://api.runpod.io/v2")
    with pytest.raises(ConfigError, match="is a REST v2 URL, but the API version is v1"):
        api.check_base_url("v1")


def _values(**inputs):
    result = EndpointProvider().check({}, {**PROVIDER, **inputs})
    assert result.failures == []
    return EndpointProvider.user_inputs(result.inputs)


def test_create_body_nests_workers_scaling_gpu_and_sends_the_type():
    p = EndpointProvider()
    values = _values(image="acme/w:1", gpu_pools=["AMPERE_24"], workers_max=3, idle_timeout=30, flashboot=True)
    body = p.wire_body(create_call(p.spec, p._routes(), values).body, values)
    assert body == {
        "name": values["name"],
        "image": "acme/w:1",
        "type": "QUEUE",
        "flashboot": "FLASHBOOT",
        "workers": {"max": 3, "idleTimeout": 30},
        "scaling": {"type": "QUEUE_DELAY", "queueDelay": 4},
        "gpu": {"pools": ["AMPERE_24"]},
    }


def test_update_of_workers_max_sends_only_that_field_and_never_type():
    p = EndpointProvider()
    old = _values(image="acme/w:1", gpu_pools=["AMPERE_24"], workers_max=3, type="QUEUE")
    new = {**old, "workers_max": 5}
    call = update_call(p.spec, p._routes(), "ep1", p.spec.plan(old, new), new)
    assert call is not None and call.path == "/serverless/ep1"
    assert p.wire_body(call.body, {**new, "_update": True}) == {"workers": {"max": 5}}


def test_a_gpu_change_leaves_out_a_cuda_constraint_the_program_no_longer_sets():
    # The preview says a removed constraint stays (an update sends only what is set): the body agrees.
    p = EndpointProvider()
    old = _values(image="acme/w:1", gpu_pools=["AMPERE_24"], min_cuda_version="12.1")
    new = {k: v for k, v in old.items() if k != "min_cuda_version"} | {"gpu_pools": ["ADA_24"]}
    call = update_call(p.spec, p._routes(), "ep1", p.spec.plan(old, new), new)
    assert call is not None
    body = p.wire_body(call.body, {**new, "_update": True})
    assert body == {"gpu": {"pools": ["ADA_24"]}}


def test_swapping_one_cuda_constraint_for_the_other_clears_it_and_the_preview_says_so():
    p = EndpointProvider()
    old = _values(image="acme/w:1", gpu_pools=["AMPERE_24"], min_cuda_version="12.1")
    new = {k: v for k, v in old.items() if k != "min_cuda_version"} | {"allowed_cuda_versions": ["12.4"]}
    plan = p.change_plan(old, new)
    call = update_call(p.spec, p._routes(), "ep1", plan, new)
    assert call is not None
    body = p.wire_body(call.body, {**new, "_update": True})
    assert body == {"gpu": {"pools": ["AMPERE_24"], "allowedCudaVersions": ["12.4"], "minCudaVersion": ""}}
    notes = p.plan_notes(plan, old, new)
    assert any(n.startswith("setting allowed_cuda_versions clears any min_cuda_version") for n in notes), notes
    assert not any("min_cuda_version no longer set" in n for n in notes), notes


def test_v2_answer_flattens_to_the_same_names_as_v1():
    wire = {
        "id": "ep1", "name": "api-x -fb", "type": "QUEUE", "image": "acme/w:1", "createdAt": "2026-01-01",
        "workers": {"min": 0, "max": 3, "idleTimeout": 5}, "scaling": {"type": "QUEUE_DELAY", "queueDelay": 4.0},
        "gpu": {"pools": ["AMPERE_24"], "count": 1, "allowedCudaVersions": [], "minCudaVersion": None},
        "dataCenterIds": ["US-TX-3", "EU-RO-1"], "networkVolumes": [], "timeout": 300000, "flashboot": "FLASHBOOT",
        "requestUrls": {"run": "https://api.runpod.ai/v2/ep1/run"},
    }  # fmt: skip
    live = EndpointProvider().v2_live(wire)
    assert live["name"] == "api-x"
    assert (live["workers_max"], live["idle_timeout"], live["scaler_type"], live["scaler_value"]) == (
        3, 5, "QUEUE_DELAY", 4
    )  # fmt: skip
    assert live["data_center_ids"] == ["EU-RO-1", "US-TX-3"]
    assert live["execution_timeout_ms"] == 300000 and live["gpu_pools"] == ["AMPERE_24"]
    assert live["request_urls"]["openai"] == "https://api.runpod.ai/v2/ep1/openai/v1"


def test_problem_details_read_as_detail_and_each_violation():
    rules = api.SETTINGS["v2"].errors
    body = {"title": "Unprocessable Entity", "status": 422, "detail": "Request validation failed.",
            "errors": ["$.workers.idleTimeout: must be <= 3600"]}  # fmt: skip
    kind, message = rules.classify(ErrorReply(422, "POST", body, ""))
    assert message == "Request validation failed; $.workers.idleTimeout: must be <= 3600"
    assert kind.__name__ == "BadRequest"


def test_gpu_type_ids_become_their_pools_with_the_other_types_excluded():
    gpus = [{"id": "NVIDIA L4", "pool": "AMPERE_24"}, {"id": "NVIDIA RTX A5000", "pool": "AMPERE_24"},
            {"id": "NVIDIA GeForce RTX 4090", "pool": "ADA_24"}, {"id": "Tesla T4", "pool": None}]  # fmt: skip
    client = ApiClient(
        "runpod",
        "http://127.0.0.1:9/map",
        {},
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"gpus": gpus})),
    )
    assert gpu_selection(client, ["NVIDIA GeForce RTX 4090", "NVIDIA L4"]) == (
        ["ADA_24", "AMPERE_24"], ["NVIDIA RTX A5000"]
    )  # fmt: skip
    with pytest.raises(Exception, match="not offered on serverless"):
        gpu_selection(client, ["Tesla T4"])


@pytest.mark.parametrize(
    "checker",
    [
        ["-m", "mypy", "--strict", "--no-incremental"],
        ["-m", "pyright", "--pythonpath", sys.executable],  # the checker editors run (Pylance)
    ],
    ids=["mypy", "pyright"],
)
def test_a_plain_list_of_strings_type_checks_for_gpu_types_and_data_centres(tmp_path: Path, checker: list[str]):
    program = tmp_path / "program.py"
    program.write_text(
        "from pulumi_deploy import runpod\n"
        "gpus: list[str] = ['NVIDIA L4']\n"
        "dcs: list[str] = ['EU-RO-1']\n"
        "runpod.EndpointArgs(image='x', gpu_type_ids=gpus, data_center_ids=dcs, excluded_gpu_types=gpus)\n"
        "runpod.NetworkVolumeArgs(size=10, data_center_id=dcs[0])\n"
    )
    done = subprocess.run(
        [sys.executable, *checker, str(program)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout


def test_template_on_v2_maps_its_settings_and_refuses_v1_only_fields():
    p = TemplateProvider()
    refused = p.check({}, {**PROVIDER, "image_name": "acme/w:1", "readme": "hi"})
    assert [(f.property, f.reason) for f in refused.failures] == [
        ("readme", "readme: not available on REST v2 (runpod:apiVersion=v1 still offers it)")
    ]
    values = p.user_inputs(
        p.check(
            {},
            {
                **PROVIDER,
                "image_name": "acme/w:1",
                "docker_start_cmd": ["python", "-m", "w x"],
                "volume_in_gb": 20,
                "is_serverless": True,
            },
        ).inputs
    )
    body = p.wire_body(create_call(p.spec, p._routes(), values).body, values)
    assert body == {
        "name": values["name"],
        "image": "acme/w:1",
        "serverless": True,
        "args": "python -m 'w x'",
        "mounts": {"persistent": {"size": 20, "path": "/workspace"}},
    }
    live = p.v2_live({**body, "id": "t1", "mounts": {"persistent": {"size": 20, "path": "/workspace"}}})
    assert live["docker_start_cmd"] == ["python", "-m", "w x"] and live["image_name"] == "acme/w:1"


def test_a_gpu_count_change_keeps_the_pools_of_gpu_type_ids_and_an_unset_selection():
    p = EndpointProvider()
    gpus = [{"id": "NVIDIA L4", "pool": "AMPERE_24"}, {"id": "NVIDIA RTX A5000", "pool": "AMPERE_24"}]
    client = ApiClient(
        "runpod", "http://127.0.0.1:9/count", {}, transport=httpx.MockTransport(lambda r: _answer(r, gpus))
    )
    for selection, pools in (({"gpu_type_ids": ["NVIDIA L4"]}, ["AMPERE_24"]), ({}, None)):
        old = _values(image="acme/w:1", gpu_count=1, **selection)
        new = {**old, "gpu_count": 2}
        call = update_call(p.spec, p._routes(), "ep1", p.spec.plan(old, new), new)
        assert call is not None
        sent = p.send(client, call, new)
        assert sent["gpu"].get("pools") == pools and sent["gpu"]["count"] == 2


def _answer(request: httpx.Request, gpus: list[dict[str, object]]) -> httpx.Response:
    if request.url.path.endswith("/catalog/gpus"):
        return httpx.Response(200, json={"gpus": gpus})
    return httpx.Response(200, json=json.loads(request.content))  # echo the PATCH body


def test_v2_only_settings_fail_at_preview_on_v1_without_showing_a_secret(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_VERSION", "v1")
    result = EndpointProvider().check({}, {**PROVIDER, "template_id": "t", "image": "acme/w:1", "env": {"K": "s3cr3t"}})
    reasons = {(f.property, f.reason) for f in result.failures}
    assert ("image", "image: needs REST v2 (runpod:apiVersion=v2); on v1 set it on the Template") in reasons
    assert ("", "env: needs REST v2 (runpod:apiVersion=v2); on v1 set it on the Template") in reasons


def test_a_new_template_is_sent_with_the_container_settings_the_endpoint_sets_so_they_stay():
    # A template in a PATCH applies its settings as if they were in the body; the body's own win.
    p = EndpointProvider()
    old = _values(template_id="t1", image="acme/w:1", env={"MODEL": "llama"}, workers_max=3)
    new = {**old, "template_id": "t2"}
    call = update_call(p.spec, p._routes(), "ep1", p.spec.plan(old, new), new)
    assert call is not None
    body = p.wire_body(call.body, {**new, "_update": True})
    assert body == {"templateId": "t2", "image": "acme/w:1", "env": {"MODEL": "llama"}}


def test_exclusions_left_out_of_an_update_that_sends_the_pools_are_said_as_cleared():
    # Pools sent in a PATCH replace the whole selection: exclusions the program no longer lists go.
    p = EndpointProvider()
    old = _values(image="acme/w:1", gpu_pools=["AMPERE_24"], excluded_gpu_types=["NVIDIA RTX A5000"], gpu_count=1)
    without = {k: v for k, v in old.items() if k != "excluded_gpu_types"}
    resized = {**without, "gpu_count": 2}
    # when
    alone = p.change_plan(old, without)
    with_count = p.change_plan(old, resized)
    call = update_call(p.spec, p._routes(), "ep1", with_count, resized)
    # then: alone, nothing is sent and they stay; with a GPU change, the body clears them, as the note says
    assert update_call(p.spec, p._routes(), "ep1", alone, without) is None
    assert any(
        "excluded_gpu_types no longer set: the last applied value stays" in n for n in p.plan_notes(alone, old, without)
    )
    assert call is not None
    assert p.wire_body(call.body, {**resized, "_update": True}) == {"gpu": {"pools": ["AMPERE_24"], "count": 2}}
    notes = p.plan_notes(with_count, old, resized)
    assert any(n.startswith("excluded_gpu_types no longer set: cleared, as the GPU pools") for n in notes), notes
    assert not any("the last applied value stays" in n for n in notes), notes


def test_an_empty_set_of_cuda_versions_set_by_the_program_clears_the_constraint():
    # The v2 PATCH clears a set of versions on an explicit `[]` (leaving the key out keeps it).
    p = EndpointProvider()
    old = _values(image="acme/w:1", gpu_pools=["AMPERE_24"], allowed_cuda_versions=["12.1"])
    new = {**old, "allowed_cuda_versions": []}
    call = update_call(p.spec, p._routes(), "ep1", p.change_plan(old, new), new)
    assert call is not None
    body = p.wire_body(call.body, {**new, "_update": True})
    assert body["gpu"]["allowedCudaVersions"] == []


def test_removing_volumes_or_the_registry_clears_them_on_v2_and_keeps_them_on_v1(monkeypatch):
    # given: an endpoint's volume and registry, then a program without them
    p = EndpointProvider()
    old = {"image": "acme/w:1", "registry": "reg-1", "network_volume_ids": ["vol-1"], "gpu_pools": ["AMPERE_24"]}
    new = {"image": "acme/w:1", "gpu_pools": ["AMPERE_24"]}
    # when
    plan = p.change_plan(old, new)
    call = update_call(p.spec, p._routes(), "ep", plan, new)
    body = p.wire_body(call.body, {**new, "_update": True}) if call is not None else None
    monkeypatch.setenv("RUNPOD_API_VERSION", "v1")
    v1_old, v1_new = {"template_id": "t", "network_volume_id": "vol-1"}, {"template_id": "t"}
    v1_plan = p.change_plan(v1_old, v1_new)
    # then: v2's PATCH clears both (it keeps what it leaves out); v1 sends nothing and says the volume stays
    assert body == {"registry": None, "networkVolumes": []}
    assert update_call(p.spec, p._routes(), "ep", v1_plan, v1_new) is None
    assert any(
        "network_volume_id no longer set: the last applied value stays" in n
        for n in p.plan_notes(v1_plan, v1_old, v1_new)
    )


def test_a_template_refused_as_in_use_on_v2_is_retried_without_looking_for_endpoints_v2_cannot_name():
    # given: REST v2, whose endpoints keep no link to their template; the first delete is refused as in use
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "DELETE" and len(seen) == 1:
            return httpx.Response(400, json={"detail": "template tpl-1 is in use"})
        return httpx.Response(204)

    client = ApiClient("runpod", "http://127.0.0.1:9/v2", {}, transport=httpx.MockTransport(answer),
                       errors=api.SETTINGS["v2"].errors)  # fmt: skip
    # when
    TemplateProvider().api_delete(client, "tpl-1", {"_logical_name": "worker"})
    # then: deleted once the refusal passed; no listing of endpoints, whose answers never name a template
    assert seen == ["DELETE /v2/templates/tpl-1", "DELETE /v2/templates/tpl-1"]
