"""A stand-in for the NeMo models controller's *delete path*, for a platform run without docker/k8s.

The real controller needs a container runtime; without it a deleted deployment would stay DELETING
forever. This process does, through the service's own API, exactly what the controller does once a
deployment's backend resources are gone: every version that is DELETING becomes DELETED with the
controller's message, and a version DELETED for longer than the garbage-collection TTL is hard-deleted
(``DELETE .../versions/{n}`` on a DELETED version removes it). Nothing else: statuses such as READY
move only when a client records them (``POST .../status``).

A deployment whose name starts with HOLD_PREFIX (if given) is left alone, so that a test can see the
DELETING state a slow teardown shows.

Usage: python controller_standin.py BASE_URL GC_TTL_SECONDS [INTERVAL_SECONDS [HOLD_PREFIX]]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import httpx

DELETED_MESSAGE = "Deleted deployments-plugin entities."


def versions_in(client: httpx.Client, status: str) -> list[dict]:
    r = client.get(
        "/apis/models/v2/workspaces/-/deployments",
        params={"all_versions": "true", "filter[status]": status, "page_size": 1000},
    )
    r.raise_for_status()
    return list(r.json().get("data") or [])


def age_seconds(timestamp: str) -> float:
    then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return (datetime.now(UTC) - then).total_seconds()


def step(client: httpx.Client, gc_ttl: float, hold: str | None) -> None:
    for d in versions_in(client, "DELETING"):
        if hold and str(d["name"]).startswith(hold):
            continue
        client.post(
            f"/apis/models/v2/workspaces/{d['workspace']}/deployments/{d['name']}/status",
            params={"version": str(d["entity_version"])},
            json={"status": "DELETED", "status_message": DELETED_MESSAGE},
        )
    for d in versions_in(client, "DELETED"):
        if age_seconds(d["updated_at"]) >= gc_ttl:
            client.delete(
                f"/apis/models/v2/workspaces/{d['workspace']}/deployments/{d['name']}/versions/{d['entity_version']}"
            )


def main() -> None:
    base_url, gc_ttl = sys.argv[1], float(sys.argv[2])
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    hold = sys.argv[4] if len(sys.argv) > 4 else None
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while True:
            try:
                step(client, gc_ttl, hold)
            except httpx.HTTPError as exc:  # the service restarting or stopping: try again next round
                print(f"controller stand-in: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            time.sleep(interval)


if __name__ == "__main__":
    main()
