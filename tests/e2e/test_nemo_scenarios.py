"""The NeMo scenarios of the real-peer tier (tests/nemo_scenarios.py), against the emulator."""

from __future__ import annotations

import httpx
import pytest
from nemo_helpers import FAST, fast_controller, objects
from nemo_scenarios import (
    MODELS,
    Peer,
    a_404_is_believed_only_from_the_models_api,
    a_create_whose_wait_runs_out_is_recorded_and_finished_once_the_status_comes,
    a_feature_the_platform_disables_is_refused_in_its_words,
    a_version_that_no_longer_fits_its_name_is_refused_at_preview,
    config_args,
    live_deployment_blocks_a_config_replacement_fast,
    move_deployment_to_a_new_config_and_remove_the_old_one,
    pinning_the_resolved_config_version_is_no_change,
    status_is_recorded_per_version_without_drift,
    unknown_workspace_and_project_fail_with_one_clear_line,
    update_while_deleting_is_refused_and_writes_nothing,
)

from pulumi_deploy import nemo
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e


@pytest.fixture
def peer(emulator) -> Peer:
    fast_controller(emulator)
    base = emulator.base_url("nemo")

    def hold_deleting(name: str) -> None:
        emulator.settings("nemo", deleting_seconds=3600)
        assert httpx.delete(f"{base}{MODELS}/default/deployments/{name}").status_code == 202

    def release(name: str) -> None:
        emulator.settings("nemo", deleting_seconds=0.05)

    def stall_controller() -> None:
        emulator.settings("nemo", pending_seconds=3600)

    return Peer(base, dict(FAST), hold_deleting, release, "emulator", stall_controller=stall_controller)


def test_moving_the_deployment_to_a_new_config_removes_the_old_one(peer, make_stack, emulator):
    move_deployment_to_a_new_config_and_remove_the_old_one(peer, make_stack)
    retired = [c for c in emulator.calls("nemo") if c["method"] == "POST" and c["path"].endswith("/status")]
    assert [c["query"] for c in retired] == ["version=1"]


def test_a_create_whose_wait_runs_out_is_recorded_and_finished_once_the_status_comes(peer, make_stack):
    a_create_whose_wait_runs_out_is_recorded_and_finished_once_the_status_comes(peer, make_stack)


def test_a_live_deployment_blocks_a_config_replacement_at_once(peer, make_stack):
    live_deployment_blocks_a_config_replacement_fast(peer, make_stack)


def test_status_is_recorded_per_version_without_drift(peer, make_stack):
    status_is_recorded_per_version_without_drift(peer, make_stack)


def test_unknown_workspace_and_project_fail_with_one_clear_line(peer, make_stack):
    unknown_workspace_and_project_fail_with_one_clear_line(peer, make_stack)


def test_a_feature_the_platform_disables_is_refused_in_its_words(peer, make_stack):
    a_feature_the_platform_disables_is_refused_in_its_words(peer, make_stack)


def test_update_while_deleting_is_refused_and_writes_nothing(peer, make_stack):
    update_while_deleting_is_refused_and_writes_nothing(peer, make_stack)


def test_server_filled_model_entity_id_is_kept_through_an_update_without_drift(peer, make_stack, emulator):
    # given: a config whose model_entity_id the server filled (the emulator has no model entities: patched in)
    gpu = {"value": 1}

    def program() -> None:
        nemo.ModelDeploymentConfig(
            "cfg", config_args("llama-cfg", executor_config=nemo.ExecutorConfigArgs(gpu=gpu["value"]))
        )

    stack = make_stack(program, env=peer.env)
    stack.up()
    emulator.patch("nemo", "deployment_configs", "default:llama-cfg", model_entity_id="default/llama-3")
    stack.refresh()
    assert stack.preview().step("cfg").op == "same"
    # when
    gpu["value"] = 2
    stack.up()
    # then
    live = objects(emulator, "deployment_configs")["llama-cfg"]
    assert (live["entity_version"], live["model_entity_id"]) == (2, "default/llama-3")
    assert stack.resource_state("cfg")["outputs"]["model_entity_id"] == "default/llama-3"
    assert stack.preview().step("cfg").op == "same"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (None, "no token is configured in `nemo:token` / $NEMO_TOKEN"),
        ("not-a-platform-token", "rejected the token from `nemo:token` / $NEMO_TOKEN (401 Invalid or expired token)"),
    ],
    ids=["no-token", "wrong-token"],
)
def test_auth_on_without_a_valid_token_fails_naming_the_setting_and_the_fitting_token(
    peer, make_stack, emulator, token, expected
):
    # given
    emulator.settings("nemo", auth_enabled=True, auth_tokens={"scoped-key": ["*"]})
    env = {**peer.env, "NEMO_TOKEN": token or ""}

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args("llama-cfg"))

    stack = make_stack(program, env=env)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert expected in failed.value.text
    assert "Scoped Access Key" in failed.value.text
    assert objects(emulator, "deployment_configs") == {}
    # when: the right token
    stack.set_config("nemo:token", "scoped-key", secret=True)
    stack.up()
    # then
    assert sorted(objects(emulator, "deployment_configs")) == ["llama-cfg"]


def test_a_404_is_believed_only_from_the_models_api(peer, make_stack):
    a_404_is_believed_only_from_the_models_api(peer, make_stack)


def test_pinning_the_resolved_config_version_is_no_change(peer, make_stack):
    pinning_the_resolved_config_version_is_no_change(peer, make_stack)


def test_a_version_that_no_longer_fits_its_name_is_refused_at_preview(peer, make_stack):
    a_version_that_no_longer_fits_its_name_is_refused_at_preview(peer, make_stack)
