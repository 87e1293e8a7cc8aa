"""RunPod emulator: REST v2 (``/runpod/v2``, ``RUNPOD_BASE_URL``: the client's default version) and
REST v1 (``/runpod/v1``, ``RUNPOD_V1_BASE_URL``), two views of one account -- one backend, the same objects and ids.

Both views are the vendor ``runpod`` in the control API (call log, faults, latency, inventory,
settings, reset); v2 calls are logged (and matched by fault ``path`` regexes) with their version,
e.g. ``/v2/serverless``, v1 calls without it (``/endpoints``), as they always were.
"""

from __future__ import annotations

from typing import ClassVar, cast

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from ..base import EmulatorBackend, VendorEmulator
from . import v2_routes
from .backend import RunpodBackend
from .routes import build_router
from .v2_backend import RunpodV2
from .v2_errors import problem_response

__all__ = ["Emulator", "RunpodBackend", "RunpodV2", "V2View"]


class Emulator(VendorEmulator):
    name: ClassVar[str] = "runpod"
    prefix: ClassVar[str] = "/runpod/v1"
    base_url_env: ClassVar[str] = "RUNPOD_V1_BASE_URL"

    def __init__(self) -> None:
        super().__init__()
        self.v2 = V2View(self.runpod)

    def create_backend(self) -> RunpodBackend:
        return RunpodBackend()

    @property
    def runpod(self) -> RunpodBackend:
        return cast(RunpodBackend, self.backend)

    @property
    def extra_views(self) -> tuple[VendorEmulator, ...]:
        """Further API versions served over this backend (mounted by the app next to v1)."""
        return (self.v2,)

    def router(self) -> APIRouter:
        return build_router(self.runpod)

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """RunPod v1 errors are ``{"message": "..."}`` with the HTTP status."""
        return JSONResponse({"message": message}, status_code=status, headers=headers)


class V2View(VendorEmulator):
    """REST v2 over the backend of an :class:`Emulator` (not a vendor of its own)."""

    name: ClassVar[str] = "runpod"
    prefix: ClassVar[str] = "/runpod/v2"
    base_url_env: ClassVar[str] = "RUNPOD_BASE_URL"
    #: prepended to paths in the call log and fault matching, so v2 calls read ``/v2/...``
    call_log_prefix: ClassVar[str] = "/v2"
    validation_status: ClassVar[int] = 422

    def __init__(self, backend: RunpodBackend) -> None:
        self._shared = backend
        super().__init__()
        self.api = RunpodV2(backend)

    def create_backend(self) -> EmulatorBackend:
        return self._shared

    def router(self) -> APIRouter:
        return v2_routes.build_router(self.api)

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """RFC 9457 problem details (injected faults, 401, errors raised outside a route body)."""
        return problem_response(status, message, headers=headers)
