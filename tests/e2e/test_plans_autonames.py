"""Autonames through the real engine: the name a preview shows is the name `up` creates."""

from __future__ import annotations

import pytest
from runpod_programs import base_cfg, program, v1_env


@pytest.fixture
def stack_env(stack_env, emulator_process):
    """The RunPod parts of these plans pin REST v1 behaviour (paths, one template per Template): v1 here;
    the v2 plans are in test_runpod_v2_*.py."""
    return {**stack_env, **v1_env(emulator_process.base_urls)}


def _names(outcome) -> dict[str, str]:
    return {s.name: s.new_inputs.get("name") for s in outcome.steps if s.new_inputs.get("name")}


def test_each_autonamed_kind_is_created_with_the_name_its_preview_showed(emulator, make_stack):
    # given: without flashboot (RunPod marks a flashboot endpoint's name with a suffix of its own)
    cfg = base_cfg()
    cfg["endpoint"]["flashboot"] = False
    stack = make_stack(program(cfg))
    # when
    previewed = _names(stack.preview())
    stack.up()
    # then
    inventory = emulator.inventory("runpod")
    created = {
        "worker": [t["name"] for t in inventory["templates"]],
        "api": [e["name"] for e in inventory["endpoints"]],
        "data": [v["name"] for v in inventory["networkvolumes"]],
    }
    assert set(previewed) == {"worker", "api", "data"}
    for logical, name in previewed.items():
        assert name.startswith(f"{logical}-")
        assert created[logical] == [name], logical


def test_a_replacement_is_created_under_the_new_name_its_preview_showed(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    stack.up()
    old_name = emulator.inventory("runpod")["templates"][0]["name"]
    # when
    cfg["template"]["category"] = "AMD"
    previewed = _names(stack.preview())["worker"]
    stack.up()
    # then
    assert previewed != old_name
    assert [t["name"] for t in emulator.inventory("runpod")["templates"]] == [previewed]
