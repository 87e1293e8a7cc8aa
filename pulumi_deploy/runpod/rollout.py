"""REST v2 rolling releases: an endpoint change that touches what workers run (image, GPUs, ...) makes
a new release, and RunPod replaces running workers with new-version ones progressively.

``follow`` watches ``GET /serverless/{id}/releases`` (its ``rollout`` summary) until every worker runs
the new version, printing progress lines, bounded by a timeout. A release whose new-version workers
come up unhealthy never completes (the old workers keep serving): that is reported as a failure naming
the release, read from ``GET /serverless/{id}/workers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.http import ApiClient
from ..core.wait import wait_until


@dataclass(frozen=True)
class Progress:
    version: int
    release_id: str | None
    in_progress: bool
    on_latest: int
    total: int
    unhealthy: int

    def describe(self) -> str:
        if not self.in_progress:
            return f"release {self.release_id} (version {self.version}) complete"
        line = f"rolling release {self.release_id} (version {self.version}): {self.on_latest}/{self.total} workers"
        return line + (f", {self.unhealthy} unhealthy" if self.unhealthy else "")

    def outputs(self) -> dict[str, Any]:
        return {"version": self.version, "releaseId": self.release_id, "releaseVersion": self.version}


def _releases(client: ApiClient, id_: str) -> dict[str, Any]:
    return client.request("GET", f"/serverless/{id_}/releases") or {}


def _release_of(listing: dict[str, Any], version: int) -> str | None:
    for release in listing.get("releases") or []:
        if isinstance(release, dict) and release.get("version") == version:
            return str(release.get("id"))
    return None


def latest(client: ApiClient, id_: str) -> dict[str, Any]:
    """The endpoint's version and latest release, as outputs (one call)."""
    listing = _releases(client, id_)
    version = int(listing.get("endpointVersion") or 0)
    return {"version": version, "releaseId": _release_of(listing, version), "releaseVersion": version}


def progress(client: ApiClient, id_: str) -> Progress:
    listing = _releases(client, id_)
    version = int(listing.get("endpointVersion") or 0)
    summary = listing.get("rollout") or {}
    unhealthy = 0
    if summary.get("inProgress"):
        workers = (client.request("GET", f"/serverless/{id_}/workers") or {}).get("workers") or []
        unhealthy = sum(1 for w in workers if w.get("version") == version and w.get("status") == "UNHEALTHY")
    return Progress(
        version=version,
        release_id=_release_of(listing, version),
        in_progress=bool(summary.get("inProgress")),
        on_latest=int(summary.get("workersOnLatest") or 0),
        total=int(summary.get("workersTotal") or 0),
        unhealthy=unhealthy,
    )


def follow(client: ApiClient, id_: str, what: str, old_version: int, timeout: float) -> dict[str, Any]:
    """Wait until the release the update started has rolled onto every worker; fail when it cannot."""
    first = progress(client, id_)
    if first.version <= old_version or not first.in_progress:
        return first.outputs()
    seen = [first]

    def probe() -> Progress:
        if seen:
            return seen.pop()
        return progress(client, id_)

    def failed(p: Progress) -> str | None:
        if p.unhealthy:
            return (
                f"release {p.release_id} (version {p.version}) failed: {p.unhealthy} new-version worker(s) are "
                "unhealthy and the old workers keep serving. Fix the change (image, settings) and run `pulumi up` "
                "again, or set wait_for_rollout=False to not wait for releases"
            )
        return None

    done = wait_until(
        what, probe, lambda p: not p.in_progress, timeout=timeout, failed=failed, describe=Progress.describe
    )
    return done.outputs()
