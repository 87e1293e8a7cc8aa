"""Secret values of a failed provider call are withheld from what the user sees of the error."""

from __future__ import annotations

import json

import httpx
import pytest

from pulumi_deploy.core.connection import CONNECTION_KEY, connection_secrets
from pulumi_deploy.core.error_display import format_error
from pulumi_deploy.core.errors import BadRequest
from pulumi_deploy.core.http import use_transport
from pulumi_deploy.core.withheld import PLACEHOLDER, scrub, withhold
from pulumi_deploy.cyberun.container_service import ContainerServiceProvider
from pulumi_deploy.runpod.template import TemplateProvider


def test_the_longest_secret_goes_first_and_short_values_are_left_alone():
    text = "token abcd1234 in abcd1234-extended; flag on"
    assert scrub(text, {"abcd1234", "abcd1234-extended", "on"}) == f"token {PLACEHOLDER} in {PLACEHOLDER}; flag on"


def test_only_the_secret_parts_of_a_field_are_collected():
    # env: each value secret, the names not; Cyberun env_config: each entry's env_value
    runpod_env = TemplateProvider.spec.secret_strings({"env": {"HF_TOKEN": "hf_x1", "MODEL": "llama"}, "name": "t"})
    cyberun_env = ContainerServiceProvider.spec.secret_strings(
        {"env_config": [{"env_name": "API_TOKEN", "env_value": "v-1234"}], "service_slug": "svc"}
    )
    assert runpod_env == {"hf_x1", "llama"}
    assert cyberun_env == {"v-1234"}


def test_a_failed_call_of_a_provider_withholds_its_secret_inputs(monkeypatch):
    # given: an API that refuses the update, echoing the old and the new env value
    monkeypatch.setenv("RUNPOD_API_KEY", "rp-unit-key")
    monkeypatch.setenv("RUNPOD_BASE_URL", "http://127.0.0.1:1/v2")

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "env T: hf_old_secret -> hf_new_secret refused (key rp-unit-key)"})

    # when
    with use_transport(lambda _base_url: httpx.MockTransport(echo)), pytest.raises(BadRequest) as raised:
        TemplateProvider().update(
            "t1",
            {"image_name": "a:1", "env": {"T": "hf_old_secret"}},
            {"image_name": "a:2", "env": {"T": "hf_new_secret"}},
        )
    # then
    text = str(raised.value)
    assert f"env T: {PLACEHOLDER} -> {PLACEHOLDER} refused (key {PLACEHOLDER})" in text, text
    assert "hf_old_secret" not in text and "hf_new_secret" not in text and "rp-unit-key" not in text


def test_a_secret_echoed_across_the_end_of_a_quoted_error_body_leaves_no_part_of_itself(monkeypatch):
    # given: a plain-text error body (no message field) that echoes the new env value around its 500th character
    monkeypatch.setenv("RUNPOD_API_KEY", "rp-unit-key")
    monkeypatch.setenv("RUNPOD_BASE_URL", "http://127.0.0.1:1/v2")
    secret = "hf_" + "s" * 40

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="x" * 480 + secret + " refused")

    # when
    with use_transport(lambda _base_url: httpx.MockTransport(echo)), pytest.raises(BadRequest) as raised:
        TemplateProvider().update("t1", {"image_name": "a:1"}, {"image_name": "a:2", "env": {"T": secret}})
    # then
    text = str(raised.value)
    assert "hf_s" not in text and PLACEHOLDER in text, text


def test_the_traceback_of_a_bug_withholds_the_calls_secrets():
    try:
        raise KeyError("hf_secret_9 was not expected")
    except KeyError as exc:
        withhold(exc, {"hf_secret_9"})
        text = format_error(exc)
    assert "hf_secret_9" not in text and "KeyError" in text and PLACEHOLDER in text


def test_a_secret_escaped_by_json_or_repr_is_withheld_too():
    pem = 'line-one\nline-two "quoted"'
    text = f"body: {json.dumps({'key': pem})}; repr: {pem!r}"
    assert scrub(text, {pem}) == f'body: {{"key": "{PLACEHOLDER}"}}; repr: \'{PLACEHOLDER}\''


def test_a_connections_base_url_and_workspace_stay_readable_its_token_does_not():
    given = {"nemo:baseUrl": "http://127.0.0.1:9/x", "nemo:workspace": "team-b", "nemo:token": "t0ken-123"}
    props = {CONNECTION_KEY: given}
    assert connection_secrets(props) == {"t0ken-123"}


@pytest.mark.parametrize("through", ["setting", "connection"])
def test_the_credentials_of_a_base_url_are_withheld_from_a_failed_call(monkeypatch, through):
    # given: a base URL carrying a user name and token, set for the stack or by the resource's connection
    url = "http://alice:url-token-5d2e@127.0.0.1:1/v2"
    monkeypatch.setenv("RUNPOD_API_KEY", "rp-unit-key")
    monkeypatch.setenv("RUNPOD_BASE_URL", url if through == "setting" else "http://127.0.0.1:1/v2")
    olds: dict[str, object] = {"image_name": "a:1"}
    if through == "connection":
        olds[CONNECTION_KEY] = {"runpod:baseUrl": url}

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": f"refused at {request.url}"})

    # when
    with use_transport(lambda _base_url: httpx.MockTransport(refuse)), pytest.raises(BadRequest) as raised:
        TemplateProvider().update("t1", olds, {**olds, "image_name": "a:2"})
    # then: the token is withheld wherever the URL shows; the user name and host still say where
    text = str(raised.value)
    assert "url-token-5d2e" not in text and f"alice:{PLACEHOLDER}@127.0.0.1" in text, text
    assert connection_secrets({CONNECTION_KEY: {"runpod:baseUrl": "https://only-a-token-77@h"}}) == {"only-a-token-77"}


def test_a_check_failure_quoting_a_base_url_withholds_its_credentials(monkeypatch):
    # given: a v1 base URL, with a token in it, while the API version is v2
    monkeypatch.setenv("RUNPOD_API_KEY", "rp-unit-key")
    monkeypatch.setenv("RUNPOD_BASE_URL", "https://bob:url-token-8c1a@rest.runpod.io/v1")
    # when
    result = TemplateProvider().check({}, {"image_name": "a:1", "name": "t"})
    # then: the preview says what is wrong with the URL, without the token
    reasons = " ".join(f.reason for f in result.failures)
    assert "is a REST v1 URL" in reasons and f"bob:{PLACEHOLDER}@rest.runpod.io" in reasons, reasons
    assert "url-token-8c1a" not in reasons


def test_a_cyberun_services_urls_leave_out_the_credentials_of_the_base_url(monkeypatch):
    # given: a base URL with a token in it (the outputs are stored in plain text)
    monkeypatch.setenv("CYBERUN_BASE_URL", "https://ci:url-token-3f9b@core.example/api/v1")
    # when
    values = ContainerServiceProvider().live_values({"service_slug": "svc"})
    # then
    assert values["proxy_url"] == "https://core.example/api/v1/r/containers/svc"
    assert values["invoke_url"] == "https://core.example/api/v1/r/invoke/svc"


def test_a_base_url_without_a_scheme_is_refused_without_its_password(monkeypatch):
    # given: a base URL missing its scheme, with a user and password in it
    monkeypatch.setenv("RUNPOD_API_KEY", "rp-unit-key")
    monkeypatch.setenv("RUNPOD_BASE_URL", "ci:url-token-91ab@rest.runpod.io/v2")
    # when
    result = TemplateProvider().check({}, {"image_name": "a:1", "name": "t"})
    # then: refused, naming the URL without the token
    reasons = " ".join(f.reason for f in result.failures)
    assert "is not an http(s) URL" in reasons and "url-token-91ab" not in reasons, reasons
