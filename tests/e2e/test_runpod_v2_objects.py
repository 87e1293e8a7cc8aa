"""RunPod on REST v2: switching a v1 stack, templates, volumes, registry credentials, faults, version config."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from runpod_programs import base_cfg, program, v1_env
from runpod_v2_programs import FAST_POLL, endpoint_program, gpu_cfg, rp_calls

from pulumi_deploy import runpod
from pulumi_deploy.local_stack import LocalStack, StackFailed

pytestmark = pytest.mark.e2e


def test_v1_stack_switches_to_v2_with_no_change_and_the_same_ids(
    emulator, emulator_process, stack_env, cli_root, tmp_path
):
    # given: a stack created on REST v1
    v1 = LocalStack(
        tmp_path / "switch",
        program(base_cfg()),
        cli_root=cli_root,
        env={**stack_env, **v1_env(emulator_process.base_urls)},
    )
    ids = v1.up().outputs
    paths_v1 = [c["path"] for c in rp_calls(emulator)]
    emulator.clear_calls()
    # when: the same stack and program run with the default settings (REST v2)
    v2 = LocalStack(tmp_path / "switch", program(base_cfg()), cli_root=cli_root, env={**stack_env, **FAST_POLL})
    refreshed = v2.refresh()
    preview = v2.preview()
    # then
    assert not any(p.startswith("/v2/") for p in paths_v1)
    assert refreshed.summary == {"same": 4}, refreshed.text
    assert preview.summary == {"same": 4}, preview.text
    paths_v2 = [c["path"] for c in rp_calls(emulator)]
    assert paths_v2 and all(p.startswith("/v2/") for p in paths_v2), paths_v2
    assert v2.outputs() == ids
    assert {c["method"] for c in rp_calls(emulator)} == {"GET"}


def test_switching_by_stack_config_takes_effect_from_the_next_up(emulator, emulator_process, make_stack):
    # given: a stack created on REST v1, then switched in its stack config
    stack = make_stack(program(base_cfg()), env={**v1_env(emulator_process.base_urls), **FAST_POLL})
    ids = stack.up().outputs
    stack.set_config("runpod:apiVersion", "v2")
    stack.set_config("runpod:baseUrl", emulator_process.base_urls["RUNPOD_BASE_URL"])
    emulator.clear_calls()
    # when: `up` (nothing to change; it records the provider's new settings), then refresh and preview
    up = stack.up()
    refreshed = stack.refresh()
    preview = stack.preview()
    # then
    assert up.summary == refreshed.summary == preview.summary == {"same": 4}
    paths = [c["path"] for c in rp_calls(emulator)]
    assert paths and all(p.startswith("/v2/") for p in paths), paths
    assert stack.outputs() == ids


def test_v1_opt_in_talks_v1_only(emulator, emulator_process, make_stack):
    # given
    stack = make_stack(program(base_cfg()), env=v1_env(emulator_process.base_urls))
    # when
    stack.up()
    # then
    paths = [c["path"] for c in rp_calls(emulator)]
    assert paths and not any(p.startswith("/v2") for p in paths)


def test_v1_base_url_with_api_version_v2_fails_naming_both_settings_with_zero_calls(
    emulator, emulator_process, make_stack
):
    # given
    env = {"RUNPOD_BASE_URL": emulator_process.base_urls["RUNPOD_V1_BASE_URL"], "RUNPOD_API_VERSION": "v2"}
    stack = make_stack(endpoint_program(gpu_cfg()), env=env)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    text = failed.value.text
    assert "runpod:baseUrl" in text and "runpod:apiVersion" in text and "REST v1 URL" in text
    assert rp_calls(emulator) == []


def test_template_change_is_announced_as_not_reaching_the_endpoint(emulator, make_stack):
    # given: an endpoint started from a template (REST v2 applies it once)
    cfg = {
        "template": {"image_name": "ghcr.io/acme/worker:1.0", "is_serverless": True},
        "endpoint": {"gpu_pools": ["AMPERE_24"]},
    }
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    # when
    cfg["template"]["image_name"] = "ghcr.io/acme/worker:2.0"
    preview = stack.preview()
    stack.up()
    # then: the preview says so, and it is true
    assert preview.step("worker").diffs == ["image_name"]
    assert "does not reach endpoints already created from this template" in preview.text
    assert "rolling release" not in preview.text
    assert preview.step("api") is None or preview.step("api").op == "same"
    endpoint_id = stack.outputs()["endpoint_id"]
    live = emulator.inventory("runpod")["endpoints"][0]
    assert live["id"] == endpoint_id
    assert _live_image(emulator, endpoint_id) == "ghcr.io/acme/worker:1.0"


def test_image_set_on_the_endpoint_reaches_its_workers(emulator, make_stack):
    # given
    cfg = {"template": {"image_name": "ghcr.io/acme/worker:1.0", "is_serverless": True},
           "endpoint": {"gpu_pools": ["AMPERE_24"], "image": "ghcr.io/acme/worker:1.0"}}  # fmt: skip
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    # when
    cfg["endpoint"]["image"] = "ghcr.io/acme/worker:2.0"
    preview = stack.preview()
    stack.up()
    # then
    assert "rolling release — changing image" in preview.text
    assert _live_image(emulator, stack.outputs()["endpoint_id"]) == "ghcr.io/acme/worker:2.0"


def _live_image(emulator, endpoint_id: str) -> str:
    inventory = emulator.inventory("runpod")
    endpoint = next(e for e in inventory["endpoints"] if e["id"] == endpoint_id)
    template = next(t for t in inventory["templates"] if t["id"] == endpoint["templateId"])
    return str(template["imageName"])


def test_registry_password_is_secret_and_the_endpoint_uses_it_by_id(emulator, make_stack):
    # given
    cfg = gpu_cfg()
    cfg["registry"] = {"username": "acme-bot", "password": "ghp-very-secret-token"}
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    # when
    outcome = stack.up()
    exported = stack.export_text()
    # then
    registries = emulator.inventory("runpod")["registries"]
    assert len(registries) == 1 and outcome.outputs["registry_id"] == registries[0]["id"]
    post = next(c for c in rp_calls(emulator, "POST") if c["path"] == "/v2/serverless")
    assert post["body"]["registry"] == registries[0]["id"]
    assert "ghp-very-secret-token" not in exported and "ghp-very-secret-token" not in outcome.text
    # any change replaces it
    cfg["registry"]["username"] = "acme-bot-2"
    preview = stack.preview()
    assert preview.step("ghcr").op == "replace" and preview.step("ghcr").replace_keys == ["username"]


def test_network_volume_on_v2_grows_in_place_and_moving_it_replaces(emulator, make_stack):
    # given
    cfg = gpu_cfg()
    cfg["volume"] = {"size": 20, "data_center_id": "EU-RO-1"}
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    old_id = stack.up().outputs["volume_id"]
    # when
    cfg["volume"]["size"] = 40
    stack.up()
    patch = [c for c in rp_calls(emulator, "PATCH") if c["path"].startswith("/v2/network-volumes/")]
    cfg["volume"]["data_center_id"] = "US-TX-3"
    moved = stack.preview()
    # then
    assert [c["body"] for c in patch] == [{"size": 40}]
    assert moved.step("data").op == "replace" and moved.step("data").replace_keys == ["data_center_id"]
    assert emulator.inventory("runpod")["networkvolumes"][0]["id"] == old_id


def test_problem_details_show_detail_and_the_offending_field(emulator, make_stack):
    # given: a data centre the catalogue does not have (data centres are open strings, so the server judges it)
    cfg = gpu_cfg()
    cfg["endpoint"]["data_center_ids"] = ["MARS-1"]
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "dataCenterIds: unknown data center 'MARS-1'" in failed.value.text
    assert '"title"' not in failed.value.text


def test_faults_converge_with_exactly_one_of_each_object(emulator, make_stack):
    # given
    emulator.add_fault("runpod", kind="status", status=429, retry_after=1, method="POST", path="^/v2/templates$")
    emulator.add_fault("runpod", kind="status", status=503, method="POST", path="^/v2/network-volumes$")
    emulator.add_fault("runpod", kind="drop_after", method="POST", path="^/v2/serverless$")
    emulator.add_fault("runpod", kind="drop_after", method="POST", path="^/v2/registries$")
    cfg = {"template": {"image_name": "ghcr.io/acme/worker:1.0", "is_serverless": True},
           "endpoint": {"gpu_type_ids": ["NVIDIA L4"]}, "volume": {"size": 20, "data_center_id": "EU-RO-1"},
           "registry": {"username": "bot", "password": "pw-secret"}}  # fmt: skip
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    # when
    outcome = stack.up()
    # then
    inventory = emulator.inventory("runpod")
    user_templates = [t for t in inventory["templates"] if "__template__" not in t["name"]]
    assert len(user_templates) == 1
    assert [len(inventory[k]) for k in ("endpoints", "networkvolumes", "registries")] == [1, 1, 1]
    assert outcome.outputs["endpoint_id"] == inventory["endpoints"][0]["id"]
    faults = sorted(c["fault"] for c in rp_calls(emulator) if c["fault"])
    assert faults == ["drop_after", "drop_after", "status", "status"]
    assert stack.preview().summary == {"same": 5}


def test_gpu_type_ids_map_to_pools_through_the_catalog(emulator, make_stack):
    # given
    cfg = {"endpoint": {"image": "ghcr.io/acme/worker:1.0", "gpu_type_ids": ["NVIDIA L4"]}}
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    # when
    stack.up()
    # then
    post = next(c for c in rp_calls(emulator, "POST") if c["path"] == "/v2/serverless")
    assert post["body"]["gpu"]["pools"] == ["AMPERE_24"]
    assert "NVIDIA L4" not in post["body"]["gpu"]["excludedTypes"]
    assert emulator.inventory("runpod")["endpoints"][0]["gpuTypeIds"] == ["NVIDIA L4"]
    assert stack.preview().summary == {"same": 2}


def test_a_volume_replacement_previews_that_its_data_is_deleted(emulator, make_stack):
    # given
    cfg = {"size": 50, "data_center_id": "US-TX-3"}

    def volume() -> None:
        runpod.NetworkVolume("vol", runpod.NetworkVolumeArgs(**cfg))

    stack = make_stack(volume, env=FAST_POLL)
    stack.up()
    (old,) = emulator.inventory("runpod")["networkvolumes"]
    # when: a volume cannot move between data centres
    cfg["data_center_id"] = "EU-RO-1"
    preview = stack.preview()
    stack.up()
    # then
    step = preview.step("vol")
    assert step.op == "replace"
    assert "the old volume and the data on it are deleted; the new one starts empty" in step.notes
    (new,) = emulator.inventory("runpod")["networkvolumes"]
    assert new["id"] != old["id"]


def test_writing_down_the_storage_type_a_volume_already_has_neither_replaces_nor_calls(emulator, make_stack):
    # given: a volume whose type was left to RunPod
    cfg: dict[str, Any] = {"size": 50, "data_center_id": "US-TX-3"}

    def volume() -> None:
        runpod.NetworkVolume("vol", runpod.NetworkVolumeArgs(**cfg))

    stack = make_stack(volume, env=FAST_POLL)
    stack.up()
    (old,) = emulator.inventory("runpod")["networkvolumes"]
    emulator.clear_calls()
    # when: the program pins the type it has, then asks for another one
    cfg["type"] = old["type"]
    pinned = stack.preview()
    stack.up()
    writes = [c for c in rp_calls(emulator) if c["method"] != "GET"]
    cfg["type"] = "HIGH_PERFORMANCE"
    other = stack.preview()
    # then
    assert old["type"] == "STANDARD"
    assert pinned.summary == {"same": 2} and writes == []
    assert [v["id"] for v in emulator.inventory("runpod")["networkvolumes"]] == [old["id"]]
    assert other.step("vol").op == "replace" and other.step("vol").replace_keys == ["type"]


def test_an_env_entry_added_out_of_band_is_encrypted_by_refresh(emulator, make_stack):
    # given: a template whose env values are secret
    cfg = {
        "template": {"image_name": "ghcr.io/acme/worker:1.0", "is_serverless": True, "env": {"MODEL": "llama-8b"}},
        "endpoint": {"gpu_pools": ["AMPERE_24"]},
    }
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    template = emulator.inventory("runpod")["templates"][0]
    # when: someone adds a token to it outside Pulumi, and the stack is refreshed
    emulator.patch("runpod", "templates", template["id"], env={**template["env"], "HF_TOKEN": "hf-oob-62c0d9"})
    refreshed = stack.refresh()
    # then: the new entry is as secret in state as the program's own
    env = stack.resource_state("worker")["inputs"]["env"]
    assert "hf-oob-62c0d9" not in refreshed.text and "hf-oob-62c0d9" not in stack.export_text()
    assert sorted(env) == ["HF_TOKEN", "MODEL"]
    assert all(set(value) == {"4dabf18193072939515e22adb298388d", "ciphertext"} for value in env.values()), env


def test_rest_v2_updates_a_templates_category_in_place(emulator, make_stack):
    # given: a template (REST v2 patches `category` and `serverless`; v1 replaces the template)
    cfg: dict[str, Any] = {"image_name": "ghcr.io/acme/batch:1", "category": "NVIDIA"}

    def run() -> None:
        runpod.Template("batch", runpod.TemplateArgs(**cfg))

    stack = make_stack(run)
    stack.up()
    first = emulator.inventory("runpod")["templates"][0]
    # when
    cfg["category"] = "AMD"
    preview = stack.preview()
    stack.up()
    # then: one PATCH of the same template, as the preview said
    assert (preview.step("batch").op, preview.step("batch").diffs) == ("update", ["category"])
    (template,) = emulator.inventory("runpod")["templates"]
    assert (template["id"], template["category"]) == (first["id"], "AMD")


def test_moving_an_endpoint_to_another_template_keeps_the_image_the_endpoint_sets(emulator, make_stack):
    # given: an endpoint that sets its own image, started from template A
    cfg: dict[str, Any] = {"use": "a"}

    def run() -> None:
        templates = {
            key: runpod.Template(
                f"tpl-{key}", runpod.TemplateArgs(image_name=f"ghcr.io/acme/{key}:1", is_serverless=True)
            )
            for key in ("a", "b")
        }
        args = runpod.EndpointArgs(template_id=templates[cfg["use"]].id, image="ghcr.io/acme/own:7", workers_max=1)
        runpod.Endpoint("api", args)

    stack = make_stack(run, env=FAST_POLL)
    stack.up()
    # when: it moves to template B
    cfg["use"] = "b"
    preview = stack.preview()
    stack.up()
    # then: B's settings apply, but not over the image the program sets on the endpoint
    assert preview.step("api").diffs == ["template_id"]
    (endpoint,) = emulator.inventory("runpod")["endpoints"]
    assert _live_image(emulator, endpoint["id"]) == "ghcr.io/acme/own:7"
    assert stack.preview().summary == {"same": 4}


def test_a_volume_made_on_v1_below_v2s_minimum_is_adopted_on_v2(emulator, emulator_process, make_stack):
    # given: a 5 GB volume made on REST v1 (v2 makes 10 GB at least), and a stack on v2 to adopt it
    cfg: dict[str, Any] = {"size": 5, "data_center_id": "EU-RO-1", "name": "small"}

    def volume() -> None:
        vol = runpod.NetworkVolume("vol", runpod.NetworkVolumeArgs(**cfg))
        pulumi.export("id", vol.id)

    made = make_stack(volume, env={**v1_env(emulator_process.base_urls), **FAST_POLL})
    vol_id = made.up().outputs["id"]
    adopting = make_stack(volume, env=FAST_POLL)
    cfg["adopt_id"] = vol_id
    # when: the program declares another size below v2's minimum, then the size the volume has
    cfg["size"] = 8
    with pytest.raises(StackFailed) as refused:
        adopting.preview()
    cfg["size"] = 5
    emulator.clear_calls()
    preview = adopting.preview()
    up = adopting.up()
    # then: only a size the adoption would send is judged; the volume's own is no change
    assert f"adopting {vol_id!r} cannot take what the program declares" in refused.value.text
    assert "a REST v2 network volume is 10 to 4096 GB (got 8)" in refused.value.text
    assert f"adopting {vol_id}: no change to the object" in preview.step("vol").notes, preview.text
    assert up.outputs["id"] == vol_id
    assert [c for c in rp_calls(emulator) if c["method"] != "GET"] == []
    assert [(v["id"], v["size"]) for v in emulator.inventory("runpod")["networkvolumes"]] == [(vol_id, 5)]
