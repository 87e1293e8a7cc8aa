"""ModelDeployment operations and the simulated models controller.

Service rules (``model_deployment_service.py``, ``api/v2/deployments.py`` of nemo-platform 0.6.0):
create writes v1 with ``CREATED`` / "Deployment created" and an empty ``status_history``; update
writes version N+1 with ``PENDING`` / "Deployment update pending"; ``config_version`` 0 or absent
means the latest config version; a status update appends the previous and the new status to the
history (adjacent duplicates merged, capped at 100); DELETE marks versions ``DELETING`` (202), and
a DELETE of versions that are all ``DELETED`` removes them and then answers 404, as the service does.

The controller is simulated by :data:`TRANSITIONS`, applied lazily in :meth:`advance`.
"""

from __future__ import annotations

import copy
from typing import Any

from . import errors, schemas
from .store import CONFIGS, DEPLOYMENTS, VersionedBackend, naive_now, utc_now

DEPLOYMENT_FILTERS = (
    "config",
    "created_at",
    "entity_type",
    "id",
    "model_provider_id",
    "name",
    "project",
    "status",
    "status_message",
    "updated_at",
    "workspace",
)

#: status -> (setting holding the delay, next status; None = hard delete). CREATED/PENDING move only
#: on the latest version (the one the controller reconciles); deletion applies to every version.
TRANSITIONS: dict[str, tuple[str, str | None]] = {
    "CREATED": ("created_seconds", "PENDING"),
    "PENDING": ("pending_seconds", "READY"),
    "DELETING": ("deleting_seconds", "DELETED"),
    "DELETED": ("hard_delete_seconds", None),
}
LATEST_ONLY = frozenset({"CREATED", "PENDING"})
CONTROLLER_MESSAGES = {
    "PENDING": "Waiting for deployments-plugin substrate resources.",
    "READY": "",
    "DELETED": "",
}
HISTORY_CAP = 100


class DeploymentsBackend(VersionedBackend):
    # -- helpers -----------------------------------------------------------------------------

    def _resolve_config(self, workspace: str, config: str, config_version: int | None) -> int:
        key = f"{workspace}/{config}"
        version = config_version
        if not version:  # the service checks truthiness: 0 means "latest"
            latest = self.stores[CONFIGS].get(key)
            if latest is None:
                raise errors.BadRequest(f"Deployment config '{key}' does not exist")
            version = int(latest["entity_version"])
        if self._version(CONFIGS, key, version) is None:
            raise errors.BadRequest(f"Deployment config '{key}' version '{version}' does not exist")
        return version

    def _deployment_record(
        self,
        workspace: str,
        name: str,
        version: int,
        project: str | None,
        config: str,
        config_version: int,
        status: str,
        message: str,
    ) -> dict[str, Any]:
        now = naive_now()
        principal: dict[str, Any] = {
            "principal_id": self.principal_id(),
            "principal_email": None,
            "principal_groups": [],
            "principal_on_behalf_of": None,
            "principal_on_behalf_of_groups": None,
            "principal_on_behalf_of_email": None,
        }
        return {
            "id": self._new_id("model-deployment"),
            "name": name,
            "workspace": workspace,
            "project": project,
            "created_at": now,
            "updated_at": now,
            "entity_version": version,
            "config": config,
            "config_version": config_version,
            "status": status,
            "status_message": message,
            "status_history": [],
            "model_provider_id": None,
            "auth_context": principal,
        }

    def _find(self, workspace: str, name: str, version: str | None) -> dict[str, Any]:
        number = self._parse_version(version) if version else None
        record = self._version(DEPLOYMENTS, f"{workspace}/{name}", number)
        if record is None:
            raise errors.DeploymentNotFound(workspace, name, version or None)
        return record

    @staticmethod
    def _set_status(record: dict[str, Any], status: str, message: str, provider_id: str | None) -> None:
        """The service's status write: history gets the previous and the new status, then compaction."""
        now = utc_now()
        history = [
            *record["status_history"],
            {"timestamp": now, "status": record["status"], "status_message": record["status_message"] or ""},
            {"timestamp": now, "status": status, "status_message": message},
        ]
        compact = history[:1]
        for entry in history[1:]:
            if (entry["status"], entry["status_message"]) != (
                compact[-1]["status"],
                compact[-1]["status_message"],
            ):
                compact.append(entry)
        record.update(
            status=status, status_message=message, status_history=compact[-HISTORY_CAP:], updated_at=naive_now()
        )
        if provider_id is not None:
            record["model_provider_id"] = provider_id

    @staticmethod
    def _mark_deleting(record: dict[str, Any]) -> None:
        now = utc_now()
        record.update(status="DELETING", status_message="Deployment deletion requested", updated_at=naive_now())
        record["status_history"].append(
            {"timestamp": now, "status": "DELETING", "status_message": "Deployment deletion requested"}
        )

    # -- operations --------------------------------------------------------------------------

    def create_deployment(self, workspace: str, body: bytes | Any) -> dict[str, Any]:
        with self.lock:
            req = self._body(schemas.CreateDeploymentRequest, body)
            self._check_enabled()
            key = f"{workspace}/{req.name}"
            if key in self.stores[DEPLOYMENTS]:  # DELETING/DELETED versions keep the name taken
                raise errors.DeploymentAlreadyExists(workspace, req.name)
            self.entities.require_project(workspace, req.project)
            config_version = self._resolve_config(workspace, req.config, req.config_version)
            record = self._deployment_record(
                workspace,
                req.name,
                1,
                req.project,
                req.config,
                config_version,
                "CREATED",
                "Deployment created",
            )
            self._add_version(DEPLOYMENTS, key, record)
            self._seen(record)
            return copy.deepcopy(record)

    def get_deployment(self, workspace: str, name: str, version: str | None = None) -> dict[str, Any]:
        with self.lock:
            if version is not None:
                self._parse_version(version)
            return copy.deepcopy(self._find(workspace, name, version))

    def list_deployment_versions(self, workspace: str, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(list(reversed(self._versions(DEPLOYMENTS, f"{workspace}/{name}"))))

    def list_deployments(self, workspace: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        with self.lock:
            return self._page(
                DEPLOYMENTS, workspace, query, DEPLOYMENT_FILTERS, all_versions_allowed=True, failure="list deployments"
            )

    def deployment_models(self, workspace: str, name: str) -> dict[str, Any]:
        with self.lock:
            self._find(workspace, name, None)
            return {"workspace": workspace, "name": name, "models": []}

    def update_deployment(self, workspace: str, name: str, body: bytes | Any) -> dict[str, Any]:
        with self.lock:
            req = self._body(schemas.UpdateDeploymentRequest, body)
            self._check_enabled()
            key = f"{workspace}/{name}"
            current = self.stores[DEPLOYMENTS].get(key)
            if current is None:
                raise errors.BadRequest(f"Deployment with workspace '{workspace}' and name '{name}' does not exist")
            if self.settings["inject_update_conflict"]:
                self.settings["inject_update_conflict"] = False
                raise errors.ConcurrentModification()
            # Being deleted is no obstacle: the platform writes the new version (PENDING) and the older
            # versions go on to DELETED.
            config_version = self._resolve_config(workspace, req.config, req.config_version)
            record = self._deployment_record(
                workspace,
                name,
                current["entity_version"] + 1,
                current["project"],
                req.config,
                config_version,
                "PENDING",
                "Deployment update pending",
            )
            self._add_version(DEPLOYMENTS, key, record)
            self._seen(record)
            return copy.deepcopy(record)

    def update_deployment_status(
        self, workspace: str, name: str, body: bytes | Any, version: str | None = None
    ) -> dict[str, Any]:
        with self.lock:
            req = self._body(schemas.UpdateStatusRequest, body)
            self._check_enabled()
            record = self._find(workspace, name, version)
            if record["status"] == "DELETING" and req.status != schemas.DeploymentStatus.DELETED:
                raise errors.DeletingStatusConflict()
            if (record["status"], record["status_message"] or "") != (req.status.value, req.status_message):
                self._set_status(record, req.status.value, req.status_message, req.model_provider_id)
                self._seen(record)
            return copy.deepcopy(record)

    def delete_deployment(self, workspace: str, name: str, version: str | None = None) -> None:
        """Mark versions DELETING (202); if all are DELETED already, remove them and answer 404 (quirk)."""
        with self.lock:
            self._check_enabled()
            key = f"{workspace}/{name}"
            targets = [self._find(workspace, name, version)] if version else self._versions(DEPLOYMENTS, key)
            if not targets:
                raise errors.DeploymentNotFound(workspace, name)
            if all(r["status"] == "DELETED" for r in targets):
                for record in list(targets):
                    self._remove_version(DEPLOYMENTS, key, record["entity_version"])
                raise errors.DeploymentNotFound(workspace, name, version)
            for record in targets:
                if record["status"] != "DELETED":
                    self._mark_deleting(record)
                    self._seen(record)

    # -- simulated controller ----------------------------------------------------------------

    def advance(self) -> None:
        with self.lock:
            if not self.settings["controller_enabled"]:
                return
            now = self.clock()
            for key in list(self.stores[DEPLOYMENTS]):
                for record in self._versions(DEPLOYMENTS, key):
                    self._advance_record(key, record, now)

    def _advance_record(self, key: str, record: dict[str, Any], now: float) -> None:
        while True:
            seen_status, since = self._since.get(record["id"], (None, now))
            if seen_status != record["status"]:  # new to us, or changed by an API call / control patch
                since = now
                self._since[record["id"]] = (record["status"], now)
            step = TRANSITIONS.get(record["status"])
            if step is None or (record["status"] in LATEST_ONLY and self.stores[DEPLOYMENTS].get(key) is not record):
                return
            setting, target = step
            due = since + float(self.settings[setting])
            if due > now:
                return
            if target is None:
                if self._version(DEPLOYMENTS, key, record["entity_version"]) is record:
                    self._remove_version(DEPLOYMENTS, key, record["entity_version"])
                self._since.pop(record["id"], None)
                return
            provider = None
            if target == "READY" and self.settings["fail_new_deployments"]:
                target, message = "ERROR", str(self.settings["error_message"])
            else:
                message = CONTROLLER_MESSAGES[target]
                if target == "READY" and self.settings["auto_model_provider"]:
                    provider = key
            self._set_status(record, target, message, provider)
            self._since[record["id"]] = (target, due)
