"""NeMo providers called directly: check/diff (pure) and error parsing with a mock transport."""

from __future__ import annotations

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_deploy import nemo
from pulumi_deploy.core.errors import BadRequest, ConfigError
from pulumi_deploy.core.http import use_transport
from pulumi_deploy.nemo.api import name_problem
from pulumi_deploy.nemo.deployment import ModelDeploymentProvider
from pulumi_deploy.nemo.deployment_config import ModelDeploymentConfigProvider

PROVIDER = {"__provider": "pickled", "_logical_name": "x"}
CONFIG = {
    **PROVIDER,
    "name": "llama-cfg",
    "engine": "nim",
    "model_spec": {"model_name": "llama"},
    "executor_config": {"gpu": 1.0},
}


def failures(result):
    return {f.property: f.reason for f in result.failures}


def test_nemo_exports_and_type_tokens_are_pinned():
    assert sorted(nemo.__all__) == [
        "ExecutorConfigArgs",
        "ModelDeployment",
        "ModelDeploymentArgs",
        "ModelDeploymentConfig",
        "ModelDeploymentConfigArgs",
        "ModelDeploymentStatus",
        "ModelDeploymentStatusArgs",
        "ModelSpecArgs",
    ]
    assert nemo.ModelDeployment._resource_type_name == "dynamic/nemo:ModelDeployment"


@pytest.mark.parametrize("name", ["ab", "llama-3.1-8b", "m@v1+x_y", "a" * 63])
def test_names_allowed_by_the_0_6_0_rule(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["a", "Llama", "llama--3", "llama-", "3llama", "a" * 64, "llama 3"])
def test_names_refused_by_the_0_6_0_rule(name):
    assert name_problem(name) is not None


def test_check_defaults_workspace_from_env_and_drops_config_version_zero(monkeypatch):
    monkeypatch.setenv("NEMO_WORKSPACE", "team-a")
    result = ModelDeploymentProvider().check({}, {**PROVIDER, "name": "llama", "config": "cfg", "config_version": 0.0})
    assert failures(result) == {}
    assert result.inputs["workspace"] == "team-a"
    assert "config_version" not in result.inputs


def test_check_generic_engine_needs_image_and_health_path_and_refuses_lora():
    props = {**CONFIG, "engine": "generic", "model_spec": {"lora_enabled": True}, "executor_config": {"gpu": 1}}
    result = ModelDeploymentConfigProvider().check({}, props)
    assert "executor_config.image_name and executor_config.health_check_path" in failures(result)["executor_config"]
    assert "lora_enabled" in failures(result)["model_spec"]


def test_check_leaves_unknown_engine_to_apply_time_and_refuses_unknown_nested_fields():
    unknown = ModelDeploymentConfigProvider().check({}, {**CONFIG, "engine": Unknown()})
    assert failures(unknown) == {}
    typo = ModelDeploymentConfigProvider().check({}, {**CONFIG, "executor_config": {"gpu": 1, "gpus": 2}})
    assert "executor_config.gpus" in failures(typo)["executor_config"]


def test_server_filled_defaults_and_nulls_are_not_a_change():
    spec = ModelDeploymentConfigProvider.spec
    live = spec.from_wire(
        {
            "name": "llama-cfg",
            "workspace": "default",
            "engine": "nim",
            "model_spec": {"model_name": "llama", "lora_enabled": False, "tool_call_config": None},
            "executor_config": {"gpu": 1, "disk_size": "50Gi", "additional_args": [], "image_name": None},
        }
    )
    news = ModelDeploymentConfigProvider().check({}, CONFIG).inputs
    assert spec.plan(live, news).changed == []
    gpu = spec.plan(news, {**news, "executor_config": {"gpu": 2}})
    assert (gpu.changed, gpu.new_version, gpu.replace_keys) == (["executor_config"], ["executor_config"], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"detail": "1 validation error for CreateModelDeploymentRequest name"}, "1 validation error"),
        ({"detail": [{"loc": ["body", "name"], "msg": "String should match pattern"}]}, "name: String should match"),
    ],
    ids=["string-detail", "list-detail"],
)
def test_422_detail_is_reported_whether_string_or_list(monkeypatch, body, message):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9/nemo")
    transport = httpx.MockTransport(lambda _req: httpx.Response(422, json=body))
    with use_transport(lambda _url: transport), pytest.raises(BadRequest, match=message):
        ModelDeploymentProvider().create({**PROVIDER, "name": "llama", "config": "cfg", "workspace": "default"})


def test_runtime_none_is_reported_as_a_configuration_error(monkeypatch):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9/nemo")
    detail = {"detail": "Deployments are not enabled because the backend runtime is set to 'none'"}
    transport = httpx.MockTransport(lambda _req: httpx.Response(422, json=detail))
    with use_transport(lambda _url: transport), pytest.raises(ConfigError, match=r"platform\.runtime"):
        ModelDeploymentProvider().create({**PROVIDER, "name": "llama", "config": "cfg", "workspace": "default"})
