"""RunPod Template: the container image and settings that endpoints start from.

``/v2/templates`` (default) or ``/v1/templates``. On REST v2 an endpoint applies its template once, at
creation: a later template edit does not reach endpoints made from it, and the preview says so.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output
from pydantic import Field

from ..core import bookkeeping, env_names, log
from ..core.errors import InUse, NotFound, PulumiDeployError
from ..core.fields import Computed, Doc, RollsWorkers, Secret, ServerDefault
from ..core.http import ApiClient
from ..core.request import JsonObject
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from ..core.wait import wait_until
from . import api
from .enums import TemplateCategory


@dataclass(frozen=True)
class ReachesEndpoints(RollsWorkers):
    """A setting endpoints start from. REST v1 endpoints follow their template, so a change rolls their
    workers; REST v2 applies a template to an endpoint once, so a change reaches only endpoints created
    (or pointed at the template) later -- the preview says which."""

    description: str = (
        "on REST v1 changing it rolls the workers of endpoints using the template; on REST v2 it reaches only "
        "endpoints created from the template later (set the container settings on the Endpoint instead)"
    )

    def preview_note(self, names: Sequence[str]) -> str:
        if api.api_version() == "v1":
            return super().preview_note(names)
        return (
            f"changing {', '.join(names)} does not reach endpoints already created from this template "
            "(REST v2 applies a template once); set those settings on the Endpoint to roll its workers"
        )


#: The policy of the template fields REST v2 does not have.
V1_ONLY = api.OnlyOn("v1")
#: REST v1's template update does not take it; v2's PATCH does.
V1_REPLACES = api.ReplacedOn(reason="its template update does not accept it")

#: RunPod refuses to delete a template for up to ~2 min after its last endpoint let go of it.
RELEASE_TIMEOUT = 300.0


@dataclass(kw_only=True)
class TemplateArgs(AdoptableArgs):
    image_name: Annotated[
        Input[str], Field(min_length=1), ReachesEndpoints(), Doc("Container image, e.g. `ghcr.io/acme/worker:1.4.2`.")
    ]
    name: Annotated[
        Input[str] | None,
        Field(min_length=1, max_length=191),
        Doc(
            "Unique per account. Default: the resource name plus a random suffix (autonaming), which lets a "
            "replacement be created before the old template is deleted."
        ),
    ] = None
    is_serverless: Annotated[Input[bool] | None, V1_REPLACES, ServerDefault(), Doc("Must be true for endpoints.")] = (
        None
    )
    category: Annotated[Input[TemplateCategory] | None, V1_REPLACES, ServerDefault()] = None
    container_disk_in_gb: Annotated[Input[int] | None, Field(ge=1), ReachesEndpoints(), ServerDefault()] = None
    volume_in_gb: Annotated[Input[int] | None, Field(ge=0), ServerDefault()] = None
    volume_mount_path: Annotated[Input[str] | None, ServerDefault()] = None
    docker_start_cmd: Annotated[Input[Sequence[Input[str]]] | None, ReachesEndpoints(), ServerDefault()] = None
    docker_entrypoint: Annotated[Input[Sequence[Input[str]]] | None, V1_ONLY, ReachesEndpoints(), ServerDefault()] = (
        None
    )
    env: Annotated[
        Input[dict[str, Input[str]]] | None,
        ReachesEndpoints(),
        Secret(values="*"),
        ServerDefault(),
        Doc("Environment variables (values may be `{{ RUNPOD_SECRET_name }}` references)."),
    ] = None
    ports: Annotated[
        Input[Sequence[Input[str]]] | None,
        ReachesEndpoints(),
        ServerDefault(),
        Doc("`port/http` or `port/tcp` entries."),
    ] = None
    container_registry_auth_id: Annotated[Input[str] | None, ReachesEndpoints()] = None
    is_public: Annotated[Input[bool] | None, ServerDefault()] = None
    readme: Annotated[Input[str] | None, V1_ONLY, ServerDefault()] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        yield from env_names.problems("env", values.get("env") or {})


#: The smallest persistent volume (GB) REST v2 accepts on a template.
V2_MIN_VOLUME = 10


@dataclass(kw_only=True)
class TemplateOutputs:
    is_runpod: Annotated[bool | None, Computed()] = None


class TemplateProvider(api.RestObjectProvider):
    spec: ClassVar[ObjectSpec] = api.object_spec("Template", TemplateArgs, TemplateOutputs)
    routes_by_version = api.routes("templates", "templates")

    def transition_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
        old, new = olds.get("volume_in_gb"), news.get("volume_in_gb")
        if api.api_version() != "v2":
            return []
        # Judged on what will be sent (a creation, a change): a template made on v1 stays usable under v2.
        mount_changed = news.get("volume_mount_path") != olds.get("volume_mount_path")
        if isinstance(new, int) and new != old and 0 < new < V2_MIN_VOLUME:
            return [
                (
                    "volume_in_gb",
                    f"a REST v2 persistent volume is at least {V2_MIN_VOLUME} GB, or 0 for none (got {new})",
                )
            ]
        if mount_changed and news.get("volume_mount_path") and not new:
            return [("volume_mount_path", "REST v2 sends a mount path with its volume: set volume_in_gb too")]
        if isinstance(old, int | float) and old > 0 and new == 0:
            return [
                (
                    "volume_in_gb",
                    f"REST v2 cannot remove a template's persistent volume ({int(old)} GB -> 0: its PATCH leaves "
                    "the mount as it is); keep it, or replace the template (`pulumi up --replace <its urn>`, "
                    "which deletes the old one)",
                )
            ]
        return []

    def v2_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        out: JsonObject = {}
        for v1, v2 in (("name", "name"), ("imageName", "image"), ("isServerless", "serverless"),
                       ("category", "category"), ("containerDiskInGb", "disk"), ("env", "env"), ("ports", "ports"),
                       ("containerRegistryAuthId", "registry"), ("isPublic", "public")):  # fmt: skip
            if v1 in body:
                out[v2] = body[v1]
        if "dockerStartCmd" in body:
            out["args"] = shlex.join(body["dockerStartCmd"])
        if {"volumeInGb", "volumeMountPath"} & set(body) and values.get("volume_in_gb"):
            path = values.get("volume_mount_path") or "/workspace"
            out["mounts"] = {"persistent": {"size": int(values["volume_in_gb"]), "path": path}}
        return out

    def v2_live(self, wire: JsonObject) -> dict[str, Any]:
        persistent = (wire.get("mounts") or {}).get("persistent") or {}
        flat = {
            "name": wire.get("name"),
            "imageName": wire.get("image"),
            "isServerless": wire.get("serverless"),
            "category": wire.get("category"),
            "containerDiskInGb": wire.get("disk"),
            "env": wire.get("env"),
            "ports": wire.get("ports"),
            "containerRegistryAuthId": wire.get("registry"),
            "isPublic": wire.get("public"),
            "dockerStartCmd": shlex.split(wire["args"]) if wire.get("args") else None,
            "volumeInGb": persistent.get("size", 0),
            "volumeMountPath": persistent.get("path", ""),
        }
        return self.spec.from_wire(flat)

    def delete_before_replace(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        # Names are unique per account: an explicitly named template must go before its successor.
        return not bookkeeping.read(news).autonamed

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        refusal = self._try_delete(client, id_)  # a 404 is raised: core confirms that it means gone
        if refusal is None:
            return
        if api.api_version() == "v1":
            users = [str(e.get("id")) for e in api.items_of(client.request("GET", "/endpoints"))
                     if e.get("templateId") == id_]  # fmt: skip
            if users:
                raise PulumiDeployError(
                    f"{self.describe(outs, id_)} cannot be deleted: {refusal}. RunPod refuses to delete a template "
                    f"that an endpoint still uses ({', '.join(users)}). If Pulumi is replacing it, either leave "
                    "`name` unset (autonaming lets the new template be created and the endpoint moved before the "
                    "old one is deleted), give it a new name, or first point the endpoint at another template."
                )
            holder = "after its last endpoint let go"
        else:
            # A REST v2 endpoint keeps no link to the template it was made from, so v2 cannot say what holds
            # it: a pod made from it, or an endpoint made through REST v1 that still runs it.
            holder = "(a pod using it, or an endpoint made through REST v1: REST v2 does not say which)"
        # RunPod keeps refusing for up to ~2 min after the last user let go (deleted in this same
        # `pulumi destroy`, or moved to a new template). Wait that out, bounded, and say so at once: the
        # retry that follows may succeed before any progress line would be printed.
        what = f"{self.describe(outs, id_)}: RunPod still reports it in use {holder}"
        log.info(f"{what}; retrying for up to {RELEASE_TIMEOUT:.0f}s")
        wait_until(
            f"{what}; retrying",
            lambda: self._delete_again(client, id_),
            lambda still_refused: still_refused is None,
            timeout=RELEASE_TIMEOUT,
            describe=lambda still_refused: "deleted" if still_refused is None else "refused (in use)",
        )

    @staticmethod
    def _try_delete(client: ApiClient, id_: str) -> str | None:
        """DELETE the template; None when it is deleted, else RunPod's "in use" refusal."""
        try:
            client.request("DELETE", f"/templates/{id_}")  # the same path on both versions
        except InUse as exc:
            return exc.message
        return None

    def _delete_again(self, client: ApiClient, id_: str) -> str | None:
        try:
            return self._try_delete(client, id_)
        except NotFound:  # deleted meanwhile: the API that refused it a moment ago says so
            return None


class Template(SpecResource, module="runpod", name="Template"):
    """A RunPod template (`/v2/templates`, or `/v1/templates` with `runpod:apiVersion=v1`)."""

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
