"""Aieev Endpoint provider called directly (pure parts: check and diff), shaped like the engine's calls."""

from __future__ import annotations

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_deploy import aieev
from pulumi_deploy.aieev.endpoint import EndpointProvider
from pulumi_deploy.core.errors import PulumiDeployError, TransportError, Unauthorized
from pulumi_deploy.core.http import use_transport

PROVIDER = {"__provider": "pickled", "_logical_name": "llm"}


def failures(result):
    return {f.property: f.reason for f in result.failures}


def test_aieev_exports_and_type_token_are_pinned():
    assert sorted(aieev.__all__) == ["Connection", "Endpoint", "EndpointArgs", "EnvVarArgs"]
    assert aieev.Endpoint._resource_type_name == "dynamic/aieev:Endpoint"


def test_check_rejects_out_of_range_settings_naming_each_property():
    result = EndpointProvider().check(
        {}, {**PROVIDER, "endpoint_id": "ep", "container_port": 70000.0, "health_check_timeout": 0.0}
    )
    assert sorted(failures(result)) == ["container_port", "health_check_timeout"]


def test_check_requires_endpoint_id_and_rejects_adopt_id():
    assert "endpoint_id" in failures(EndpointProvider().check({}, {**PROVIDER, "container_port": 80}))
    result = EndpointProvider().check({}, {**PROVIDER, "endpoint_id": "ep", "adopt_id": "other"})
    assert list(failures(result)) == ["adopt_id"]


def test_check_normalises_env_vars_sorted_by_key_without_empty_entries_and_hides_values():
    env = [{"key": "B", "value": "2"}, {"key": "", "value": ""}, {"key": "A", "value": "1"}]
    result = EndpointProvider().check({}, {**PROVIDER, "endpoint_id": "ep", "container_env_vars": env})
    assert result.inputs["container_env_vars"] == [{"key": "A", "value": "1"}, {"key": "B", "value": "2"}]
    dupes = [{"key": "A", "value": "s3cret"}, {"key": "A", "value": "other"}]
    bad = EndpointProvider().check({}, {**PROVIDER, "endpoint_id": "ep", "container_env_vars": dupes})
    # a secret field's failure names no property (the engine would print its value next to it)
    assert failures(bad) == {"": "container_env_vars: duplicate keys: A"}


def test_check_tolerates_unknown_values_during_preview():
    result = EndpointProvider().check({}, {**PROVIDER, "endpoint_id": Unknown(), "container_port": 80})
    assert failures(result) == {}


def test_diff_env_order_and_vendor_none_marker_are_not_changes():
    olds = {
        **PROVIDER,
        "endpoint_id": "ep",
        "container_env_vars": [{"key": "A", "value": "1"}, {"key": "B", "value": "2"}],
    }
    news = {
        **PROVIDER,
        "endpoint_id": "ep",
        "container_env_vars": [{"key": "B", "value": "2"}, {"key": "A", "value": "1"}],
    }
    assert EndpointProvider().diff("ep", olds, news).replaces == []
    plan = EndpointProvider.spec.plan({"container_env_vars": []}, {"container_env_vars": [{"key": "", "value": ""}]})
    assert plan.changed == []


def test_diff_marks_settings_as_downtime_and_endpoint_id_as_replace():
    spec = EndpointProvider.spec
    plan = spec.plan({"endpoint_id": "a", "container_port": 80}, {"endpoint_id": "a", "container_port": 81})
    assert plan.changed == ["container_port"] and plan.downtime == ["container_port"] and plan.replaces == []
    plan = spec.plan({"endpoint_id": "a", "replicas": 1}, {"endpoint_id": "b", "replicas": 2})
    assert plan.replace_keys == ["endpoint_id"] and plan.downtime == []


def test_unknown_endpoint_and_plain_text_401_are_reported_with_the_vendor_message(monkeypatch):
    monkeypatch.setenv("AIEEV_API_KEY", "k")
    monkeypatch.setenv("AIEEV_BASE_URL", "http://127.0.0.1:9/aieev/external/api/v1")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ep-gone"):
            return httpx.Response(404, json={"detail": "Endpoint ep-gone not found"})
        return httpx.Response(401, text="invalid api key", headers={"content-type": "text/plain"})

    props = {**PROVIDER, "endpoint_id": "ep-gone", "active": True}
    with use_transport(lambda _url: httpx.MockTransport(handler)):
        with pytest.raises(PulumiDeployError, match=r"must already exist.*granted") as gone:
            EndpointProvider().create(props)
        with pytest.raises(Unauthorized, match="401: invalid api key"):
            EndpointProvider().create({**props, "endpoint_id": "ep-1"})
    assert "Endpoint ep-gone not found" in str(gone.value)


@pytest.mark.parametrize(
    ("live", "active", "replicas"),
    [
        ({"is_active": False, "num_replicas": 0, "enable_autoscaling": False}, False, 2),  # stopped elsewhere
        ({"is_active": True, "num_replicas": 3, "enable_autoscaling": False}, True, 3),  # scaled elsewhere
        ({"is_active": True, "num_replicas": 5, "enable_autoscaling": True}, True, 2),  # the autoscaler: no drift
    ],
)
def test_refresh_reads_the_running_state_and_replicas_as_the_inputs(monkeypatch, live, active, replicas):
    monkeypatch.setenv("AIEEV_API_KEY", "k")
    monkeypatch.setenv("AIEEV_BASE_URL", "http://127.0.0.1:9/aieev/external/api/v1")
    body = {"id": "ep-1", "name": "ep", "status": "RUNNING", **live}
    olds = {**PROVIDER, "endpoint_id": "ep-1", "active": True, "replicas": 2, "container_port": 80,
            "_input_names": ["active", "container_port", "endpoint_id", "replicas"]}  # fmt: skip
    with use_transport(lambda _url: httpx.MockTransport(lambda req: httpx.Response(200, json=body))):
        result = EndpointProvider().read("ep-1", olds)
    assert (result.inputs["active"], result.inputs["replicas"]) == (active, replicas)
    assert result.inputs["container_port"] == 80  # write-only: kept from the inputs
    assert (result.outs["active"], result.outs["replicas"]) == (active, replicas)


def test_a_timed_out_read_while_taking_over_fails_at_once_without_looking_for_a_lost_create(monkeypatch):
    # given: Aieev creates nothing (it takes over), so a timeout has no lost object to look for
    monkeypatch.setenv("AIEEV_API_KEY", "k")
    monkeypatch.setenv("AIEEV_BASE_URL", "http://127.0.0.1:9/aieev/external/api/v1")
    monkeypatch.setenv("PULUMI_DEPLOY_MAX_ATTEMPTS", "1")
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ReadTimeout("timed out", request=request)

    # when
    with use_transport(lambda _url: httpx.MockTransport(handler)), pytest.raises(TransportError) as failed:
        EndpointProvider().create({**PROVIDER, "endpoint_id": "ep-1", "active": True})
    # then
    assert calls == ["GET"]
    assert "was not sent again" not in str(failed.value)
