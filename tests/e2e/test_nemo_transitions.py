"""NeMo models v2: config replacement/rename, version pinning, status per version, out-of-band deletes."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import httpx
import pulumi
import pytest
from emulator_watch import once_called
from nemo_helpers import FAST, PROVIDER_ID, fast_controller, make_projects, objects
from nemo_helpers import nemo_calls as calls

from pulumi_deploy import nemo
from pulumi_deploy.emulator.client import EmulatorControl
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

DEPLOYMENT_PATH = "/apis/models/v2/workspaces/default/deployments/llama"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nemo-deployment" / "__main__.py"


def program(cfg: dict[str, Any]):
    """Config <- deployment (<- status); inputs come from ``cfg`` (mutated between steps)."""

    def run() -> None:
        config = nemo.ModelDeploymentConfig(
            "cfg",
            nemo.ModelDeploymentConfigArgs(
                name=cfg.get("config_name", "llama-cfg"),
                project=cfg.get("config_project"),
                engine="nim",
                model_spec=nemo.ModelSpecArgs(model_name="llama-3.1-8b-instruct", model_type="llm"),
                executor_config=nemo.ExecutorConfigArgs(gpu=cfg.get("gpu", 1)),
            ),
        )
        pin = cfg.get("config_version")
        dep = nemo.ModelDeployment(
            "dep",
            nemo.ModelDeploymentArgs(
                name="llama",
                config=config.name,
                config_version=config.entity_version if pin == "entity_version" else pin,
                wait_for="READY",
                wait_timeout=30,
            ),
            pulumi.ResourceOptions(replace_on_changes=cfg.get("dep_replace_on_changes")),
        )
        if cfg.get("with_status"):
            status = nemo.ModelDeploymentStatus(
                "status",
                nemo.ModelDeploymentStatusArgs(
                    deployment=dep.name,
                    version=dep.entity_version if cfg.get("status_tracks_version") else None,
                    status="READY",
                    status_message=cfg.get("status_message", "served by the pipeline"),
                    model_provider_id=PROVIDER_ID,
                ),
            )
            pulumi.export("recorded_version", status.entity_version)
        pulumi.export("dep_version", dep.entity_version)
        pulumi.export("dep_config", dep.config)

    return run


@pytest.fixture(autouse=True)
def _fast_controller(emulator):
    fast_controller(emulator)
    make_projects(emulator, "team-a", "team-b")


def test_config_project_change_while_a_deployment_uses_it_fails_fast_naming_the_deployment(emulator, make_stack):
    # given: delete_timeout left at its 900 s default
    cfg: dict[str, Any] = {"config_project": "team-a"}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.clear_calls()
    # when
    cfg["config_project"] = "team-b"
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: one refused DELETE (no retry loop until the 900 s timeout), and a message that says what to do
    text = failed.value.text
    assert "cannot delete deployment config default/llama-cfg" in text
    assert "default/llama (status READY)" in text
    assert "pulumi up --replace" in text and "replace_on_changes" in text
    assert calls(emulator, "DELETE") == [("DELETE", "/apis/models/v2/workspaces/default/deployment-configs/llama-cfg")]
    assert objects(emulator, "deployment_configs")["llama-cfg"]["project"] == "team-a"
    assert objects(emulator, "deployments")["llama"]["status"] == "READY"


def test_config_project_change_with_deployment_replace_on_changes_replaces_both(emulator, make_stack):
    # given: the remedy the error message names
    cfg: dict[str, Any] = {"config_project": "team-a", "dep_replace_on_changes": ["config"]}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    # when
    cfg["config_project"] = "team-b"
    stack.up()
    # then
    assert objects(emulator, "deployment_configs")["llama-cfg"]["project"] == "team-b"
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["entity_version"], dep["status"], dep["config"]) == (1, "READY", "llama-cfg")


def emulator_version(emulator, version: int) -> dict:
    response = httpx.get(f"{emulator.base_url('nemo')}{DEPLOYMENT_PATH}/versions/{version}")
    return response.json() if response.status_code == 200 else {"status": None}  # collected already


def test_renaming_the_config_moves_the_deployment_to_a_new_version_then_deletes_the_old_config(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.clear_calls()
    # when
    cfg["config_name"] = "llama-cfg2"
    preview = stack.preview()
    renamed = stack.up()
    # then
    assert (preview.step("cfg").op, preview.step("dep").op) == ("replace", "update")
    assert sorted(objects(emulator, "deployment_configs")) == ["llama-cfg2"]
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["entity_version"], dep["config"], dep["status"]) == (2, "llama-cfg2", "READY")
    assert (renamed.outputs["dep_version"], renamed.outputs["dep_config"]) == (2, "llama-cfg2")
    # the old config is still referenced by version 1: refused, v1 retired (status DELETED), then deleted
    mutations = [(m, p.rsplit("/", 1)[-1]) for m, p in calls(emulator) if m != "GET"]
    assert mutations == [
        ("POST", "deployment-configs"),
        ("POST", "llama"),
        ("DELETE", "llama-cfg"),
        ("POST", "status"),
        ("DELETE", "llama-cfg"),
    ]
    assert emulator_version(emulator, 1)["status"] in ("DELETED", None)


@pytest.mark.parametrize("pin", [1, "entity_version"], ids=["literal-1", "config-entity-version"])
def test_pinning_config_version_to_the_resolved_one_writes_no_deployment_version(emulator, make_stack, pin):
    # given: config_version unset, resolved to 1
    cfg: dict[str, Any] = {}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.clear_calls()
    # when
    cfg["config_version"] = pin
    preview = stack.preview()
    stack.up()
    again = stack.preview()
    # then
    assert (preview.step("dep").op, again.step("dep").op) == ("same", "same")
    assert "new version" not in preview.text  # the preview does not announce a change it will not make
    assert calls(emulator, "POST") == []
    assert objects(emulator, "deployments")["llama"]["entity_version"] == 1


def test_new_deployment_version_re_records_the_status_when_version_tracks_entity_version(emulator, make_stack):
    # given
    cfg: dict[str, Any] = {"with_status": True, "status_tracks_version": True}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    # when: config v2 and the deployment pinned to it (deployment v2)
    cfg.update(gpu=2, config_version=2)
    emulator.clear_calls()
    moved = stack.up()
    # then: the same up recorded the status on version 2
    assert ("POST", f"{DEPLOYMENT_PATH}/status") in calls(emulator, "POST")
    status_posts = [c for c in emulator.calls("nemo") if c["path"].endswith("/status")]
    assert status_posts[-1]["query"] == "version=2"
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["entity_version"], dep["status"]) == (2, "READY")
    assert (dep["status_message"], dep["model_provider_id"]) == ("served by the pipeline", PROVIDER_ID)
    assert moved.outputs["recorded_version"] == 2
    # when
    stack.refresh()
    drift = stack.preview()
    # then
    assert drift.step("status").op == "same"


def test_status_post_ignored_for_an_unchanged_message_fails_instead_of_storing_the_provider_id(emulator, make_stack):
    # given: the provider id drifted out of band; status and message still match
    cfg: dict[str, Any] = {"with_status": True}
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.patch("nemo", "deployments", "default:llama", model_provider_id="default/other")
    stack.refresh()
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "ignored model_provider_id 'default/llama-provider'" in failed.value.text
    assert "change status_message" in failed.value.text
    assert stack.resource_state("status")["outputs"]["model_provider_id"] == "default/other"
    # when: the message changes too
    cfg["status_message"] = "served by the pipeline via llama-provider"
    stack.up()
    # then
    assert objects(emulator, "deployments")["llama"]["model_provider_id"] == PROVIDER_ID
    assert stack.preview().step("status").op == "same"


def test_deployment_deleted_out_of_band_is_dropped_on_refresh_and_recreate_waits_for_the_name(
    emulator, emulator_process, make_stack
):
    # given: a deployment deleted through the API, DELETING until the provider has found it so (then it goes
    # at once): the refresh and the create both meet it DELETING, however slow the machine is
    stack = make_stack(program({}), env=FAST)
    stack.up()
    emulator.settings("nemo", deleting_seconds=3600, hard_delete_seconds=0)
    deleted = httpx.delete(emulator.base_url("nemo") + DEPLOYMENT_PATH, headers={"Authorization": "Bearer x"})
    assert deleted.status_code == 202
    # when
    stack.refresh()
    # then
    with pytest.raises(KeyError):
        stack.resource_state("dep")
    # when
    emulator.clear_calls()

    def name_still_taken(call: dict[str, Any]) -> bool:
        return (call["method"], call["path"], call["status"]) == ("GET", DEPLOYMENT_PATH, 200)

    def finish_deleting(control: EmulatorControl) -> None:
        control.settings("nemo", deleting_seconds=0)

    with once_called(emulator_process.root_url, "nemo", name_still_taken, finish_deleting) as finished:
        stack.up()
    # then: waited for the 404 before creating again (no 409)
    assert finished.fired
    dep = objects(emulator, "deployments")["llama"]
    assert (dep["entity_version"], dep["status"]) == (1, "READY")
    posts = [c for c in emulator.calls("nemo") if c["method"] == "POST" and c["path"].endswith("/deployments")]
    assert [c.get("status") for c in posts] == [201]


def test_example_converges_without_a_controller_and_records_the_status(emulator, make_stack):
    # given: nothing but the status resource sets READY
    emulator.settings("nemo", controller_enabled=False)
    stack = make_stack(lambda: runpy.run_path(str(EXAMPLE)), env=FAST)
    # when
    up = stack.up()
    # then
    assert (up.outputs["status"], up.outputs["model_provider_id"]) == ("READY", "default/llama-3-8b-provider")
    dep = objects(emulator, "deployments")["llama-3-8b"]
    assert (dep["status"], dep["model_provider_id"]) == ("READY", "default/llama-3-8b-provider")
    assert stack.preview().summary.get("update", 0) == 0
