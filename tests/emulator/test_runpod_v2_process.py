"""The emulator process serves RunPod v2 next to v1: both base URLs printed, one state over loopback."""

from __future__ import annotations

import httpx

from pulumi_deploy.emulator.client import EmulatorControl
from pulumi_deploy.emulator.process import RunningEmulator

AUTH = {"Authorization": "Bearer rpa_test_key"}


def test_process_prints_a_base_url_per_served_api(emulator_process: RunningEmulator) -> None:
    urls = emulator_process.base_urls
    assert urls["RUNPOD_V1_BASE_URL"] == f"{emulator_process.root_url}/runpod/v1"
    assert urls["RUNPOD_BASE_URL"] == f"{emulator_process.root_url}/runpod/v2"
    assert {"AIEEV_BASE_URL", "CYBERUN_BASE_URL", "TRUSTGATE_BASE_URL", "NEMO_BASE_URL"} <= set(urls)


def test_v2_create_is_read_through_v1_and_logged_as_v2(
    emulator_process: RunningEmulator, emulator: EmulatorControl
) -> None:
    v1_url, v2_url = emulator_process.base_urls["RUNPOD_V1_BASE_URL"], emulator_process.base_urls["RUNPOD_BASE_URL"]
    body = {"name": "svc", "type": "QUEUE", "image": "acme/w:1", "gpu": {"pools": ["ADA_24"]},
            "scaling": {"type": "QUEUE_DELAY", "queueDelay": 2}}  # fmt: skip
    with httpx.Client(headers=AUTH, timeout=10) as http:
        created = http.post(f"{v2_url}/serverless", json=body)
        assert created.status_code == 201, created.text
        endpoint_id = created.json()["id"]
        seen = http.get(f"{v1_url}/endpoints/{endpoint_id}")
        assert seen.json()["gpuTypeIds"] == ["NVIDIA GeForce RTX 4090"]
    calls = [(c["method"], c["path"], c["status"]) for c in emulator.calls("runpod")]
    assert calls == [("POST", "/v2/serverless", 201), ("GET", f"/endpoints/{endpoint_id}", 200)]
    assert [e["id"] for e in emulator.inventory("runpod")["endpoints"]] == [endpoint_id]
    releases = emulator.action("runpod", "rollout_step", endpointId=endpoint_id)
    assert releases["endpointVersion"] == 0
