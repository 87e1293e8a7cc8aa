"""RunPod REST v2 routes (mounted at ``/runpod/v2``): parse, call one ``RunpodV2`` method, serialise.

Successes: 200 with the object, 201 on create, 204 (no body) on delete. Failures: problem
details (``application/problem+json``) rendered here, so that 422s carry ``errors[]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from .v2_backend import RunpodV2
from .v2_errors import Problem, bad_request, problem_response, unauthorized, validation_failed

_INCLUDE = ("AVAILABILITY",)
_GPU_PRODUCTS = ("POD", "CLUSTER", "SERVERLESS")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_request("request body is not valid JSON") from None


def _respond(operation: Callable[[], Any], status: int = 200) -> Response:
    try:
        result = operation()
    except Problem as problem:
        return problem_response(problem.status, problem.message, problem.errors)
    if status == 204:
        return Response(status_code=204)
    return JSONResponse(result, status_code=status)


def _csv(name: str, raw: str | None, allowed: tuple[str, ...]) -> list[str]:
    """A ``style: form, explode: false`` array query parameter (``a,b``) of enum values."""
    values = [v for v in (raw or "").split(",") if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        choices = ", ".join(f'"{a}"' for a in allowed)
        raise validation_failed([f"query.{name}: value must be one of {choices}" for _ in bad])
    return values


def build_router(v2: RunpodV2) -> APIRouter:
    async def bearer(authorization: str | None = Header(default=None)) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized()

    router = APIRouter(dependencies=[Depends(bearer)])

    # -- serverless endpoints --------------------------------------------------------------------

    @router.get("/serverless")
    async def list_endpoints() -> Response:
        return _respond(v2.list_endpoints)

    @router.post("/serverless")
    async def create_endpoint(request: Request) -> Response:
        body = await _json_body(request)
        return _respond(lambda: v2.create_endpoint(body), 201)

    @router.get("/serverless/{endpoint_id}")
    async def get_endpoint(endpoint_id: str) -> Response:
        return _respond(lambda: v2.get_endpoint(endpoint_id))

    @router.patch("/serverless/{endpoint_id}")
    async def update_endpoint(endpoint_id: str, request: Request) -> Response:
        body = await _json_body(request)
        return _respond(lambda: v2.update_endpoint(endpoint_id, body))

    @router.delete("/serverless/{endpoint_id}")
    async def delete_endpoint(endpoint_id: str) -> Response:
        return _respond(lambda: v2.delete_endpoint(endpoint_id), 204)

    @router.get("/serverless/{endpoint_id}/releases")
    async def list_releases(endpoint_id: str) -> Response:
        return _respond(lambda: v2.list_releases(endpoint_id))

    @router.get("/serverless/{endpoint_id}/workers")
    async def list_workers(endpoint_id: str) -> Response:
        return _respond(lambda: v2.list_workers(endpoint_id))

    # -- templates -------------------------------------------------------------------------------

    @router.get("/templates")
    async def list_templates() -> Response:
        return _respond(v2.list_templates)

    @router.post("/templates")
    async def create_template(request: Request) -> Response:
        body = await _json_body(request)
        return _respond(lambda: v2.create_template(body), 201)

    @router.get("/templates/{template_id}")
    async def get_template(template_id: str) -> Response:
        return _respond(lambda: v2.get_template(template_id))

    @router.patch("/templates/{template_id}")
    async def update_template(template_id: str, request: Request) -> Response:
        body = await _json_body(request)
        return _respond(lambda: v2.update_template(template_id, body))

    @router.delete("/templates/{template_id}")
    async def delete_template(template_id: str) -> Response:
        return _respond(lambda: v2.delete_template(template_id), 204)

    # -- network volumes -------------------------------------------------------------------------

    @router.get("/network-volumes")
    async def list_network_volumes() -> Response:
        return _respond(v2.list_network_volumes)

    @router.post("/network-volumes")
    async def create_network_volume(request: Request) -> Response:
        body = await _json_body(request)
        return _respond(lambda: v2.create_network_volume(body), 201)

    @router.get("/network-volumes/{volume_id}")
    async def get_network_volume(volume_id: str) -> Response:
        return _respond(lambda: v2.get_network_volume(volume_id))

    @router.patch("/network-volumes/{volume_id}")
    async def update_network_volume(volume_id: str, request: Request) -> Response:
        body = await _json_body(request)
        return _respond(lambda: v2.update_network_volume(volume_id, body))

    @router.delete("/network-volumes/{volume_id}")
    async def delete_network_volume(volume_id: str) -> Response:
        return _respond(lambda: v2.delete_network_volume(volume_id), 204)

    # -- container registry credentials (no update: the API has none) ----------------------------

    @router.get("/registries")
    async def list_registries() -> Response:
        return _respond(v2.list_registries)

    @router.post("/registries")
    async def create_registry(request: Request) -> Response:
        body = await _json_body(request)
        return _respond(lambda: v2.create_registry(body), 201)

    @router.get("/registries/{registry_id}")
    async def get_registry(registry_id: str) -> Response:
        return _respond(lambda: v2.get_registry(registry_id))

    @router.delete("/registries/{registry_id}")
    async def delete_registry(registry_id: str) -> Response:
        return _respond(lambda: v2.delete_registry(registry_id), 204)

    # -- catalog ---------------------------------------------------------------------------------

    @router.get("/catalog/gpus")
    async def list_gpu_types(include: str | None = None, product: str | None = None) -> Response:
        def run() -> Any:
            products = _csv("product", product, _GPU_PRODUCTS)
            return v2.list_gpu_types(products[0] if products else None, _csv("include", include, _INCLUDE))

        return _respond(run)

    @router.get("/catalog/gpus/{type_id}")
    async def get_gpu_type(type_id: str, include: str | None = None) -> Response:
        return _respond(lambda: v2.get_gpu_type(type_id, _csv("include", include, _INCLUDE)))

    @router.get("/catalog/cpus")
    async def list_cpu_types(include: str | None = None) -> Response:
        return _respond(lambda: v2.list_cpu_types(_csv("include", include, _INCLUDE)))

    @router.get("/catalog/cpus/{flavor_id}")
    async def get_cpu_type(flavor_id: str, include: str | None = None) -> Response:
        return _respond(lambda: v2.get_cpu_type(flavor_id, _csv("include", include, _INCLUDE)))

    @router.get("/catalog/datacenters")
    async def list_data_centers() -> Response:
        return _respond(v2.list_data_centers)

    @router.get("/catalog/datacenters/{dc_id}")
    async def get_data_center(dc_id: str) -> Response:
        return _respond(lambda: v2.get_data_center(dc_id))

    return router
