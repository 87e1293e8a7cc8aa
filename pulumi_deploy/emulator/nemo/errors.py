"""NeMo models v2 errors, worded like ``nmp/core/models/api/v2/*.py`` (platform 0.6.0).

The service answers every error as ``{"detail": ...}``: a string for ``HTTPException``s (400, 404,
409, ...) and, for request validation, FastAPI's list of ``{type, loc, msg, input, ctx}`` items
(:class:`ValidationFailed`; see COVERAGE.md for the real service's string variant).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ..base import VendorError


class NemoError(VendorError):
    """Base of every NeMo emulator error; the body is ``{"detail": message}``."""

    status: ClassVar[int] = 400


class Unauthorized(NemoError):
    """401 with auth on: "Unauthorized" (no token), "Invalid or expired token", "Invalid bearer token"."""

    status = 401


class Forbidden(NemoError):
    """403 with auth on: the principal has no role in the workspace."""

    status = 403

    def __init__(self) -> None:
        super().__init__("Forbidden")


class ToolCallPluginDisabled(NemoError):
    """403 whatever the auth: the platform configuration does not allow custom tool-call parser plugins."""

    status = 403

    def __init__(self) -> None:
        super().__init__(
            "tool_call_plugin is disabled at the platform level. Set models.tool_call_plugin.enabled=true in the "
            "platform configuration to allow custom parser plugins."
        )


class ServerFailure(NemoError):
    """500 "Failed to <operation>": what models v2 answers for a workspace that does not exist."""

    status = 500


class BadRequest(NemoError):
    """400: the service's ``ValueError``s (missing config, engine rules, update of an unknown name)."""

    status = 400


class InvalidVersion(BadRequest):
    def __init__(self, version: str) -> None:
        super().__init__(f"Invalid version '{version}': must be a positive integer")


class NotFound(NemoError):
    status = 404


class DeploymentNotFound(NotFound):
    def __init__(self, workspace: str, name: str, version: str | None = None) -> None:
        suffix = f" version '{version}'" if version is not None else ""
        super().__init__(f"Deployment '{workspace}/{name}'{suffix} not found")


class ConfigNotFound(NotFound):
    def __init__(self, workspace: str, name: str, version: str | None = None) -> None:
        suffix = f" version '{version}'" if version is not None else ""
        super().__init__(f"Deployment config '{workspace}/{name}'{suffix} not found")


class Conflict(NemoError):
    status = 409


class DeploymentAlreadyExists(Conflict):
    def __init__(self, workspace: str, name: str) -> None:
        super().__init__(f"Deployment with workspace '{workspace}' and name '{name}' already exists")


class ConfigAlreadyExists(Conflict):
    def __init__(self, workspace: str, name: str) -> None:
        super().__init__(f"Deployment config with workspace '{workspace}' and name '{name}' already exists")


class ConcurrentModification(Conflict):
    def __init__(self) -> None:
        super().__init__("Concurrent modification - please retry.")


class DeletingStatusConflict(Conflict):
    def __init__(self) -> None:
        super().__init__("Deployment is marked for deletion (DELETING). Only transition to DELETED is allowed.")


class ConfigInUse(Conflict):
    def __init__(self, workspace: str, name: str, count: int, version: int | None = None) -> None:
        if version is None:
            message = (
                f"Cannot delete ModelDeploymentConfig '{workspace}/{name}' because {count} "
                "ModelDeployment(s) "
                "still reference it and are not in DELETED status. Delete the dependent deployments first."
            )
        else:
            message = (
                f"Cannot delete ModelDeploymentConfig '{workspace}/{name}' version {version} because {count} "
                "ModelDeployment(s) still reference it and are not in DELETED status"
            )
        super().__init__(message)


class Unprocessable(NemoError):
    status = 422


class DeploymentsNotEnabled(Unprocessable):
    def __init__(self) -> None:
        super().__init__("Deployments are not enabled because the backend runtime is set to 'none'")


class ValidationFailed(Unprocessable):
    """422 request validation; ``message`` is the JSON list FastAPI would put in ``detail``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__(json.dumps(errors))
