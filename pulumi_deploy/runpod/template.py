"""RunPod Template: the container image and settings that endpoints run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output
from pydantic import Field

from ..core.errors import InUse, NotFound, PulumiDeployError
from ..core.fields import Computed, Doc, Replace, RollsWorkers, Secret, ServerDefault
from ..core.http import ApiClient
from ..core.provider import AUTONAMED
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from ..core.wait import wait_until
from . import api
from .enums import TemplateCategory

#: RunPod refuses to delete a template for up to ~2 min after its last endpoint let go of it.
RELEASE_TIMEOUT = 300.0


@dataclass(kw_only=True)
class TemplateArgs(AdoptableArgs):
    image_name: Annotated[
        Input[str], Field(min_length=1), RollsWorkers(), Doc("Container image, e.g. `ghcr.io/acme/worker:1.4.2`.")
    ]
    name: Annotated[
        Input[str] | None,
        Field(min_length=1, max_length=191),
        Doc(
            "Unique per account. Default: the resource name plus a random suffix (autonaming), which lets a "
            "replacement be created before the old template is deleted."
        ),
    ] = None
    is_serverless: Annotated[Input[bool] | None, Replace(), ServerDefault(), Doc("Must be true for endpoints.")] = None
    category: Annotated[Input[TemplateCategory] | None, Replace(), ServerDefault()] = None
    container_disk_in_gb: Annotated[Input[int] | None, Field(ge=1), RollsWorkers(), ServerDefault()] = None
    volume_in_gb: Annotated[Input[int] | None, Field(ge=0), ServerDefault()] = None
    volume_mount_path: Annotated[Input[str] | None, ServerDefault()] = None
    docker_start_cmd: Annotated[Input[list[Input[str]]] | None, RollsWorkers(), ServerDefault()] = None
    docker_entrypoint: Annotated[Input[list[Input[str]]] | None, RollsWorkers(), ServerDefault()] = None
    env: Annotated[
        Input[dict[str, Input[str]]] | None,
        RollsWorkers(),
        Secret(),
        ServerDefault(),
        Doc("Environment variables (values may be `{{ RUNPOD_SECRET_name }}` references)."),
    ] = None
    ports: Annotated[
        Input[list[Input[str]]] | None, RollsWorkers(), ServerDefault(), Doc("`port/http` or `port/tcp` entries.")
    ] = None
    container_registry_auth_id: Annotated[Input[str] | None, RollsWorkers()] = None
    is_public: Annotated[Input[bool] | None, ServerDefault()] = None
    readme: Annotated[Input[str] | None, ServerDefault()] = None


@dataclass(kw_only=True)
class TemplateOutputs:
    is_runpod: Annotated[bool | None, Computed()] = None


class TemplateProvider(api.RestObjectProvider):
    spec: ClassVar[ObjectSpec] = api.object_spec("Template", TemplateArgs, TemplateOutputs)
    routes = api.routes("templates")

    def delete_before_replace(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        # Names are unique per account: an explicitly named template must go before its successor.
        return not news.get(AUTONAMED)

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        refusal = self._try_delete(client, id_)
        if refusal is None:
            return
        users = [str(e.get("id")) for e in client.request("GET", "/endpoints") or [] if e.get("templateId") == id_]
        if users:
            raise PulumiDeployError(
                f"{self.describe(outs, id_)} cannot be deleted: {refusal}. RunPod refuses to delete a template "
                f"that an endpoint still uses ({', '.join(users)}). If Pulumi is replacing it, either leave `name` "
                "unset (autonaming lets the new template be created and the endpoint moved before the old one is "
                "deleted), give it a new name, or first point the endpoint at another template."
            )
        # No endpoint uses it any more: RunPod keeps refusing for up to ~2 min after the last one let go
        # (deleted in this same `pulumi destroy`, or moved to a new template). Wait that out, bounded.
        wait_until(
            f"{self.describe(outs, id_)}: RunPod still reports it in use after its last endpoint let go; retrying",
            lambda: self._try_delete(client, id_),
            lambda still_refused: still_refused is None,
            timeout=RELEASE_TIMEOUT,
            describe=lambda still_refused: "deleted" if still_refused is None else "refused (in use)",
        )

    @staticmethod
    def _try_delete(client: ApiClient, id_: str) -> str | None:
        """DELETE the template; None when it is gone, else RunPod's "in use" refusal."""
        try:
            client.request("DELETE", f"/templates/{id_}")
        except NotFound:
            return None
        except InUse as exc:
            return exc.message
        return None


class Template(SpecResource, module="runpod", name="Template"):
    """A RunPod template (`/v1/templates`)."""

    provider_cls = TemplateProvider
    image_name: Output[str]
    name: Output[str]
    is_serverless: Output[bool]
    category: Output[str]
    container_disk_in_gb: Output[int]
    volume_in_gb: Output[int]
    volume_mount_path: Output[str]
    docker_start_cmd: Output[list[str]]
    docker_entrypoint: Output[list[str]]
    env: Output[dict[str, str]]
    ports: Output[list[str]]
    container_registry_auth_id: Output[str | None]
    is_public: Output[bool]
    readme: Output[str]
    is_runpod: Output[bool]
