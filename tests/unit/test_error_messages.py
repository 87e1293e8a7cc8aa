"""Errors read as one paragraph naming the fix: hints of the HTTP layer, strict input types, and
the provider server showing this package's errors as messages."""

from __future__ import annotations

import dataclasses
import sys
import traceback
import types
from typing import Annotated

import httpx
import pytest

from pulumi_deploy.core import error_display
from pulumi_deploy.core.config import Setting, VendorSettings, connection_settings
from pulumi_deploy.core.connection import CONNECTION_KEY, Connection, values_of
from pulumi_deploy.core.errors import ConfigError, Forbidden, NotFound, TransportError, Unauthorized
from pulumi_deploy.core.fields import Doc
from pulumi_deploy.core.http import ApiClient, RetryPolicy
from pulumi_deploy.runpod.endpoint import EndpointProvider

SETTINGS = VendorSettings(
    "demo", Setting("demo:apiKey", "DEMO_API_KEY"), Setting("demo:baseUrl", "DEMO_BASE_URL", "https://api.demo/v1")
)
BASE = "http://127.0.0.1:1/v1"


def answering(status: int, body: dict[str, str]) -> ApiClient:
    transport = httpx.MockTransport(lambda req: httpx.Response(status, json=body))
    return ApiClient("demo", BASE, {}, transport=transport, retry=RetryPolicy(attempts=1), settings=SETTINGS)


@pytest.mark.parametrize(
    ("status", "kind", "names"),
    [
        (401, Unauthorized, ["demo:apiKey", "$DEMO_API_KEY"]),
        (403, Forbidden, ["demo:apiKey", "$DEMO_API_KEY", "account"]),
    ],
)
def test_a_refused_credential_names_the_credential_setting(status, kind, names):
    with pytest.raises(kind) as raised:
        answering(status, {"detail": "bad token"}).request("GET", "/things")
    text = str(raised.value)
    assert "returned" in text and "bad token" in text
    assert all(name in text for name in names)


def test_a_credential_refused_from_a_connection_names_the_connection_field_not_the_stack_setting():
    # given: the demo vendor's connection class names its fields
    @dataclasses.dataclass(kw_only=True)
    class DemoConnection(Connection, vendor="demo"):
        api_key: Annotated[str | None, SETTINGS.credential, Doc("A key")] = None

    given = values_of({CONNECTION_KEY: DemoConnection(api_key="k").config_values()})
    # when
    with connection_settings(given), pytest.raises(Unauthorized) as raised:
        answering(401, {"detail": "bad token"}).request("GET", "/things")
    # then
    text = str(raised.value)
    assert "check it with the `api_key` of this resource's `connection=`" in text
    assert "demo:apiKey" not in text and "$DEMO_API_KEY" not in text
    assert "comes from `demo:baseUrl` / $DEMO_BASE_URL" in text  # the connection left the base URL unset


def test_a_404_on_an_update_hints_at_refresh_and_on_a_create_at_the_base_url():
    client = answering(404, {"detail": "Not Found"})
    with pytest.raises(NotFound) as update:
        client.request("PATCH", "/things/t1", json={})
    with pytest.raises(NotFound) as create:
        client.request("POST", "/things", json={})
    assert "pulumi refresh" in str(update.value)
    assert "pulumi refresh" not in str(create.value)
    assert "demo:baseUrl" in str(create.value) and "default https://api.demo/v1" in str(create.value)


def test_an_explained_error_keeps_its_hint():
    with pytest.raises(Unauthorized) as raised:
        answering(401, {"detail": "no"}).request("GET", "/x")
    explained = raised.value.explained("demo widget 'w': the key was refused")
    assert str(explained).startswith("demo widget 'w': the key was refused. The credential was refused")


def test_a_refused_connection_names_the_base_url_setting():
    def refuse(req: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=req)

    client = ApiClient(
        "demo", BASE, {}, transport=httpx.MockTransport(refuse), retry=RetryPolicy(attempts=1), settings=SETTINGS
    )
    with pytest.raises(TransportError) as raised:
        client.request("GET", "/x")
    assert "Connection refused" in str(raised.value)
    assert f"reachable at {BASE}" in str(raised.value) and "demo:baseUrl" in str(raised.value)


def test_strict_types_reject_a_string_for_a_number_and_keep_integral_floats():
    provider = EndpointProvider()
    text = provider.check({}, {"template_id": "t1", "workers_max": "5"})
    assert [(f.property, f.reason) for f in text.failures] == [
        ("workers_max", "workers_max: Input should be a valid integer (got '5')")
    ]
    number = provider.check({}, {"template_id": "t1", "workers_max": 5.0})  # the engine sends numbers as floats
    assert number.failures == [] and number.inputs["workers_max"] == 5


def test_check_fails_without_a_credential_naming_key_and_env_var(monkeypatch):
    monkeypatch.delenv("RUNPOD_API_KEY")
    result = EndpointProvider().check({}, {"template_id": "t1"})
    assert [f.property for f in result.failures] == [""]
    assert "runpod:apiKey" in result.failures[0].reason and "$RUNPOD_API_KEY" in result.failures[0].reason


def fake_server_module() -> types.ModuleType:
    """A module shaped like the SDK's provider server: a handler formatting errors with ``traceback``."""
    module = types.ModuleType("fake_server")
    module.traceback = traceback  # type: ignore[attr-defined]
    exec(
        "def handle(fn):\n    try:\n        fn()\n    except Exception:\n        return traceback.format_exc()\n",
        module.__dict__,
    )
    return module


def test_the_server_shows_this_packages_errors_as_their_message_and_others_with_a_traceback(monkeypatch):
    monkeypatch.setattr(error_display, "_installed", False)
    server = fake_server_module()
    assert error_display.install(server)

    def own() -> None:
        try:
            raise OSError("refused")
        except OSError as exc:
            raise ConfigError("demo: no base URL configured") from exc

    def bug() -> None:
        raise KeyError("x")

    assert server.handle(own) == "pulumi-deploy: demo: no base URL configured"  # type: ignore[attr-defined]
    assert server.handle(bug).startswith("Traceback (most recent call last)")  # type: ignore[attr-defined]
    assert not error_display.install(server)  # once


def test_outside_the_provider_process_nothing_is_installed(monkeypatch):
    monkeypatch.setattr(error_display, "_installed", False)
    assert error_display.install() is False
    assert sys.modules["__main__"].__dict__.get("traceback") is not error_display._MessageForOwnErrors


def test_an_unknown_gpu_type_is_reported_briefly_with_its_path_and_the_override():
    # Data centres are an open catalogue the server judges; GPU types are checked here, briefly.
    result = EndpointProvider().check({}, {"template_id": "t1", "gpu_type_ids": ["NVIDIA L4", "NVIDIA XX-1"]})
    (failure,) = result.failures
    assert "unknown GPU type 'NVIDIA XX-1'" in failure.reason and "allow_unknown_gpu_types" in failure.reason
    assert "literal[" not in failure.reason and len(failure.reason) < 400
    assert EndpointProvider().check({}, {"template_id": "t1", "data_center_ids": ["EU-RO-1", "XX-1"]}).failures == []
