"""RunPod NetworkVolume: persistent storage in one data centre; it can grow, never shrink.

``/v2/network-volumes`` (default) or ``/v1/networkvolumes``; v2 spells the data centre ``dataCenter``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pulumi import Input, Output
from pydantic import Field

from ..core.fields import Doc, Replace, ServerDefault
from ..core.request import JsonObject
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from . import api
from .enums import DataCenterId

VolumeType = Literal["STANDARD", "HIGH_PERFORMANCE"]
#: The sizes (GB) each REST version accepts for a network volume.
SIZES = {"v1": (1, 4000), "v2": (10, 4096)}


@dataclass(kw_only=True)
class NetworkVolumeArgs(AdoptableArgs):
    size: Annotated[
        Input[int],
        Field(ge=1, le=4096),
        Doc("GB (REST v2: 10 to 4096; v1: 1 to 4000); can be increased, never decreased."),
    ]
    data_center_id: Annotated[Input[DataCenterId], Replace(reason="a volume cannot move between data centres")]
    name: Annotated[Input[str] | None, Field(min_length=1), Doc("Default: the resource name plus a random suffix.")] = (
        None
    )
    type: Annotated[
        Input[VolumeType] | None,
        Replace(reason="a volume's storage type is chosen at creation"),
        ServerDefault(),
        api.OnlyOn("v2"),
        Doc("`STANDARD` or `HIGH_PERFORMANCE` (US data centres); unset, the data centre's default tier."),
    ] = None


class NetworkVolumeProvider(api.RestObjectProvider):
    spec: ClassVar[ObjectSpec] = api.object_spec("NetworkVolume", NetworkVolumeArgs)
    routes_by_version = api.routes("networkvolumes", "network-volumes")

    def v2_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        return {("dataCenter" if k == "dataCenterId" else k): v for k, v in body.items()}

    def v2_live(self, wire: JsonObject) -> dict[str, Any]:
        return self.spec.from_wire({**wire, "dataCenterId": wire.get("dataCenter")})

    def replaced_note(self, olds: dict[str, Any]) -> str | None:
        return "the old volume and the data on it are deleted; the new one starts empty"

    def transition_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
        old, new = olds.get("size"), news.get("size")
        version = api.api_version()
        low, high = SIZES[version]
        # Judged on a size that will be sent (a creation, a change): a volume made on v1 below v2's
        # minimum stays usable under v2.
        if isinstance(new, int) and new != old and not low <= new <= high:
            return [("size", f"a REST {version} network volume is {low} to {high} GB (got {new})")]
        if isinstance(old, int | float) and isinstance(new, int | float) and new < old:
            return [
                (
                    "size",
                    f"a network volume cannot shrink ({int(old)} GB -> {int(new)} GB); data would be lost. "
                    "Create a new volume instead.",
                )
            ]
        return []


class NetworkVolume(SpecResource, module="runpod", name="NetworkVolume"):
    """A RunPod network volume (`/v2/network-volumes`, or `/v1/networkvolumes` with `runpod:apiVersion=v1`)."""

    provider_cls = NetworkVolumeProvider
    size: Output[int]
    data_center_id: Output[str]
    name: Output[str]
    type: Output[str]
