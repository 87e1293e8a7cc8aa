"""What a user sees when something is wrong, through the real CLI: one paragraph, no Python traceback.

Each case is a mistake users make — the server is down, the base URL is wrong, the object was
deleted in the console, the credential is missing — and the paragraph must name the setting or the
command that fixes it.
"""

from __future__ import annotations

import socket

import pulumi
import pytest

from pulumi_deploy import runpod
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e


def template_program(image: str = "ghcr.io/acme/worker:1.0"):
    def run() -> None:
        tmpl = runpod.Template("worker", runpod.TemplateArgs(image_name=image, is_serverless=True))
        pulumi.export("template_id", tmpl.id)

    return run


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released: connecting to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def failure_text(run) -> str:
    with pytest.raises(StackFailed) as failed:
        run()
    return failed.value.text


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text
    assert "pulumi_deploy/" not in text  # no frame of this package's files
    assert "httpcore" not in text


def test_with_the_server_down_up_names_the_base_url_setting_without_a_traceback(make_stack, emulator):
    # given: RunPod's base URL points at a port nothing listens on
    url = f"http://127.0.0.1:{closed_port()}/v2"
    stack = make_stack(template_program(), env={"RUNPOD_BASE_URL": url, "PULUMI_DEPLOY_MAX_ATTEMPTS": "2"})
    # when
    text = failure_text(stack.up)
    # then
    assert_no_traceback(text)
    assert "runpod:baseUrl" in text and "RUNPOD_BASE_URL" in text
    assert url in text and "ConnectError" in text


def test_a_wrong_base_url_hints_at_the_base_url_setting(make_stack, emulator, emulator_process):
    # given: the emulator is up, but the base URL misses the API's path
    url = emulator_process.base_urls["RUNPOD_BASE_URL"].rstrip("/") + "/no-such-prefix"
    stack = make_stack(template_program(), env={"RUNPOD_BASE_URL": url})
    # when
    text = failure_text(stack.up)
    # then
    assert_no_traceback(text)
    assert "returned 404" in text
    assert "runpod:baseUrl" in text
    assert emulator.inventory("runpod")["templates"] == []


def test_an_object_deleted_out_of_band_then_changed_hints_at_refresh(make_stack, emulator):
    # given: a template, deleted in the console, then changed in the program
    stack = make_stack(template_program())
    template_id = stack.up().outputs["template_id"]
    emulator.delete("runpod", "templates", template_id)
    stack.set_program(template_program("ghcr.io/acme/worker:2.0"))
    # when
    text = failure_text(stack.up)
    # then: the update's 404 tells how to recover
    assert_no_traceback(text)
    assert "PATCH" in text and "404" in text
    assert "pulumi refresh" in text


def test_a_missing_credential_fails_at_preview_naming_the_config_key_and_env_var(make_stack, emulator):
    # given: no RunPod API key anywhere
    stack = make_stack(template_program(), env={"RUNPOD_API_KEY": ""})
    emulator.clear_calls()
    # when
    text = failure_text(stack.preview)
    # then: it fails before any request is sent
    assert "runpod:apiKey" in text and "RUNPOD_API_KEY" in text
    assert_no_traceback(text)
    assert emulator.calls("runpod") == []


def test_a_string_where_a_number_is_expected_fails_at_preview(make_stack, emulator):
    # given: workers_max as a string (as read from an untyped config value)
    def run() -> None:
        tmpl = runpod.Template("worker", runpod.TemplateArgs(image_name="ghcr.io/acme/w:1", is_serverless=True))
        runpod.Endpoint("api", runpod.EndpointArgs(template_id=tmpl.id, workers_max="5"))  # type: ignore[arg-type]

    stack = make_stack(run)
    # when
    text = failure_text(stack.preview)
    # then
    assert "workers_max: Input should be a valid integer (got '5')" in text
    assert emulator.inventory("runpod")["templates"] == []


def test_a_refused_credential_names_the_credential_key_and_env_var(make_stack, emulator):
    # given: a Cyberun agent key, which the REST API refuses
    from pulumi_deploy import cyberun

    def run() -> None:
        cyberun.ContainerService(
            "svc", cyberun.ContainerServiceArgs(service_slug="llm-api", docker_image="vllm/vllm-openai:latest")
        )

    team = "33333333-3333-4333-8333-333333333333"
    stack = make_stack(run, env={"CYBERUN_TOKEN": "ak-agent-key", "CYBERUN_TEAM_ID": team})
    # when
    text = failure_text(stack.up)
    # then
    assert_no_traceback(text)
    assert "cyberun:token" in text and "CYBERUN_TOKEN" in text
    assert emulator.inventory("cyberun")["containers"] == []
