"""The quickstart (what `make demo` runs) through the real CLI: up converges every vendor, destroy cleans up."""

from __future__ import annotations

import pytest

from scripts.demo import AIEEV_ENDPOINT_ID, FAST_TRANSITIONS, quickstart_stack

pytestmark = pytest.mark.e2e

FAST = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}


def test_quickstart_up_creates_every_vendor_object_and_destroy_leaves_nothing_behind(
    emulator, emulator_process, tmp_path
):
    # given
    for vendor, durations in FAST_TRANSITIONS.items():
        emulator.settings(vendor, **durations)
    stack = quickstart_stack(emulator_process, tmp_path / "quickstart", env=FAST, stack="test")
    # when
    up = stack.up()
    state_text = stack.export_text()
    again = stack.preview()
    stack.destroy()
    # then
    assert up.outputs["runpod_endpoint_id"] and up.outputs["runpod_volume_id"]
    assert up.outputs["cyberun_service_status"] == "running"
    assert up.outputs["aieev_endpoint_status"] == "RUNNING"
    assert up.outputs["trustgate_service_id"] and len(up.outputs["trustgate_target_ids"]) == 2
    assert "sk-demo-key" not in up.text + state_text
    assert "llms" in state_text  # the state was captured while the objects existed
    assert (up.outputs["nemo_config_version"], up.outputs["nemo_deployment_status"]) == (1, "READY")
    assert set(again.summary) == {"same"}
    remaining = {
        vendor: {kind: len(objs) for kind, objs in emulator.inventory(vendor).items() if objs}
        for vendor in ("runpod", "cyberun", "nemo", "trustgate")
    }
    assert remaining == {"runpod": {}, "cyberun": {}, "nemo": {}, "trustgate": {}}
    (endpoint,) = emulator.inventory("aieev")["endpoints"]
    assert (endpoint["endpoint_id"], endpoint["is_active"]) == (AIEEV_ENDPOINT_ID, False)  # stopped, not deleted
    stack.remove()
