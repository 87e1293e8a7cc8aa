"""RunPod REST v1 routes (mounted at ``/runpod/v1``): parse, call one backend method, serialise."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from .backend import RunpodBackend
from .errors import InvalidJson


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise InvalidJson() from None


def build_router(backend: RunpodBackend) -> APIRouter:
    async def bearer(authorization: str | None = Header(default=None)) -> None:
        backend.authenticate(authorization)

    router = APIRouter(dependencies=[Depends(bearer)])

    # -- endpoints -------------------------------------------------------------------------------

    @router.post("/endpoints")
    async def create_endpoint(request: Request) -> JSONResponse:
        return JSONResponse(backend.create_endpoint(await _json_body(request)))

    @router.get("/endpoints")
    async def list_endpoints(
        includeTemplate: str | None = None, includeWorkers: str | None = None
    ) -> JSONResponse:
        return JSONResponse(backend.list_endpoints(includeTemplate, includeWorkers))

    @router.get("/endpoints/{endpoint_id}")
    async def get_endpoint(
        endpoint_id: str, includeTemplate: str | None = None, includeWorkers: str | None = None
    ) -> JSONResponse:
        return JSONResponse(backend.get_endpoint(endpoint_id, includeTemplate, includeWorkers))

    @router.patch("/endpoints/{endpoint_id}")
    @router.post("/endpoints/{endpoint_id}/update")
    async def update_endpoint(endpoint_id: str, request: Request) -> JSONResponse:
        return JSONResponse(backend.update_endpoint(endpoint_id, await _json_body(request)))

    @router.delete("/endpoints/{endpoint_id}", status_code=204)
    async def delete_endpoint(endpoint_id: str) -> Response:
        backend.delete_endpoint(endpoint_id)
        return Response(status_code=204)

    # -- templates -------------------------------------------------------------------------------

    @router.post("/templates")
    async def create_template(request: Request) -> JSONResponse:
        return JSONResponse(backend.create_template(await _json_body(request)))

    @router.get("/templates")
    async def list_templates(
        includeEndpointBoundTemplates: str | None = None,
        includePublicTemplates: str | None = None,
        includeRunpodTemplates: str | None = None,
    ) -> JSONResponse:
        flags = (includeEndpointBoundTemplates, includePublicTemplates, includeRunpodTemplates)
        return JSONResponse(backend.list_templates(*flags))

    @router.get("/templates/{template_id}")
    async def get_template(
        template_id: str,
        includeEndpointBoundTemplates: str | None = None,
        includePublicTemplates: str | None = None,
        includeRunpodTemplates: str | None = None,
    ) -> JSONResponse:
        flags = (includeEndpointBoundTemplates, includePublicTemplates, includeRunpodTemplates)
        return JSONResponse(backend.get_template(template_id, *flags))

    @router.patch("/templates/{template_id}")
    @router.post("/templates/{template_id}/update")
    async def update_template(template_id: str, request: Request) -> JSONResponse:
        return JSONResponse(backend.update_template(template_id, await _json_body(request)))

    @router.delete("/templates/{template_id}", status_code=204)
    async def delete_template(template_id: str) -> Response:
        backend.delete_template(template_id)
        return Response(status_code=204)

    # -- network volumes -------------------------------------------------------------------------

    @router.post("/networkvolumes")
    async def create_network_volume(request: Request) -> JSONResponse:
        return JSONResponse(backend.create_network_volume(await _json_body(request)))

    @router.get("/networkvolumes")
    async def list_network_volumes() -> JSONResponse:
        return JSONResponse(backend.list_network_volumes())

    @router.get("/networkvolumes/{volume_id}")
    async def get_network_volume(volume_id: str) -> JSONResponse:
        return JSONResponse(backend.get_network_volume(volume_id))

    @router.patch("/networkvolumes/{volume_id}")
    @router.post("/networkvolumes/{volume_id}/update")
    async def update_network_volume(volume_id: str, request: Request) -> JSONResponse:
        return JSONResponse(backend.update_network_volume(volume_id, await _json_body(request)))

    @router.delete("/networkvolumes/{volume_id}", status_code=204)
    async def delete_network_volume(volume_id: str) -> Response:
        backend.delete_network_volume(volume_id)
        return Response(status_code=204)

    return router
