"""Cyberun core API state and rules: container services (plus API-key credentials, see credentials.py).

Deviations from the real service are listed in COVERAGE.md; the main ones:

* Management get/list/delete/deploy of containers are inferred paths (no docs page was found).
* Records seeded through the control API have no owning team and are visible to every team.
* Proxy (``/r/containers/{slug}/*``), invoke, agents, auth login/refresh and MCP are not emulated.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from pulumi_deploy.emulator.base import EmulatorBackend

from .auth import Caller, bearer_token, jwt_subject, team_for_jwt
from .credentials import CredentialsMixin
from .errors import InvalidId, NotFound, ServiceBusy, SlugTaken
from .validation import is_uuid, page, validate_create, validate_update

#: Asynchronous states: status -> (settled status, settings key holding the duration in seconds).
TRANSITIONS: dict[str, tuple[str, str]] = {
    "deploying": ("running", "deploy_seconds"),
    "stopping": ("stopped", "undeploy_seconds"),
}
SERVICE_STATUSES = ("created", "deploying", "running", "stopping", "stopped", "failed")
#: Response field order of a container service (GET /r/containers/{slug}).
CONTAINER_FIELDS = (
    "id", "service_slug", "display_name", "service_desc", "service_type", "docker_image", "external_url",
    "external_auth_credential_id", "exposed_port", "health_path", "env_config", "volume_config",
    "required_labels", "gpu_count", "replica_count", "usage_prompt", "openapi_url", "service_status",
    "created_at", "updated_at",
)  # fmt: skip


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CyberunBackend(CredentialsMixin, EmulatorBackend):
    kinds: ClassVar[tuple[str, ...]] = ("containers", "credentials")
    default_settings: ClassVar[dict[str, Any]] = {
        "deploy_seconds": 0.2,  # deploying -> running (or failed)
        "undeploy_seconds": 0.2,  # stopping -> stopped
        "fail_next_deploy": False,  # the next deploy ends in `failed` (consumed by that deploy)
        "key_team_id": "00000000-0000-4000-8000-00000000c0de",  # team of sk-/dk- keys not issued here
        "user_id": "00000000-0000-4000-8000-0000000005e7",  # user of keys / JWTs without a `sub`
    }

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)

    def reset(self) -> None:
        with self.lock:
            self._due: dict[str, tuple[str, float, str]] = {}  # id -> (from status, due time, target)
            self._owner: dict[str, str] = {}  # record id -> team id (seeded records have none)
            self._keys: dict[str, str] = {}  # raw key -> credential id
            self._revoked: set[str] = set()
            super().reset()

    # -- auth ------------------------------------------------------------------------------

    def authenticate(self, authorization: str | None, team_header: str | None) -> Caller:
        """Resolve the bearer token: JWT (+ X-Team-ID), or an sk-/dk- key (team fixed in the key)."""
        with self.lock:
            token = bearer_token(authorization)
            if token.startswith(("sk-", "dk-")):
                return self._key_caller(token)
            user = jwt_subject(token) or self.settings["user_id"]
            return Caller("jwt", team_for_jwt(team_header), user, token)

    # -- time-based transitions ------------------------------------------------------------

    def advance(self) -> None:
        with self.lock:
            now = self.clock()
            for service_id, record in self.stores["containers"].items():
                status = record.get("service_status")
                if status not in TRANSITIONS:
                    self._due.pop(service_id, None)
                    continue
                pending = self._due.get(service_id)
                if pending is None or pending[0] != status:  # seeded or patched into a transition
                    target, duration_key = TRANSITIONS[status]
                    pending = self._schedule(service_id, status, target, duration_key)
                if now >= pending[1]:
                    record["service_status"] = pending[2]
                    del self._due[service_id]

    def _schedule(self, service_id: str, status: str, target: str, key: str) -> tuple[str, float, str]:
        self._due[service_id] = (status, self.clock() + float(self.settings[key]), target)
        return self._due[service_id]

    # -- containers ------------------------------------------------------------------------

    def create_container(self, caller: Caller, body: Any) -> dict[str, Any]:
        """POST /containers: returns ``{id}``; the service starts in ``created``."""
        with self.lock:
            self.advance()
            definition = validate_create(body)
            slug = definition["service_slug"]
            if any(r.get("service_slug") == slug for r in self._visible("containers", caller)):
                raise SlugTaken(slug)
            service_id = str(uuid.uuid4())
            stamp = now_iso()
            values = {**definition, "id": service_id, "service_status": "created"}
            values |= {"created_at": stamp, "updated_at": stamp}
            self.stores["containers"][service_id] = copy.deepcopy({k: values[k] for k in CONTAINER_FIELDS})
            self._owner[service_id] = caller.team_id
            return {"id": service_id}

    def get_container(self, caller: Caller, service_id: str) -> dict[str, Any]:
        """GET /containers/{serviceId} (inferred path)."""
        with self.lock:
            self.advance()
            return copy.deepcopy(self._get_container(caller, service_id))

    def get_container_by_slug(self, caller: Caller, slug: str) -> dict[str, Any]:
        """GET /r/containers/{serviceSlug} (runtime surface)."""
        with self.lock:
            self.advance()
            for record in self._visible("containers", caller):
                if record.get("service_slug") == slug:
                    return copy.deepcopy(record)
            raise NotFound()

    def list_containers(
        self, caller: Caller, current_page: str | None, per_page: str | None
    ) -> dict[str, Any]:
        """GET /containers, GET /r/containers: ``{containers: [...], page_meta}`` (wrapper key inferred)."""
        with self.lock:
            self.advance()
            items, meta = page(self._visible("containers", caller), current_page, per_page)
            return {"containers": copy.deepcopy(items), "page_meta": meta}

    def update_container(self, caller: Caller, service_id: str, body: Any) -> dict[str, Any]:
        """PUT /containers/{serviceId}: merge; refused while deploying/stopping; applies on next deploy."""
        with self.lock:
            self.advance()
            record = self._settled_container(caller, service_id)
            changes = validate_update(body, record)
            record.update(copy.deepcopy(changes))
            record["updated_at"] = now_iso()
            return {"id": service_id}

    def deploy_container(self, caller: Caller, service_id: str) -> dict[str, Any]:
        """POST /containers/{serviceId}/deploy (inferred): -> deploying -> running (or failed)."""
        with self.lock:
            self.advance()
            record = self._settled_container(caller, service_id)
            target = "failed" if self.settings["fail_next_deploy"] else "running"
            self.settings["fail_next_deploy"] = False
            self._start(record, "deploying", target, "deploy_seconds")
            return {"is_success": True}

    def undeploy_container(self, caller: Caller, service_id: str) -> dict[str, Any]:
        """POST /containers/{serviceId}/undeploy: -> stopping -> stopped; a no-op when nothing runs."""
        with self.lock:
            self.advance()
            record = self._settled_container(caller, service_id)
            if record.get("service_status") not in ("created", "stopped"):
                self._start(record, "stopping", "stopped", "undeploy_seconds")
            return {"is_success": True}

    def delete_container(self, caller: Caller, service_id: str) -> None:
        """DELETE /containers/{serviceId} (inferred): immediate; refused while deploying/stopping."""
        with self.lock:
            self.advance()
            self._settled_container(caller, service_id)
            self._forget("containers", service_id)

    # -- control hooks ---------------------------------------------------------------------

    def control_delete(self, kind: str, object_id: str) -> None:
        with self.lock:
            self._store(kind)[object_id]  # KeyError -> 404 in the control API
            self._forget(kind, object_id)

    # -- helpers ---------------------------------------------------------------------------

    def _visible(self, kind: str, caller: Caller) -> list[dict[str, Any]]:
        team = caller.team_id
        return [r for i, r in self.stores[kind].items() if self._owner.get(i, team) == team]

    def _get_container(self, caller: Caller, service_id: str) -> dict[str, Any]:
        if not is_uuid(service_id):
            raise InvalidId("serviceId", service_id)
        record = self.stores["containers"].get(service_id)
        if record is None or self._owner.get(service_id, caller.team_id) != caller.team_id:
            raise NotFound()
        return record

    def _settled_container(self, caller: Caller, service_id: str) -> dict[str, Any]:
        record = self._get_container(caller, service_id)
        if record.get("service_status") in TRANSITIONS:
            raise ServiceBusy(service_id, record["service_status"])
        return record

    def _start(self, record: dict[str, Any], status: str, target: str, duration_key: str) -> None:
        record["service_status"] = status
        record["updated_at"] = now_iso()
        self._schedule(record["id"], status, target, duration_key)

    def _forget(self, kind: str, object_id: str) -> None:
        del self.stores[kind][object_id]
        self._due.pop(object_id, None)
        self._owner.pop(object_id, None)
        for key in [k for k, v in self._keys.items() if v == object_id]:
            del self._keys[key]
            self._revoked.add(key)
