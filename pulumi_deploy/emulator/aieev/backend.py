"""Aieev (AirCloud) External API backend: endpoints adopted from the console, and their rules.

The External API cannot create or delete endpoints; they are seeded through the control API
(``POST /_emulator/aieev/objects/endpoints``). Rules implemented here:

* every call needs ``Authorization: Bearer <key>`` (401 plain text otherwise); a key reaches only
  the endpoints whose hidden ``granted_keys`` include it (403), or all when ``granted_keys`` is None;
* PATCH only while stopped (409), at least one field (400); settings take effect on the next start;
* start/stop are idempotent; start goes ``STOPPED -> DEPLOYING -> RUNNING`` (or ``DEPLOY_FAILED``
  when the health check never passes) after ``deploy_duration`` seconds; stop is immediate;
* scale needs the endpoint active and autoscaling off (400).

Validation order: auth (401), body/query (422), lookup (404, 403), then the operation's rules.
"""

from __future__ import annotations

import copy
import math
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from pulumi_deploy.emulator.base import EmulatorBackend

from . import records as rec
from .errors import (
    AutoscalingEnabled,
    EndpointAccessDenied,
    EndpointIsActive,
    EndpointIsInactive,
    EndpointNotFound,
    InsufficientCredit,
    InvalidApiKey,
    LogFileNotFound,
    NoPatchField,
)
from .validation import (
    Error,
    decode_body,
    query_bool,
    query_int,
    query_str,
    raise_if,
    validate_patch,
    validate_scale,
)

Record = dict[str, Any]


class AieevBackend(EmulatorBackend):
    kinds = ("endpoints",)
    default_settings: ClassVar[dict[str, Any]] = {
        # seconds an endpoint stays DEPLOYING after start
        "deploy_duration": 0.2,
        # whether health checks pass (records may override with hidden ``health_check_passes``)
        "health_check_passes": True,
        # start answers 500 "insufficient credit balance"
        "insufficient_credit": False,
        # None: any non-empty bearer token is a valid key; a list: only these keys
        "api_keys": None,
        # how an explicit null in a PATCH body is treated: "ignore" (as if absent) or "clear"
        "patch_null": "ignore",
        # GET /me context
        "organization_id": "org-emulator",
        "project_id": "proj-emulator",
        "user_id": "00000000-0000-4000-8000-000000000001",
    }

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._deploy_due: dict[str, float] = {}
        super().__init__(clock)

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self._deploy_due = {}

    @property
    def endpoints(self) -> dict[str, Record]:
        return self.stores["endpoints"]

    # -- time-based transitions ---------------------------------------------------------------

    def advance(self) -> None:
        with self.lock:
            now = self.clock()
            for endpoint_id, due in list(self._deploy_due.items()):
                record = self.endpoints.get(endpoint_id)
                if record is None or not record["is_active"] or record["status"] != rec.DEPLOYING:
                    del self._deploy_due[endpoint_id]
                elif now >= due:
                    del self._deploy_due[endpoint_id]
                    record["status"] = rec.DEPLOY_OUTCOME[self._health_passes(record)]
                    record["replica_status_summary"] = rec.replica_summary(record)

    def _health_passes(self, record: Record) -> bool:
        override = record.get("health_check_passes")
        return bool(self.settings["health_check_passes"] if override is None else override)

    # -- control hooks ------------------------------------------------------------------------

    def control_seed(self, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self._store(kind)
            full = rec.seed_defaults(record)
            self.endpoints[full["endpoint_id"]] = full
            if full["is_active"] and full["status"] == rec.DEPLOYING:
                self._deploy_due[full["endpoint_id"]] = self.clock() + float(self.settings["deploy_duration"])
            return copy.deepcopy(full)

    # -- helpers ------------------------------------------------------------------------------

    def _authenticate(self, authorization: str | None) -> str:
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        allowed = self.settings["api_keys"]
        if scheme.lower() != "bearer" or not token or (allowed is not None and token not in allowed):
            raise InvalidApiKey()
        return token

    def _get_endpoint(self, api_key: str, endpoint_id: str) -> Record:
        record = self.endpoints.get(endpoint_id)
        if record is None:
            raise EndpointNotFound(endpoint_id)
        granted = record.get("granted_keys")
        if granted is not None and api_key not in granted:
            raise EndpointAccessDenied(endpoint_id)
        return record

    def _visible(self, api_key: str) -> list[Record]:
        return [
            r
            for r in self.endpoints.values()
            if r.get("granted_keys") is None or api_key in r["granted_keys"]
        ]

    # -- vendor operations --------------------------------------------------------------------

    def me(self, authorization: str | None) -> dict[str, Any]:
        with self.lock:
            key = self._authenticate(authorization)
            return {
                "organization_id": self.settings["organization_id"],
                "project_id": self.settings["project_id"],
                "api_key_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"aieev-key:{key}")),
                "user_id": self.settings["user_id"],
                "authenticated_via": "api_key",
            }

    def list_endpoints(self, authorization: str | None, query: Mapping[str, str]) -> dict[str, Any]:
        """GET /endpoints: ``search`` is a case-insensitive substring match on the name."""
        with self.lock:
            key = self._authenticate(authorization)
            errors: list[Error] = []
            is_active = query_bool(query, "is_active", None, errors)
            page = query_int(query, "page", 1, 1, None, errors) or 1
            size = query_int(query, "size", 50, 1, 2000, errors) or 50
            raise_if(errors)
            search = query.get("search", "").lower()
            matches = [
                r
                for r in self._visible(key)
                if search in r["name"].lower() and (is_active is None or r["is_active"] == is_active)
            ]
            items = matches[(page - 1) * size : page * size]
            return {
                "items": [rec.list_item(r) for r in items],
                "total": len(matches),
                "page": page,
                "size": size,
                "pages": math.ceil(len(matches) / size),
            }

    def get_endpoint(self, authorization: str | None, endpoint_id: str) -> dict[str, Any]:
        with self.lock:
            key = self._authenticate(authorization)
            return rec.public_view(self._get_endpoint(key, endpoint_id))

    def patch_endpoint(self, authorization: str | None, endpoint_id: str, body: Any) -> dict[str, Any]:
        """PATCH /endpoints/{id}: omitted fields are unchanged; env vars replace the whole list."""
        with self.lock:
            key = self._authenticate(authorization)
            fields = validate_patch(_decoded(body))
            record = self._get_endpoint(key, endpoint_id)
            if self.settings["patch_null"] != "clear":
                fields = {k: v for k, v in fields.items() if v is not None}
            if not fields:
                raise NoPatchField()
            if record["is_active"]:
                raise EndpointIsActive(endpoint_id)
            if "container_env_vars" in fields:
                fields["container_env_vars"] = rec.normalise_env_vars(fields["container_env_vars"])
            record.update(copy.deepcopy(fields))
            record["updated_at"] = rec.now_iso()
            return rec.patch_view(record)

    def start_endpoint(self, authorization: str | None, endpoint_id: str) -> dict[str, Any]:
        with self.lock:
            key = self._authenticate(authorization)
            record = self._get_endpoint(key, endpoint_id)
            if record["is_active"]:
                return {
                    "endpoint_id": endpoint_id,
                    "is_active": True,
                    "message": "Endpoint is already active",
                }
            if self.settings["insufficient_credit"]:
                raise InsufficientCredit(endpoint_id)
            record.update(is_active=True, status=rec.DEPLOYING, updated_at=rec.now_iso())
            record["replica_status_summary"] = rec.replica_summary(record)
            self._deploy_due[endpoint_id] = self.clock() + float(self.settings["deploy_duration"])
            self.advance()
            return {"endpoint_id": endpoint_id, "is_active": True, "message": "Endpoint started successfully"}

    def stop_endpoint(self, authorization: str | None, endpoint_id: str) -> dict[str, Any]:
        with self.lock:
            key = self._authenticate(authorization)
            record = self._get_endpoint(key, endpoint_id)
            if not record["is_active"]:
                return {
                    "endpoint_id": endpoint_id,
                    "is_active": False,
                    "message": "Endpoint is already stopped",
                }
            record.update(
                is_active=False, status=rec.STOPPED, replica_status_summary=None, updated_at=rec.now_iso()
            )
            self._deploy_due.pop(endpoint_id, None)
            return {
                "endpoint_id": endpoint_id,
                "is_active": False,
                "message": "Endpoint stopped successfully",
            }

    def scale_endpoint(self, authorization: str | None, endpoint_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            key = self._authenticate(authorization)
            wanted = validate_scale(_decoded(body))
            record = self._get_endpoint(key, endpoint_id)
            if not record["is_active"]:
                raise EndpointIsInactive(endpoint_id)
            if record["enable_autoscaling"]:
                raise AutoscalingEnabled(endpoint_id)
            previous = record["num_replicas"]
            if wanted == previous:
                message = "No change - endpoint already has the requested number of replicas"
            else:
                message = f"Successfully scaled from {previous} to {wanted} replicas"
                record.update(num_replicas=wanted, updated_at=rec.now_iso())
                record["replica_status_summary"] = rec.replica_summary(record)
            return {
                "endpoint_id": endpoint_id,
                "previous_replicas": previous,
                "current_replicas": wanted,
                "message": message,
            }

    def list_replicas(self, authorization: str | None, endpoint_id: str) -> list[dict[str, Any]]:
        with self.lock:
            key = self._authenticate(authorization)
            return rec.replicas(self._get_endpoint(key, endpoint_id))

    def list_log_files(
        self, authorization: str | None, endpoint_id: str, query: Mapping[str, str]
    ) -> list[dict[str, Any]]:
        """GET /endpoints/{id}/logs: no historical files are kept (``include_history`` is validated only)."""
        with self.lock:
            key = self._authenticate(authorization)
            errors: list[Error] = []
            query_bool(query, "include_history", True, errors)
            raise_if(errors)
            files = rec.log_files(self._get_endpoint(key, endpoint_id))
            replica_id = query.get("replica_id")
            return [f for f in files if replica_id is None or f["replica_id"] == replica_id]

    def get_log_file(
        self, authorization: str | None, endpoint_id: str, query: Mapping[str, str]
    ) -> dict[str, Any]:
        with self.lock:
            key = self._authenticate(authorization)
            errors: list[Error] = []
            node_id = query_str(query, "node_id", errors)
            filename = query_str(query, "filename", errors)
            start = query_int(query, "start_line", 1, 1, None, errors) or 1
            end = query_int(query, "end_line", 1000, 1, 50000, errors) or 1000
            raise_if(errors)
            record = self._get_endpoint(key, endpoint_id)
            match = [
                f for f in rec.log_files(record) if f["node_id"] == node_id and f["filename"] == filename
            ]
            if not match:
                raise LogFileNotFound(node_id, filename)
            lines = rec.log_lines(record, match[0]["replica_id"])[start - 1 : end]
            return {"content": "\n".join(lines), "start_line": start, "end_line": start + len(lines) - 1}


def _decoded(body: Any) -> Any:
    """Bodies arrive as raw request bytes (routes) or already-decoded JSON (backend tests)."""
    return decode_body(bytes(body)) if isinstance(body, bytes | bytearray) else body
