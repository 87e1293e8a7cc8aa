"""Cyberun ContainerService through the real Pulumi CLI against the emulator."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_deploy import cyberun
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

FAST = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}
CRED_A = "11111111-1111-4111-8111-111111111111"
CRED_B = "22222222-2222-4222-8222-222222222222"
TEAM = "33333333-3333-4333-8333-333333333333"
SECRET_VALUE = "s3cr3t-db-password-value"


def program(cfg: dict[str, Any]):
    """One container service whose inputs come from ``cfg`` (mutated between steps)."""

    def run() -> None:
        svc = cyberun.ContainerService("svc", cyberun.ContainerServiceArgs(**cfg))
        pulumi.export("id", svc.id)
        pulumi.export("status", svc.service_status)

    return run


def deployed_cfg() -> dict[str, Any]:
    return {
        "service_slug": "llm-api",
        "docker_image": "vllm/vllm-openai:latest",
        "env_config": [
            cyberun.EnvVarArgs(env_name="MODEL", env_value="llama"),
            cyberun.EnvVarArgs(env_name="DB_PASSWORD", env_value=SECRET_VALUE),
        ],
        "required_labels": ["gpu"],
        "gpu_count": -1,
    }


def external_cfg() -> dict[str, Any]:
    return {"service_slug": "partner-api", "service_type": "external", "external_url": "https://api.example.com"}


def cy_calls(emulator, method: str | None = None, suffix: str = "") -> list[dict[str, Any]]:
    return [
        c for c in emulator.calls("cyberun") if (method is None or c["method"] == method) and c["path"].endswith(suffix)
    ]


def services(emulator) -> list[dict[str, Any]]:
    return emulator.inventory("cyberun")["containers"]


@pytest.fixture(autouse=True)
def fast_transitions(emulator):
    emulator.settings("cyberun", deploy_seconds=0.05, undeploy_seconds=0.05)


def test_create_deployed_then_replica_count_change_puts_only_it_and_redeploys(emulator, make_stack):
    # given
    cfg = deployed_cfg()
    stack = make_stack(program(cfg), env=FAST)
    created = stack.up()
    service_id = created.outputs["id"]
    assert created.outputs["status"] == "running"
    assert [s["service_status"] for s in services(emulator)] == ["running"]
    assert services(emulator)[0]["gpu_count"] == -1
    # when
    cfg["replica_count"] = 3
    preview = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then
    step = preview.step("svc")
    assert step.op == "update"
    assert step.diffs == ["replica_count"]
    puts = cy_calls(emulator, "PUT")
    assert [(c["path"], c["body"]) for c in puts] == [(f"/containers/{service_id}", {"replica_count": 3})]
    assert len(cy_calls(emulator, "POST", "/deploy")) == 1
    assert all("x-team-id" not in c["headers"] for c in emulator.calls("cyberun"))  # sk- key: no team header
    (svc,) = services(emulator)
    assert (svc["id"], svc["replica_count"], svc["service_status"]) == (service_id, 3, "running")


def test_changing_service_type_or_slug_previews_a_replace_naming_the_property(emulator, make_stack):
    # given
    cfg = deployed_cfg()
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.clear_calls()
    # when
    stack.set_program(program({**cfg, "service_slug": "llm-api-v2"}))
    slug_preview = stack.preview()
    stack.set_program(program({**external_cfg(), "service_slug": "llm-api"}))
    type_preview = stack.preview()
    # then
    assert slug_preview.step("svc").op == "replace"
    assert slug_preview.step("svc").replace_keys == ["service_slug"]
    assert type_preview.step("svc").op == "replace"
    assert "service_type" in type_preview.step("svc").replace_keys
    assert cy_calls(emulator) == []  # preview is pure


def test_credential_set_and_change_update_in_place_and_removal_replaces(emulator, make_stack):
    # given
    cfg = external_cfg()
    stack = make_stack(program(cfg), env=FAST)
    first_id = stack.up().outputs["id"]
    # when: set it, change it
    cfg["external_auth_credential_id"] = CRED_A
    set_preview = stack.preview()
    stack.up()
    cfg["external_auth_credential_id"] = CRED_B
    change_preview = stack.preview()
    stack.up()
    # then
    assert set_preview.step("svc").op == "update"
    assert change_preview.step("svc").op == "update"
    assert [(s["id"], s["external_auth_credential_id"]) for s in services(emulator)] == [(first_id, CRED_B)]
    # when: remove it
    del cfg["external_auth_credential_id"]
    remove_preview = stack.preview()
    replaced = stack.up()
    # then
    assert remove_preview.step("svc").op == "replace"
    assert remove_preview.step("svc").replace_keys == ["external_auth_credential_id"]
    (svc,) = services(emulator)
    assert svc["id"] == replaced.outputs["id"] != first_id
    assert svc["external_auth_credential_id"] is None
    assert svc["service_status"] == "running"


@pytest.mark.parametrize(
    ("cfg", "props"),
    [
        ({**deployed_cfg(), "replica_count": 11, "exposed_port": 0}, ["replica_count", "exposed_port"]),
        ({"service_slug": "Llm-Api", "env_config": []}, ["docker_image", "service_slug"]),
        ({**external_cfg(), "external_url": "http://api.example.com"}, ["external_url"]),
    ],
    ids=["ranges", "missing-image-and-uppercase-slug", "http-external-url"],
)
def test_invalid_inputs_fail_at_preview_naming_the_property_and_send_nothing(emulator, make_stack, cfg, props):
    # given
    stack = make_stack(program(cfg), env=FAST)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    for prop in props:
        assert f"{prop}:" in failed.value.text
    assert cy_calls(emulator) == []


def test_jwt_with_team_id_sends_x_team_id_on_every_call(emulator, make_stack):
    # given
    stack = make_stack(program(deployed_cfg()), env={**FAST, "CYBERUN_TOKEN": "eyJhbGciOi.eyJzdWIiOi.sig"})
    stack.set_config("cyberun:teamId", TEAM)
    # when
    stack.up()
    stack.destroy()
    # then
    calls = emulator.calls("cyberun")
    assert calls and all(c["headers"].get("x-team-id") == TEAM for c in calls)
    assert services(emulator) == []


def test_jwt_without_team_id_fails_naming_both_settings_before_any_call(emulator, make_stack):
    # given
    stack = make_stack(program(deployed_cfg()), env={**FAST, "CYBERUN_TOKEN": "eyJhbGciOi.eyJzdWIiOi.sig"})
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "cyberun:teamId" in failed.value.text
    assert "CYBERUN_TEAM_ID" in failed.value.text
    assert cy_calls(emulator) == []


def test_refresh_detects_out_of_band_change_then_out_of_band_delete(emulator, make_stack):
    # given
    stack = make_stack(program({**deployed_cfg(), "replica_count": 2}), env=FAST)
    service_id = stack.up().outputs["id"]
    emulator.patch("cyberun", "containers", service_id, replica_count=4)
    # when
    stack.refresh()
    drift = stack.preview()
    # then
    assert stack.resource_state("svc")["outputs"]["replica_count"] == 4
    assert drift.step("svc").op == "update"
    # a change stored without a deploy: the definition is not the one running either
    assert drift.step("svc").diffs == ["deployed", "replica_count"]
    # when
    emulator.delete("cyberun", "containers", service_id)
    stack.refresh()
    # then
    with pytest.raises(KeyError):
        stack.resource_state("svc")


def test_an_update_that_failed_between_put_and_deploy_is_deployed_after_a_refresh(emulator, make_stack):
    # given: an update whose PUT stored the new image and whose deploy was refused (a killed job leaves
    # the same: the stored definition is not the one running)
    cfg = deployed_cfg()
    stack = make_stack(program(cfg), env=FAST)
    service_id = stack.up().outputs["id"]
    emulator.add_fault("cyberun", kind="status", status=403, method="POST", path="/deploy$", times=1)
    cfg["docker_image"] = "vllm/vllm-openai:v2"
    with pytest.raises(StackFailed):
        stack.up()
    assert services(emulator)[0]["docker_image"] == "vllm/vllm-openai:v2"
    # when: a refresh takes in the stored definition
    refreshed = stack.refresh()
    state_deployed = stack.resource_state("svc")["outputs"]["deployed"]
    preview = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then: refresh says it is not deployed; the preview and `up` deploy it (no PUT: it is stored)
    assert "is not the one this stack last deployed" in refreshed.text
    assert state_deployed is False
    assert (preview.step("svc").op, preview.step("svc").diffs) == ("update", ["deployed"])
    assert any(n.startswith("deploy — POST /deploy") for n in preview.step("svc").notes)
    assert cy_calls(emulator, "PUT") == []
    assert [c["path"] for c in cy_calls(emulator, "POST")] == [f"/containers/{service_id}/deploy"]
    assert stack.refresh().summary == {"same": 2}
    assert stack.preview().summary == {"same": 2}


def test_unchanged_rerun_makes_no_api_calls_and_env_values_stay_encrypted(emulator, make_stack):
    # given
    stack = make_stack(program(deployed_cfg()), env=FAST)
    stack.up()
    stack.refresh()
    emulator.clear_calls()
    # when
    again = stack.up()
    # then
    assert again.summary == {"same": 2}
    assert cy_calls(emulator) == []
    assert SECRET_VALUE not in stack.export_text()
    assert services(emulator)[0]["env_config"][0]["env_value"] == SECRET_VALUE  # the API keeps it in clear


def test_deploy_ending_in_failed_is_reported(emulator, make_stack):
    # given
    cfg = deployed_cfg()
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    emulator.settings("cyberun", fail_next_deploy=True)
    # when
    cfg["docker_image"] = "vllm/vllm-openai:broken"
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "deploy ended in `failed`" in failed.value.text
    assert services(emulator)[0]["service_status"] == "failed"


def test_lost_create_response_adopts_the_service_by_slug(emulator, make_stack):
    # given
    emulator.add_fault("cyberun", kind="drop_after", method="POST", path="^/containers$")
    stack = make_stack(program(deployed_cfg()), env=FAST)
    # when
    created = stack.up()
    # then
    (svc,) = services(emulator)
    assert svc["id"] == created.outputs["id"]
    assert svc["service_status"] == "running"
    assert len(cy_calls(emulator, "POST", "/containers")) == 1


def test_deployed_false_undeploys_in_place_and_destroy_deletes(emulator, make_stack):
    # given
    cfg = deployed_cfg()
    stack = make_stack(program(cfg), env=FAST)
    service_id = stack.up().outputs["id"]
    emulator.clear_calls()
    # when
    cfg["deployed"] = False
    preview = stack.preview()
    stopped = stack.up()
    # then
    assert (preview.step("svc").op, preview.step("svc").diffs) == ("update", ["deployed"])
    assert cy_calls(emulator, "PUT") == []
    assert [c["path"] for c in cy_calls(emulator, "POST")] == [f"/containers/{service_id}/undeploy"]
    assert stopped.outputs["status"] == "stopped"
    # when
    stack.destroy()
    # then
    assert services(emulator) == []
    assert [c["path"] for c in cy_calls(emulator, "DELETE")] == [f"/containers/{service_id}"]


def test_a_jwt_moved_to_another_team_keeps_the_service_where_it_lives_until_up_moves_it(emulator, make_stack):
    # given: a service made by a user JWT for one team; then the environment names another team
    other_team = "44444444-4444-4444-8444-444444444444"
    jwt = {"CYBERUN_TOKEN": "eyJhbGciOi.eyJzdWIiOi.sig", "CYBERUN_TEAM_ID": TEAM}
    stack = make_stack(program(deployed_cfg()), env={**FAST, **jwt})
    old_id = stack.up().outputs["id"]
    stack.set_env("CYBERUN_TEAM_ID", other_team)
    emulator.clear_calls()
    # when
    refreshed = stack.refresh()
    reads = [c["headers"].get("x-team-id") for c in cy_calls(emulator)]
    preview = stack.preview()
    emulator.clear_calls()
    moved = stack.up()
    # then: refresh read it in its own team and kept it; the preview said it moves to the other team,
    # and up made it there, then deleted it from its team
    assert refreshed.summary == {"same": 2} and reads and set(reads) == {TEAM}, (refreshed.text, reads)
    assert preview.step("svc").op == "replace", preview.text
    assert f"team {other_team}): the object is created there" in preview.text
    writes = [(c["method"], c["path"], c["headers"].get("x-team-id")) for c in cy_calls(emulator)]
    assert ("DELETE", f"/containers/{old_id}", TEAM) in writes, writes
    assert [w for w in writes if w[0] == "POST" and w[1] == "/containers"] == [("POST", "/containers", other_team)]
    assert [s["id"] for s in services(emulator)] == [moved.outputs["id"]] != [old_id]
    stack.destroy()
    assert services(emulator) == []
