"""HTTP layer of the TrustGate admin API emulator: parse, call one backend method, serialise."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from .backend import TrustGateBackend
from .errors import InvalidJsonPayload

API = "/api/v1/gateways"


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        raise InvalidJsonPayload() from None


def build_router(backend: TrustGateBackend) -> APIRouter:
    async def authenticate(request: Request) -> None:
        backend.authenticate(request.headers.get("authorization"))

    router = APIRouter(dependencies=[Depends(authenticate)])

    # -- gateways ----------------------------------------------------------------------------

    @router.post(API)
    async def create_gateway(request: Request) -> JSONResponse:
        return JSONResponse(backend.create_gateway(await _body(request)), status_code=201)

    @router.get(API)
    async def list_gateways(offset: str | None = None, limit: str | None = None) -> JSONResponse:
        return JSONResponse(backend.list_gateways(offset, limit))

    @router.get(API + "/{gateway_id}")
    async def get_gateway(gateway_id: str) -> JSONResponse:
        return JSONResponse(backend.get_gateway(gateway_id))

    @router.put(API + "/{gateway_id}")
    async def update_gateway(gateway_id: str, request: Request) -> Response:
        backend.update_gateway(gateway_id, await _body(request))
        return Response(status_code=204)

    @router.delete(API + "/{gateway_id}")
    async def delete_gateway(gateway_id: str) -> Response:
        backend.delete_gateway(gateway_id)
        return Response(status_code=204)

    # -- upstreams ---------------------------------------------------------------------------

    @router.post(API + "/{gateway_id}/upstreams")
    async def create_upstream(gateway_id: str, request: Request) -> JSONResponse:
        return JSONResponse(backend.create_upstream(gateway_id, await _body(request)), status_code=201)

    @router.get(API + "/{gateway_id}/upstreams")
    async def list_upstreams(
        gateway_id: str, offset: str | None = None, limit: str | None = None
    ) -> JSONResponse:
        return JSONResponse(backend.list_upstreams(gateway_id, offset, limit))

    @router.get(API + "/{gateway_id}/upstreams/{upstream_id}")
    async def get_upstream(gateway_id: str, upstream_id: str) -> JSONResponse:
        return JSONResponse(backend.get_upstream(gateway_id, upstream_id))

    @router.put(API + "/{gateway_id}/upstreams/{upstream_id}")
    async def update_upstream(gateway_id: str, upstream_id: str, request: Request) -> JSONResponse:
        return JSONResponse(backend.update_upstream(gateway_id, upstream_id, await _body(request)))

    @router.delete(API + "/{gateway_id}/upstreams/{upstream_id}")
    async def delete_upstream(gateway_id: str, upstream_id: str) -> Response:
        backend.delete_upstream(gateway_id, upstream_id)
        return Response(status_code=204)

    # -- services ----------------------------------------------------------------------------

    @router.post(API + "/{gateway_id}/services")
    async def create_service(gateway_id: str, request: Request) -> JSONResponse:
        return JSONResponse(backend.create_service(gateway_id, await _body(request)), status_code=201)

    @router.get(API + "/{gateway_id}/services")
    async def list_services(gateway_id: str) -> JSONResponse:
        return JSONResponse(backend.list_services(gateway_id))

    @router.get(API + "/{gateway_id}/services/{service_id}")
    async def get_service(gateway_id: str, service_id: str) -> JSONResponse:
        return JSONResponse(backend.get_service(gateway_id, service_id))

    @router.put(API + "/{gateway_id}/services/{service_id}")
    async def update_service(gateway_id: str, service_id: str, request: Request) -> JSONResponse:
        return JSONResponse(backend.update_service(gateway_id, service_id, await _body(request)))

    @router.delete(API + "/{gateway_id}/services/{service_id}")
    async def delete_service(gateway_id: str, service_id: str) -> Response:
        backend.delete_service(gateway_id, service_id)
        return Response(status_code=204)

    return router
