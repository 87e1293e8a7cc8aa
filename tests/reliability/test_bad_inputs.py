"""Property-based bad input over every Args class: each is rejected by ``check`` (what preview runs)
naming the property, with no exception from this package, no API call and no secret value echoed.

One valid input per resource is corrupted in one property at a time — a value of the wrong type, a
nested value where a scalar belongs, an unknown property — with secret fields carrying a marker that
must never appear in a failure.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_deploy.aieev.endpoint import EndpointProvider as AieevEndpointProvider
from pulumi_deploy.core.http import use_transport
from pulumi_deploy.core.provider import PLAN_NOTES, SpecProvider
from pulumi_deploy.cyberun.container_service import ContainerServiceProvider
from pulumi_deploy.nemo.deployment import ModelDeploymentProvider
from pulumi_deploy.nemo.deployment_config import ModelDeploymentConfigProvider
from pulumi_deploy.nemo.deployment_status import ModelDeploymentStatusProvider
from pulumi_deploy.runpod.endpoint import EndpointProvider as RunpodEndpointProvider
from pulumi_deploy.runpod.network_volume import NetworkVolumeProvider
from pulumi_deploy.runpod.registry_auth import ContainerRegistryAuthProvider
from pulumi_deploy.runpod.template import TemplateProvider
from pulumi_deploy.trustgate.gateway import GatewayProvider
from pulumi_deploy.trustgate.service import ServiceProvider
from pulumi_deploy.trustgate.upstream import UpstreamProvider

SECRET = "s3cr3t-marker-7f1c"
GW = "6f1c1b1e-0000-4000-8000-00000000000a"
UP = "0b2c6c58-6a4f-4b7e-9c1d-3f0e0f6f6a11"

#: One valid input per resource (as the engine sends it: numbers as floats).
VALID: dict[type[SpecProvider], dict[str, Any]] = {
    TemplateProvider: {"image_name": "img:1", "is_serverless": True, "env": {"TOKEN": SECRET}},
    RunpodEndpointProvider: {"template_id": "t1", "workers_max": 3.0},
    NetworkVolumeProvider: {"size": 50.0, "data_center_id": "EU-RO-1"},
    ContainerRegistryAuthProvider: {"username": "bot", "password": SECRET},
    AieevEndpointProvider: {"endpoint_id": "ep-1", "container_env_vars": [{"key": "TOKEN", "value": SECRET}]},
    ContainerServiceProvider: {
        "service_slug": "svc-one",
        "docker_image": "img:1",
        "env_config": [{"env_name": "TOKEN", "env_value": SECRET}],
    },
    GatewayProvider: {"name": "edge", "subdomain": "edge"},
    UpstreamProvider: {
        "gateway_id": GW,
        "name": "u",
        "algorithm": "round-robin",
        "targets": [{"host": "h", "port": 8000.0, "protocol": "http", "weight": 100.0}],
    },
    ServiceProvider: {
        "gateway_id": GW,
        "name": "s",
        "type": "upstream",
        "upstream_id": UP,
        "headers": {"Authorization": SECRET},
    },
    ModelDeploymentConfigProvider: {
        "name": "cfg",
        "engine": "nim",
        "model_spec": {"model_type": "llm", "model_name": "llama-3.1-8b-instruct"},
        "executor_config": {"gpu": 1.0},
    },
    ModelDeploymentProvider: {"name": "dep", "config": "cfg"},
    ModelDeploymentStatusProvider: {"deployment": "dep", "status": "READY"},
}
PROVIDERS = list(VALID)


class _NoCalls(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"check made an API call: {request.method} {request.url}")


#: A usable configuration for every vendor, as a preview has: check verifies the vendor can be called.
VENDOR_ENV = {
    "RUNPOD_API_KEY": "rp-key",
    "AIEEV_API_KEY": "aieev-key",
    "CYBERUN_TOKEN": "sk-token",
    "TRUSTGATE_ADMIN_TOKEN": "tg-token",
    "TRUSTGATE_BASE_URL": "http://127.0.0.1:9/trustgate",
    "NEMO_BASE_URL": "http://127.0.0.1:9/nemo",
}


@pytest.fixture(autouse=True, scope="module")
def no_api_calls():
    with pytest.MonkeyPatch.context() as env, use_transport(lambda base_url: _NoCalls()):
        for name, value in VENDOR_ENV.items():
            env.setenv(name, value)
        yield


def _inputs(provider: SpecProvider) -> list[str]:
    return [f.name for f in provider.spec.inputs()]


def test_every_args_class_is_covered_and_its_valid_input_passes() -> None:
    import pulumi_deploy.aieev
    import pulumi_deploy.cyberun
    import pulumi_deploy.nemo
    import pulumi_deploy.runpod
    import pulumi_deploy.trustgate  # noqa: F401
    from pulumi_deploy.core.resource import SpecResource

    def subclasses(cls: type) -> list[type]:
        return [c for s in cls.__subclasses__() for c in (s, *subclasses(s))]

    declared = {
        r.provider_cls
        for r in subclasses(SpecResource)
        if "provider_cls" in r.__dict__ and r.__module__.startswith("pulumi_deploy.")  # not test-made examples
    }
    assert declared <= set(PROVIDERS), f"no bad-input coverage for {declared - set(PROVIDERS)}"
    for cls, valid in VALID.items():
        result = cls().check({}, copy.deepcopy(valid))
        assert result.failures == [], (cls.__name__, [(f.property, f.reason) for f in result.failures])


WRONG_TYPED = st.one_of(
    st.dictionaries(st.sampled_from(["bogus", "x"]), st.integers(), min_size=1),
    st.lists(st.dictionaries(st.just("k"), st.integers(), min_size=1), min_size=1, max_size=2),
    st.text(min_size=1, max_size=5).map(lambda s: {"nested": [s]}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_bad_property_is_rejected_naming_it_without_echoing_secrets(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(PROVIDERS), label="resource")
    provider = cls()
    name = data.draw(st.sampled_from(_inputs(provider)), label="property")
    news = copy.deepcopy(VALID[cls])
    field = provider.spec.fields[name]
    current = news.get(name)
    bad = data.draw(WRONG_TYPED, label="value")
    if isinstance(current, dict) and isinstance(bad, dict):
        bad = [1.0, 2.0]  # a mapping field gets a list
    if isinstance(current, list) and isinstance(bad, list):
        bad = {"bogus": 1.0}  # a list field gets a mapping
    news[name] = bad
    result = provider.check({}, news)  # must not raise
    assert result.failures, f"{cls.__name__}.{name} accepted {bad!r}"
    named = [f for f in result.failures if f.property == name or (f.property == "" and f.reason.startswith(name))]
    assert named, (name, [(f.property, f.reason) for f in result.failures])
    if field.secret:
        assert all(f.property != name for f in result.failures)  # the engine would print the value
    for f in result.failures:
        assert SECRET not in f.reason


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cls=st.sampled_from(PROVIDERS), key=st.from_regex(r"[a-z]{3,8}_[a-z]{3,8}", fullmatch=True))
def test_an_unknown_property_is_rejected_naming_it(cls: type[SpecProvider], key: str) -> None:
    provider = cls()
    # Hypothesis also draws the code's own string constants: `plan_notes` fits the pattern, and it is
    # the core's preview property (the resource adds it in a preview), not an unknown one.
    if key in provider.spec.fields or key == PLAN_NOTES:
        return
    news = {**copy.deepcopy(VALID[cls]), key: "x"}
    result = provider.check({}, news)
    assert [f.property for f in result.failures] == [key], [(f.property, f.reason) for f in result.failures]
    assert "unknown property" in result.failures[0].reason
    assert SECRET not in result.failures[0].reason


def _env(cls: type[SpecProvider], names: list[str]) -> dict[str, Any]:
    if cls is ContainerServiceProvider:
        return {"env_config": [{"env_name": n, "env_value": SECRET} for n in names]}
    return {"env": {n: SECRET for n in names}}


@pytest.mark.parametrize("cls", [TemplateProvider, RunpodEndpointProvider, ContainerServiceProvider])
@pytest.mark.parametrize(
    ("names", "reason"),
    [
        (["", "MODEL"], "variable names must be non-empty, without spaces or '=' (got '')"),
        (["BAD KEY"], "variable names must be non-empty, without spaces or '=' (got 'BAD KEY')"),
        (["A=B"], "variable names must be non-empty, without spaces or '=' (got 'A=B')"),
    ],
)
def test_an_environment_name_no_process_can_hold_is_rejected_at_check(cls, names, reason) -> None:
    # given
    field = "env_config" if cls is ContainerServiceProvider else "env"
    news = {**copy.deepcopy(VALID[cls]), **_env(cls, names)}
    # when
    result = cls().check({}, news)
    # then: named in the reason (the property is left out: the field is secret, and the engine would
    # print its value beside it); Cyberun's declared field already refuses an empty name
    expected = f"{field}: {reason}"
    if cls is ContainerServiceProvider and "" in names:
        expected = "env_config.0.env_name: String should have at least 1 character"
    assert [f.reason for f in result.failures] == [expected]
    assert SECRET not in result.failures[0].reason


def test_a_cyberun_variable_given_twice_is_rejected_at_check() -> None:
    # given
    news = {**copy.deepcopy(VALID[ContainerServiceProvider]), **_env(ContainerServiceProvider, ["A", "A", "B"])}
    # when
    result = ContainerServiceProvider().check({}, news)
    # then
    assert [f.reason for f in result.failures] == ["env_config: each variable name may be given once (twice: A)"]
