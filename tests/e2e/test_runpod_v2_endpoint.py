"""RunPod Endpoint on REST v2 (the default) through the real Pulumi CLI against the emulator."""

from __future__ import annotations

import httpx
import pulumi
import pytest
from runpod_v2_programs import FAST_POLL, cpu_cfg, endpoint_program, gpu_cfg, rp_calls

from pulumi_deploy import runpod
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e


def test_default_config_talks_v2_only_and_outputs_request_urls(emulator, make_stack):
    # given
    stack = make_stack(endpoint_program(gpu_cfg()), env=FAST_POLL)
    # when
    outputs = stack.up().outputs
    # then
    paths = [c["path"] for c in rp_calls(emulator)]
    assert paths and all(p.startswith("/v2/") for p in paths), paths
    endpoint = emulator.inventory("runpod")["endpoints"][0]
    assert outputs["endpoint_id"] == endpoint["id"]
    urls = outputs["request_urls"]
    assert urls["run"].endswith(f"/{endpoint['id']}/run")
    assert urls["runSync"].endswith(f"/{endpoint['id']}/runsync")
    assert urls["openai"].endswith(f"/{endpoint['id']}/openai/v1")
    assert outputs["version"] == 0 and outputs["created_at"]


def test_cpu_endpoint_is_created_with_its_cpu_configuration(emulator, make_stack):
    # given
    stack = make_stack(endpoint_program(cpu_cfg()), env=FAST_POLL)
    # when
    stack.up()
    # then
    posts = [c for c in rp_calls(emulator, "POST") if c["path"] == "/v2/serverless"]
    assert [p["body"]["cpu"] for p in posts] == [[{"id": "cpu3c", "vcpuCount": 4}]]
    assert "gpu" not in posts[0]["body"]
    assert emulator.inventory("runpod")["endpoints"][0]["computeType"] == "CPU"
    assert stack.preview().summary == {"same": 2}


@pytest.mark.parametrize("make_cfg", [gpu_cfg, cpu_cfg], ids=["gpu", "cpu"])
def test_workers_max_change_is_one_patch_with_only_that_field(emulator, make_stack, make_cfg):
    # given
    cfg = make_cfg()
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    endpoint_id = stack.up().outputs["endpoint_id"]
    emulator.clear_calls()
    # when
    cfg["endpoint"]["workers_max"] = 5
    preview = stack.preview()
    stack.up()
    # then
    assert preview.step("api").diffs == ["workers_max"]
    assert "rolling release" not in preview.text
    patches = rp_calls(emulator, "PATCH")
    assert [(c["path"], c["body"]) for c in patches] == [(f"/v2/serverless/{endpoint_id}", {"workers": {"max": 5}})]


def test_gpu_pool_change_announces_and_follows_the_rolling_release(emulator, make_stack):
    # given: two workers running, so that the release visibly rolls
    cfg = gpu_cfg()
    cfg["endpoint"]["workers_min"] = 2
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    first = stack.up().outputs
    # when
    cfg["endpoint"]["gpu_pools"] = ["AMPERE_24", "ADA_24"]
    preview = stack.preview()
    outcome = stack.up()
    # then
    assert preview.step("api").diffs == ["gpu_pools"]
    assert "rolling release — changing gpu_pools replaces running workers" in preview.text
    assert "workers" in outcome.text and "rolling release" in outcome.text
    assert "complete" in outcome.text
    releases = emulator.inventory("runpod")["releases"]
    latest = max(releases, key=lambda r: r["version"])
    assert outcome.outputs["version"] == first["version"] + 1 == latest["version"]
    assert outcome.outputs["release_id"] == latest["id"]
    assert outcome.outputs["release_version"] == latest["version"]
    reads = [c for c in rp_calls(emulator, "GET") if c["path"].endswith("/releases")]
    assert len(reads) >= 2  # followed, not read once


def test_a_failed_release_fails_the_up_naming_it_and_going_back_is_a_change(emulator, make_stack):
    # given
    cfg = gpu_cfg()
    cfg["endpoint"]["workers_min"] = 1
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    emulator.settings("runpod", fail_new_releases=True)
    # when
    cfg["endpoint"]["image"] = "ghcr.io/acme/worker:broken"
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: the stack records the change made, with the failure
    release = max(emulator.inventory("runpod")["releases"], key=lambda r: r["version"])
    assert release["failed"] is True
    assert f"release {release['id']} (version {release['version']}) failed" in failed.value.text
    assert "updated, but not finished" in failed.value.text
    recorded = stack.resource_state("api")
    assert recorded["outputs"]["image"] == "ghcr.io/acme/worker:broken" and recorded.get("initErrors")
    # when: an unrelated setting changes while the release still fails
    cfg["endpoint"]["workers_max"] = 4
    with pytest.raises(StackFailed) as again:
        stack.up()
    # then: that change is made, and the failed release is still reported, not forgotten
    assert f"release {release['id']} (version {release['version']}) failed" in again.value.text
    assert stack.resource_state("api").get("initErrors")
    # when: the program goes back to the image that worked
    emulator.settings("runpod", fail_new_releases=False)
    cfg["endpoint"]["image"] = "ghcr.io/acme/worker:1.0"
    back = stack.preview()
    stack.up()
    # then: going back is a change, said as one, and it is rolled out
    assert back.step("api").op == "update"
    assert "`pulumi up` changes image from what that change applied" in back.text
    inventory = emulator.inventory("runpod")
    (endpoint,) = inventory["endpoints"]
    (bound,) = [t for t in inventory["templates"] if t["id"] == endpoint["templateId"]]
    assert bound["imageName"] == "ghcr.io/acme/worker:1.0"  # an endpoint's container lives on its template
    assert not stack.resource_state("api").get("initErrors")
    assert stack.preview().summary == {"same": 2}


def test_wait_for_rollout_false_does_not_follow_the_release(emulator, make_stack):
    # given
    cfg = gpu_cfg()
    cfg["endpoint"].update(workers_min=1, wait_for_rollout=False)
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    emulator.clear_calls()
    # when
    cfg["endpoint"]["image"] = "ghcr.io/acme/worker:1.1"
    outcome = stack.up()
    # then
    release_reads = [c for c in rp_calls(emulator, "GET") if c["path"].endswith("/releases")]
    assert len(release_reads) == 1  # the release id and version, once
    assert [c for c in rp_calls(emulator) if c["path"].endswith("/workers")] == []
    assert outcome.outputs["version"] == 1


def test_refresh_sees_an_out_of_band_workers_change_and_up_restores_it_with_one_patch(emulator, make_stack):
    # given
    stack = make_stack(endpoint_program(gpu_cfg()), env=FAST_POLL)
    endpoint_id = stack.up().outputs["endpoint_id"]
    emulator.patch("runpod", "endpoints", endpoint_id, workersMax=1)
    # when
    stack.refresh()
    after_refresh = stack.resource_state("api")["outputs"]["workers_max"]
    preview = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then
    assert after_refresh == 1
    assert preview.step("api").diffs == ["workers_max"]
    patches = rp_calls(emulator, "PATCH")
    assert [(c["path"], c["body"]) for c in patches] == [(f"/v2/serverless/{endpoint_id}", {"workers": {"max": 3}})]


def test_type_change_replaces_the_endpoint(emulator, make_stack):
    # given
    cfg = gpu_cfg()
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    old_id = stack.up().outputs["endpoint_id"]
    # when
    cfg["endpoint"].update(type="LOAD_BALANCER", scaler_type="REQUEST_COUNT", scaler_value=2)
    preview = stack.preview()
    new_id = stack.up().outputs["endpoint_id"]
    # then
    assert preview.step("api").op == "replace"
    assert preview.step("api").replace_keys == ["type"]
    assert new_id != old_id
    assert [e["id"] for e in emulator.inventory("runpod")["endpoints"]] == [new_id]
    assert all("type" not in c["body"] for c in rp_calls(emulator, "PATCH"))


@pytest.mark.parametrize(
    ("changes", "prop", "text"),
    [
        ({"allowed_cuda_versions": ["12.4"], "min_cuda_version": "12.1"}, "min_cuda_version", "not both"),
        ({"scaler_type": "REQUEST_COUNT", "scaler_value": 2, "idle_timeout": 30}, "idle_timeout", "not applicable"),
        ({"gpu_pools": None, "excluded_gpu_types": ["NVIDIA L4"]}, "excluded_gpu_types", "needs gpu_pools"),
        ({"scaler_type": "QUEUE_DELAY", "scaler_value": 0.2}, "scaler_value", "at least 0.5"),
        ({"type": "LOAD_BALANCER", "scaler_type": "QUEUE_DELAY"}, "scaler_type", "REQUEST_COUNT"),
        ({"compute_type": "CPU"}, "gpu_pools", "takes no GPU selection"),
        ({"image": None}, "image", "set image or template_id"),
        (
            {"gpu_pools": None, "gpu_type_ids": ["NVIDIA GTX 9999"]},
            "gpu_type_ids",
            "unknown GPU type 'NVIDIA GTX 9999'",
        ),
        ({"idle_timeout": 0}, "idle_timeout", "greater than or equal to 1"),
    ],
)
def test_v2_schema_rules_fail_at_preview_naming_the_property_with_zero_requests(
    emulator, make_stack, changes, prop, text
):
    # given
    cfg = gpu_cfg()
    for key, value in changes.items():
        if value is None:
            cfg["endpoint"].pop(key, None)
        else:
            cfg["endpoint"][key] = value
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert f"{prop}: " in failed.value.text and text in failed.value.text
    assert rp_calls(emulator) == []


NAMED = {"name": "named-ep", "image": "ghcr.io/acme/worker:1.0", "workers_max": 3}


@pytest.mark.parametrize(
    "selection",
    [
        {"gpu_pools": ["AMPERE_24"]},
        {"gpu_type_ids": ["NVIDIA GeForce RTX 4090"]},  # v2 answers with the pool, never the type
        {"compute_type": "CPU", "cpu_flavor_ids": ["cpu3c"], "vcpu_count": 4},
    ],
    ids=["gpu-pools", "gpu-type-ids", "cpu"],
)
def test_a_named_endpoint_whose_create_answer_was_lost_is_found_not_created_twice(
    emulator, make_stack, stack_env, selection
):
    # given: someone else's endpoint of the same name (names are not unique), then our create's answer is lost
    theirs = make_stack(endpoint_program({"endpoint": {**NAMED, "image": "ghcr.io/other/app:2", **selection}}))
    their_id = theirs.up().outputs["endpoint_id"]
    emulator.add_fault("runpod", kind="drop_after", method="POST", path="^/v2/serverless$")
    ours = make_stack(endpoint_program({"endpoint": {**NAMED, **selection}}), env=FAST_POLL)
    # when
    our_id = ours.up().outputs["endpoint_id"]
    # then: one POST of ours, the object it made is ours, theirs is left alone
    assert {e["id"] for e in emulator.inventory("runpod")["endpoints"]} == {their_id, our_id}
    live = httpx.get(f"{stack_env['RUNPOD_BASE_URL']}/serverless/{our_id}", headers={"Authorization": "Bearer k"})
    assert live.json()["image"] == "ghcr.io/acme/worker:1.0"
    assert len([c for c in rp_calls(emulator, "POST") if c["path"] == "/v2/serverless"]) == 2  # theirs + ours
    assert ours.preview().summary == {"same": 2}


def test_an_env_name_no_process_can_hold_fails_at_preview_naming_the_field_with_no_call(emulator, make_stack):
    # given: an update that would add a variable with an empty name
    cfg = gpu_cfg()
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    cfg["endpoint"]["env"] = {"": "x", "MODEL": "llama"}
    emulator.clear_calls()
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then: check refuses it, before the engine's diff chokes on a property path ending in `env.`
    assert "env: variable names must be non-empty, without spaces or '=' (got '')" in failed.value.text
    assert "expected property path" not in failed.value.text
    assert [c for c in emulator.calls("runpod") if c["method"] != "GET"] == []


def test_an_endpoint_replacement_previews_that_its_id_and_request_urls_change(emulator, make_stack):
    # given
    cfg = gpu_cfg()
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    # when: the routing type is set at creation only
    cfg["endpoint"]["type"] = "LOAD_BALANCER"
    preview = stack.preview()
    # then
    step = preview.step("api")
    assert step.op == "replace"
    assert "the new endpoint gets a new id, so its request URLs change; the old endpoint is deleted" in step.notes


def test_removing_a_setting_previews_that_the_endpoint_keeps_it_and_sends_nothing(emulator, make_stack):
    # given: an endpoint with a CUDA floor
    cfg = {"endpoint": {"image": "ghcr.io/acme/worker:1.0", "min_cuda_version": "12.4", "workers_max": 2}}
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    emulator.clear_calls()
    # when: the floor is removed from the program (an update sends only what is set)
    del cfg["endpoint"]["min_cuda_version"]
    preview = stack.preview()
    stack.up()
    # then: the preview says it stays and promises no release; `up` sends nothing
    notes = preview.step("api").notes
    assert notes == [
        "min_cuda_version no longer set: the last applied value stays (an update sends only what is set; set "
        "another value to change it; nothing is sent)"
    ]
    assert "rolling release" not in preview.stdout
    assert [c for c in rp_calls(emulator) if c["method"] != "GET"] == []
    assert emulator.inventory("runpod")["endpoints"][0]["minCudaVersion"] == "12.4"


def test_refresh_sees_a_registry_and_a_volume_removed_out_of_band_and_up_restores_them(
    emulator, emulator_process, stack_env, make_stack
):
    # given: an endpoint pulling a private image, with a volume attached
    cfg = {
        "registry": {"username": "bot", "password": "pw-secret"},
        "endpoint": {"image": "ghcr.io/acme/private:1.0", "data_center_ids": ["EU-RO-1"]},
        "volume": {"size": 10, "data_center_id": "EU-RO-1"},
    }

    def program() -> None:
        reg = runpod.ContainerRegistryAuth("ghcr", runpod.ContainerRegistryAuthArgs(**cfg["registry"]))
        vol = runpod.NetworkVolume("data", runpod.NetworkVolumeArgs(**cfg["volume"]))
        args = runpod.EndpointArgs(**cfg["endpoint"], registry=reg.id, network_volume_id=vol.id)
        pulumi.export("endpoint_id", runpod.Endpoint("api", args).id)
        pulumi.export("registry_id", reg.id)
        pulumi.export("volume_id", vol.id)

    stack = make_stack(program, env=FAST_POLL)
    made = stack.up().outputs
    # when: someone removes both in the console
    url = f"{emulator_process.base_urls['RUNPOD_BASE_URL']}/serverless/{made['endpoint_id']}"
    headers = {"Authorization": f"Bearer {stack_env['RUNPOD_API_KEY']}"}
    answer = httpx.patch(url, json={"registry": None, "networkVolumes": []}, headers=headers)
    assert answer.status_code == 200, answer.text
    refreshed = stack.refresh()
    drift = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then: refresh and the preview show both; `up` restores them with one PATCH
    assert refreshed.summary.get("update") == 1, refreshed.text
    assert (drift.step("api").op, drift.step("api").diffs) == ("update", ["network_volume_id", "registry"])
    (patch,) = rp_calls(emulator, "PATCH")
    assert (patch["body"]["registry"], patch["body"]["networkVolumes"]) == (made["registry_id"], [made["volume_id"]])
    assert stack.refresh().summary.get("update") is None
    assert set(stack.preview().summary) == {"same"}


def test_removing_the_registry_and_the_volume_from_the_program_detaches_both(emulator, make_stack):
    # given: an endpoint pulling a private image, with a volume attached
    cfg = {"registry": True, "volume": True}

    def program() -> None:
        reg = runpod.ContainerRegistryAuth("ghcr", runpod.ContainerRegistryAuthArgs(username="bot", password="pw"))
        vol = runpod.NetworkVolume("data", runpod.NetworkVolumeArgs(size=10, data_center_id="EU-RO-1"))
        args = runpod.EndpointArgs(
            image="ghcr.io/acme/private:1.0",
            data_center_ids=["EU-RO-1"],
            registry=reg.id if cfg["registry"] else None,
            network_volume_id=vol.id if cfg["volume"] else None,
        )
        pulumi.export("endpoint_id", runpod.Endpoint("api", args).id)

    stack = make_stack(program, env=FAST_POLL)
    stack.up()
    # when: the program no longer sets them
    cfg["registry"] = cfg["volume"] = False
    preview = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then: the preview shows both going, one PATCH clears them (REST v2 PATCH keeps what it leaves out)
    assert (preview.step("api").op, preview.step("api").diffs) == ("update", ["network_volume_id", "registry"])
    assert not any("no longer set: the last applied value stays" in n for n in preview.step("api").notes)
    (patch,) = rp_calls(emulator, "PATCH")
    assert (patch["body"]["registry"], patch["body"]["networkVolumes"]) == (None, [])
    (live,) = emulator.inventory("runpod")["endpoints"]
    assert not live.get("networkVolumeIds") and not live.get("networkVolumeId"), live
    assert set(stack.preview().summary) == {"same"}


def test_a_cuda_floor_left_out_of_a_gpu_change_stays_and_swapping_it_for_versions_clears_it(emulator, make_stack):
    # given: an endpoint with a CUDA floor
    cfg = {"endpoint": {"image": "ghcr.io/acme/worker:1.0", "gpu_pools": ["AMPERE_24"], "min_cuda_version": "12.4"}}
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    # when: the floor leaves the program while the pools change
    del cfg["endpoint"]["min_cuda_version"]
    cfg["endpoint"]["gpu_pools"] = ["ADA_24"]
    kept = stack.preview()
    stack.up()
    # then: it stays, as the preview says
    assert any("min_cuda_version no longer set: the last applied value stays" in n for n in kept.step("api").notes)
    live = emulator.inventory("runpod")["endpoints"][0]
    assert (live["minCudaVersion"], live["gpuPools"]) == ("12.4", ["ADA_24"])
    # when: a set of versions replaces the floor
    cfg["endpoint"]["allowed_cuda_versions"] = ["12.8"]
    swapped = stack.preview(diff=True)
    stack.up()
    # then: the preview says the floor is cleared, and it is
    assert "setting allowed_cuda_versions clears any min_cuda_version the endpoint holds" in swapped.stdout
    live = emulator.inventory("runpod")["endpoints"][0]
    assert "minCudaVersion" not in live and live["allowedCudaVersions"] == ["12.8"]
    assert stack.preview().summary == {"same": 2}


@pytest.mark.parametrize(
    ("setting", "console", "diffs"),
    [
        ({"flashboot": True}, {"flashboot": "OFF"}, ["flashboot"]),
        (
            {"compute_type": "CPU", "cpu_flavor_ids": ["cpu3c"], "vcpu_count": 4},
            {"cpu": [{"id": "cpu3c", "vcpuCount": 2}]},
            ["vcpu_count"],
        ),
    ],
    ids=["flashboot", "cpu"],
)
def test_refresh_sees_settings_rest_v2_returns_that_v1_never_did(
    emulator, emulator_process, stack_env, make_stack, setting, console, diffs
):
    # given: an endpoint with flashboot, or a CPU configuration (write-only on REST v1)
    cfg = {"endpoint": {"image": "ghcr.io/acme/worker:1.0", "workers_max": 1, **setting}}
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    made = stack.up().outputs
    # when: someone changes it in the console, and the stack is refreshed
    url = f"{emulator_process.base_urls['RUNPOD_BASE_URL']}/serverless/{made['endpoint_id']}"
    answer = httpx.patch(url, json=console, headers={"Authorization": f"Bearer {stack_env['RUNPOD_API_KEY']}"})
    assert answer.status_code == 200, answer.text
    stack.refresh()
    drift = stack.preview()
    stack.up()
    # then: the drift shows, and `up` restores the program's setting (a refresh then finds none)
    assert (drift.step("api").op, drift.step("api").diffs) == ("update", diffs)
    stack.refresh()
    assert stack.preview().summary == {"same": 2}


def test_exclusions_left_out_of_a_gpu_change_are_previewed_as_cleared_and_are(emulator, make_stack):
    # given: an endpoint excluding one GPU type of its pool
    cfg = {
        "endpoint": {
            "image": "ghcr.io/acme/worker:1.0",
            "gpu_pools": ["AMPERE_24"],
            "excluded_gpu_types": ["NVIDIA RTX A5000"],
            "gpu_count": 1,
        }
    }
    stack = make_stack(endpoint_program(cfg), env=FAST_POLL)
    stack.up()
    # when: the exclusion leaves the program while the GPU count changes
    del cfg["endpoint"]["excluded_gpu_types"]
    cfg["endpoint"]["gpu_count"] = 2
    preview = stack.preview(diff=True)
    stack.up()
    # then: the preview says they are cleared, and they are
    assert "excluded_gpu_types no longer set: cleared, as the GPU pools this update sends replace" in preview.stdout
    assert "excluded_gpu_types no longer set: the last applied value stays" not in preview.stdout
    (endpoint,) = emulator.inventory("runpod")["endpoints"]
    assert "NVIDIA RTX A5000" in endpoint["gpuTypeIds"] and endpoint["gpuCount"] == 2
