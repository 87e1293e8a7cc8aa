"""Emulator of the Cyberun core API (container services), mounted at ``/cyberun/api/v1``.

See COVERAGE.md for the operations, record kinds, settings and deviations.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from pulumi_deploy.emulator.base import VendorEmulator

from . import routes
from .backend import CyberunBackend


class Emulator(VendorEmulator):
    name = "cyberun"
    prefix = "/cyberun/api/v1"
    base_url_env = "CYBERUN_BASE_URL"
    backend: CyberunBackend

    def create_backend(self) -> CyberunBackend:
        return CyberunBackend()

    def router(self) -> APIRouter:
        return routes.router(self.backend)

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        return JSONResponse({"error_message": message}, status_code=status, headers=headers)


__all__ = ["CyberunBackend", "Emulator"]
