"""NeMo models v2 (ModelDeploymentConfig, ModelDeployment, ModelDeploymentStatus) through the real CLI."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
from nemo_helpers import FAST, PROVIDER_ID, fast_controller, make_projects, nemo_calls, objects

from pulumi_deploy import nemo
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

#: The key Pulumi's state marks an encrypted secret value with.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nemo-deployment" / "__main__.py"


def program(cfg: dict[str, Any]):
    """Config <- deployment <- status; inputs come from ``cfg`` (mutated between steps)."""

    def run() -> None:
        config = nemo.ModelDeploymentConfig(
            "cfg",
            nemo.ModelDeploymentConfigArgs(
                name="llama-cfg",
                engine=cfg.get("engine", "nim"),
                model_spec=nemo.ModelSpecArgs(model_name="llama-3.1-8b-instruct", model_type="llm"),
                executor_config=nemo.ExecutorConfigArgs(gpu=cfg.get("gpu", 1), image_name=cfg.get("image")),
            ),
        )
        dep = nemo.ModelDeployment(
            "dep",
            nemo.ModelDeploymentArgs(
                name=cfg.get("name", "llama"),
                project=cfg.get("project"),
                config=config.name,
                config_version=cfg.get("config_version"),
                wait_for="READY",
                wait_timeout=30,
            ),
        )
        if cfg.get("with_status", True):
            status = nemo.ModelDeploymentStatus(
                "status",
                nemo.ModelDeploymentStatusArgs(
                    deployment=dep.name,
                    status=cfg.get("status", "READY"),
                    status_message=cfg.get("status_message", "served by the pipeline"),
                    model_provider_id=PROVIDER_ID,
                ),
            )
            pulumi.export("recorded", status.status)
        pulumi.export("config_version", config.entity_version)
        pulumi.export("dep_version", dep.entity_version)
        pulumi.export("dep_status", dep.status)
        pulumi.export("dep_config_version", dep.config_version)

    return run


@pytest.fixture(autouse=True)
def _fast_controller(emulator):
    fast_controller(emulator)
    make_projects(emulator, "team-a", "team-b")


def test_create_records_ready_then_gpu_change_writes_config_v2_and_pinning_it_writes_deployment_v2(
    emulator, make_stack
):
    # given
    cfg: dict[str, Any] = {}
    stack = make_stack(program(cfg), env=FAST)
    # when
    created = stack.up()
    # then
    assert created.outputs["recorded"] == "READY"
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["status"], dep["model_provider_id"], dep["entity_version"]) == ("READY", PROVIDER_ID, 1)
    assert dep["status_message"] == "served by the pipeline"
    # when: gpu change
    cfg["gpu"] = 2
    preview = stack.preview()
    emulator.clear_calls()
    changed = stack.up()
    # then: the config gets version 2 in place; the deployment (unpinned) is not touched
    assert (preview.step("cfg").op, preview.step("cfg").diffs) == ("update", ["executor_config"])
    assert preview.step("dep").op == "same"
    assert "new version" in preview.text
    assert changed.outputs["config_version"] == 2
    assert objects(emulator, "deployment_configs")["llama-cfg"]["executor_config"]["gpu"] == 2
    assert nemo_calls(emulator, "POST") == [("POST", "/apis/models/v2/workspaces/default/deployment-configs/llama-cfg")]
    # when: pin the deployment to config version 2
    cfg["config_version"] = 2
    pin_preview = stack.preview()
    pinned = stack.up()
    # then
    assert (pin_preview.step("dep").op, pin_preview.step("dep").diffs) == ("update", ["config_version"])
    assert "nemo:ModelDeployment 'dep': new version — config_version changed" in pin_preview.text
    assert (pinned.outputs["dep_version"], pinned.outputs["dep_config_version"]) == (2, 2)
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["entity_version"], dep["config_version"], dep["status"]) == (2, 2, "READY")
    # when: unchanged re-run
    emulator.clear_calls()
    again = stack.up()
    # then
    assert again.summary == {"same": 4}  # the stack and its three resources
    assert nemo_calls(emulator) == []
    assert "nemo-test-token" not in stack.export_text()


def test_a_new_version_whose_answer_was_lost_is_taken_not_written_twice(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    config_path = "/apis/models/v2/workspaces/default/deployment-configs/llama-cfg"
    # when: the server writes version 2 and the connection drops before the answer
    cfg["gpu"] = 2
    emulator.add_fault("nemo", kind="drop_after", method="POST", path=f"^{config_path}$")
    emulator.clear_calls()
    changed = stack.up()
    again = stack.up()
    # then: one version written, recognised by its content; nothing to do after
    assert changed.outputs["config_version"] == 2
    assert objects(emulator, "deployment_configs")["llama-cfg"]["entity_version"] == 2
    assert nemo_calls(emulator, "POST", contains="deployment-configs") == [("POST", config_path)]
    assert again.summary == {"same": 4}


def test_a_deployment_version_whose_answer_was_lost_is_taken_not_rolled_out_twice(emulator, make_stack):
    # given: a deployment on config version 1, and a config version 2 to move it to
    cfg: dict[str, Any] = {}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    cfg["gpu"] = 2
    stack.up()
    deployment_path = "/apis/models/v2/workspaces/default/deployments/llama"
    # when: pinning it writes deployment version 2, whose answer is lost
    cfg["config_version"] = 2
    emulator.add_fault("nemo", kind="drop_after", method="POST", path=f"^{deployment_path}$")
    emulator.clear_calls()
    pinned = stack.up()
    # then: one version written and taken, on the config version asked for
    assert (pinned.outputs["dep_version"], pinned.outputs["dep_config_version"]) == (2, 2)
    assert objects(emulator, "deployments")["llama"]["entity_version"] == 2
    assert nemo_calls(emulator, "POST", contains="/deployments/llama") == [("POST", deployment_path)]
    assert stack.up().summary == {"same": 4}


def test_renaming_the_deployment_replaces_it_and_destroy_deletes_deployment_before_config(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {"with_status": False}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    # when
    cfg["name"] = "llama-v2"
    preview = stack.preview()
    stack.up()
    # then
    assert (preview.step("dep").op, preview.step("dep").replace_keys) == ("replace", ["name"])
    assert sorted(objects(emulator, "deployments")) == ["llama-v2"]
    # when
    emulator.clear_calls()
    stack.destroy()
    # then
    assert objects(emulator, "deployments") == {} and objects(emulator, "deployment_configs") == {}
    deletes = [path.rsplit("/", 2)[-2:] for _, path in nemo_calls(emulator, "DELETE")]
    assert deletes[0] == ["deployments", "llama-v2"]
    assert deletes[-1] == ["deployment-configs", "llama-cfg"]


@pytest.mark.parametrize(
    ("cfg", "prop"),
    [
        ({"name": "Llama--3"}, "name:"),
        ({"status": "BOGUS"}, "status:"),
        ({"status_message": "x" * 1001}, "status_message:"),
        ({"engine": "generic"}, "executor_config.image_name"),
    ],
    ids=["bad-name", "bogus-status", "long-message", "generic-without-image"],
)
def test_invalid_inputs_fail_at_preview_naming_the_property_and_send_nothing(emulator, make_stack, cfg, prop):
    # given
    stack = make_stack(program(cfg), env=FAST)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert prop in failed.value.text
    assert nemo_calls(emulator) == []


def test_refresh_shows_out_of_band_status_change_then_drops_out_of_band_deleted_deployment(emulator, make_stack):
    # given
    stack = make_stack(program({}), env=FAST)
    stack.up()
    emulator.patch("nemo", "deployments", "default:llama", status="LOST", status_message="node gone")
    # when
    stack.refresh()
    drift = stack.preview()
    # then
    assert stack.resource_state("status")["outputs"]["status"] == "LOST"
    assert stack.resource_state("dep")["outputs"]["status"] == "LOST"
    assert drift.step("status").op == "update"
    assert set(drift.step("status").diffs) == {"status", "status_message"}
    assert (drift.step("cfg").op, drift.step("dep").op) == ("same", "same")  # server defaults are not drift
    # when: the next up records the desired status again
    stack.up()
    # then
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["status"], dep["status_message"]) == ("READY", "served by the pipeline")
    # when
    emulator.delete("nemo", "deployments", "default:llama")
    stack.refresh()
    # then
    for name in ("dep", "status"):
        with pytest.raises(KeyError):
            stack.resource_state(name)
    assert stack.resource_state("cfg")["outputs"]["entity_version"] == 1


def test_concurrent_modification_on_update_is_retried_and_error_status_fails_the_wait(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {"with_status": False}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.settings("nemo", inject_update_conflict=True)
    # when
    cfg["gpu"] = 2
    stack.up()
    cfg["config_version"] = 2
    stack.up()
    # then
    posts = nemo_calls(emulator, "POST", "/deployments/llama")
    assert len(posts) == 2  # one 409, one retry
    assert objects(emulator, "deployments")["llama"]["entity_version"] == 2
    # when
    emulator.settings("nemo", fail_new_deployments=True)
    cfg["config_version"] = 1
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "ended in ERROR" in failed.value.text
    assert objects(emulator, "deployments")["llama"]["status"] == "ERROR"


def test_a_create_whose_wait_fails_is_recorded_and_the_next_version_finishes_it(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {"with_status": False}
    stack = make_stack(program(cfg), env=FAST)
    emulator.settings("nemo", fail_new_deployments=True)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: the deployment exists, and the stack says so (with the failure)
    assert "ended in ERROR" in failed.value.text and "created, but not finished" in failed.value.text
    dep = stack.resource_state("dep")
    assert dep["id"] == "default/llama" and any("ended in ERROR" in e for e in dep.get("initErrors", []))
    assert objects(emulator, "deployments")["llama"]["status"] == "ERROR"
    # when: nothing changed, the next up waits again and says the version is still failed
    emulator.settings("nemo", fail_new_deployments=False)
    emulator.clear_calls()
    with pytest.raises(StackFailed) as again:
        stack.up()
    assert "ended in ERROR" in again.value.text
    assert nemo_calls(emulator, "POST", "/deployments") == []  # no second deployment
    # when: a new config version is pinned
    cfg.update(gpu=2, config_version=2)
    stack.up()
    # then
    dep_obj = objects(emulator, "deployments")["llama"]
    assert (dep_obj["entity_version"], dep_obj["status"]) == (2, "READY")
    assert "initErrors" not in stack.resource_state("dep")
    assert stack.preview().summary == {"same": 3}


def test_an_update_whose_wait_fails_is_recorded_and_the_next_up_writes_no_second_version(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {"with_status": False}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.settings("nemo", fail_new_deployments=True)
    cfg.update(gpu=2, config_version=2)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: version 2 is written, and the stack records it (with the failure)
    assert "ended in ERROR" in failed.value.text and "updated, but not finished" in failed.value.text
    dep = stack.resource_state("dep")
    assert dep["outputs"]["entity_version"] == 2 and dep.get("initErrors")
    # when: nothing changed, the next up waits again, writing nothing
    emulator.settings("nemo", fail_new_deployments=False)
    emulator.clear_calls()
    with pytest.raises(StackFailed) as again:
        stack.up()
    assert "ended in ERROR" in again.value.text
    assert nemo_calls(emulator, "POST", "/deployments") == []
    # when: the program is fixed (a config that works)
    cfg.update(gpu=3, config_version=3)
    stack.up()
    # then
    dep_obj = objects(emulator, "deployments")["llama"]
    assert (dep_obj["entity_version"], dep_obj["status"]) == (3, "READY")
    assert "initErrors" not in stack.resource_state("dep")
    assert stack.preview().summary == {"same": 3}


def test_same_name_project_change_deletes_first_waits_for_the_name_and_recreates(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {"with_status": False, "project": "team-a"}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.clear_calls()
    # when
    cfg["project"] = "team-b"
    preview = stack.preview()
    stack.up()
    # then
    assert (preview.step("dep").op, preview.step("dep").replace_keys) == ("replace", ["project"])
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["project"], dep["entity_version"], dep["status"]) == ("team-b", 1, "READY")
    methods = [m for m, path in nemo_calls(emulator, contains="/deployments") if m != "GET"]
    assert methods[0] == "DELETE" and methods[-1] == "POST"  # delete before create: names stay taken


def test_example_program_converges_and_destroys_cleanly(emulator, make_stack):
    # given
    stack = make_stack(lambda: runpy.run_path(str(EXAMPLE)), env=FAST)
    # when
    up = stack.up()
    stack.destroy()
    # then
    assert (up.outputs["status"], up.outputs["model_provider_id"]) == ("READY", "default/llama-3-8b-provider")
    assert objects(emulator, "deployments") == {} and objects(emulator, "deployment_configs") == {}


def test_a_configs_environment_values_and_engine_overrides_stay_encrypted_while_its_gpus_show(emulator, make_stack):
    # given: a config whose executor passes a token through its environment and an engine override
    token = "hf-token-value-7d1c"
    cfg: dict[str, Any] = {"gpu": 1}

    def run() -> None:
        nemo.ModelDeploymentConfig(
            "cfg",
            nemo.ModelDeploymentConfigArgs(
                name="env-cfg",
                engine="nim",
                model_spec=nemo.ModelSpecArgs(model_name="llama-3.1-8b-instruct", model_type="llm"),
                executor_config=nemo.ExecutorConfigArgs(
                    gpu=cfg["gpu"],
                    additional_envs={"HF_TOKEN": token},
                    override_config={"api_key": token},
                ),
            ),
        )

    stack = make_stack(run, env=FAST)
    created = stack.up()
    # when: the GPU count changes
    cfg["gpu"] = 2
    preview = stack.preview(diff=True)
    updated = stack.up()
    refreshed = stack.refresh()
    # then: the token reached the platform, never a text or the state; the GPU change is shown
    assert objects(emulator, "deployment_configs")["env-cfg"]["executor_config"]["additional_envs"] == {
        "HF_TOKEN": token
    }
    for text in (created.text, preview.stdout, preview.text, updated.text, refreshed.text, stack.export_text()):
        assert token not in text
    assert preview.step("cfg").diffs == ["executor_config"]
    assert "~ gpu: 1 => 2" in preview.stdout
    inputs = stack.resource_state("cfg")["inputs"]["executor_config"]
    assert inputs["gpu"] == 2 and set(inputs["additional_envs"]["HF_TOKEN"]) == {SECRET_SIG_KEY, "ciphertext"}
    assert set(inputs["override_config"]) == {SECRET_SIG_KEY, "ciphertext"}


def test_an_update_whose_version_would_not_fit_the_stored_name_fails_at_preview(emulator, make_stack):
    # given: a config with a 60-character name, at version 9 (the platform stores version N as `<name>-vN`,
    # 63 characters at most: version 10 no longer fits)
    name = "llama-" + "c" * 54
    cfg = {"description": "first"}

    def run() -> None:
        nemo.ModelDeploymentConfig(
            "cfg",
            nemo.ModelDeploymentConfigArgs(
                name=name,
                engine="nim",
                model_spec=nemo.ModelSpecArgs(model_name="llama-3.1-8b-instruct"),
                executor_config=nemo.ExecutorConfigArgs(gpu=1),
                description=cfg["description"],
            ),
        )

    stack = make_stack(run)
    stack.up()
    emulator.patch("nemo", "deployment_configs", f"default:{name}", entity_version=9)
    stack.refresh()
    emulator.clear_calls()
    # when: the program changes the config
    cfg["description"] = "second"
    with pytest.raises(StackFailed) as refused:
        stack.preview()
    # then: refused before anything is sent, saying why and what to do
    assert f"cannot update it: the platform stores version 10 as '{name}-v10'" in refused.value.text
    assert "a 60-character name allows versions up to 9" in refused.value.text
    assert nemo_calls(emulator, "POST") == []
