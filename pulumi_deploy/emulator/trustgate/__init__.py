"""Emulator of the NeuralTrust TrustGate v1.x admin API (swagger v1.6.10), mounted at ``/trustgate``.

``TRUSTGATE_BASE_URL`` is the admin server root (``.../trustgate``); routes are ``/api/v1/...`` below
it. See ``COVERAGE.md`` for the implemented operations, record shapes and deviations.
"""

from __future__ import annotations

from typing import ClassVar

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from pulumi_deploy.emulator.base import VendorEmulator

from .backend import TrustGateBackend
from .routes import build_router

__all__ = ["Emulator", "TrustGateBackend"]


class Emulator(VendorEmulator):
    name: ClassVar[str] = "trustgate"
    prefix: ClassVar[str] = "/trustgate"
    base_url_env: ClassVar[str] = "TRUSTGATE_BASE_URL"
    #: FastAPI's own validation never runs here (bodies are bound by the backend), but if it did,
    #: the real server's bind errors are 400.
    validation_status: ClassVar[int] = 400

    backend: TrustGateBackend

    def create_backend(self) -> TrustGateBackend:
        return TrustGateBackend()

    def router(self) -> APIRouter:
        return build_router(self.backend)

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """Every TrustGate error body is ``{"error": "<message>"}``."""
        return JSONResponse({"error": message}, status_code=status, headers=headers)
