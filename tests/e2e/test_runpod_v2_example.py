"""examples/runpod-endpoint through the real CLI on the default settings (REST v2)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from runpod_v2_programs import FAST_POLL, rp_calls

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "runpod-endpoint" / "__main__.py"


def test_example_creates_a_private_image_endpoint_on_v2_and_an_image_change_rolls_it(emulator, make_stack):
    # given
    emulator.settings("runpod", traffic_workers=1)
    stack = make_stack(lambda: runpy.run_path(str(EXAMPLE)), env=FAST_POLL)
    stack.set_config("registryPassword", "example-secret-token", secret=True)
    # when
    created = stack.up().outputs
    stack.set_config("image", "ghcr.io/acme/llm-worker:1.5.0")
    preview = stack.preview()
    rolled = stack.up()
    # then
    inventory = emulator.inventory("runpod")
    assert [r["id"] for r in inventory["registries"]] and len(inventory["endpoints"]) == 1
    assert created["run_url"].endswith(f"/{created['endpoint_id']}/run")
    assert "rolling release — changing image" in preview.text
    assert rolled.outputs["version"] == created["version"] + 1
    assert "example-secret-token" not in stack.export_text()
    assert all(c["path"].startswith("/v2/") for c in rp_calls(emulator))
