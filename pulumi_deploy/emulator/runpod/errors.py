"""RunPod REST v1 errors: every body is ``{"message": "..."}`` (rendered by ``Emulator.error_response``).

Observed real wording is reused where known (``"Pod not found"`` -> ``"Endpoint not found"``,
``"... is not in input schema"`` for unknown keys); the rest is the emulator's own, built from
identifiers so tests can assert it exactly.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ..base import VendorError


class RunpodError(VendorError):
    """Base of every RunPod emulator error (HTTP 400 unless a subclass says otherwise)."""

    status: ClassVar[int] = 400


# -- 401 ----------------------------------------------------------------------------------------


class Unauthorized(RunpodError):
    status: ClassVar[int] = 401

    def __init__(self) -> None:
        super().__init__("Unauthorized")


# -- 404 ----------------------------------------------------------------------------------------


class NotFound(RunpodError):
    status: ClassVar[int] = 404
    thing: ClassVar[str] = "Resource"

    def __init__(self, object_id: str) -> None:
        super().__init__(f"{self.thing} not found")
        self.object_id = object_id


class EndpointNotFound(NotFound):
    thing = "Endpoint"


class TemplateNotFound(NotFound):
    thing = "Template"


class NetworkVolumeNotFound(NotFound):
    thing = "Network volume"


# -- 400: request shape -------------------------------------------------------------------------


class InvalidInput(RunpodError):
    """Any schema violation (type, enum, range, length, pattern, unknown or missing key)."""


class InvalidJson(InvalidInput):
    def __init__(self) -> None:
        super().__init__("request body must be a JSON object")


class UnknownField(InvalidInput):
    def __init__(self, key: str) -> None:
        super().__init__(f'"{key}" is not in input schema')


class MissingField(InvalidInput):
    def __init__(self, key: str) -> None:
        super().__init__(f'"{key}" is required')


class InvalidType(InvalidInput):
    def __init__(self, path: str, expected: str) -> None:
        super().__init__(f'"{path}" must be {expected}')


class InvalidEnumValue(InvalidInput):
    def __init__(self, path: str, value: Any) -> None:
        super().__init__(f'"{path}" value {json.dumps(value)} is not one of the allowed values')


class BelowMinimum(InvalidInput):
    def __init__(self, path: str, minimum: int) -> None:
        super().__init__(f'"{path}" must be >= {minimum}')


class AboveMaximum(InvalidInput):
    def __init__(self, path: str, maximum: int) -> None:
        super().__init__(f'"{path}" must be <= {maximum}')


class TooLong(InvalidInput):
    def __init__(self, path: str, max_length: int) -> None:
        super().__init__(f'"{path}" must be at most {max_length} characters')


class Empty(InvalidInput):
    def __init__(self, path: str) -> None:
        super().__init__(f'"{path}" must not be empty')


class PatternMismatch(InvalidInput):
    def __init__(self, path: str, value: str, hint: str) -> None:
        super().__init__(f'"{path}" value {json.dumps(value)} must be formatted as {hint}')


# -- 400: references and business rules ---------------------------------------------------------


class TemplateReferenceNotFound(InvalidInput):
    def __init__(self, template_id: str) -> None:
        super().__init__(f'template "{template_id}" not found')


class TemplateNotServerless(InvalidInput):
    def __init__(self, template_id: str) -> None:
        super().__init__(f'template "{template_id}" is not a serverless template')


class NetworkVolumeReferenceNotFound(InvalidInput):
    def __init__(self, volume_id: str) -> None:
        super().__init__(f'network volume "{volume_id}" not found')


class DuplicateTemplateName(InvalidInput):
    def __init__(self, name: str) -> None:
        super().__init__(f'Template name "{name}" is already in use; template names must be unique')


class TemplateInUse(InvalidInput):
    def __init__(self, template_id: str, endpoint_id: str) -> None:
        super().__init__(
            f'Template "{template_id}" is in use by endpoint {endpoint_id} and cannot be deleted'
        )


class VolumeSizeNotIncreased(InvalidInput):
    def __init__(self, current: int, requested: int) -> None:
        super().__init__(
            f'"size" must be greater than the current size of the network volume ({requested} <= {current})'
        )
