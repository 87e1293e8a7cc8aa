"""RunPod NetworkVolume: persistent storage in one data centre; it can grow, never shrink."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output
from pydantic import Field

from ..core.fields import Doc, Replace
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from . import api
from .enums import DataCenterId


@dataclass(kw_only=True)
class NetworkVolumeArgs(AdoptableArgs):
    size: Annotated[Input[int], Field(ge=1, le=4000), Doc("GB; can be increased, never decreased.")]
    data_center_id: Annotated[Input[DataCenterId], Replace(reason="a volume cannot move between data centres")]
    name: Annotated[Input[str] | None, Field(min_length=1), Doc("Default: the resource name plus a random suffix.")] = (
        None
    )


class NetworkVolumeProvider(api.RestObjectProvider):
    spec: ClassVar[ObjectSpec] = api.object_spec("NetworkVolume", NetworkVolumeArgs)
    routes = api.routes("networkvolumes")

    def transition_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
        old, new = olds.get("size"), news.get("size")
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
    """A RunPod network volume (`/v1/networkvolumes`)."""

    provider_cls = NetworkVolumeProvider
    size: Output[int]
    data_center_id: Output[str]
    name: Output[str]
