"""Side effects and secret lists in the preview, through the real engine."""

from __future__ import annotations

from typing import Any

import pulumi
from runpod_programs import base_cfg
from runpod_programs import program as runpod_program

from pulumi_deploy import cyberun

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
