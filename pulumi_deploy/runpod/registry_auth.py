"""RunPod ContainerRegistryAuth: a credential for pulling private images (``/v2/registries``).

The API can create, read and delete it, never update it: any change replaces it (a new credential is
created, endpoints and templates that use it move to the new id, then the old one is deleted). The
password is write-only and secret; the API returns only the id and name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output
from pydantic import Field

from ..core.fields import Doc, Replace, Secret, WriteOnly
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from . import api

_NO_UPDATE = "the API cannot update a registry credential"


@dataclass(kw_only=True)
class ContainerRegistryAuthArgs(AdoptableArgs):
    username: Annotated[Input[str], Field(min_length=1), Replace(reason=_NO_UPDATE), WriteOnly()]
    password: Annotated[
        Input[str], Field(min_length=1), Replace(reason=_NO_UPDATE), WriteOnly(), Secret(), Doc("A token or password.")
    ]
    name: Annotated[
        Input[str] | None,
        Field(min_length=1),
        Replace(reason=_NO_UPDATE),
        Doc("Default: the resource name plus a random suffix."),
    ] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        if api.api_version() == "v1":
            yield "name", f"ContainerRegistryAuth {api.needs_version('v2')}"


class ContainerRegistryAuthProvider(api.RestObjectProvider):
    spec: ClassVar[ObjectSpec] = api.object_spec("ContainerRegistryAuth", ContainerRegistryAuthArgs)
    routes_by_version = api.routes("containerregistryauth", "registries")

    def v2_body(self, body: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        return body

    def v2_live(self, wire: dict[str, Any]) -> dict[str, Any]:
        return self.spec.from_wire(wire)


class ContainerRegistryAuth(SpecResource, module="runpod", name="ContainerRegistryAuth"):
    """A RunPod container registry credential (`/v2/registries`); pass its id as an endpoint's `registry`."""

    provider_cls = ContainerRegistryAuthProvider
    username: Output[str]
    password: Output[str]
    name: Output[str]
