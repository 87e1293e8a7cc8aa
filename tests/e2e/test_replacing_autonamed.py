"""Replacing an autonamed object the engine decides to replace by itself (`replace_on_changes`,
`pulumi up --replace`): the successor never takes over, and then loses, the object it replaces."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from runpod_v2_programs import FAST_POLL

from pulumi_deploy import runpod

pytestmark = pytest.mark.e2e


def _volume_program(cfg: dict[str, Any]):
    def run() -> None:
        opts = pulumi.ResourceOptions(replace_on_changes=["size"])
        volume = runpod.NetworkVolume(
            "data", runpod.NetworkVolumeArgs(size=cfg["size"], data_center_id="EU-RO-1"), opts
        )
        pulumi.export("id", volume.id)
        pulumi.export("name", volume.name)

    return run


def test_replace_on_changes_creates_a_successor_under_a_new_name_and_deletes_the_old_one(emulator, make_stack):
    # given: an autonamed volume whose size the program declares a replacement for
    cfg = {"size": 10}
    stack = make_stack(_volume_program(cfg), env=FAST_POLL)
    first = stack.up().outputs
    # when
    cfg["size"] = 20
    preview = stack.preview()
    outputs = stack.up().outputs
    # then: a new object under a new name; the old one deleted, as the preview said
    assert preview.step("data").op == "replace"
    volumes = emulator.inventory("runpod")["networkvolumes"]
    assert [(v["id"], v["name"], v["size"]) for v in volumes] == [(outputs["id"], outputs["name"], 20)]
    assert outputs["id"] != first["id"] and outputs["name"] != first["name"]


def test_a_targeted_replace_that_meets_its_own_object_keeps_it(emulator, make_stack):
    # given
    cfg = {"size": 10}
    stack = make_stack(_volume_program(cfg), env=FAST_POLL)
    first = stack.up().outputs
    urn = stack.resource_state("data")["urn"]
    emulator.clear_calls()
    # when: the successor's check (given no old inputs) picks the first creation's name, and finds the object
    replaced = stack.up(replace=[urn])
    # then: the stack still records an object that exists; nothing was deleted
    volumes = emulator.inventory("runpod")["networkvolumes"]
    assert [v["id"] for v in volumes] == [first["id"]]
    assert stack.resource_state("data")["id"] == first["id"]
    assert not [c for c in emulator.calls("runpod") if c["method"] == "DELETE"]
    assert "not deleted: the replacement created in this update took this same object over" in replaced.text
    assert stack.refresh().summary == {"same": 2}
