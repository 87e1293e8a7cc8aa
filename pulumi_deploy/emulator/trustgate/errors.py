"""TrustGate v1.x admin API errors, moto-style.

Every error body is ``{"error": "<message>"}`` (no code field). Bind errors are 400 with
``Invalid JSON payload``; request-level ``Validate()`` failures are 400; **domain validation failures
(gorm ``BeforeCreate``/``BeforeUpdate`` hooks) are 500**; missing entities are 404; deleting an
entity that is still referenced is 400 with a "being used by" message. There is no 409.
"""

from __future__ import annotations

from typing import ClassVar

from pulumi_deploy.emulator.base import VendorError


class TrustGateError(VendorError):
    """Root of every TrustGate emulator error; rendered as ``{"error": message}``."""

    status: ClassVar[int] = 400


# -- 401 -------------------------------------------------------------------------------------


class Unauthorized(TrustGateError):
    status: ClassVar[int] = 401


class AuthorizationRequired(Unauthorized):
    def __init__(self) -> None:
        super().__init__("Authorization required")


class InvalidAuthorizationFormat(Unauthorized):
    def __init__(self) -> None:
        super().__init__("Invalid authorization format")


class EmptyToken(Unauthorized):
    def __init__(self) -> None:
        super().__init__("Empty token provided")


# -- 400 -------------------------------------------------------------------------------------


class InvalidJsonPayload(TrustGateError):
    """The body does not bind to the request struct (bad JSON, wrong JSON type)."""

    def __init__(self) -> None:
        super().__init__("Invalid JSON payload")


class UnknownField(TrustGateError):
    """Emulator strictness: a body key the request struct does not declare (Go's wording)."""

    def __init__(self, path: str) -> None:
        super().__init__(f'json: unknown field "{path}"')


class InvalidId(TrustGateError):
    """A path (or ``upstream_id`` body) value that is not a UUID."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"invalid {kind} ID")


class InvalidQueryParameter(TrustGateError):
    def __init__(self, name: str, value: str) -> None:
        super().__init__(f"invalid {name}: {value}")


class RequestInvalid(TrustGateError):
    """A request-level ``Validate()`` failure (message built by the caller from identifiers)."""


class EntityInUse(TrustGateError):
    """A reference-guarded delete."""

    def __init__(self, kind: str, used_by: str) -> None:
        super().__init__(f"{kind} is being used by {used_by}")


# -- 404 -------------------------------------------------------------------------------------


class NotFound(TrustGateError):
    status: ClassVar[int] = 404

    def __init__(self, kind: str) -> None:
        super().__init__(f"{kind} not found")


# -- 500 -------------------------------------------------------------------------------------


class DomainInvalid(TrustGateError):
    """A domain ``Validate()`` failure surfacing through the generic 500 branch."""

    status: ClassVar[int] = 500


class DuplicateSubdomain(TrustGateError):
    """The unique index on ``gateways.subdomain``; Postgres' error passes through as a 500."""

    status: ClassVar[int] = 500

    def __init__(self, subdomain: str) -> None:
        super().__init__(
            'ERROR: duplicate key value violates unique constraint "idx_gateways_subdomain" (SQLSTATE 23505)'
        )
        self.subdomain = subdomain
