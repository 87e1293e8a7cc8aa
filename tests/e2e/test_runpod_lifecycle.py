"""RunPod Template / Endpoint / NetworkVolume on REST v1 (the opt-in) through the real Pulumi CLI."""

from __future__ import annotations

import pytest
from runpod_programs import base_cfg, program, rp_calls, v1_env

from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack_env(stack_env, emulator_process):
    """These tests pin REST v1 behaviour (the opt-in): every stack here runs on v1."""
    return {**stack_env, **v1_env(emulator_process.base_urls)}


def test_endpoint_workers_max_updates_in_place_with_one_sparse_patch(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    created = stack.up()
    endpoint_id = created.outputs["endpoint_id"]
    # when
    cfg["endpoint"]["workers_max"] = 5
    preview = stack.preview()
    emulator.clear_calls()
    stack.up()
    # then
    step = preview.step("api")
    assert step.op == "update"
    assert step.diffs == ["workers_max"]
    patches = rp_calls(emulator, "PATCH")
    assert [(c["path"], c["body"]) for c in patches] == [(f"/endpoints/{endpoint_id}", {"workersMax": 5})]
    assert stack.outputs()["endpoint_id"] == endpoint_id


def test_unchanged_rerun_makes_no_changes_and_no_api_calls(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    stack.up()
    emulator.clear_calls()
    # when
    again = stack.up()
    # then
    assert again.summary == {"same": 4}
    assert rp_calls(emulator) == []


def test_invalid_inputs_fail_at_preview_naming_the_property_and_send_nothing(emulator, make_stack):
    # given
    cfg = base_cfg()
    cfg["endpoint"].update(idle_timeout=0, scaler_type="FAST", gpu_type_ids=["NVIDIA GTX 9999"])
    stack = make_stack(program(cfg))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    text = failed.value.text
    for prop in ("idle_timeout", "scaler_type", "gpu_type_ids"):
        assert prop in text
    assert rp_calls(emulator) == []
