"""Explicit connections: precedence over stack config and env, per call, and their checks."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import pytest
from pulumi.output import Unknown

from pulumi_deploy import aieev, cyberun, nemo, runpod, trustgate
from pulumi_deploy.core.config import (
    connection_pending,
    connection_settings,
    how_to_set,
    load_stack_config,
    lookup,
    source,
)
from pulumi_deploy.core.connection import CONNECTION_KEY, Connection, connection_input, values_of
from pulumi_deploy.core.fields import Doc
from pulumi_deploy.nemo.deployment_config import ModelDeploymentConfigProvider
from pulumi_deploy.runpod.api import SETTINGS
from pulumi_deploy.runpod.endpoint import EndpointProvider

ALL_CONNECTIONS = [runpod.Connection, aieev.Connection, cyberun.Connection, trustgate.Connection, nemo.Connection]


def test_a_connection_wins_over_stack_config_and_env_only_inside_its_call(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_KEY", "from-env")
    load_stack_config({"runpod:apiKey": "from-config"})
    with connection_settings(values_of({CONNECTION_KEY: {"runpod:apiKey": "from-connection"}})):
        assert lookup(SETTINGS["v2"].credential) == "from-connection"
        assert lookup(SETTINGS["v2"].base_url) == "https://api.runpod.io/v2"  # unset in the connection: the default
    assert lookup(SETTINGS["v2"].credential) == "from-config"
    load_stack_config({})


def test_an_unknown_connection_defers_the_configuration_check(monkeypatch):
    monkeypatch.delenv("RUNPOD_API_KEY")
    provider = EndpointProvider()
    unknown = provider.check({}, {"template_id": "t1", CONNECTION_KEY: Unknown()})
    partly = provider.check({}, {"template_id": "t1", CONNECTION_KEY: {"runpod:apiKey": Unknown()}})
    missing = provider.check({}, {"template_id": "t1"})
    given = provider.check({}, {"template_id": "t1", CONNECTION_KEY: {"runpod:apiKey": "k"}})
    assert unknown.failures == [] and partly.failures == [] and given.failures == []
    assert [f.property for f in missing.failures] == [""]
    assert not connection_pending()  # nothing leaks out of the call


def test_the_connection_is_an_internal_input_kept_through_check():
    checked = EndpointProvider().check({}, {"template_id": "t1", CONNECTION_KEY: {"runpod:apiKey": "k"}})
    assert checked.inputs[CONNECTION_KEY] == {"runpod:apiKey": "k"}


def test_a_connection_of_another_vendor_is_refused():
    with pytest.raises(TypeError, match=r"a runpod resource cannot use a aieev\.Connection"):
        connection_input("runpod", aieev.Connection(api_key="k"))
    with pytest.raises(TypeError, match=r"takes a runpod\.Connection"):
        connection_input("runpod", {"api_key": "k"})  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", ALL_CONNECTIONS)
def test_every_field_of_a_connection_is_one_vendor_setting(cls: type[Connection]):
    names = {f.name for f in dataclasses.fields(cls)}
    assert names == set(cls.settings)
    assert all(key.startswith(f"{cls.vendor}:") for key in (s.config_key for s in cls.settings.values()))


@pytest.mark.parametrize("cls", ALL_CONNECTIONS)
def test_a_connections_help_names_each_fields_config_key_and_environment_variable(cls: type[Connection]):
    doc = cls.__doc__ or ""
    for name, setting in cls.settings.items():
        line = next(line for line in doc.splitlines() if line.startswith(f"- ``{name}``: "))
        assert f"``{setting.config_key}`` / ``${setting.env}``" in line


def test_a_connection_field_without_its_setting_fails_when_the_class_is_defined():
    with pytest.raises(TypeError, match=r"\.token: annotate one Setting, found 0"):

        @dataclasses.dataclass(kw_only=True)
        class Broken(Connection, vendor="example"):
            token: Annotated[str | None, Doc("A key")] = None


def test_a_setting_given_by_the_connection_is_named_by_its_connection_field(monkeypatch):
    # given: the key in the environment too, so that a message naming $RUNPOD_API_KEY would mislead
    monkeypatch.setenv("RUNPOD_API_KEY", "from-env")
    credential = SETTINGS["v2"].credential
    # when / then: the connection's value is named by its field, the others by config key and env
    with connection_settings(values_of({CONNECTION_KEY: {"runpod:apiKey": "from-connection"}})):
        assert source(credential) == "the `api_key` of this resource's `connection=`"
        assert how_to_set(credential) == "the `api_key` of this resource's `connection=`"
        assert source(SETTINGS["v2"].base_url) == "`runpod:baseUrl` / $RUNPOD_BASE_URL"
    assert source(credential) == "`runpod:apiKey` / $RUNPOD_API_KEY"
    assert how_to_set(credential) == "`pulumi config set --secret runpod:apiKey ...` or $RUNPOD_API_KEY"


def test_a_workspace_default_waits_for_a_connection_not_known_yet(monkeypatch):
    # given: a stack default workspace, and connections that may or may not name another one
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("NEMO_WORKSPACE", "stack-ws")
    provider = ModelDeploymentConfigProvider()
    base = {
        "name": "cfg",
        "engine": "nim",
        "model_spec": {"model_name": "llama-3.1-8b-instruct", "model_type": "llm"},
        "executor_config": {"gpu": 1},
    }

    def workspace(connection: object) -> object:
        checked = provider.check({}, {**base, CONNECTION_KEY: connection})
        assert checked.failures == []
        return checked.inputs.get("workspace")

    # when / then
    assert workspace({"nemo:workspace": "conn-ws"}) == "conn-ws"
    assert workspace({"nemo:baseUrl": "http://127.0.0.1:2"}) == "stack-ws"  # the connection leaves it unset
    assert isinstance(workspace(Unknown()), Unknown)  # the preview cannot know it: not the stack's value
    assert isinstance(workspace({"nemo:workspace": Unknown()}), Unknown)
    # partly known: judged when all of it is (its workspace is never paired with the stack's token)
    assert isinstance(workspace({"nemo:workspace": "conn-ws", "nemo:token": Unknown()}), Unknown)
