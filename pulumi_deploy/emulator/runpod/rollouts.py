"""Releases and the workers that roll onto them, per endpoint (what ``/v2/serverless/{id}/releases``
and ``/workers`` show).

Every endpoint has a release history (one release per configuration ``version``) and a set of
workers, each running one version. A new release leaves the workers on the old version until
they are replaced one *step* at a time; a step replaces one stale worker. Steps never depend on
the wall clock: the backend takes them when the endpoint's rollout is read, when its injectable
clock passes a step interval, or when the control API asks (see ``RunpodBackend``).

A *failed* release (control action, or the ``fail_new_releases`` setting) brings its workers up
``UNHEALTHY``: one surge worker on the new version fails its health checks, the old workers keep
serving, and the rollout stays in progress -- the way a crash-looping image shows on the platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Worker:
    id: str
    version: int
    healthy: bool
    started_at: str


@dataclass
class Release:
    id: str
    version: int
    created_at: str
    diff: list[dict[str, Any]]
    failed: bool = False


@dataclass
class Rollout:
    releases: list[Release] = field(default_factory=list)  # oldest first
    workers: list[Worker] = field(default_factory=list)
    #: backend clock reading when the last step was taken (for clock-driven steps)
    stepped_at: float = 0.0

    def latest(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    def stale(self, version: int) -> list[Worker]:
        return [w for w in self.workers if w.version != version]


class Rollouts:
    """The rollout state of every endpoint, keyed by endpoint id."""

    def __init__(self, new_id: Callable[[], str], timestamp: Callable[[], str]) -> None:
        self._new_id = new_id
        self._timestamp = timestamp
        self.by_endpoint: dict[str, Rollout] = {}

    def get(self, endpoint_id: str) -> Rollout:
        return self.by_endpoint.setdefault(endpoint_id, Rollout())

    def drop(self, endpoint_id: str) -> None:
        self.by_endpoint.pop(endpoint_id, None)

    def release(
        self, endpoint_id: str, version: int, diff: list[dict[str, Any]], *, failed: bool, now: float
    ) -> Release:
        rollout = self.get(endpoint_id)
        release = Release(self._new_id(), version, self._timestamp(), diff, failed)
        rollout.releases.append(release)
        rollout.stepped_at = now
        return release

    def reconcile(self, endpoint_id: str, version: int, target: int) -> None:
        """Scale to ``target`` workers (promptly, as the autoscaler does): new ones start on
        ``version``; surplus ones go stale-first."""
        rollout = self.get(endpoint_id)
        latest = rollout.latest()
        failing = latest is not None and latest.version == version and latest.failed
        while len(rollout.workers) < target:
            rollout.workers.append(Worker(self._new_id(), version, not failing, self._timestamp()))
        halted = failing and rollout.stale(version) and any(w.version == version for w in rollout.workers)
        allowed = target + 1 if halted else target  # the failed release's surge worker stays
        while len(rollout.workers) > allowed and rollout.workers:
            stale = rollout.stale(version)
            rollout.workers.remove(stale[0] if stale else rollout.workers[-1])

    def step(self, endpoint_id: str, version: int, steps: int) -> None:
        """Replace up to ``steps`` stale workers by workers on ``version`` (none if it failed)."""
        rollout = self.get(endpoint_id)
        latest = rollout.latest()
        for _ in range(max(steps, 0)):
            stale = rollout.stale(version)
            if not stale:
                return
            if latest is not None and latest.version == version and latest.failed:
                if not any(w.version == version for w in rollout.workers):
                    rollout.workers.append(Worker(self._new_id(), version, False, self._timestamp()))
                return
            index = rollout.workers.index(stale[0])
            rollout.workers[index] = Worker(self._new_id(), version, True, self._timestamp())

    def fail_latest(self, endpoint_id: str) -> Release | None:
        """Mark the newest release failed: its workers turn unhealthy and the rollout halts."""
        rollout = self.get(endpoint_id)
        latest = rollout.latest()
        if latest is None:
            return None
        latest.failed = True
        for worker in rollout.workers:
            if worker.version == latest.version:
                worker.healthy = False
        return latest

    # -- rendering (v2 response shapes) ----------------------------------------------------------

    def render_releases(self, endpoint_id: str, version: int, user_id: str) -> dict[str, Any]:
        rollout = self.get(endpoint_id)
        total = len(rollout.workers)
        on_latest = sum(1 for w in rollout.workers if w.version == version)
        return {
            "endpointVersion": version,
            "rollout": {
                "inProgress": any(w.version != version for w in rollout.workers),
                "workersOnLatest": on_latest,
                "workersTotal": total,
                "percentOnLatest": (100 * on_latest) // total if total else 0,
            },
            "releases": [
                {
                    "id": r.id,
                    "version": r.version,
                    "source": "MANUAL",
                    "buildId": None,
                    "createdByUserId": user_id,
                    "workerCount": sum(1 for w in rollout.workers if w.version == r.version),
                    "createdAt": r.created_at,
                    "diff": r.diff,
                }
                for r in reversed(rollout.releases)
            ],
        }

    def render_workers(self, endpoint_id: str, version: int, placement: dict[str, Any]) -> dict[str, Any]:
        """``placement``: ``gpuCount``, ``gpuTypeId``, ``dataCenterId``, ``image`` of new workers."""
        rollout = self.get(endpoint_id)
        workers = [
            {
                "id": w.id,
                "status": "IDLE" if w.healthy else "UNHEALTHY",
                "isStale": w.version != version,
                "version": w.version,
                "gpuCount": placement["gpuCount"],
                "image": placement["image"],
                "uptimeSeconds": 0,
                "gpuTypeId": placement["gpuTypeId"],
                "dataCenterId": placement["dataCenterId"],
                "startedAt": w.started_at,
            }
            for w in rollout.workers
        ]
        idle = sum(1 for w in workers if w["status"] == "IDLE")
        summary = {"running": 0, "idle": idle, "initializing": 0, "throttled": 0,
                   "unhealthy": len(workers) - idle, "total": len(workers)}  # fmt: skip
        return {"workers": workers, "summary": summary, "endpointVersion": version}

    def inventory(self) -> list[dict[str, Any]]:
        return [
            {"endpointId": endpoint_id, "id": r.id, "version": r.version, "failed": r.failed, "diff": r.diff}
            for endpoint_id, rollout in self.by_endpoint.items()
            for r in rollout.releases
        ]
