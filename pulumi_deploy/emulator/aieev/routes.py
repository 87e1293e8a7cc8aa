"""HTTP layer of the Aieev External API: parse, call one backend method, serialise."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request

from .backend import AieevBackend

Auth = Header(default=None, alias="Authorization")


def build_router(backend: AieevBackend) -> APIRouter:
    router = APIRouter()

    @router.get("/me")
    async def me(authorization: str | None = Auth) -> dict[str, Any]:
        return backend.me(authorization)

    @router.get("/endpoints")
    async def list_endpoints(request: Request, authorization: str | None = Auth) -> dict[str, Any]:
        return backend.list_endpoints(authorization, dict(request.query_params))

    @router.get("/endpoints/{endpoint_id}")
    async def get_endpoint(endpoint_id: str, authorization: str | None = Auth) -> dict[str, Any]:
        return backend.get_endpoint(authorization, endpoint_id)

    @router.patch("/endpoints/{endpoint_id}")
    async def patch_endpoint(
        endpoint_id: str, request: Request, authorization: str | None = Auth
    ) -> dict[str, Any]:
        raw = await request.body()
        return backend.patch_endpoint(authorization, endpoint_id, raw)

    @router.post("/endpoints/{endpoint_id}/start")
    async def start_endpoint(endpoint_id: str, authorization: str | None = Auth) -> dict[str, Any]:
        return backend.start_endpoint(authorization, endpoint_id)

    @router.post("/endpoints/{endpoint_id}/stop")
    async def stop_endpoint(endpoint_id: str, authorization: str | None = Auth) -> dict[str, Any]:
        return backend.stop_endpoint(authorization, endpoint_id)

    @router.post("/endpoints/{endpoint_id}/scale")
    async def scale_endpoint(
        endpoint_id: str, request: Request, authorization: str | None = Auth
    ) -> dict[str, Any]:
        raw = await request.body()
        return backend.scale_endpoint(authorization, endpoint_id, raw)

    @router.get("/endpoints/{endpoint_id}/replicas")
    async def list_replicas(endpoint_id: str, authorization: str | None = Auth) -> list[dict[str, Any]]:
        return backend.list_replicas(authorization, endpoint_id)

    @router.get("/endpoints/{endpoint_id}/logs")
    async def list_log_files(
        endpoint_id: str, request: Request, authorization: str | None = Auth
    ) -> list[dict[str, Any]]:
        return backend.list_log_files(authorization, endpoint_id, dict(request.query_params))

    @router.get("/endpoints/{endpoint_id}/logs/file")
    async def get_log_file(
        endpoint_id: str, request: Request, authorization: str | None = Auth
    ) -> dict[str, Any]:
        return backend.get_log_file(authorization, endpoint_id, dict(request.query_params))

    return router
