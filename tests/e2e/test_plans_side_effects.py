"""Side effects and secret lists in the preview, through the real engine."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from nemo_helpers import fast_controller
from runpod_programs import base_cfg, v1_env
from runpod_programs import program as runpod_program

from pulumi_deploy import cyberun, nemo
from pulumi_deploy.local_stack import StackFailed


@pytest.fixture
def stack_env(stack_env, emulator_process):
    """The RunPod parts of these plans pin REST v1 behaviour (paths, one template per Template): v1 here;
    the v2 plans are in test_runpod_v2_*.py."""
    return {**stack_env, **v1_env(emulator_process.base_urls)}


FAST = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}
SECRET = "s3cr3t-db-password-value"


def _service(cfg: dict[str, Any]):
    def run() -> None:
        env = [cyberun.EnvVarArgs(env_name=k, env_value=v) for k, v in cfg["env"].items()]
        args = cyberun.ContainerServiceArgs(service_slug="api", docker_image=cfg["image"], env_config=env)
        pulumi.export("id", cyberun.ContainerService("svc", args).id)

    return run


def test_cyberun_image_change_previews_the_redeploy_that_up_performs(emulator, make_stack):
    # given
    cfg = {"image": "vllm/vllm-openai:v0.6.3", "env": {"MODEL": "llama"}}
    stack = make_stack(_service(cfg), env=FAST)
    service_id = stack.up().outputs["id"]
    # when
    cfg["image"] = "vllm/vllm-openai:v0.6.4"
    preview = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then
    assert preview.step("svc").notes == [
        "redeploy — changing docker_image redeploys the service (PUT, then POST /deploy)"
    ]
    assert "redeploy" in preview.stdout
    writes = [(c["method"], c["path"]) for c in emulator.calls("cyberun") if c["method"] != "GET"]
    assert writes == [("PUT", f"/containers/{service_id}"), ("POST", f"/containers/{service_id}/deploy")]


def test_a_change_of_one_env_entry_names_its_key_and_hides_every_value(emulator, make_stack):
    # given
    cfg = {"image": "vllm/vllm-openai:v0.6.3", "env": {"DB_PASSWORD": SECRET, "MODEL": "llama"}}
    stack = make_stack(_service(cfg), env=FAST)
    stack.up()
    # when
    cfg["env"]["MODEL"] = "mistral"
    preview = stack.preview()
    # then
    assert "env_config: MODEL changed (values are secret)" in preview.step("svc").notes
    assert "MODEL changed" in preview.stdout and "DB_PASSWORD" not in preview.stdout
    assert "mistral" not in preview.stdout and "llama" not in preview.stdout and SECRET not in preview.stdout
    assert "[secret]" in preview.stdout
    assert "mistral" not in stack.export_text() and SECRET not in stack.export_text()


def test_a_runpod_template_env_change_names_the_key(emulator, make_stack):
    # given
    cfg = base_cfg()
    cfg["template"]["env"] = {"MODE": "prod", "MODEL": "llama"}
    stack = make_stack(runpod_program(cfg))
    stack.up()
    # when
    cfg["template"]["env"]["MODEL"] = "mistral"
    preview = stack.preview()
    # then
    assert "MODEL" in preview.stdout and "MODE " not in preview.stdout
    assert "mistral" not in preview.stdout and "llama" not in preview.stdout
    assert "mistral" not in stack.export_text()


def test_a_nemo_config_change_previews_that_the_deployment_stays_on_its_config_version(emulator, make_stack):
    # given
    fast_controller(emulator)
    gpus = {"gpu": 1}

    def run() -> None:
        config = nemo.ModelDeploymentConfig(
            "cfg",
            nemo.ModelDeploymentConfigArgs(
                name="llama-cfg",
                engine="nim",
                model_spec=nemo.ModelSpecArgs(model_name="llama-3.1-8b-instruct", model_type="llm"),
                executor_config=nemo.ExecutorConfigArgs(gpu=gpus["gpu"]),
            ),
        )
        dep = nemo.ModelDeployment(
            "dep", nemo.ModelDeploymentArgs(name="llama", config=config.name, wait_for="READY", wait_timeout=30)
        )
        pulumi.export("dep_config_version", dep.config_version)

    stack = make_stack(run, env=FAST)
    stack.up()
    # when
    gpus["gpu"] = 2
    preview = stack.preview()
    after = stack.up().outputs
    # then: what the preview says is what happens
    notes = preview.step("cfg").notes
    assert notes[0] == "new version — executor_config changed"
    assert notes[1].startswith("deployments using config 'llama-cfg' stay on the config version they run")
    assert "stay on the config version" in preview.stdout
    assert preview.step("dep").op == "same"
    assert after["dep_config_version"] == 1


def test_replacing_a_named_template_its_endpoint_uses_fails_at_preview(emulator, make_stack):
    # given
    cfg = base_cfg()
    cfg["template"]["name"] = "fixed-name"
    stack = make_stack(runpod_program(cfg))
    stack.up()
    emulator.clear_calls()
    # when
    cfg["template"]["category"] = "AMD"
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert "template_id" in failed.value.text and "refuses to delete a template in use" in failed.value.text
    assert "leave `name` unset" in failed.value.text
    assert [c for c in emulator.calls("runpod") if c["method"] != "GET"] == []
    assert len(emulator.inventory("runpod")["templates"]) == 1
