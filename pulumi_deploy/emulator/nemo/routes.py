"""HTTP layer of the NeMo models v2 emulator: parse, call one backend method, serialise.

Mounted under ``/nemo``; paths are the service's ``/apis/models/v2/workspaces/{workspace}/...``.
Bodies are passed to the backend raw, so validation errors come out in FastAPI's exact shape.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from .backend import NemoBackend

BASE = "/apis/models/v2/workspaces/{workspace}"


def _json(content: Any, status: int = 200) -> Response:
    return JSONResponse(content, status_code=status)


def build_router(backend: NemoBackend) -> APIRouter:
    def authenticate(request: Request) -> None:
        backend.authenticate(request.headers.get("authorization"))

    router = APIRouter(prefix=BASE, dependencies=[Depends(authenticate)], tags=["nemo"])

    # -- deployment configs ------------------------------------------------------------------

    @router.get("/deployment-configs")
    async def list_configs(workspace: str, request: Request) -> Response:
        return _json(backend.list_configs(workspace, list(request.query_params.multi_items())))

    @router.post("/deployment-configs")
    async def create_config(workspace: str, request: Request) -> Response:
        return _json(backend.create_config(workspace, await request.body()), 201)

    @router.get("/deployment-configs/{name}")
    async def get_config(workspace: str, name: str) -> Response:
        return _json(backend.get_config(workspace, name))

    @router.post("/deployment-configs/{name}")
    async def update_config(workspace: str, name: str, request: Request) -> Response:
        return _json(backend.update_config(workspace, name, await request.body()), 201)

    @router.delete("/deployment-configs/{name}")
    async def delete_config(workspace: str, name: str) -> Response:
        backend.delete_config(workspace, name)
        return Response(status_code=204)

    @router.get("/deployment-configs/{name}/versions")
    async def list_config_versions(workspace: str, name: str) -> Response:
        return _json(backend.list_config_versions(workspace, name))

    @router.get("/deployment-configs/{config}/versions/{name}")
    async def get_config_version(workspace: str, config: str, name: str) -> Response:
        return _json(backend.get_config(workspace, config, name))

    @router.delete("/deployment-configs/{config}/versions/{name}")
    async def delete_config_version(workspace: str, config: str, name: str) -> Response:
        backend.delete_config(workspace, config, name)
        return Response(status_code=204)

    # -- deployments -------------------------------------------------------------------------

    @router.get("/deployments")
    async def list_deployments(workspace: str, request: Request) -> Response:
        return _json(backend.list_deployments(workspace, list(request.query_params.multi_items())))

    @router.post("/deployments")
    async def create_deployment(workspace: str, request: Request) -> Response:
        return _json(backend.create_deployment(workspace, await request.body()), 201)

    @router.get("/deployments/{name}")
    async def get_deployment(workspace: str, name: str) -> Response:
        return _json(backend.get_deployment(workspace, name))

    @router.post("/deployments/{name}")
    async def update_deployment(workspace: str, name: str, request: Request) -> Response:
        return _json(backend.update_deployment(workspace, name, await request.body()), 201)

    @router.delete("/deployments/{name}")
    async def delete_deployment(workspace: str, name: str) -> Response:
        backend.delete_deployment(workspace, name)
        return _json(None, 202)

    @router.post("/deployments/{name}/status")
    async def update_deployment_status(
        workspace: str, name: str, request: Request, version: str | None = None
    ) -> Response:
        return _json(backend.update_deployment_status(workspace, name, await request.body(), version))

    @router.get("/deployments/{name}/models")
    async def deployment_models(workspace: str, name: str) -> Response:
        return _json(backend.deployment_models(workspace, name))

    @router.get("/deployments/{name}/versions")
    async def list_deployment_versions(workspace: str, name: str) -> Response:
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
