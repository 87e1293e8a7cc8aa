"""Adoption through the real engine: a one-time act that never costs the adopted object."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from nemo_helpers import FAST, PROVIDER_ID, fast_controller
from runpod_programs import v1_env

from pulumi_deploy import cyberun, nemo, runpod, trustgate
from pulumi_deploy.local_stack import StackFailed


@pytest.fixture
def stack_env(stack_env, emulator_process):
    """The RunPod parts of these plans pin REST v1 behaviour (paths, one template per Template): v1 here;
    the v2 plans are in test_runpod_v2_*.py."""
    return {**stack_env, **v1_env(emulator_process.base_urls)}


Parents = dict[str, Any]


def _template(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    args = runpod.TemplateArgs(
        name="adopted-template", image_name="ghcr.io/acme/w:1", is_serverless=True, adopt_id=adopt
    )
    return runpod.Template("obj", args)


def _endpoint(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    template = (
        parents.get("template")
        or runpod.Template("tmpl", runpod.TemplateArgs(image_name="ghcr.io/acme/w:1", is_serverless=True)).id
    )
    pulumi.export("template", template)
    args = runpod.EndpointArgs(name="adopted-ep", template_id=template, workers_max=1, adopt_id=adopt)
    return runpod.Endpoint("obj", args)


def _volume(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    args = runpod.NetworkVolumeArgs(name="adopted-vol", size=10, data_center_id="EU-RO-1", adopt_id=adopt)
    return runpod.NetworkVolume("obj", args)


def _container_service(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    args = cyberun.ContainerServiceArgs(
        service_slug="adopted-svc", docker_image="vllm/vllm-openai:v0.6.3", replica_count=1, adopt_id=adopt
    )
    return cyberun.ContainerService("obj", args)


def _gateway_id(parents: Parents) -> Any:
    gateway = parents.get("gateway") or trustgate.Gateway("gw", trustgate.GatewayArgs(name="g", subdomain="g")).id
    pulumi.export("gateway", gateway)
    return gateway


def _gateway(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    return trustgate.Gateway("obj", trustgate.GatewayArgs(name="main", subdomain="main", adopt_id=adopt))


def _upstream(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    target = trustgate.TargetArgs(host="llm.internal", port=8443, protocol="https", weight=100)
    args = trustgate.UpstreamArgs(
        gateway_id=_gateway_id(parents), name="llms", algorithm="round-robin", targets=[target], adopt_id=adopt
    )
    return trustgate.Upstream("obj", args)


def _service(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    args = trustgate.ServiceArgs(
        gateway_id=_gateway_id(parents), name="ext", type="endpoint", host="api.example.com", port=443,
        protocol="https", adopt_id=adopt,
    )  # fmt: skip
    return trustgate.Service("obj", args)


def _config_args(adopt: str | None = None) -> nemo.ModelDeploymentConfigArgs:
    return nemo.ModelDeploymentConfigArgs(
        name="llama-cfg",
        engine="nim",
        model_spec=nemo.ModelSpecArgs(model_name="llama-3.1-8b-instruct", model_type="llm"),
        executor_config=nemo.ExecutorConfigArgs(gpu=1),
        adopt_id=adopt,
    )


def _config(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    return nemo.ModelDeploymentConfig("obj", _config_args(adopt))


def _config_name(parents: Parents) -> Any:
    name = parents.get("config") or nemo.ModelDeploymentConfig("cfg", _config_args()).name
    pulumi.export("config", name)
    return name


def _deployment(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    args = nemo.ModelDeploymentArgs(
        name="llama", config=_config_name(parents), wait_for="READY", wait_timeout=30, adopt_id=adopt
    )
    return nemo.ModelDeployment("obj", args)


def _deployment_status(parents: Parents, adopt: str | None) -> pulumi.CustomResource:
    deployment = parents.get("deployment")
    if deployment is None:
        args = nemo.ModelDeploymentArgs(name="llama", config=_config_name(parents), wait_for="READY", wait_timeout=30)
        deployment = nemo.ModelDeployment("dep", args).name
    pulumi.export("deployment", deployment)
    status = nemo.ModelDeploymentStatusArgs(
        deployment=deployment, status="READY", status_message="served", model_provider_id=PROVIDER_ID, adopt_id=adopt
    )
    return nemo.ModelDeploymentStatus("obj", status)


KINDS: dict[str, tuple[str, Callable[[Parents, str | None], pulumi.CustomResource]]] = {
    "runpod:Template": ("runpod", _template),
    "runpod:Endpoint": ("runpod", _endpoint),
    "runpod:NetworkVolume": ("runpod", _volume),
    "cyberun:ContainerService": ("cyberun", _container_service),
    "trustgate:Gateway": ("trustgate", _gateway),
    "trustgate:Upstream": ("trustgate", _upstream),
    "trustgate:Service": ("trustgate", _service),
    "nemo:ModelDeploymentConfig": ("nemo", _config),
    "nemo:ModelDeployment": ("nemo", _deployment),
    "nemo:ModelDeploymentStatus": ("nemo", _deployment_status),
}


def program(declare: Callable[[Parents, str | None], pulumi.CustomResource], parents: Parents, adopt: str | None):
    def run() -> None:
        obj = declare(parents, adopt)
        pulumi.export("id", obj.id)

    return run


@pytest.mark.parametrize("kind", list(KINDS))
def test_removing_adopt_id_after_adoption_is_no_change_and_no_call(kind, emulator, make_stack):
    # given: the object exists (made by another stack) and this stack adopted it with the same inputs
    vendor, declare = KINDS[kind]
    fast_controller(emulator)
    emulator.settings("cyberun", deploy_seconds=0.05, undeploy_seconds=0.05)  # settled before `before` is read
    made = make_stack(program(declare, {}, None), env=FAST).up().outputs
    parents = {k: v for k, v in made.items() if k != "id"}
    stack = make_stack(program(declare, parents, made["id"]), env=FAST)
    stack.up()
    before = emulator.inventory(vendor)
    # when: adopt_id is removed, as one does after an import
    stack.set_program(program(declare, parents, None))
    preview = stack.preview()
    emulator.clear_calls()
    up = stack.up()
    # then
    assert preview.summary == {"same": 2}, preview.stdout
    assert "adopt_id" not in preview.stdout
    assert up.summary == {"same": 2}
    assert emulator.calls(vendor) == []
    assert emulator.inventory(vendor) == before
    assert stack.resource_state("obj")["id"] == made["id"]


@pytest.mark.parametrize("kind", ["runpod:Endpoint", "runpod:NetworkVolume", "cyberun:ContainerService"])
def test_setting_adopt_id_to_the_objects_own_id_is_no_change_and_no_call(kind, emulator, make_stack):
    # given: the object, made by this stack
    vendor, declare = KINDS[kind]
    emulator.settings("cyberun", deploy_seconds=0.05, undeploy_seconds=0.05)
    stack = make_stack(program(declare, {}, None), env=FAST)
    made = stack.up().outputs
    before = emulator.inventory(vendor)
    # when: adopt_id names the object the resource already manages
    stack.set_program(program(declare, {}, made["id"]))
    preview = stack.preview()
    emulator.clear_calls()
    up = stack.up()
    # then
    assert set(preview.summary) == {"same"}, preview.stdout
    assert "replace" not in preview.stdout
    assert set(up.summary) == {"same"}
    assert [c for c in emulator.calls(vendor) if c["method"] != "GET"] == []
    assert emulator.inventory(vendor) == before
    assert stack.resource_state("obj")["id"] == made["id"]


def test_setting_adopt_id_to_another_object_previews_the_replacement_and_what_it_does(emulator, make_stack):
    # given: two volumes, one managed by this stack
    def another() -> None:
        args = runpod.NetworkVolumeArgs(name="another-vol", size=10, data_center_id="EU-RO-1")
        pulumi.export("id", runpod.NetworkVolume("other", args).id)

    other = make_stack(another).up().outputs["id"]
    stack = make_stack(program(_volume, {}, None))
    own = stack.up().outputs["id"]
    # when
    stack.set_program(program(_volume, {}, other))
    preview = stack.preview()
    stack.up()
    # then
    assert preview.step("obj").op == "replace"
    assert f"adopt_id names another object than this one ({own})" in " ".join(preview.step("obj").notes)
    assert stack.resource_state("obj")["id"] == other
    assert [v["id"] for v in emulator.inventory("runpod")["networkvolumes"]] == [other]


def _endpoint_program(template: str, adopt: str | None, **inputs: Any):
    def run() -> None:
        args = runpod.EndpointArgs(name="adopted-ep", template_id=template, adopt_id=adopt, **inputs)
        pulumi.export("id", runpod.Endpoint("obj", args).id)

    return run


def test_adopting_with_differing_inputs_previews_each_change_and_its_note_then_up_applies_exactly_that(
    emulator, make_stack
):
    # given: an endpoint with one L4 worker at most
    made = make_stack(program(_endpoint, {}, None)).up().outputs
    endpoint_id = made["id"]
    live_gpus = emulator.inventory("runpod")["endpoints"][0]["gpuTypeIds"]
    wanted = {"workers_max": 3, "gpu_type_ids": ["NVIDIA A40"]}
    stack = make_stack(_endpoint_program(made["template"], endpoint_id, **wanted))
    # when
    emulator.clear_calls()
    preview = stack.preview()
    read_in_preview = [(c["method"], c["path"]) for c in emulator.calls("runpod")]
    emulator.clear_calls()
    stack.up()
    # then: the preview read the object and named what changes, with the rolling-release note
    assert read_in_preview == [("GET", f"/endpoints/{endpoint_id}")]
    notes = preview.step("obj").notes
    assert notes == [
        f"adopting {endpoint_id}: gpu_type_ids {live_gpus!r} => ['NVIDIA A40']",
        f"adopting {endpoint_id}: workers_max 1 => 3",
        "rolling release — changing gpu_type_ids replaces running workers",
    ]
    assert "rolling release" in preview.stdout
    # and up changed exactly those properties
    patches = [c["body"] for c in emulator.calls("runpod") if c["method"] == "PATCH"]
    assert patches == [{"workersMax": 3, "gpuTypeIds": ["NVIDIA A40"]}]
    (endpoint,) = emulator.inventory("runpod")["endpoints"]
    assert (endpoint["id"], endpoint["workersMax"], endpoint["gpuTypeIds"]) == (endpoint_id, 3, ["NVIDIA A40"])


def test_adopting_one_object_twice_in_a_program_fails_at_preview(emulator, make_stack):
    # given
    made = make_stack(program(_volume, {}, None)).up().outputs

    def twice() -> None:
        for name in ("a", "b"):
            args = runpod.NetworkVolumeArgs(name="adopted-vol", size=10, data_center_id="EU-RO-1", adopt_id=made["id"])
            runpod.NetworkVolume(name, args)

    stack = make_stack(twice)
    emulator.clear_calls()
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert "is already adopted by" in failed.value.text
    assert [c for c in emulator.calls("runpod") if c["method"] != "GET"] == []


def test_pulumis_import_option_fails_at_preview_naming_adopt_id_with_no_call(emulator, make_stack):
    # given: a volume made by another stack, and a program that imports it the way Pulumi documents
    made = make_stack(program(_volume, {}, None)).up().outputs

    def imported() -> None:
        args = runpod.NetworkVolumeArgs(name="adopted-vol", size=10, data_center_id="EU-RO-1")
        runpod.NetworkVolume("obj", args, pulumi.ResourceOptions(import_=made["id"]))

    stack = make_stack(imported)
    before = emulator.inventory("runpod")
    emulator.clear_calls()
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then: the engine's own read would fail inside the SDK (`KeyError: '__provider'`); ours says what to do
    assert f"pass `adopt_id='{made['id']}'` in NetworkVolumeArgs instead" in failed.value.text
    assert "__provider" not in failed.value.text
    assert emulator.calls("runpod") == []
    assert emulator.inventory("runpod") == before


def test_adopting_a_running_cyberun_service_previews_its_redeploy_and_the_variables_it_loses(emulator, make_stack):
    # given: a running service (made by another stack) with two variables
    emulator.settings("cyberun", deploy_seconds=0.05, undeploy_seconds=0.05)

    def service(adopt: str | None, image: str, env: list[cyberun.EnvVarArgs]) -> Callable[[], None]:
        def run() -> None:
            args = cyberun.ContainerServiceArgs(
                service_slug="legacy-svc", docker_image=image, env_config=env, adopt_id=adopt
            )
            pulumi.export("id", cyberun.ContainerService("svc", args).id)

        return run

    keep = [cyberun.EnvVarArgs(env_name="KEEP", env_value="1"), cyberun.EnvVarArgs(env_name="MODEL", env_value="a")]
    made = make_stack(service(None, "legacy:1", keep), env=FAST).up().outputs
    stack = make_stack(service(made["id"], "legacy:2", keep[1:]), env=FAST)
    # when
    preview = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then: what the take-over sends, that it redeploys, and which variable goes (values unsaid)
    notes = preview.step("svc").notes
    assert f"adopting {made['id']}: docker_image 'legacy:1' => 'legacy:2'" in notes
    assert "env_config: KEEP removed (values are secret)" in notes
    assert any(n.startswith("redeploy — changing") for n in notes), notes
    paths = [(c["method"], c["path"].rsplit("/", 1)[-1]) for c in emulator.calls("cyberun") if c["method"] != "GET"]
    assert ("POST", "deploy") in paths
