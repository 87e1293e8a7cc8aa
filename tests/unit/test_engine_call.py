"""The engine's view of the call being served: found from the servicer's request, absent elsewhere."""

from __future__ import annotations

import types

import pytest

from pulumi_deploy.core import engine


def _served_by_the_sdk(request: object) -> engine.EngineCall | None:
    """Run ``current_call`` from a function whose code claims to be the SDK's provider server."""
    source = "def serve(request):\n    return lookup()\n"
    namespace: dict[str, object] = {"lookup": engine.current_call}
    exec(compile(source, "/venv/site-packages/pulumi/dynamic/__main__.py", "exec"), namespace)
    return namespace["serve"](request)  # type: ignore[operator,no-any-return]


def test_the_call_is_read_from_the_servicers_request() -> None:
    request = types.SimpleNamespace(
        urn="urn:pulumi:dev::proj::pulumi-python:dynamic/runpod:Endpoint::llm", name="llm", type="x"
    )
    assert _served_by_the_sdk(request) == engine.EngineCall(request.urn, "llm", "x")


def test_name_and_type_fall_back_to_the_urn() -> None:
    request = types.SimpleNamespace(urn="urn:pulumi:dev::proj::pulumi-python:dynamic/runpod:Endpoint::llm")
    call = _served_by_the_sdk(request)
    assert call == engine.EngineCall(request.urn, "llm", "pulumi-python:dynamic/runpod:Endpoint")


def test_outside_the_provider_server_there_is_no_call(capsys: pytest.CaptureFixture[str]) -> None:
    assert engine.current_call() is None
    engine.note("rolling release")  # falls back to a plain line
    assert "[pulumi-deploy] rolling release" in capsys.readouterr().err
