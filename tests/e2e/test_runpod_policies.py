"""RunPod on REST v1 (the opt-in): field policies, drift, secrets and network faults through the real Pulumi CLI."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pulumi
import pytest
from emulator_watch import once_called
from runpod_programs import base_cfg, program, rp_calls, v1_env

from pulumi_deploy import runpod
from pulumi_deploy.emulator.client import EmulatorControl
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack_env(stack_env, emulator_process):
    """These tests pin REST v1 behaviour (the opt-in): every stack here runs on v1."""
    return {**stack_env, **v1_env(emulator_process.base_urls)}


def only(emulator, kind: str) -> dict[str, Any]:
    objs = emulator.inventory("runpod")[kind]
    assert len(objs) == 1, objs
    return objs[0]


def test_endpoint_gpu_type_ids_rolls_workers_and_bumps_version(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    before = stack.up().outputs["endpoint_version"]
    # when
    cfg["endpoint"]["gpu_type_ids"] = ["NVIDIA L4", "NVIDIA A40"]
    preview = stack.preview()
    after = stack.up().outputs["endpoint_version"]
    # then
    assert preview.step("api").op == "update"
    assert preview.step("api").diffs == ["gpu_type_ids"]
    assert "rolling release" in preview.text and "gpu_type_ids" in preview.text
    assert after == before + 1


def test_standalone_template_is_serverless_change_replaces(emulator, make_stack):
    # given
    cfg = {"image_name": "ghcr.io/acme/batch:1", "is_serverless": False}

    def run() -> None:
        pulumi.export("id", runpod.Template("batch", runpod.TemplateArgs(**cfg)).id)

    stack = make_stack(run)
    old_id = stack.up().outputs["id"]
    # when
    cfg["is_serverless"] = True
    preview = stack.preview()
    new_id = stack.up().outputs["id"]
    # then
    step = preview.step("batch")
    assert step.op == "replace"
    assert step.replace_keys == ["is_serverless"]
    assert "is_serverless changing it replaces the object" in preview.text
    assert new_id != old_id
    assert [t["id"] for t in emulator.inventory("runpod")["templates"]] == [new_id]


def test_template_image_name_updates_in_place_and_rolls_its_endpoint(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    first = stack.up().outputs
    # when
    cfg["template"]["image_name"] = "ghcr.io/acme/worker:1.1"
    preview = stack.preview()
    second = stack.up().outputs
    # then
    assert preview.step("worker").op == "update"
    assert preview.step("worker").diffs == ["image_name"]
    assert second["template_id"] == first["template_id"]
    assert only(emulator, "templates")["imageName"] == "ghcr.io/acme/worker:1.1"
    assert only(emulator, "endpoints")["version"] == first["endpoint_version"] + 1


def test_replacing_autonamed_template_moves_endpoint_before_deleting_old(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    old_template = stack.up().outputs["template_id"]
    emulator.clear_calls()
    # when
    cfg["template"]["category"] = "AMD"
    preview = stack.preview()
    emulator.clear_calls()
    new_template = stack.up().outputs["template_id"]
    # then
    assert preview.step("worker").op == "replace"
    assert preview.step("worker").replace_keys == ["category"]
    assert new_template != old_template
    assert only(emulator, "endpoints")["templateId"] == new_template
    mutations = [c for c in rp_calls(emulator) if c["method"] != "GET"]  # one read of the log, indexed once
    order = [(c["method"], c["path"]) for c in mutations]
    post = order.index(("POST", "/templates"))
    move = next(i for i, c in enumerate(mutations) if c["method"] == "PATCH" and c["path"].startswith("/endp"))
    delete = order.index(("DELETE", f"/templates/{old_template}"))
    assert post < delete
    assert mutations[move]["body"] == {"templateId": new_template}


def test_explicitly_named_template_in_use_fails_replacement_with_explanation(emulator, make_stack):
    # given
    cfg = base_cfg()
    cfg["template"]["name"] = "fixed-name"
    stack = make_stack(program(cfg))
    stack.up()
    # when
    cfg["template"]["category"] = "AMD"
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "leave `name` unset" in failed.value.text
    assert len(emulator.inventory("runpod")["templates"]) == 1


def test_destroy_waits_until_runpod_releases_the_template_its_endpoint_just_let_go_of(
    emulator, emulator_process, make_stack
):
    # given: RunPod refuses the template delete for a while after the endpoint delete (real service: ~2 min).
    # The emulator keeps refusing until the provider has been refused once, however long the engine takes
    # between the two deletes; then it releases the template.
    emulator.settings("runpod", template_release_seconds=3600)
    stack = make_stack(program(base_cfg()), env={"PULUMI_DEPLOY_POLL_INTERVAL": "0.1"})
    template_id = stack.up().outputs["template_id"]
    emulator.clear_calls()

    def refused(call: dict[str, Any]) -> bool:
        return (call["method"], call["path"], call["status"]) == ("DELETE", f"/templates/{template_id}", 400)

    def release(control: EmulatorControl) -> None:
        control.settings("runpod", template_release_seconds=0)

    # when
    with once_called(emulator_process.root_url, "runpod", refused, release) as released:
        destroyed = stack.destroy()
    # then
    assert released.fired
    deletes = [c for c in rp_calls(emulator, "DELETE") if c["path"] == f"/templates/{template_id}"]
    assert len(deletes) >= 2  # refused at first, retried, then deleted
    assert [c["status"] for c in deletes][-1] == 204 and set(c["status"] for c in deletes[:-1]) == {400}
    assert emulator.inventory("runpod") == {"endpoints": [], "templates": [], "networkvolumes": []}
    assert "still reports it in use" in destroyed.text


def test_refresh_sees_out_of_band_workers_max_and_up_restores_it(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    endpoint_id = stack.up().outputs["endpoint_id"]
    emulator.patch("runpod", "endpoints", endpoint_id, workersMax=0)  # the platform's idle scale-down
    # when
    stack.refresh()
    after_refresh = stack.resource_state("api")["outputs"]["workers_max"]
    preview = stack.preview()
    stack.up()
    # then
    assert after_refresh == 0
    assert preview.step("api").diffs == ["workers_max"]
    assert only(emulator, "endpoints")["workersMax"] == 3


def test_refresh_without_drift_leaves_nothing_to_change(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    stack.up()
    # when
    stack.refresh()
    emulator.clear_calls()
    again = stack.preview()
    # then
    assert again.summary == {"same": 4}
    assert rp_calls(emulator) == []


def test_out_of_band_delete_is_dropped_by_refresh_and_recreated_by_up(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    old_id = stack.up().outputs["endpoint_id"]
    emulator.delete("runpod", "endpoints", old_id)
    # when
    stack.refresh()
    dropped = all(r["urn"].rsplit("::", 1)[-1] != "api" for r in stack.export()["resources"])
    new_id = stack.up().outputs["endpoint_id"]
    # then
    assert dropped
    assert new_id != old_id
    assert [e["id"] for e in emulator.inventory("runpod")["endpoints"]] == [new_id]


def test_volume_shrink_is_rejected_at_preview(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    stack.up()
    emulator.clear_calls()
    # when
    cfg["volume"]["size"] = 20
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert "size: a network volume cannot shrink (50 GB -> 20 GB)" in failed.value.text
    assert rp_calls(emulator) == []


def test_api_key_from_secret_config_and_env_values_never_appear_in_plaintext(emulator, make_stack):
    # given
    cfg = base_cfg()
    cfg["template"]["env"] = {"HF_TOKEN": "hf-very-secret-value"}
    stack = make_stack(program(cfg), env={"RUNPOD_API_KEY": ""})
    stack.set_config("runpod:apiKey", "rp-config-secret-key", secret=True)
    # when
    outcome = stack.up()
    exported = stack.export_text()
    # then
    assert len(emulator.inventory("runpod")["endpoints"]) == 1
    for secret in ("rp-config-secret-key", "hf-very-secret-value"):
        assert secret not in exported
        assert secret not in outcome.text
    calls = rp_calls(emulator)
    assert calls and all(c["headers"]["authorization"] == "Bearer <20 chars>" for c in calls)


def test_injected_faults_still_converge_to_exactly_one_of_each(emulator, make_stack):
    # given: a 429 with Retry-After, a 503 and a connection dropped after the endpoint POST was processed
    emulator.add_fault("runpod", kind="status", status=429, retry_after=1, method="POST", path="^/templates$")
    emulator.add_fault("runpod", kind="status", status=503, method="POST", path="^/networkvolumes$")
    emulator.add_fault("runpod", kind="drop_after", method="POST", path="^/endpoints$")
    stack = make_stack(program(base_cfg()))
    # when
    outcome = stack.up()
    # then
    inventory = emulator.inventory("runpod")
    assert [len(inventory[k]) for k in ("templates", "endpoints", "networkvolumes")] == [1, 1, 1]
    assert outcome.outputs["endpoint_id"] == inventory["endpoints"][0]["id"]
    assert sorted(c["fault"] for c in rp_calls(emulator) if c["fault"]) == ["drop_after", "status", "status"]
    assert stack.preview().summary == {"same": 4}


def test_adopt_id_takes_over_an_existing_endpoint(emulator, emulator_process, make_stack):
    # given: an endpoint made outside Pulumi
    cfg = base_cfg()
    stack = make_stack(program(copy.deepcopy(cfg)))
    template_id = stack.up().outputs["template_id"]
    url = emulator_process.base_urls["RUNPOD_V1_BASE_URL"]
    existing = httpx.post(
        f"{url}/endpoints",
        json={"templateId": template_id, "name": "legacy", "workersMax": 1},
        headers={"Authorization": "Bearer k"},
    ).json()
    # when
    cfg["endpoint"].update(adopt_id=existing["id"], name="legacy", workers_max=4)
    stack.set_program(program(cfg))
    stack.up()
    # then
    endpoints = {e["id"]: e for e in emulator.inventory("runpod")["endpoints"]}
    assert stack.outputs()["endpoint_id"] == existing["id"]
    assert endpoints[existing["id"]]["workersMax"] == 4
    assert len(endpoints) == 1  # the endpoint created by the first up was replaced by the adopted one


def test_ignore_changes_and_replace_on_changes_are_honoured(emulator, make_stack):
    # given
    cfg = {"workers_max": 2, "idle_timeout": 5}

    def run() -> None:
        tmpl = runpod.Template("t", runpod.TemplateArgs(image_name="img:1", is_serverless=True))
        opts = pulumi.ResourceOptions(ignore_changes=["workers_max"], replace_on_changes=["idle_timeout"])
        ep = runpod.Endpoint("ep", runpod.EndpointArgs(template_id=tmpl.id, **cfg), opts)
        pulumi.export("id", ep.id)

    stack = make_stack(run)
    stack.up()
    # when
    cfg["workers_max"] = 9
    ignored = stack.preview()
    cfg["idle_timeout"] = 10
    forced = stack.preview()
    # then
    assert ignored.summary == {"same": 3}
    assert forced.step("ep").op == "replace"
    assert forced.step("ep").replace_keys == ["idle_timeout"]
