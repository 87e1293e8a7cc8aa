"""RunPod serverless Endpoint. ``PATCH /v1/endpoints/{id}`` updates it and may roll workers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output
from pydantic import BeforeValidator, Field

from ..core.fields import Computed, Doc, Normalise, RollsWorkers, Secret, ServerDefault, WriteOnly, as_sorted_set
from ..core.http import ApiClient
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from . import api
from .enums import ComputeType, CpuFlavorId, CudaVersion, DataCenterId, GpuTypeId, ScalerType
from .template import deleted_before_its_replacement


def _csv_or_list(value: Any) -> Any:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value


@dataclass(kw_only=True)
class EndpointArgs(AdoptableArgs):
    template_id: Annotated[Input[str], Field(min_length=1), RollsWorkers(), Doc("Template the workers run.")]
    name: Annotated[
        Input[str] | None,
        Field(min_length=1, max_length=191),
        Normalise(api.strip_flashboot_suffix),
        Doc("Default: the resource name plus a random suffix. A trailing ` -fb` added by RunPod is ignored."),
    ] = None
    gpu_type_ids: Annotated[
        Input[list[Input[GpuTypeId]]] | None,
        Field(min_length=1, max_length=3),
        RollsWorkers(),
        ServerDefault(),
        Doc("Up to three GPU types, in priority order (order matters)."),
    ] = None
    gpu_count: Annotated[Input[int] | None, Field(ge=1), RollsWorkers(), ServerDefault()] = None
    allowed_cuda_versions: Annotated[
        Input[list[Input[CudaVersion]]] | None, Normalise(as_sorted_set), RollsWorkers(), ServerDefault()
    ] = None
    min_cuda_version: Annotated[Input[CudaVersion] | None, RollsWorkers()] = None
    data_center_ids: Annotated[
        Input[list[Input[DataCenterId]]] | Input[str] | None,
        BeforeValidator(_csv_or_list),
        Normalise(as_sorted_set),
        RollsWorkers(),
        ServerDefault(),
        Doc("Data centres workers may run in (a list or a comma string; compared as a set)."),
    ] = None
    network_volume_id: Annotated[Input[str] | None, RollsWorkers()] = None
    network_volume_ids: Annotated[Input[list[Input[str]]] | None, Normalise(as_sorted_set), RollsWorkers()] = None
    workers_min: Annotated[Input[int] | None, Field(ge=0), ServerDefault()] = None
    workers_max: Annotated[
        Input[int] | None,
        Field(ge=0),
        ServerDefault(),
        Doc("RunPod may lower it on idle endpoints; `pulumi up` restores it."),
    ] = None
    idle_timeout: Annotated[Input[int] | None, Field(ge=1, le=3600), ServerDefault(), Doc("Seconds.")] = None
    execution_timeout_ms: Annotated[Input[int] | None, Field(ge=5_000, le=7 * 24 * 3_600_000), ServerDefault()] = None
    scaler_type: Annotated[Input[ScalerType] | None, ServerDefault()] = None
    scaler_value: Annotated[Input[int] | None, Field(ge=1), ServerDefault()] = None
    flashboot: Annotated[Input[bool] | None, WriteOnly()] = None
    compute_type: Annotated[
        Input[ComputeType] | None, WriteOnly(), Doc("Only GPU: REST v1 ignores CPU (runpod-python#545).")
    ] = None
    vcpu_count: Annotated[Input[int] | None, Field(ge=1), WriteOnly()] = None
    cpu_flavor_ids: Annotated[Input[list[Input[CpuFlavorId]]] | None, WriteOnly()] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        lo, hi = values.get("workers_min"), values.get("workers_max")
        if lo is not None and hi is not None and lo > hi:
            yield "workers_min", f"must not exceed workers_max ({lo} > {hi})"
        if values.get("compute_type") == "CPU":
            yield "compute_type", "CPU endpoints cannot be created through RunPod REST v1 (it silently creates GPU)"
        if values.get("network_volume_id") and values.get("network_volume_ids"):
            yield "network_volume_ids", "set network_volume_id or network_volume_ids, not both"


@dataclass(kw_only=True)
class EndpointOutputs:
    version: Annotated[int | None, Computed(), Doc("Increments with every rolling release.")] = None
    user_id: Annotated[str | None, Computed()] = None
    created_at: Annotated[str | None, Computed()] = None
    env: Annotated[dict[str, str] | None, Computed(), Secret(), Doc("The template's environment.")] = None


class EndpointProvider(api.RestObjectProvider):
    spec: ClassVar[ObjectSpec] = api.object_spec("Endpoint", EndpointArgs, EndpointOutputs)
    routes = api.routes("endpoints")

    def name_key(self, name: str) -> str:
        return api.strip_flashboot_suffix(name)

    def transition_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
        # The template's delete would be refused while this endpoint uses it: say so before anything is sent.
        used = olds.get("template_id")
        if isinstance(used, str) and deleted_before_its_replacement(used):
            return [
                (
                    "template_id",
                    f"template {used} is replaced by deleting it first (its `name` is explicit and names are "
                    "unique), but this endpoint uses it and RunPod refuses to delete a template in use: leave "
                    "`name` unset on the template (the new one is then created and this endpoint moved first), "
                    "give it a new name, or point this endpoint at another template first",
                )
            ]
        return []

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        # The safe sequence from RunPod's own tooling: scale to zero, then delete (404 = gone).
        client.request("PATCH", f"/endpoints/{id_}", json=self.spec.to_wire({"workers_min": 0, "workers_max": 0}))
        super().api_delete(client, id_, outs)


class Endpoint(SpecResource, module="runpod", name="Endpoint"):
    """A RunPod serverless endpoint (`/v1/endpoints`)."""

    provider_cls = EndpointProvider
    template_id: Output[str]
    name: Output[str]
    gpu_type_ids: Output[list[str]]
    gpu_count: Output[int]
    allowed_cuda_versions: Output[list[str]]
    min_cuda_version: Output[str | None]
    data_center_ids: Output[list[str]]
    network_volume_id: Output[str | None]
    network_volume_ids: Output[list[str]]
    workers_min: Output[int]
    workers_max: Output[int]
    idle_timeout: Output[int]
    execution_timeout_ms: Output[int]
    scaler_type: Output[str]
    scaler_value: Output[int]
    flashboot: Output[bool | None]
    compute_type: Output[str | None]
    vcpu_count: Output[int | None]
    cpu_flavor_ids: Output[list[str] | None]
    version: Output[int]
    user_id: Output[str]
    created_at: Output[str]
    env: Output[dict[str, str]]

