"""Cyberun HTTP surface: parse, call one backend method, serialise.

No ``from __future__ import annotations`` here: FastAPI must resolve the local ``Auth`` alias.
"""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response

from .auth import Caller
from .backend import CyberunBackend
from .errors import InvalidBody, NotFound


def router(backend: CyberunBackend) -> APIRouter:
    def caller(
        authorization: Annotated[str | None, Header()] = None,
        x_team_id: Annotated[str | None, Header()] = None,
    ) -> Caller:
        return backend.authenticate(authorization, x_team_id)

    api = APIRouter()
    Auth = Annotated[Caller, Depends(caller)]

    # -- containers (management) -----------------------------------------------------------

    @api.post("/containers", status_code=201)
    async def create_container(request: Request, who: Auth) -> dict[str, Any]:
        return backend.create_container(who, await _json(request))

    @api.get("/containers")
    async def list_containers(who: Auth, current_page: str | None = None, per_page: str | None = None) -> Any:
        return backend.list_containers(who, current_page, per_page)

    @api.get("/containers/{service_id}")
    async def get_container(service_id: str, who: Auth) -> dict[str, Any]:
        return backend.get_container(who, service_id)

    @api.put("/containers/{service_id}")
    async def update_container(service_id: str, request: Request, who: Auth) -> dict[str, Any]:
        return backend.update_container(who, service_id, await _json(request))

    @api.delete("/containers/{service_id}", status_code=204)
    async def delete_container(service_id: str, who: Auth) -> Response:
        backend.delete_container(who, service_id)
        return Response(status_code=204)

    @api.post("/containers/{service_id}/deploy")
    async def deploy_container(service_id: str, who: Auth) -> dict[str, Any]:
        return backend.deploy_container(who, service_id)

    @api.post("/containers/{service_id}/undeploy")
    async def undeploy_container(service_id: str, who: Auth) -> dict[str, Any]:
        return backend.undeploy_container(who, service_id)

    # -- containers (runtime) --------------------------------------------------------------

    @api.get("/r/containers")
    async def runtime_list(who: Auth, current_page: str | None = None, per_page: str | None = None) -> Any:
        return backend.list_containers(who, current_page, per_page)

    @api.get("/r/containers/{service_slug}")
    async def runtime_get(service_slug: str, who: Auth) -> dict[str, Any]:
        return backend.get_container_by_slug(who, service_slug)

    # -- credentials (API keys; JWT only) --------------------------------------------------

    @api.post("/credentials", status_code=201)
    async def create_credential(request: Request, who: Auth) -> dict[str, Any]:
        return backend.create_credential(who, await _json(request))

    @api.get("/credentials")
    async def list_credentials(
        who: Auth, current_page: str | None = None, per_page: str | None = None, kind: str | None = None
    ) -> Any:
        return backend.list_credentials(who, current_page, per_page, kind)

    @api.delete("/credentials/{credential_id}", status_code=204)
    async def revoke_credential(credential_id: str, who: Auth) -> Response:
        backend.revoke_credential(who, credential_id)
        return Response(status_code=204)

    # -- anything else: the vendor's 404 body, not FastAPI's --------------------------------

    @api.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def unknown(path: str) -> JSONResponse:
        raise NotFound()

    return api


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise InvalidBody("malformed JSON") from None
