"""Aieev External API errors: FastAPI-style ``{"detail": ...}`` bodies, 401 as plain text.

The exact wording of most messages is not published; the texts below follow the spec's response
descriptions ("Endpoint is active. Stop it first.", "No patch field provided.") and name the
endpoint, moto-style. 422 errors carry FastAPI's list of ``{type, loc, msg, input[, ctx]}``.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_deploy.emulator.base import VendorError


class AieevError(VendorError):
    """Base of every Aieev emulator error."""

    status = 400


class InvalidApiKey(AieevError):
    """Answered by the gateway (Istio ext-auth) as ``text/plain``, before the app sees the call."""

    status = 401

    def __init__(self) -> None:
        super().__init__("invalid api key")


class EndpointNotFound(AieevError):
    status = 404

    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Endpoint {endpoint_id} not found")


class EndpointAccessDenied(AieevError):
    status = 403

    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Endpoint {endpoint_id} does not belong to your organization or project")


class NoPatchField(AieevError):
    status = 400

    def __init__(self) -> None:
        super().__init__("No patch field provided.")


class EndpointIsActive(AieevError):
    status = 409

    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Endpoint {endpoint_id} is active. Stop it first.")


class EndpointIsInactive(AieevError):
    status = 400

    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Endpoint {endpoint_id} is inactive. Start it first.")


class AutoscalingEnabled(AieevError):
    status = 400

    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Autoscaling is enabled for endpoint {endpoint_id}. Disable it first.")


class InsufficientCredit(AieevError):
    status = 500

    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Failed to start endpoint {endpoint_id}: insufficient credit balance")


class LogFileNotFound(AieevError):
    status = 404

    def __init__(self, node_id: str, filename: str) -> None:
        super().__init__(f"Log file {filename} not found on node {node_id}")


class RequestValidationFailed(AieevError):
    """FastAPI's 422; the message is the JSON-encoded error list (``error_response`` decodes it)."""

    status = 422

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(json.dumps(errors))
        self.errors = errors
