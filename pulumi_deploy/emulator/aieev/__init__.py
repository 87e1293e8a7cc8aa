"""Emulator of the Aieev (AirCloud) External API, mounted at ``/aieev/external/api/v1``."""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from pulumi_deploy.emulator.base import EmulatorBackend, VendorEmulator

from .backend import AieevBackend
from .routes import build_router

__all__ = ["AieevBackend", "Emulator"]


class Emulator(VendorEmulator):
    name = "aieev"
    prefix = "/aieev/external/api/v1"
    base_url_env = "AIEEV_BASE_URL"
    validation_status = 422

    def create_backend(self) -> EmulatorBackend:
        return AieevBackend()

    def router(self) -> APIRouter:
        assert isinstance(self.backend, AieevBackend)
        return build_router(self.backend)

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """``{"detail": "..."}`` (FastAPI); 422 carries the error list; 401 is the gateway's plain text."""
        if status == 401:
            return PlainTextResponse(message, status_code=status, headers=headers)
        detail: object = message
        if status == 422 and message.startswith("["):
            try:
                detail = json.loads(message)
            except ValueError:
                detail = message
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
