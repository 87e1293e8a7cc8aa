"""The provider's bookkeeping through the real engine: never shown, never a change, older state migrated."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulumi
from pulumi import automation as auto
from runpod_programs import base_cfg, program

from pulumi_deploy import runpod
from pulumi_deploy.core import bookkeeping
from scripts.demo import FAST_TRANSITIONS, quickstart_stack

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
#: A property line of a --diff output whose key starts with "_" (the envelope's "__" keys are never printed).
UNDERSCORE_KEY = re.compile(r"^\s*[-+~]?\s*_\w*\s*:", re.MULTILINE)


def test_quickstart_shows_no_bookkeeping_in_previews_diffs_or_outputs(emulator, emulator_process, tmp_path):
    # given
    for vendor, durations in FAST_TRANSITIONS.items():
        emulator.settings(vendor, **durations)
    stack = quickstart_stack(emulator_process, tmp_path / "qs", env={"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"})
    # when
    first = stack.preview()
    plain = stack.preview(diff=False)
    up = stack.up()
    outputs = json.dumps(stack.outputs())
    again = stack.preview()
    stack.destroy()
    # then
    for outcome in (first, plain, up, again):
        assert not UNDERSCORE_KEY.search(outcome.stdout), outcome.stdout
        assert "_logical_name" not in outcome.stdout and "_autonamed" not in outcome.stdout
        for step in outcome.steps:
            assert not [k for k in step.new_inputs if k.startswith("_") and not k.startswith("__")]
            assert not [d for d in step.diffs if d.startswith("_")]
    assert '"_' not in outputs
    assert set(again.summary) == {"same"}


def test_a_rename_through_aliases_is_no_change(emulator, make_stack):
    # given
    names = {"template": "worker"}

    def run() -> None:
        opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="worker")]) if names["template"] != "worker" else None
        tmpl = runpod.Template(names["template"], runpod.TemplateArgs(image_name="img:1", is_serverless=True), opts)
        pulumi.export("template_id", tmpl.id)

    stack = make_stack(run)
    created = stack.up().outputs["template_id"]
    # when
    names["template"] = "renamed-worker"
    preview = stack.preview()
    emulator.clear_calls()
    up = stack.up()
    # then
    assert preview.summary == {"same": 2}
    assert up.summary == {"same": 2}
    assert emulator.calls("runpod") == []
    assert stack.resource_state("renamed-worker")["id"] == created
    assert stack.resource_state("renamed-worker")["inputs"][bookkeeping.ENVELOPE]["logical_name"] == "renamed-worker"


def test_state_written_by_the_previous_release_migrates_on_the_next_up_without_a_call_or_replacement(
    emulator, make_stack
):
    # given: a stack whose state is the checked-in format-1 state of this very program
    stack = make_stack(program(base_cfg()))
    fixture = json.loads((FIXTURES / "state_format_1.json").read_text())
    stack.stack.import_stack(auto.Deployment(version=fixture["version"], deployment=fixture["deployment"]))
    old = {r["urn"]: r for r in fixture["deployment"]["resources"] if r["type"].startswith("pulumi-python:dynamic")}
    # when
    preview = stack.preview()
    emulator.clear_calls()
    up = stack.up()
    again = stack.preview()
    # then
    assert {s.op for s in preview.steps} <= {"same", "update"}
    assert up.summary == {"same": 1, "update": 3}
    assert emulator.calls("runpod") == []
    for res in stack.export()["resources"]:
        if res["urn"] not in old:
            continue
        assert res["id"] == old[res["urn"]]["id"]
        assert res["inputs"].get("name") == old[res["urn"]]["inputs"].get("name")
        for props in (res["inputs"], res["outputs"]):
            assert not set(props) & set(bookkeeping.LEGACY_KEYS)
            assert props[bookkeeping.ENVELOPE]["format"] == bookkeeping.FORMAT
        assert set(res["outputs"][bookkeeping.ENVELOPE]["input_names"]) == set(
            old[res["urn"]]["outputs"]["_input_names"]
        )
    assert again.summary == {"same": 4}
