"""An object with a name the user chose is never taken over by a create: it may be another resource's
(a resource renamed without `aliases`, whose old object the same `up` deletes at its end) or another
stack's (the same program deployed twice). Taking it over would let that one's delete remove it."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_deploy import cyberun, runpod
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

FAST = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}


def volume_program(logical: dict[str, Any]):
    def run() -> None:
        opts = pulumi.ResourceOptions(aliases=logical.get("aliases"))
        args = runpod.NetworkVolumeArgs(name="models", size=10, data_center_id="EU-RO-1")
        pulumi.export("id", runpod.NetworkVolume(logical["name"], args, opts=opts).id)

    return run


def test_renaming_a_named_resource_without_aliases_fails_and_keeps_the_object(emulator, make_stack):
    # given: a volume with a name the user chose
    logical: dict[str, Any] = {"name": "data"}
    stack = make_stack(volume_program(logical))
    volume_id = stack.up().outputs["id"]
    emulator.clear_calls()
    # when: the resource is renamed without aliases
    logical["name"] = "models"
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: nothing created, nothing deleted; the error says what to do
    assert "declare the rename with `aliases`" in failed.value.text
    assert f"NetworkVolume {volume_id} already has this resource's name" in failed.value.text
    assert [c["method"] for c in emulator.calls("runpod") if c["method"] != "GET"] == []
    assert [v["id"] for v in emulator.inventory("runpod")["networkvolumes"]] == [volume_id]
    # when: the rename is declared
    logical["aliases"] = [pulumi.Alias(name="data")]
    renamed = stack.up()
    # then
    assert renamed.outputs["id"] == volume_id
    assert [v["id"] for v in emulator.inventory("runpod")["networkvolumes"]] == [volume_id]
    assert stack.preview().summary == {"same": 2}


def test_renaming_an_autonamed_resource_makes_its_own_object_and_deletes_the_old_one(emulator, make_stack):
    logical = {"name": "worker"}

    def program() -> None:
        args = runpod.TemplateArgs(image_name="ghcr.io/acme/worker:1.0", is_serverless=True)
        pulumi.export("id", runpod.Template(logical["name"], args).id)

    stack = make_stack(program)
    old = stack.up().outputs["id"]
    logical["name"] = "runner"
    new = stack.up().outputs["id"]
    templates = [t for t in emulator.inventory("runpod")["templates"] if "__template__" not in t["name"]]
    assert new != old
    assert [(t["id"], t["name"].split("-")[0]) for t in templates] == [(new, "runner")]


def service_program() -> None:
    args = cyberun.ContainerServiceArgs(service_slug="shared-llm", docker_image="vllm/vllm-openai:latest")
    pulumi.export("id", cyberun.ContainerService("svc", args).id)


def test_the_same_program_in_a_second_stack_does_not_take_the_first_stacks_object(emulator, make_stack):
    # given: stack A made the service
    emulator.settings("cyberun", deploy_seconds=0.05, undeploy_seconds=0.05)
    first = make_stack(service_program, env=FAST)
    service_id = first.up().outputs["id"]
    second = make_stack(service_program, env=FAST)
    emulator.clear_calls()
    # when: stack B runs the same program
    with pytest.raises(StackFailed) as failed:
        second.up()
    # then: B neither shares nor duplicates it, and says why
    assert "the same program in another stack" in failed.value.text
    assert [c["method"] for c in emulator.calls("cyberun") if c["method"] != "GET"] == []
    assert not [r for r in second.export().get("resources", []) if r["type"].endswith("ContainerService")]
    # and A's object is A's alone: B's destroy leaves it
    second.destroy()
    assert [s["id"] for s in emulator.inventory("cyberun")["containers"]] == [service_id]


def test_an_object_handed_to_another_resource_by_adopt_id_is_not_deleted_by_the_old_one(emulator, make_stack):
    # given: a volume managed by "data"
    logical: dict[str, Any] = {"name": "data"}
    stack = make_stack(volume_program(logical))
    volume_id = stack.up().outputs["id"]

    def handed_over() -> None:
        args = runpod.NetworkVolumeArgs(name="models", size=10, data_center_id="EU-RO-1", adopt_id=volume_id)
        pulumi.export("id", runpod.NetworkVolume("models", args).id)

    # when: the program declares another resource adopting it instead
    stack.set_program(handed_over)
    emulator.clear_calls()
    done = stack.up()
    # then: adopted, and the old resource leaves the stack without deleting it
    assert done.outputs["id"] == volume_id
    assert [c["method"] for c in emulator.calls("runpod") if c["method"] != "GET"] == []
    assert [v["id"] for v in emulator.inventory("runpod")["networkvolumes"]] == [volume_id]
    assert "not deleted: 'models' adopts it in this update" in done.text
    assert [r["urn"].rsplit("::", 1)[-1] for r in stack.export()["resources"] if "NetworkVolume" in r["type"]] == [
        "models"
    ]
