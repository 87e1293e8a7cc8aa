"""HTTP layer of the NeMo models v2 emulator: parse, call one backend method, serialise.

Mounted under ``/nemo``; paths are the service's ``/apis/models/v2/workspaces/{workspace}/...``, plus
the few entities routes (workspaces, projects) models v2 depends on. Bodies are passed to the backend
raw, so validation errors come out in FastAPI's exact shape. Every models route that touches the
workspace's entities answers an unknown workspace with the service's 500 "Failed to <operation>".
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from . import errors, schemas
from .backend import NemoBackend

BASE = "/apis/models/v2/workspaces/{workspace}"
ENTITIES = "/apis/entities/v2/workspaces"


def _json(content: Any, status: int = 200) -> Response:
    return JSONResponse(content, status_code=status)


def build_router(backend: NemoBackend) -> APIRouter:
    def authenticate(request: Request) -> None:
        workspace = request.path_params.get("workspace") or request.path_params.get("name")
        backend.authenticate(request.headers.get("authorization"), workspace)

    router = APIRouter(dependencies=[Depends(authenticate)], tags=["nemo"])
    for part in (models_router(backend), entities_router(backend)):
        for route in part.routes:  # flat, so that every route is a plain APIRoute with the auth dependency
            assert isinstance(route, APIRoute)
            router.add_api_route(route.path, route.endpoint, methods=sorted(route.methods or ()), name=route.name)
    return router


def entities_router(backend: NemoBackend) -> APIRouter:
    router = APIRouter(prefix=ENTITIES)

    @router.get("")
    async def list_workspaces() -> Response:
        data = list(backend.entities.workspaces.values())
        return _json({"data": data, "pagination": _one_page(len(data)), "sort": "-created_at", "filter": None})

    @router.post("")
    async def create_workspace(request: Request) -> Response:
        body = _named_body(await request.body())
        if problems := schemas.name_errors(str(body["name"])):  # the name rule of configs and deployments
            raise errors.ValidationFailed(problems)
        with backend.lock:
            return _json(backend.entities.add_workspace(body["name"], body.get("description")), 201)

    @router.get("/{name}")
    async def get_workspace(name: str) -> Response:
        with backend.lock:
            return _json(backend.entities.get_workspace(name))

    @router.get("/{workspace}/projects")
    async def list_projects(workspace: str) -> Response:
        with backend.lock:
            data = backend.entities.list_projects(workspace)
        return _json({"data": data, "pagination": _one_page(len(data)), "sort": "-created_at", "filter": None})

    @router.post("/{workspace}/projects")
    async def create_project(workspace: str, request: Request) -> Response:
        body = _named_body(await request.body())
        with backend.lock:
            return _json(backend.entities.add_project(workspace, body["name"], body.get("description")), 201)

    return router


def _named_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise errors.ValidationFailed(
            [{"type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": body}]
        )
    return body


def _one_page(total: int) -> dict[str, int]:
    return {
        "page": 1,
        "page_size": 100,
        "current_page_size": total,
        "total_pages": 1 if total else 0,
        "total_results": total,
    }


def models_router(backend: NemoBackend) -> APIRouter:
    def known(workspace: str, operation: str) -> None:
        with backend.lock:
            backend.entities.require_workspace(workspace, f"Failed to {operation}")

    router = APIRouter(prefix=BASE)

    # -- deployment configs ------------------------------------------------------------------

    @router.get("/deployment-configs")
    async def list_configs(workspace: str, request: Request) -> Response:
        known(workspace, "list deployment configs")
        return _json(backend.list_configs(workspace, list(request.query_params.multi_items())))

    @router.post("/deployment-configs")
    async def create_config(workspace: str, request: Request) -> Response:
        known(workspace, "create deployment config")
        return _json(backend.create_config(workspace, await request.body()), 201)

    @router.get("/deployment-configs/{name}")
    async def get_config(workspace: str, name: str) -> Response:
        known(workspace, "get deployment config")
        return _json(backend.get_config(workspace, name))

    @router.post("/deployment-configs/{name}")
    async def update_config(workspace: str, name: str, request: Request) -> Response:
        known(workspace, "update deployment config")
        return _json(backend.update_config(workspace, name, await request.body()), 201)

    @router.delete("/deployment-configs/{name}")
    async def delete_config(workspace: str, name: str) -> Response:
        known(workspace, "delete deployment config")
        backend.delete_config(workspace, name)
        return Response(status_code=204)

    @router.get("/deployment-configs/{name}/versions")
    async def list_config_versions(workspace: str, name: str) -> Response:
        known(workspace, "list deployment config versions")
        return _json(backend.list_config_versions(workspace, name))

    @router.get("/deployment-configs/{config}/versions/{name}")
    async def get_config_version(workspace: str, config: str, name: str) -> Response:
        return _json(backend.get_config(workspace, config, name))

    @router.delete("/deployment-configs/{config}/versions/{name}")
    async def delete_config_version(workspace: str, config: str, name: str) -> Response:
        known(workspace, "delete deployment config version")
        backend.delete_config(workspace, config, name)
        return Response(status_code=204)

    # -- deployments -------------------------------------------------------------------------

    @router.get("/deployments")
    async def list_deployments(workspace: str, request: Request) -> Response:
        known(workspace, "list deployments")
        return _json(backend.list_deployments(workspace, list(request.query_params.multi_items())))

    @router.post("/deployments")
    async def create_deployment(workspace: str, request: Request) -> Response:
        known(workspace, "create deployment")
        return _json(backend.create_deployment(workspace, await request.body()), 201)

    @router.get("/deployments/{name}")
    async def get_deployment(workspace: str, name: str) -> Response:
        known(workspace, "get deployment")
        return _json(backend.get_deployment(workspace, name))

    @router.post("/deployments/{name}")
    async def update_deployment(workspace: str, name: str, request: Request) -> Response:
        known(workspace, "update deployment")
        return _json(backend.update_deployment(workspace, name, await request.body()), 201)

    @router.delete("/deployments/{name}")
    async def delete_deployment(workspace: str, name: str) -> Response:
        known(workspace, "delete deployment")
        backend.delete_deployment(workspace, name)
        return _json(None, 202)

    @router.post("/deployments/{name}/status")
    async def update_deployment_status(
        workspace: str, name: str, request: Request, version: str | None = None
    ) -> Response:
        known(workspace, "update deployment status")
        return _json(backend.update_deployment_status(workspace, name, await request.body(), version))

    @router.get("/deployments/{name}/models")
    async def deployment_models(workspace: str, name: str) -> Response:
        known(workspace, "get deployment models")
        return _json(backend.deployment_models(workspace, name))

    @router.get("/deployments/{name}/versions")
    async def list_deployment_versions(workspace: str, name: str) -> Response:
        known(workspace, "list deployment versions")
        return _json(backend.list_deployment_versions(workspace, name))

    @router.get("/deployments/{deployment}/versions/{name}")
    async def get_deployment_version(workspace: str, deployment: str, name: str) -> Response:
        return _json(backend.get_deployment(workspace, deployment, name))

    @router.delete("/deployments/{deployment}/versions/{name}")
    async def delete_deployment_version(workspace: str, deployment: str, name: str) -> Response:
        backend.delete_deployment(workspace, deployment, name)
        return _json(None, 202)

    return router


def detail_body(status: int, message: str) -> dict[str, Any]:
    """``{"detail": ...}``: FastAPI's list for request validation (422), otherwise the string."""
    if status == 422 and message.startswith("["):
        try:
            return {"detail": json.loads(message)}
        except ValueError:
            pass
    return {"detail": message}
