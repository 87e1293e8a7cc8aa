"""RunPod serverless Endpoint: ``/v2/serverless`` (default) or ``/v1/endpoints`` (``runpod:apiVersion=v1``).

The fields are declared once, flat, with the names users already write (``workers_max``, ``gpu_type_ids``,
``scaler_type`` ...) plus what only REST v2 offers (``type``, ``gpu_pools``, the container settings on
the endpoint). The declared body is v1's (one camelCase key per field); ``v2_body`` nests it the way v2
wants it (``workers``, ``scaling``, ``gpu``, ``cpu``), and ``v2_live`` flattens a v2 answer back, so both
versions store the same values and a stack moves between them without a diff.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pulumi import Input, Output
from pydantic import BeforeValidator, Field

from ..core import env_names, replacement_order
from ..core.fields import (
    ClearWith,
    Computed,
    Default,
    Doc,
    Local,
    Normalise,
    Policy,
    Replace,
    RollsWorkers,
    Secret,
    ServerDefault,
    as_sorted_set,
)
from ..core.http import ApiClient
from ..core.request import Call, JsonObject
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from . import api, rollout
from .catalog import gpu_selection
from .enums import (
    GPU_TYPE_IDS,
    V1_CUDA_VERSIONS,
    ComputeType,
    CpuFlavorId,
    CudaVersion,
    DataCenterId,
    EndpointType,
    FlashbootMode,
    GpuTypeId,
    ScalerType,
    closest_gpu_types,
)
from .template import TemplateProvider

#: The policy of the fields REST v1 does not have (the container settings live on the template there).
V2_ONLY = api.OnlyOn("v2", instead="on v1 set it on the Template")
#: Sent, and returned by REST v2 only (flashboot, the compute family and the CPU configuration).
V1_WRITE_ONLY = api.WriteOnlyOn("v1")
DEFAULT_QUEUE_DELAY = 4
#: The pool a GPU endpoint created without a GPU selection runs on (v2 requires one at creation).
DEFAULT_GPU_POOL = "AMPERE_24"
DEFAULT_VCPU_COUNT = 2


def _csv_or_list(value: Any) -> Any:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value


def _flashboot_mode(value: Any) -> Any:
    """``flashboot=True/False`` (the v1 spelling) is the mode ``FLASHBOOT``/``OFF``."""
    if isinstance(value, bool):
        return "FLASHBOOT" if value else "OFF"
    return value


@dataclass(kw_only=True)
class EndpointArgs(AdoptableArgs):
    template_id: Annotated[
        Input[str] | None,
        Field(min_length=1),
        RollsWorkers(),
        Doc(
            "Template the workers start from. REST v2 applies it once, at creation (or when it changes): later "
            "edits of the template do not reach the endpoint; set the container settings here to change them"
        ),
    ] = None
    name: Annotated[
        Input[str] | None,
        Field(min_length=1, max_length=191),
        Normalise(api.strip_flashboot_suffix),
        Doc("Default: the resource name plus a random suffix. A trailing ` -fb` added by RunPod is ignored."),
    ] = None
    type: Annotated[
        Input[EndpointType] | None,
        V2_ONLY,
        Replace(reason="the routing type is set at creation; the API does not accept it in an update"),
        ServerDefault(),  # unset: RunPod chooses QUEUE
        Doc("`QUEUE` (default; run/runsync) or `LOAD_BALANCER` (direct HTTP; scales on request count)."),
    ] = None
    gpu_type_ids: Annotated[
        Input[Sequence[Input[GpuTypeId]]] | None,
        Field(min_length=1),
        RollsWorkers(),
        ServerDefault(),
        Doc(
            "GPU types in priority order (known ones: `runpod.GPU_TYPE_IDS`). On REST v2 they become the pools "
            "that hold them (from `/catalog/gpus`), the pools' other types excluded"
        ),
    ] = None
    gpu_pools: Annotated[
        Input[Sequence[Input[str]]] | None,
        V2_ONLY,
        Field(min_length=1),
        RollsWorkers(),
        ServerDefault(),
        Doc("GPU pools (e.g. `AMPERE_24`); instead of `gpu_type_ids`. Neither set: `AMPERE_24`"),
    ] = None
    excluded_gpu_types: Annotated[
        Input[Sequence[Input[GpuTypeId]]] | None,
        V2_ONLY,
        Normalise(as_sorted_set),
        RollsWorkers(),
        ServerDefault(),
        Doc("GPU types of `gpu_pools` not to use (needs `gpu_pools`)."),
    ] = None
    allow_unknown_gpu_types: Annotated[
        Input[bool] | None,
        Local(),
        Doc("Accept GPU type ids this package does not know yet (the catalogue ran ahead of it)."),
    ] = None
    gpu_count: Annotated[Input[int] | None, Field(ge=1), RollsWorkers(), ServerDefault()] = None
    allowed_cuda_versions: Annotated[
        Input[Sequence[Input[CudaVersion]]] | None,
        Normalise(as_sorted_set),
        RollsWorkers(),
        ServerDefault(),
        Doc("Exact host CUDA versions, `major.minor` (REST v1 takes 11.8 to 13.0 only). GPU endpoints only."),
    ] = None
    min_cuda_version: Annotated[
        Input[CudaVersion] | None,
        RollsWorkers(),
        Doc("Lowest host CUDA version, `major.minor`, compared numerically (12.11 is above 12.2). GPU endpoints only."),
    ] = None
    data_center_ids: Annotated[
        Input[Sequence[Input[DataCenterId]]] | Input[str] | None,
        BeforeValidator(_csv_or_list),
        Normalise(as_sorted_set),
        RollsWorkers(),
        ServerDefault(),
        Doc("Data centres workers may run in (a list or a comma string; compared as a set)."),
    ] = None
    network_volume_id: Annotated[Input[str] | None, RollsWorkers(), api.ClearedOn("")] = None
    network_volume_ids: Annotated[
        Input[Sequence[Input[str]]] | None, Normalise(as_sorted_set), RollsWorkers(), api.ClearedOn([])
    ] = None
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
    scaler_value: Annotated[
        Input[float] | None,
        Field(gt=0),
        ServerDefault(),
        Doc("Queue delay in seconds (at least 0.5) for `QUEUE_DELAY`, requests per worker (a whole number >= 1)"),
    ] = None
    flashboot: Annotated[
        Input[bool] | Input[FlashbootMode] | None,
        Normalise(_flashboot_mode),
        V1_WRITE_ONLY,
        ServerDefault(),  # unset: OFF
        Doc("`True`/`False` or, on REST v2, a mode: `OFF`, `FLASHBOOT`, `PRIORITY_FLASHBOOT`"),
    ] = None
    compute_type: Annotated[
        Input[ComputeType] | None,
        Replace(reason="the compute family (GPU or CPU) of an endpoint cannot change"),
        V1_WRITE_ONLY,
        ServerDefault(),  # unset: GPU
        Doc("`CPU` needs REST v2 (v1 silently creates GPU, runpod-python#545)."),
    ] = None
    vcpu_count: Annotated[
        Input[int] | None, Field(ge=2), RollsWorkers(), V1_WRITE_ONLY, ServerDefault(), Doc("A power of two.")
    ] = None
    cpu_flavor_ids: Annotated[
        Input[Sequence[Input[CpuFlavorId]]] | None,
        RollsWorkers(),
        V1_WRITE_ONLY,
        ServerDefault(),
        Doc("CPU flavours of RunPod's catalogue (`cpu3c`, `cpu5g`, ...), each once."),
    ] = None
    image: Annotated[Input[str] | None, Field(min_length=1), V2_ONLY, RollsWorkers(), ServerDefault()] = None
    args: Annotated[Input[str] | None, V2_ONLY, RollsWorkers(), ServerDefault(), Doc("The start command.")] = None
    disk: Annotated[Input[int] | None, Field(ge=1), V2_ONLY, RollsWorkers(), ServerDefault(), Doc("GB.")] = None
    ports: Annotated[Input[Sequence[Input[str]]] | None, V2_ONLY, RollsWorkers(), ServerDefault()] = None
    env: Annotated[
        Input[dict[str, Input[str]]] | None,
        V2_ONLY,
        RollsWorkers(),
        Secret(),
        ServerDefault(),
        Doc("Environment of the workers (merged over the template's at creation)."),
    ] = None
    registry: Annotated[
        Input[str] | None,
        V2_ONLY,
        RollsWorkers(),
        ClearWith(None),
        Doc("A `ContainerRegistryAuth` id, for private images."),
    ] = None
    wait_for_rollout: Annotated[
        Input[bool] | None,
        Local(),
        Default(True),
        Doc("Follow a rolling release until every worker runs the new version (bounded by `rollout_timeout`)."),
    ] = None
    rollout_timeout: Annotated[Input[float] | None, Field(gt=0), Local(), Default(1200.0), Doc("Seconds.")] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        lo, hi = values.get("workers_min"), values.get("workers_max")
        if lo is not None and hi is not None and lo > hi:
            yield "workers_min", f"must not exceed workers_max ({lo} > {hi})"
        if values.get("network_volume_id") and values.get("network_volume_ids"):
            yield "network_volume_ids", "set network_volume_id or network_volume_ids, not both"
        if values.get("allowed_cuda_versions") and values.get("min_cuda_version"):
            yield "min_cuda_version", "set allowed_cuda_versions or min_cuda_version, not both"
        scaler, value = default_scaler(values), values.get("scaler_value")
        if value is not None and scaler == "QUEUE_DELAY" and value < 0.5:
            yield "scaler_value", f"a queue delay must be at least 0.5 seconds (got {value})"
        if value is not None and scaler == "REQUEST_COUNT" and (value < 1 or value != int(value)):
            yield "scaler_value", f"a request count must be a whole number >= 1 (got {value})"
        yield from env_names.problems("env", values.get("env") or {})
        yield from (cls.v2_rules if api.api_version() == "v2" else cls.v1_rules)(values, unknown)

    @classmethod
    def raw_rules(cls, raw: dict[str, Any]) -> Iterable[tuple[str, str]]:
        # Judged on the raw inputs so an unknown GPU is reported beside any other invalid field.
        if raw.get("allow_unknown_gpu_types") is True:
            return
        for name in ("gpu_type_ids", "excluded_gpu_types"):
            listed = raw.get(name)
            for gpu in listed if isinstance(listed, list) else []:
                if isinstance(gpu, str) and gpu not in GPU_TYPE_IDS:
                    near = ", ".join(repr(g) for g in closest_gpu_types(gpu)) or "none"
                    yield (
                        name,
                        f"unknown GPU type {gpu!r} (closest: {near}); "
                        "if RunPod offers it, set allow_unknown_gpu_types=True",
                    )
                    break

    @classmethod
    def v2_rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        """What the REST v2 create/update schemas refuse, judged before any request."""
        if not ({"template_id", "image"} & (set(values) | unknown)):
            yield "image", "set image or template_id (REST v2 needs one of them)"
        cpu = values.get("compute_type") == "CPU"
        gpu_fields = [n for n in ("gpu_type_ids", "gpu_pools", "excluded_gpu_types", "gpu_count") if n in values]
        if cpu and gpu_fields:
            yield gpu_fields[0], "a CPU endpoint takes no GPU selection (compute_type is CPU)"
        # The constraints live in the `gpu` block, which a CPU endpoint has none of: they would not be sent.
        cuda = [n for n in CUDA_CONSTRAINTS if values.get(n)]
        if cpu and cuda:
            yield cuda[0], "a CPU endpoint takes no CUDA constraint (it applies to GPU hosts; compute_type is CPU)"
        count = values.get("vcpu_count")
        if isinstance(count, int) and count & (count - 1):
            yield "vcpu_count", f"must be a power of two (got {count})"
        flavours = values.get("cpu_flavor_ids") or []
        twice = sorted({f for f in flavours if flavours.count(f) > 1})
        if twice:
            yield "cpu_flavor_ids", f"lists {', '.join(repr(f) for f in twice)} more than once"
        cpu_fields = [n for n in ("cpu_flavor_ids", "vcpu_count") if n in values]
        if cpu_fields and not cpu:
            yield cpu_fields[0], "set compute_type='CPU' for CPU flavours"
        if values.get("gpu_type_ids") and values.get("gpu_pools"):
            yield "gpu_pools", "set gpu_pools or gpu_type_ids, not both"
        if values.get("excluded_gpu_types") and not values.get("gpu_pools") and "gpu_pools" not in unknown:
            yield "excluded_gpu_types", "needs gpu_pools (the types are excluded from those pools)"
        kind, scaler = values.get("type") or "QUEUE", values.get("scaler_type")
        if kind == "LOAD_BALANCER" and scaler == "QUEUE_DELAY":
            yield "scaler_type", "a LOAD_BALANCER endpoint scales on REQUEST_COUNT"
        if "idle_timeout" in values and kind == "QUEUE" and scaler == "REQUEST_COUNT":
            yield "idle_timeout", "not applicable to a QUEUE endpoint scaling on REQUEST_COUNT (leave it unset)"

    @classmethod
    def v1_rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        """What REST v1 cannot express."""
        if "template_id" not in values and "template_id" not in unknown:
            yield "template_id", "REST v1 endpoints need a template_id"
        if values.get("compute_type") == "CPU":
            yield "compute_type", "CPU endpoints cannot be created through RunPod REST v1 (it silently creates GPU)"
        span, v2 = f"{V1_CUDA_VERSIONS[-1]} to {V1_CUDA_VERSIONS[0]}", api.needs_version("v2")
        for name in CUDA_CONSTRAINTS:
            given = values.get(name)
            listed = given if isinstance(given, list) else [given] if isinstance(given, str) else []
            other = [v for v in listed if v not in V1_CUDA_VERSIONS]
            if other:
                yield name, f"REST v1 takes CUDA versions {span} only (got {other[0]!r}); another one {v2}"
        if isinstance(values.get("flashboot"), str) and values["flashboot"] == "PRIORITY_FLASHBOOT":
            yield "flashboot", f"PRIORITY_FLASHBOOT {api.needs_version('v2')}"


@dataclass(kw_only=True)
class EndpointOutputs:
    version: Annotated[int | None, Computed(), Doc("Increments with every rolling release.")] = None
    user_id: Annotated[str | None, Computed()] = None
    created_at: Annotated[str | None, Computed()] = None
    request_urls: Annotated[
        dict[str, str] | None, Computed(), Doc("REST v2: `run`, `runSync`, `health`, ...; `openai` base for QUEUE.")
    ] = None
    release_id: Annotated[str | None, Computed(), Doc("REST v2: the endpoint's latest release.")] = None
    release_version: Annotated[int | None, Computed()] = None


class EndpointProvider(api.RestObjectProvider):
    spec: ClassVar[ObjectSpec] = api.object_spec("Endpoint", EndpointArgs, EndpointOutputs)
    routes_by_version = api.routes("endpoints", "serverless")
    finish_description = "follows its rolling release"

    def name_key(self, name: str) -> str:
        return api.strip_flashboot_suffix(name)

    def replaced_note(self, olds: dict[str, Any]) -> str | None:
        # Clients call an endpoint by its id: they must follow the new one.
        return "the new endpoint gets a new id, so its request URLs change; the old endpoint is deleted"

    def change_plan(self, old_inputs: dict[str, Any], new_inputs: dict[str, Any], id_: str | None = None) -> Plan:
        plan = super().change_plan(old_inputs, new_inputs, id_)
        if api.api_version() != "v2":
            return plan
        swap = cuda_constraint_set(plan, new_inputs)
        if swap is not None:
            setting, other = swap
            plan.sent_after_all(other)  # removed from the program too: said as cleared, which it is
            plan.noted[ClearsTheOtherConstraint] = (ClearsTheOtherConstraint(other=other), [setting])
        # The pools sent replace the whole selection: exclusions the program no longer lists go.
        if sends_gpu_pools(plan, new_inputs) and plan.sent_after_all("excluded_gpu_types"):
            plan.noted[ClearedWithTheSelection] = (ClearedWithTheSelection(), ["excluded_gpu_types"])
        return plan

    def transition_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> list[tuple[str, str]]:
        # The template's delete would be refused while this endpoint uses it: say so before anything is sent.
        # A REST v2 endpoint keeps no link to the template it was made from: nothing holds the template there.
        used = olds.get("template_id")
        v1 = api.api_version() == "v1"
        if v1 and isinstance(used, str) and replacement_order.deleted_first(TemplateProvider.spec.label, used):
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

    # -- the wire ---------------------------------------------------------------------------------

    def send(self, client: ApiClient, call: Call, values: dict[str, Any]) -> Any:
        if api.api_version() == "v2" and call.body is not None:
            values = {**values, "_update": call.method == "PATCH"}
            if _GPU_KEYS & set(call.body) and values.get("gpu_type_ids") and not values.get("gpu_pools"):
                values["_selection"] = gpu_selection(client, list(values.get("gpu_type_ids") or []))
        return super().send(client, call, values)

    def v1_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        body = dict(body)
        if "flashboot" in body:
            body["flashboot"] = body["flashboot"] != "OFF"
        return body

    def v2_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        update = bool(values.get("_update"))
        out: JsonObject = {}
        for key in ("name", "templateId", "image", "args", "disk", "ports", "env", "registry", "dataCenterIds"):
            if key in body:
                out[key] = body[key]
        if not update:
            out["type"] = values.get("type") or "QUEUE"
        elif "templateId" in body:
            # A template in a PATCH applies its container settings as if they were in the body, and the
            # body's win: the ones the program sets on the endpoint are sent too, so that they stay.
            own = self.spec.to_wire(values, [n for n in CONTAINER_SETTINGS if values.get(n) is not None])
            out.update({k: v for k, v in own.items() if k not in out})
        if "flashboot" in body:
            out["flashboot"] = _flashboot_mode(body["flashboot"])
        if "executionTimeoutMs" in body:
            out["timeout"] = body["executionTimeoutMs"]
        workers = {
            k: body[w]
            for k, w in (("min", "workersMin"), ("max", "workersMax"), ("idleTimeout", "idleTimeout"))
            if w in body
        }
        if workers:
            out["workers"] = workers
        if not update or {"scalerType", "scalerValue"} & set(body):
            out["scaling"] = _scaling(values)
        if {"networkVolumeId", "networkVolumeIds"} & set(body):
            out["networkVolumes"] = _volumes(values)
        if values.get("compute_type") == "CPU":
            if not update or {"cpuFlavorIds", "vcpuCount"} & set(body):
                count = int(values.get("vcpu_count") or DEFAULT_VCPU_COUNT)
                out["cpu"] = [{"id": f, "vcpuCount": count} for f in values.get("cpu_flavor_ids") or ["cpu3c"]]
        elif not update or _GPU_KEYS & set(body):
            out["gpu"] = _gpu(values, update)
        return out

    def v2_live(self, wire: JsonObject) -> dict[str, Any]:
        flat: JsonObject = {
            k: wire.get(k)
            for k in (
                "id",
                "name",
                "type",
                "image",
                "args",
                "disk",
                "ports",
                "env",
                "registry",
                "dataCenterIds",
                "createdAt",
                "requestUrls",
            )
        }
        flat["networkVolumeIds"] = wire.get("networkVolumes")
        flat["flashboot"] = wire.get("flashboot")
        cpu = [c for c in wire.get("cpu") or [] if isinstance(c, dict)]
        if cpu:  # a CPU endpoint shows its configurations (one vCPU count for all, as the program sets it)
            flat.update(computeType="CPU", cpuFlavorIds=[c.get("id") for c in cpu], vcpuCount=cpu[0].get("vcpuCount"))
        elif wire.get("gpu") is not None:
            flat["computeType"] = "GPU"
        flat["executionTimeoutMs"] = wire.get("timeout")
        workers = wire.get("workers") or {}
        flat.update(
            workersMin=workers.get("min"), workersMax=workers.get("max"), idleTimeout=workers.get("idleTimeout")
        )
        scaling = wire.get("scaling") or {}
        flat["scalerType"] = scaling.get("type")
        flat["scalerValue"] = scaling.get("queueDelay", scaling.get("requestCount"))
        gpu = wire.get("gpu") or {}
        flat.update(
            gpuPools=gpu.get("pools"),
            excludedGpuTypes=gpu.get("excludedTypes"),
            gpuCount=gpu.get("count"),
            allowedCudaVersions=gpu.get("allowedCudaVersions"),
            minCudaVersion=gpu.get("minCudaVersion"),
        )
        for key in ("version", "userId", "releaseId", "releaseVersion"):
            if key in wire:
                flat[key] = wire[key]
        urls = dict(wire.get("requestUrls") or {})
        if "run" in urls:  # a QUEUE endpoint also serves the OpenAI-compatible API (vLLM workers)
            urls["openai"] = urls["run"].rsplit("/", 1)[0] + "/openai/v1"
        flat["requestUrls"] = urls or None
        return self.spec.from_wire(flat)

    def align_live(self, live: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        if api.api_version() != "v2":
            return live
        # The v2 GET always returns the registry and the volumes: null / [] there means none, so one the
        # program sets and the endpoint no longer has is drift, not "not returned".
        live = dict(live)
        if "registry" in inputs and live.get("registry") is None:
            live["registry"] = ""
        volumes = list(live.get("network_volume_ids") or [])
        if "network_volume_id" in inputs:
            live["network_volume_id"] = ", ".join(volumes)  # one volume: its id
            if "network_volume_ids" not in inputs:  # the same volumes, under the key the program uses
                live.pop("network_volume_ids", None)
        if "network_volume_ids" in inputs:
            live["network_volume_ids"] = volumes
        return live

    # -- calls ------------------------------------------------------------------------------------

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        if api.api_version() == "v2" and inputs.get("gpu_type_ids") and not inputs.get("gpu_pools"):
            # v2 answers with the pools the GPU types became (their other types excluded), never with
            # the types: the endpoint a lost create made holds exactly that selection.
            pools, excluded = gpu_selection(client, list(inputs["gpu_type_ids"]))
            selected = {k: v for k, v in inputs.items() if k != "gpu_type_ids"}
            selected.update(gpu_pools=pools, excluded_gpu_types=excluded or None)  # none excluded: not sent
            return super().api_find(client, selected)
        return super().api_find(client, inputs)

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        wire = super().api_read(client, id_, outs)
        if wire is None or api.api_version() == "v1":
            return wire
        # v2 keeps the version on the releases, and has no owner field: what v1 recorded stays.
        return {**wire, **rollout.latest(client, id_), "userId": outs.get("user_id")}

    def api_finish(self, client: ApiClient, id_: str, wire: JsonObject, inputs: dict[str, Any]) -> JsonObject:
        # v2 keeps the version on the endpoint's releases, not in the endpoint. A release still rolling
        # (an update that stopped while following it) is followed to its end.
        if api.api_version() == "v2":
            return {**wire, **self._release(client, id_, inputs, self.describe(inputs, id_), 0, follow=True)}
        return wire

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        wire = super().api_update(client, id_, plan, olds, news)
        if api.api_version() == "v1":
            return wire
        values = self.user_inputs(news)
        rolls = bool(plan.fields_with(RollsWorkers)) and not plan.replaces
        patched = {**wire, "userId": olds.get("user_id")}
        old_version = int(olds.get("version") or 0)
        # The change is made once the PATCH is answered: should following its release fail (unhealthy
        # workers, the timeout), the stack records the new settings, so that the next `up` follows the
        # release again, and reverting the program is a change that undoes it.
        return self.finishing(
            id_,
            patched,
            news,
            lambda: {**patched, **self._release(client, id_, values, self.describe(news, id_), old_version, rolls)},
        )

    def _release(
        self, client: ApiClient, id_: str, values: dict[str, Any], what: str, old_version: int, follow: bool
    ) -> dict[str, Any]:
        """The endpoint's release as outputs: followed until it has rolled onto every worker when it
        rolls them (``follow``) and the program waits for releases, else read once."""
        if follow and self.spec.value_of(values, "wait_for_rollout"):
            timeout = float(self.spec.value_of(values, "rollout_timeout"))
            return rollout.follow(client, id_, what, old_version, timeout)
        return rollout.latest(client, id_)

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        # The safe sequence from RunPod's own tooling: scale to zero, then delete (404 = gone).
        path = self._routes().item_path().format(id=id_)
        zero = {"workers": {"min": 0, "max": 0}} if api.api_version() == "v2" else {"workersMin": 0, "workersMax": 0}
        client.request("PATCH", path, json=zero)
        super().api_delete(client, id_, outs)


_GPU_KEYS = {"gpuTypeIds", "gpuPools", "excludedGpuTypes", "gpuCount", "allowedCudaVersions", "minCudaVersion"}


def default_scaler(values: dict[str, Any]) -> str:
    """The scaler in effect: the program's, else the endpoint type's (a load balancer counts requests)."""
    return values.get("scaler_type") or ("REQUEST_COUNT" if values.get("type") == "LOAD_BALANCER" else "QUEUE_DELAY")


def _scaling(values: dict[str, Any]) -> JsonObject:
    kind = default_scaler(values)
    value = values.get("scaler_value")
    if kind == "REQUEST_COUNT":
        return {"type": kind, "requestCount": int(value or 1)}
    return {"type": kind, "queueDelay": DEFAULT_QUEUE_DELAY if value is None else value}


def _volumes(values: dict[str, Any]) -> list[str]:
    if values.get("network_volume_ids"):
        return list(values["network_volume_ids"])
    return [values["network_volume_id"]] if values.get("network_volume_id") else []


def _gpu(values: dict[str, Any], update: bool) -> JsonObject:
    """The whole GPU selection (pools replace the selection, so it is always sent together)."""
    if values.get("gpu_pools"):
        pools, excluded = list(values["gpu_pools"]), list(values.get("excluded_gpu_types") or [])
    elif values.get("_selection"):
        pools, excluded = values["_selection"]
    elif update:  # no selection of the user's: an update keeps the endpoint's own (pools are optional there)
        pools, excluded = [], []
    else:
        pools, excluded = [DEFAULT_GPU_POOL], []
    gpu: JsonObject = {"pools": pools} if pools else {}
    if excluded:
        gpu["excludedTypes"] = excluded
    if values.get("gpu_count") is not None:
        gpu["count"] = int(values["gpu_count"])
    # A constraint the program leaves unset is left out, so the endpoint keeps it (as the preview says);
    # `[]` set by the program clears a set of versions; setting one constraint clears the other in the
    # same PATCH, which an endpoint cannot hold beside it.
    allowed, floor = values.get("allowed_cuda_versions"), values.get("min_cuda_version")
    if allowed is not None or (update and floor):
        gpu["allowedCudaVersions"] = list(allowed or [])
    if floor or (update and allowed):
        gpu["minCudaVersion"] = floor or ""
    return gpu


#: The endpoint's container settings, which a template also carries.
CONTAINER_SETTINGS = ("image", "args", "disk", "ports", "env", "registry")

#: An endpoint holds one CUDA constraint: a set of versions or a floor.
CUDA_CONSTRAINTS = ("allowed_cuda_versions", "min_cuda_version")


def cuda_constraint_set(plan: Plan, new: dict[str, Any]) -> tuple[str, str] | None:
    """(the CUDA constraint the update sets, the other one) when the program sets one and leaves the
    other unset: the update clears the other, whatever the endpoint held (see ``_gpu``)."""
    for setting, other in (CUDA_CONSTRAINTS, CUDA_CONSTRAINTS[::-1]):
        if setting in plan.changed and new.get(setting) and not new.get(other):
            return setting, other
    return None


def sends_gpu_pools(plan: Plan, new: dict[str, Any]) -> bool:
    """The update sends the GPU block with its pools (``_gpu``): a GPU field it sends changed, and the
    program names pools or GPU types."""
    gpu_fields = {"gpu_type_ids", "gpu_pools", "gpu_count", "allowed_cuda_versions", "min_cuda_version"}
    sent = any(n in gpu_fields and new.get(n) is not None for n in plan.changed)
    return sent and bool(new.get("gpu_pools") or new.get("gpu_type_ids"))


@dataclass(frozen=True)
class ClearedWithTheSelection(Policy):
    """Exclusions are part of the GPU selection, which the pools an update sends replace."""

    def preview_note(self, names: Sequence[str]) -> str:
        return (
            f"{', '.join(names)} no longer set: cleared, as the GPU pools this update sends replace the whole "
            "selection (exclusions included)"
        )


@dataclass(frozen=True)
class ClearsTheOtherConstraint(Policy):
    """Setting one CUDA constraint clears the other in the same update."""

    other: str = ""

    def preview_note(self, names: Sequence[str]) -> str:
        return (
            f"setting {', '.join(names)} clears any {self.other} the endpoint holds (an endpoint holds one CUDA "
            "constraint: a set of versions or a floor)"
        )


class Endpoint(SpecResource, module="runpod", name="Endpoint"):
    """A RunPod serverless endpoint (`/v2/serverless`, or `/v1/endpoints` with `runpod:apiVersion=v1`)."""

    provider_cls = EndpointProvider
    template_id: Output[str | None]
    name: Output[str]
    type: Output[str]
    gpu_type_ids: Output[list[str]]
    gpu_pools: Output[list[str]]
    excluded_gpu_types: Output[list[str]]
    allow_unknown_gpu_types: Output[bool | None]
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
    scaler_value: Output[float]
    flashboot: Output[str | None]
    compute_type: Output[str | None]
    vcpu_count: Output[int | None]
    cpu_flavor_ids: Output[list[str] | None]
    image: Output[str]
    args: Output[str]
    disk: Output[int]
    ports: Output[list[str]]
    env: Output[dict[str, str]]
    registry: Output[str | None]
    wait_for_rollout: Output[bool | None]
    rollout_timeout: Output[float | None]
    version: Output[int]
    user_id: Output[str]
    created_at: Output[str]
    request_urls: Output[dict[str, str]]
    release_id: Output[str | None]
    release_version: Output[int | None]
