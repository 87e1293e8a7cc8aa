"""NVIDIA NeMo Platform models v2 emulator (deployment configs and deployments).

Mounted at ``/nemo``; the client's ``NEMO_BASE_URL`` is the platform root (``.../nemo``) and calls
``/apis/models/v2/workspaces/{workspace}/...`` under it. See COVERAGE.md.
"""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from ..base import VendorEmulator
from .backend import NemoBackend
from .routes import build_router, detail_body

__all__ = ["Emulator", "NemoBackend"]


class Emulator(VendorEmulator):
    name = "nemo"
    prefix = "/nemo"
    base_url_env = "NEMO_BASE_URL"
    validation_status = 422

    def create_backend(self) -> NemoBackend:
        return NemoBackend()

    def router(self) -> APIRouter:
        return build_router(cast(NemoBackend, self.backend))

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        return JSONResponse(detail_body(status, message), status_code=status, headers=headers)
