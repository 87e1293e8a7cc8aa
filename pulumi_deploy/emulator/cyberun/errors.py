"""Cyberun errors. The wire body is always ``{"error_message": "<text>"}``.

Only ``resource not found`` (404) is documented word for word; the other messages are the
emulator's own, built from identifiers so tests can assert them exactly.
"""

from __future__ import annotations

from typing import ClassVar

from pulumi_deploy.emulator.base import VendorError


class CyberunError(VendorError):
    """Base of every Cyberun error."""

    status: ClassVar[int] = 400


class Unauthorized(CyberunError):
    status = 401

    def __init__(self, reason: str = "missing or invalid bearer token") -> None:
        super().__init__(reason)


class AgentKeyRejected(Unauthorized):
    def __init__(self) -> None:
        super().__init__("agent keys (ak-) are not accepted on the REST API")


class MissingTeamHeader(CyberunError):
    status = 400

    def __init__(self) -> None:
        super().__init__("X-Team-ID header is required for user tokens")


class InvalidTeamHeader(CyberunError):
    status = 400

    def __init__(self, value: str) -> None:
        super().__init__(f"invalid X-Team-ID: {value!r} is not a uuid")


class JwtRequired(CyberunError):
    status = 403

    def __init__(self) -> None:
        super().__init__("this endpoint requires a user token (JWT); API keys are not accepted")


class InvalidBody(CyberunError):
    status = 400

    def __init__(self, reason: str = "request body must be a JSON object") -> None:
        super().__init__(f"invalid request body: {reason}")


class UnknownField(InvalidBody):
    def __init__(self, field: str) -> None:
        super().__init__(f'unknown field "{field}"')


class InvalidField(CyberunError):
    status = 400

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")


class ImmutableField(InvalidField):
    def __init__(self, field: str) -> None:
        super().__init__(field, "cannot be changed after creation; delete and recreate the service")


class InvalidId(CyberunError):
    status = 400

    def __init__(self, param: str, value: str) -> None:
        super().__init__(f"invalid {param}: {value!r} is not a uuid")


class SecretAsCredentialId(CyberunError):
    status = 400

    def __init__(self) -> None:
        super().__init__("credentialId must be the credential id (uuid), not the key or its prefix")


class InvalidQuery(CyberunError):
    status = 400

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"invalid query parameter {param}: {reason}")


class NotFound(CyberunError):
    status = 404

    def __init__(self) -> None:
        super().__init__("resource not found")


class SlugTaken(CyberunError):
    status = 409

    def __init__(self, slug: str) -> None:
        super().__init__(f"service_slug {slug!r} already exists in this team")


class ServiceBusy(CyberunError):
    status = 409

    def __init__(self, service_id: str, status: str) -> None:
        super().__init__(f"container service {service_id} is {status}; retry once it has settled")
