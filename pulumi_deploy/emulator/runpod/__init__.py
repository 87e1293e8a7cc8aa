"""RunPod REST v1 emulator (``/runpod/v1``, client base URL from ``RUNPOD_BASE_URL``)."""

from __future__ import annotations

from typing import ClassVar, cast

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from ..base import VendorEmulator
from .backend import RunpodBackend
from .routes import build_router

__all__ = ["Emulator", "RunpodBackend"]


class Emulator(VendorEmulator):
    name: ClassVar[str] = "runpod"
    prefix: ClassVar[str] = "/runpod/v1"
    base_url_env: ClassVar[str] = "RUNPOD_BASE_URL"

    def create_backend(self) -> RunpodBackend:
        return RunpodBackend()

    @property
    def runpod(self) -> RunpodBackend:
        return cast(RunpodBackend, self.backend)

    def router(self) -> APIRouter:
        return build_router(self.runpod)

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """RunPod v1 errors are ``{"message": "..."}`` with the HTTP status."""
        return JSONResponse({"message": message}, status_code=status, headers=headers)
