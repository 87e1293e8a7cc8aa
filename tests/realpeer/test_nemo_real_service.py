"""The NeMo resources through the real Pulumi CLI against the real NeMo models service (nemo-platform 0.6.0).

Together these exercise every NeMo endpoint the package calls: config create/get/update/delete,
deployment create/get/update/delete, the deployment list with ``all_versions`` and ``filter[config]``,
the status endpoint (latest and ``?version=N``), a version read, and the entities workspace probe.
"""

from __future__ import annotations

import httpx
import pytest
from nemo_scenarios import (
    MODELS,
    a_404_is_believed_only_from_the_models_api,
    a_create_whose_wait_runs_out_is_recorded_and_finished_once_the_status_comes,
    a_feature_the_platform_disables_is_refused_in_its_words,
    a_version_that_no_longer_fits_its_name_is_refused_at_preview,
    config_args,
    live_deployment_blocks_a_config_replacement_fast,
    move_deployment_to_a_new_config_and_remove_the_old_one,
    pinning_the_resolved_config_version_is_no_change,
    status_is_recorded_per_version_without_drift,
    unique,
    unknown_workspace_and_project_fail_with_one_clear_line,
    update_while_deleting_is_refused_and_writes_nothing,
)

from pulumi_deploy import nemo
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e


def test_moving_the_deployment_to_a_new_config_removes_the_old_one(peer, make_stack, figures):
    elapsed = move_deployment_to_a_new_config_and_remove_the_old_one(peer, make_stack)
    figures.append(f"move the deployment to config B and remove config A: `pulumi up` took {elapsed:.1f}s")


def test_a_live_deployment_blocks_a_config_replacement_at_once(peer, make_stack):
    live_deployment_blocks_a_config_replacement_fast(peer, make_stack)


def test_a_create_whose_wait_runs_out_is_recorded_and_finished_once_the_status_comes(peer, make_stack):
    a_create_whose_wait_runs_out_is_recorded_and_finished_once_the_status_comes(peer, make_stack)


def test_status_is_recorded_per_version_without_drift(peer, make_stack):
    status_is_recorded_per_version_without_drift(peer, make_stack)


def test_unknown_workspace_and_project_fail_with_one_clear_line(peer, make_stack):
    unknown_workspace_and_project_fail_with_one_clear_line(peer, make_stack)


def test_a_feature_the_platform_disables_is_refused_in_its_words(peer, make_stack):
    a_feature_the_platform_disables_is_refused_in_its_words(peer, make_stack)


def test_update_while_deleting_is_refused_and_writes_nothing(peer, make_stack):
    update_while_deleting_is_refused_and_writes_nothing(peer, make_stack)


def test_server_filled_model_entity_id_is_kept_through_an_update_without_drift(peer, make_stack):
    # given: a model entity the config's model_spec names, so the platform fills model_entity_id
    model, cfg = unique("llama"), unique("cfg")
    assert peer.post(f"{MODELS}/default/models", {"name": model}).status_code == 201
    gpu = {"value": 1}

    def program() -> None:
        nemo.ModelDeploymentConfig(
            "cfg",
            config_args(
                cfg,
                model_spec=nemo.ModelSpecArgs(model_name=model),
                executor_config=nemo.ExecutorConfigArgs(gpu=gpu["value"]),
            ),
        )

    stack = make_stack(program, env=peer.env)
    stack.up()
    assert peer.config(cfg).json()["model_entity_id"] == f"default/{model}"
    # when
    gpu["value"] = 2
    stack.up()
    # then
    live = peer.config(cfg).json()
    assert (live["entity_version"], live["model_entity_id"]) == (2, f"default/{model}")
    refreshed = stack.refresh()
    assert refreshed.summary.get("update", 0) == 0
    assert stack.preview().step("cfg").op == "same"
    stack.destroy()
    assert peer.config(cfg).status_code == 404


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (None, "no token is configured in `nemo:token` / $NEMO_TOKEN"),
        ("not-a-platform-token", "rejected the token from `nemo:token` / $NEMO_TOKEN (401 Invalid or expired token)"),
    ],
    ids=["no-token", "wrong-token"],
)
def test_auth_on_without_a_valid_token_fails_naming_the_setting_and_the_fitting_token(
    real_nemo_auth, make_stack, token, expected
):
    # given
    env = {"NEMO_BASE_URL": real_nemo_auth.base_url, "PULUMI_DEPLOY_POLL_INTERVAL": "0.2"}
    if token:
        env["NEMO_TOKEN"] = token

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(unique("cfg")))

    stack = make_stack(program, env=env)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert expected in failed.value.text
    assert "Scoped Access Key" in failed.value.text


def test_a_404_is_believed_only_from_the_models_api(peer, make_stack):
    a_404_is_believed_only_from_the_models_api(peer, make_stack)


def test_pinning_the_resolved_config_version_is_no_change(peer, make_stack):
    pinning_the_resolved_config_version_is_no_change(peer, make_stack)


def test_a_connection_points_one_config_at_another_platform(real_nemo, real_nemo_auth, make_stack):
    # given: the stack's settings name the auth-on platform without a token (every call there is refused);
    # the config's connection names the auth-off platform
    name = unique("cfg")
    connection = nemo.Connection(base_url=real_nemo.base_url)

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(name), connection=connection)

    stack = make_stack(program, env={"NEMO_BASE_URL": real_nemo_auth.base_url, "PULUMI_DEPLOY_POLL_INTERVAL": "0.2"})
    # when
    stack.up()
    refreshed = stack.refresh()
    # then: it lives on the connection's platform, and refresh reads it there
    assert httpx.get(f"{real_nemo.base_url}{MODELS}/default/deployment-configs/{name}").status_code == 200
    assert refreshed.summary.get("update", 0) == 0, refreshed.text
    # when
    stack.destroy()
    # then
    assert httpx.get(f"{real_nemo.base_url}{MODELS}/default/deployment-configs/{name}").status_code == 404


def test_a_token_refused_from_a_connection_is_named_by_the_connections_field(real_nemo_auth, make_stack):
    # given: a valid-looking stack setting elsewhere, and a wrong token given by the resource's connection
    connection = nemo.Connection(base_url=real_nemo_auth.base_url, token="not-a-platform-token")

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(unique("cfg")), connection=connection)

    stack = make_stack(program, env={"NEMO_TOKEN": "stack-token", "PULUMI_DEPLOY_POLL_INTERVAL": "0.2"})
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: the message names the connection's field, not the stack setting the user did not use
    text = failed.value.text
    assert "rejected the token from the `token` of this resource's `connection=` (401" in text
    assert "set it with the `token` of this resource's `connection=`" in text
    assert "$NEMO_TOKEN" not in text


def test_a_config_whose_connection_names_another_platform_moves_there(real_nemo, emulator_process, make_stack):
    # given: a config on the real service; the emulator's NeMo is the other platform
    name = unique("cfg")
    state = {"url": real_nemo.base_url}
    real_path = f"{real_nemo.base_url}{MODELS}/default/deployment-configs/{name}"

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(name), connection=nemo.Connection(base_url=state["url"]))

    stack = make_stack(program, env={"PULUMI_DEPLOY_POLL_INTERVAL": "0.2"})
    stack.up()
    assert httpx.get(real_path).status_code == 200
    # when
    state["url"] = emulator_process.base_urls["NEMO_BASE_URL"]
    preview = stack.preview()
    stack.up()
    # then: replaced, as the preview said: now on the emulator, gone from the real service
    assert preview.step("cfg").op == "replace", preview.step("cfg")
    assert "connection names another base URL" in preview.text
    emulated = {c["name"] for c in emulator_process.control.inventory("nemo")["deployment_configs"]}
    assert name in emulated
    assert httpx.get(real_path).status_code == 404
    stack.destroy()
    assert name not in {c["name"] for c in emulator_process.control.inventory("nemo")["deployment_configs"]}


def test_refresh_and_destroy_reach_a_config_on_the_real_service_after_the_base_url_changed(
    real_nemo, emulator_process, emulator, make_stack
):
    # given: a config made on the real service through the stack's base URL (no connection)
    name = unique("cfg")
    real_path = f"{real_nemo.base_url}{MODELS}/default/deployment-configs/{name}"

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(name))

    stack = make_stack(program, env={"NEMO_BASE_URL": real_nemo.base_url, "PULUMI_DEPLOY_POLL_INTERVAL": "0.2"})
    stack.up()
    assert httpx.get(real_path).status_code == 200
    # when: the environment now names the emulator's NeMo (another platform)
    stack.set_env("NEMO_BASE_URL", emulator_process.base_urls["NEMO_BASE_URL"])
    emulator.clear_calls()
    refreshed = stack.refresh()
    kept = "cfg" in stack.resource_names()
    preview = stack.preview()
    stack.destroy()
    # then: refresh read it on the real service and kept it, the preview says up would move it, and
    # destroy deleted it there; the emulator was only asked whether it has the config (the preview's GET)
    assert refreshed.summary == {"same": 2} and kept, refreshed.text
    assert preview.step("cfg").op == "replace", preview.text
    assert f"deleted from the one it lives on ({real_nemo.base_url})" in preview.text
    assert httpx.get(real_path).status_code == 404
    assert [(c["method"], c["path"]) for c in emulator.calls("nemo")] == [
        ("GET", f"{MODELS}/default/deployment-configs/{name}")
    ], emulator.calls("nemo")


def test_a_version_that_no_longer_fits_its_name_is_refused_at_preview(peer, make_stack):
    a_version_that_no_longer_fits_its_name_is_refused_at_preview(peer, make_stack)
