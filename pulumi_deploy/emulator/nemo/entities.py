"""Workspaces and projects of the NeMo emulator (the platform's entities API, the part models v2 relies on).

Models v2 answers a bare 500 "Failed to ..." for a workspace that does not exist and 422 for a
project that does not exist; ``GET /apis/entities/v2/workspaces/{name}`` says 404. ``default`` and
``system`` exist from the start, like on a fresh platform. Ids are the platform's
``<kind>-<22 base58 characters>``.
"""

from __future__ import annotations

import copy
import secrets
from datetime import UTC, datetime
from typing import Any

from . import errors

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BUILTIN_WORKSPACES = {
    "system": "Platform-provided resources (read-only for users)",
    "default": "General-purpose workspace (all users have write access)",
}


def new_id(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(BASE58) for _ in range(22))


def naive_now() -> str:
    """Entity timestamps: UTC without a zone suffix, as the platform's entity store writes them."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


class EntitiesState:
    """Workspaces (by name) and projects (by ``workspace/name``)."""

    def __init__(self) -> None:
        self.workspaces: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        for name, description in BUILTIN_WORKSPACES.items():
            self.add_workspace(name, description)

    def add_workspace(self, name: str, description: str | None = None) -> dict[str, Any]:
        if name in self.workspaces:
            raise errors.Conflict(f"Workspace '{name}' already exists")
        now = naive_now()
        record = {
            "id": new_id("workspace"),
            "name": name,
            "description": description,
            "created_at": now,
            "created_by": "",
            "updated_at": now,
            "updated_by": "",
        }
        self.workspaces[name] = record
        return copy.deepcopy(record)

    def get_workspace(self, name: str) -> dict[str, Any]:
        record = self.workspaces.get(name)
        if record is None:
            raise errors.NotFound(f"Workspace '{name}' not found")
        return copy.deepcopy(record)

    def add_project(self, workspace: str, name: str, description: str | None = None) -> dict[str, Any]:
        self.get_workspace(workspace)
        key = f"{workspace}/{name}"
        if key in self.projects:
            raise errors.Conflict(f"Project '{name}' already exists in workspace '{workspace}'.")
        now = naive_now()
        record = {
            "id": new_id("project"),
            "name": name,
            "workspace": workspace,
            "description": description,
            "created_at": now,
            "updated_at": now,
        }
        self.projects[key] = record
        return copy.deepcopy(record)

    def list_projects(self, workspace: str) -> list[dict[str, Any]]:
        self.get_workspace(workspace)
        return [copy.deepcopy(p) for p in self.projects.values() if p["workspace"] == workspace]

    def require_workspace(self, workspace: str, failure: str) -> None:
        """Models v2 on an unknown workspace: 500 with the operation's own "Failed to ..." message."""
        if workspace not in self.workspaces:
            raise errors.ServerFailure(failure)

    def require_project(self, workspace: str, project: str | None) -> None:
        if project and f"{workspace}/{project}" not in self.projects:
            raise errors.Unprocessable(
                f"Project '{project}' does not exist in workspace '{workspace}'. Please create the project first."
            )
