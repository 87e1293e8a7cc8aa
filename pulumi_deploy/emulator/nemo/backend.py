"""State and rules of the NeMo models v2 emulator: settings and deployment-config operations.

Deployments and the simulated controller live in ``deployments.py``, versioned storage, listing
and control hooks in ``store.py``. Behaviour follows ``nmp/core/models/api`` of nemo-platform 0.6.0.
"""

from __future__ import annotations

import copy
from typing import Any

from . import errors, schemas
from .deployments import DeploymentsBackend
from .store import CONFIGS, DEPLOYMENTS, naive_now

CONFIG_FILTERS = (
    "created_at",
    "description",
    "entity_type",
    "id",
    "model_entity_id",
    "name",
    "project",
    "updated_at",
    "workspace",
)


class NemoBackend(DeploymentsBackend):
    kinds = (CONFIGS, DEPLOYMENTS)
    default_settings = {
        "controller_enabled": True,  # False: statuses only change through the /status endpoint
        "created_seconds": 0.2,  # CREATED -> PENDING
        "pending_seconds": 0.2,  # PENDING -> READY (or ERROR with fail_new_deployments)
        "deleting_seconds": 0.2,  # DELETING -> DELETED
        "hard_delete_seconds": 0.2,  # DELETED -> removed (GET answers 404)
        "fail_new_deployments": False,
        "error_message": "Failed to create deployment (simulated by the emulator)",
        "auto_model_provider": True,  # READY sets model_provider_id = "<workspace>/<name>"
        "inject_update_conflict": False,  # one-shot 409 on the next deployment update
        "reject_unknown_fields": False,
        "runtime_none": False,  # mutations answer 422 "Deployments are not enabled ..."
        "auth_enabled": False,  # True: every call needs a bearer token listed in auth_tokens
        "auth_tokens": {},  # token -> workspaces it has a role in ("*": all); others get 403
        "tool_call_plugin_enabled": False,  # models.tool_call_plugin.enabled (off by default): else 403
    }

    # -- deployment configs ------------------------------------------------------------------

    def _check_tool_call_plugin(self, req: schemas.UpdateConfigRequest | schemas.CreateConfigRequest) -> None:
        """A custom tool-call parser plugin is refused (403) unless the platform configuration allows it."""
        tool_calls = req.model_spec.tool_call_config
        if tool_calls is not None and tool_calls.tool_call_plugin and not self.settings["tool_call_plugin_enabled"]:
            raise errors.ToolCallPluginDisabled()

    @staticmethod
    def _check_engine(req: schemas.UpdateConfigRequest | schemas.CreateConfigRequest) -> None:
        """``_validate_engine_config``: generic needs an image and a health path, and no LoRA."""
        if req.engine != schemas.Engine.GENERIC:
            return
        ex = req.executor_config
        missing, padded = [], []
        for field in ("image_name", "health_check_path"):
            value = getattr(ex, field)
            if not (value and value.strip()):
                missing.append(field)
            elif value != value.strip():
                padded.append(field)
        if missing:
            raise errors.BadRequest(
                "The 'generic' engine requires executor_config."
                + " and executor_config.".join(missing)
                + " to be set (no platform default exists for a generic container)."
            )
        if padded:
            raise errors.BadRequest(
                "executor_config."
                + " and executor_config.".join(padded)
                + " must not have leading or trailing whitespace."
            )
        if req.model_spec.lora_enabled:
            raise errors.BadRequest(
                "The 'generic' engine does not support LoRA (model_spec.lora_enabled); "
                "there is no engine compiler to wire the adapter sidecar against."
            )

    def _config_record(
        self,
        workspace: str,
        name: str,
        version: int,
        project: str | None,
        req: schemas.UpdateConfigRequest | schemas.CreateConfigRequest,
    ) -> dict[str, Any]:
        now = naive_now()
        return {
            "id": self._new_id("model-deployment-config"),
            "name": name,
            "workspace": workspace,
            "project": project,
            "created_at": now,
            "updated_at": now,
            "entity_version": version,
            "description": req.description,
            "engine": req.engine.value,
            "model_spec": req.model_spec.model_dump(mode="json"),
            "executor_config": req.executor_config.model_dump(mode="json"),
            "model_entity_id": req.model_entity_id,
        }

    def create_config(self, workspace: str, body: bytes | Any) -> dict[str, Any]:
        with self.lock:
            req = self._body(schemas.CreateConfigRequest, body)
            key = f"{workspace}/{req.name}"
            if key in self.stores[CONFIGS]:
                raise errors.ConfigAlreadyExists(workspace, req.name)
            self.entities.require_project(workspace, req.project)
            self._check_tool_call_plugin(req)
            self._check_engine(req)
            record = self._config_record(workspace, req.name, 1, req.project, req)
            self._add_version(CONFIGS, key, record)
            return copy.deepcopy(record)

    def get_config(self, workspace: str, name: str, version: str | None = None) -> dict[str, Any]:
        with self.lock:
            number = None if version is None else self._parse_version(version)
            record = self._version(CONFIGS, f"{workspace}/{name}", number)
            if record is None:
                raise errors.ConfigNotFound(workspace, name, version)
            return copy.deepcopy(record)

    def list_config_versions(self, workspace: str, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(list(reversed(self._versions(CONFIGS, f"{workspace}/{name}"))))

    def list_configs(self, workspace: str, query: list[tuple[str, str]]) -> dict[str, Any]:
        with self.lock:
            return self._page(
                CONFIGS, workspace, query, CONFIG_FILTERS, all_versions_allowed=False, failure="list deployment configs"
            )

    def update_config(self, workspace: str, name: str, body: bytes | Any) -> dict[str, Any]:
        with self.lock:
            req = self._body(schemas.UpdateConfigRequest, body)
            self._check_enabled()
            key = f"{workspace}/{name}"
            current = self.stores[CONFIGS].get(key)
            if current is None:
                raise errors.BadRequest(
                    f"Deployment config with workspace '{workspace}' and name '{name}' does not exist"
                )
            self._check_tool_call_plugin(req)
            self._check_engine(req)
            record = self._config_record(workspace, name, current["entity_version"] + 1, current["project"], req)
            self._add_version(CONFIGS, key, record)
            return copy.deepcopy(record)

    def delete_config(self, workspace: str, name: str, version: str | None = None) -> None:
        """204; 409 while, for some deployment, its newest version referencing the config is not DELETED."""
        with self.lock:
            self._check_enabled()
            number = None if version is None else self._parse_version(version)
            # The service looks at every version of every deployment that references the config and
            # keeps the newest of each: a deployment moved to another config still blocks the old one
            # until that older version is DELETED.
            newest: dict[str, dict[str, Any]] = {}
            for key in self.stores[DEPLOYMENTS]:
                if not key.startswith(f"{workspace}/"):
                    continue
                referencing = [d for d in self._versions(DEPLOYMENTS, key) if d["config"] == name]
                if referencing:
                    newest[key] = max(referencing, key=lambda d: int(d["entity_version"]))
            users = [
                d
                for d in newest.values()
                if d["status"] != "DELETED" and (number is None or d["config_version"] == number)
            ]
            if users:
                raise errors.ConfigInUse(workspace, name, len(users), number)
            key = f"{workspace}/{name}"
            if number is None:
                if key not in self.stores[CONFIGS]:
                    raise errors.ConfigNotFound(workspace, name)
                del self.stores[CONFIGS][key]
                self.history[CONFIGS].pop(key, None)
                return
            if self._version(CONFIGS, key, number) is None:
                raise errors.ConfigNotFound(workspace, name, version)
            self._remove_version(CONFIGS, key, number)
