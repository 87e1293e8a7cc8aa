"""Control API: seeded chaos, peak concurrency and held requests (vendor-independent, shown on RunPod)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from pulumi_deploy.emulator.app import create_app
from pulumi_deploy.emulator.runpod import Emulator

BASE = "/runpod/v1"
AUTH = {"Authorization": "Bearer rpa_test_key"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app([Emulator()])) as test_client:
        yield test_client


def _statuses(client: TestClient, n: int) -> list[int]:
    return [client.get(f"{BASE}/endpoints", headers=AUTH).status_code for _ in range(n)]


def test_chaos_injects_the_configured_mix_reproducibly(client: TestClient) -> None:
    spec = {"seed": 7, "status_503": 0.3, "status_429": 0.2}
    client.put("/_emulator/chaos", json=spec)
    first = _statuses(client, 200)
    report = client.get("/_emulator/chaos").json()
    client.put("/_emulator/chaos", json=spec)  # same seed, same sequence
    assert _statuses(client, 200) == first
    assert report["requests"] == 200
    assert report["injected"]["status_503"] == first.count(503)
    assert report["injected"]["status_429"] == first.count(429)
    assert 40 <= first.count(503) <= 80 and 20 <= first.count(429) <= 60  # 30 % and 20 % of 200, loosely
    assert first.count(200) == 200 - first.count(503) - first.count(429)


def test_chaos_max_streak_serves_a_request_that_failed_that_many_times_in_a_row(client: TestClient) -> None:
    client.put("/_emulator/chaos", json={"seed": 3, "status_503": 1.0, "max_streak": 3})
    assert _statuses(client, 8) == [503, 503, 503, 200, 503, 503, 503, 200]
    assert client.get(f"{BASE}/templates", headers=AUTH).status_code == 503  # another request has its own streak
    report = client.get("/_emulator/chaos").json()
    assert report["requests"] == 9 and report["injected"] == {"status_503": 7} and report["spared"] == 2
    assert client.put("/_emulator/chaos", json={"status_503": 1.0, "max_streak": 0}).status_code == 422


def test_chaos_429_carries_retry_after_and_stops_on_request(client: TestClient) -> None:
    client.put("/_emulator/chaos", json={"seed": 1, "status_429": 1.0, "retry_after": 0.25})
    response = client.get(f"{BASE}/endpoints", headers=AUTH)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "0.25"
    client.delete("/_emulator/chaos")
    assert _statuses(client, 5) == [200] * 5


def test_chaos_is_limited_to_the_named_vendors(client: TestClient) -> None:
    assert client.put("/_emulator/chaos", json={"vendors": ["nosuch"], "status_503": 1.0}).status_code == 404
    client.put("/_emulator/chaos", json={"vendors": ["runpod"], "status_503": 1.0})
    assert _statuses(client, 3) == [503] * 3
    client.post("/_emulator/reset")  # a reset ends chaos
    assert _statuses(client, 3) == [200] * 3


def test_a_held_request_waits_for_its_release_and_counts_as_in_flight(client: TestClient) -> None:
    fault = client.post("/_emulator/faults", json={"vendor": "runpod", "kind": "hold", "method": "GET"}).json()["id"]
    client.delete("/_emulator/calls")
    result: dict[str, int] = {}
    thread = threading.Thread(
        target=lambda: result.update(status=client.get(f"{BASE}/endpoints", headers=AUTH).status_code)
    )
    thread.start()
    for _ in range(600):  # bounded: until the held request is in flight
        if client.get("/_emulator/concurrency").json()["in_flight"] == 1:
            break
        threading.Event().wait(0.01)
    assert client.get("/_emulator/concurrency").json() == {"in_flight": 1, "peak": 1}
    assert "status" not in result
    assert client.post(f"/_emulator/faults/{fault}/release").json() == {"released": True}
    thread.join(timeout=30)
    assert result == {"status": 200}
    assert client.get("/_emulator/concurrency").json() == {"in_flight": 0, "peak": 1}
    assert client.post("/_emulator/faults/99999/release").status_code == 404
