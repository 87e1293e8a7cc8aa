"""The provider process serves as many calls at once as the engine's ``--parallel`` allows.

The SDK's provider server has four workers; with them a fan-out never has more than four requests
in flight. Measured by the emulator (peak requests served at the same moment), not by a clock.
"""

from __future__ import annotations

from pulumi_deploy import runpod

ENDPOINTS = 12


def fan_out() -> None:
    tmpl = runpod.Template("t", runpod.TemplateArgs(image_name="img:1", is_serverless=True))
    for i in range(ENDPOINTS):
        runpod.Endpoint(f"e{i}", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))


def test_a_fan_out_runs_more_than_four_calls_at_once(emulator, make_stack) -> None:
    stack = make_stack(fan_out)
    # Latency long enough that creates started together overlap on any machine load.
    emulator.set_latency(0.5, vendor="runpod")
    emulator.clear_calls()
    stack.up(parallel=32)
    peak = emulator.concurrency()["peak"]
    posts = [c for c in emulator.calls("runpod") if c["method"] == "POST"]
    assert len(posts) == 1 + ENDPOINTS
    assert peak > 4, f"at most {peak} requests were in flight at once"
    emulator.set_latency(0.0, vendor="runpod")
    stack.destroy(parallel=32)
    assert emulator.inventory("runpod")["endpoints"] == []
