"""What adopting an object changes, called directly: the preview's lines and the update that follows
are one plan, for every update style, and a mapping's values are never printed."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_deploy.core import bookkeeping
from pulumi_deploy.core.errors import PulumiDeployError
from pulumi_deploy.core.shown_values import changed_value, shown
from pulumi_deploy.cyberun.container_service import ContainerServiceProvider
from pulumi_deploy.nemo.deployment import ModelDeploymentProvider
from pulumi_deploy.trustgate.service import ServiceProvider
from pulumi_deploy.trustgate.upstream import UpstreamProvider

GATEWAY = "0b0e6a8e-9c1d-4d0e-8b43-7d2c6f0a1b2c"


def _checked(provider: Any, desired: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, bookkeeping.write({"__provider": "p", **desired}, bookkeeping.Bookkeeping("r")))
    assert not result.failures, result.failures
    return dict(result.inputs)


def test_adopting_under_a_full_put_says_which_fields_the_object_loses():
    # given: a service with a description and tags the program does not set
    provider = ServiceProvider()
    desired = {"gateway_id": GATEWAY, "name": "svc", "type": "endpoint", "host": "h.example", "port": 443,
               "protocol": "https", "adopt_id": "s1"}  # fmt: skip
    wire = {**desired, "id": "s1", "upstream_id": None, "tags": ["prod"], "description": "owned by ops"}
    props = _checked(provider, desired)
    live = provider.live_values(wire)
    # when
    notes = provider.adoption_notes("s1", live, props)
    plan = provider.adoption_plan("s1", live, props)
    # then: the update the plan makes clears both, and the preview says so
    assert sorted(plan.changed) == ["description", "tags"]
    assert notes == [
        "adopting s1: description 'owned by ops' is cleared (the update sends the whole object, without it)",
        "adopting s1: tags ['prod'] is cleared (the update sends the whole object, without it)",
    ]


def test_adopting_a_nemo_deployment_that_leaves_config_version_to_the_server_writes_no_version():
    # given: the deployment runs config version 3; the program follows the latest (config_version unset)
    provider = ModelDeploymentProvider()
    desired = {"name": "dep", "workspace": "default", "config": "cfg", "adopt_id": "default/dep"}
    wire = {"name": "dep", "workspace": "default", "config": "cfg", "config_version": 3, "entity_version": 2,
            "status": "READY"}  # fmt: skip
    props = _checked(provider, desired)
    live = provider.live_values(wire)
    # when
    plan = provider.adoption_plan("default/dep", live, props)
    # then: nothing to change, so no new deployment version is written
    assert plan.changed == []
    assert provider.adoption_notes("default/dep", live, props) == ["adopting default/dep: no change to the object"]


def test_adopting_a_cyberun_service_whose_credential_the_program_leaves_unset_is_refused():
    # given: the API cannot clear a credential reference (only a new object has none)
    provider = ContainerServiceProvider()
    credential = "11111111-2222-3333-4444-555555555555"
    desired = {"service_slug": "ext", "service_type": "external", "external_url": "https://a.example",
               "adopt_id": "s1"}  # fmt: skip
    wire = {"id": "s1", "service_slug": "ext", "service_type": "external", "external_url": "https://a.example",
            "external_auth_credential_id": credential, "service_status": "running"}  # fmt: skip
    props = _checked(provider, desired)
    # when
    with pytest.raises(PulumiDeployError) as refused:
        provider.adoption_plan("s1", provider.live_values(wire), props)
    # then
    assert f"external_auth_credential_id is {credential!r}, not unset" in str(refused.value)
    assert "set the input to the object's value to adopt it" in str(refused.value)


def test_an_adoption_line_names_the_entries_of_a_mapping_that_change_never_their_values():
    # given: health-check headers the user may have wrapped in Output.secret (the provider cannot tell)
    provider = UpstreamProvider()
    target = {"host": "a.example", "port": 443, "protocol": "https", "weight": 1}
    checks = {"passive": True, "threshold": 3, "interval": 30, "headers": {"Authorization": "Bearer NEW-token"}}
    desired = {"gateway_id": GATEWAY, "name": "up", "algorithm": "round-robin", "targets": [target],
               "health_checks": checks, "adopt_id": "u1"}  # fmt: skip
    live_checks = {**checks, "headers": {"Authorization": "Bearer OLD-token"}, "threshold": 5}
    wire = {**desired, "id": "u1", "targets": [{**target, "id": "t0"}], "health_checks": live_checks}
    # when
    notes = provider.adoption_notes("u1", provider.live_values(wire), _checked(provider, desired))
    # then
    text = "\n".join(notes)
    assert "adopting u1: health_checks changes headers, threshold (values not shown)" in notes, notes
    assert "token" not in text


def test_shown_values_keep_scalars_and_lists_of_scalars_and_hide_mappings():
    assert shown("a") == "'a'" and shown(["L4", "A40"]) == "['L4', 'A40']"
    assert shown({"k": "v"}) == "(1 entries)" and shown([{"k": "v"}]) == "(1 items)"
    assert changed_value({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == "changes b; adds c (values not shown)"
    assert changed_value(1, 3) == "1 => 3"
