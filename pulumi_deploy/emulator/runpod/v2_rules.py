"""REST v2 business rules past the schema: each raises a 400 problem (``v2_errors.Problem``).

The document gives these a 400 (or says "rejected"): compute family (exactly one of ``gpu`` /
``cpu``), a non-empty CUDA set beside a floor, ``excludedTypes`` outside the chosen pools or
leaving no type, ``idleTimeout`` on a queue endpoint that scales on request count. Catalog
membership (pools, CPU flavours and their vCPU counts, data centres), ``workers.min <= max``,
and references to network volumes / registries are checked the same way (status inferred).
"""

from __future__ import annotations

from typing import Any

from . import catalog
from .v2_errors import bad_request
from .v2_shapes import idle_timeout_applies


def one_compute_family(body: dict[str, Any]) -> None:
    if ("gpu" in body) == ("cpu" in body):
        raise bad_request("exactly one of gpu or cpu must be specified")


def same_compute_family(body: dict[str, Any], endpoint_is_cpu: bool) -> None:
    if "gpu" in body and "cpu" in body:
        raise bad_request("gpu and cpu cannot both be specified")
    if endpoint_is_cpu and "gpu" in body:
        raise bad_request("gpu cannot be set on a CPU endpoint: compute family is immutable")
    if not endpoint_is_cpu and "cpu" in body:
        raise bad_request("cpu cannot be set on a GPU endpoint: compute family is immutable")


def cuda_constraints(allowed: list[str], floor: str | None) -> None:
    if allowed and floor:
        raise bad_request("gpu.allowedCudaVersions and gpu.minCudaVersion are mutually exclusive")


def gpu_selection(pools: list[str], excluded: list[str]) -> list[str]:
    """Check a pool selection and return the (trimmed) exclusions."""
    for pool in pools:
        if pool not in catalog.POOL_IDS:
            raise bad_request(f"gpu.pools: unknown GPU pool {pool!r}; see GET /v2/catalog/gpus (pool)")
    trimmed = [value.strip() for value in excluded]
    for value in trimmed:
        if value not in catalog.types_of_selection(pools, []):
            raise bad_request(f"gpu.excludedTypes: {value!r} is not a GPU type in the selected pools")
    if not catalog.types_of_selection(pools, trimmed):
        raise bad_request("gpu.excludedTypes: the selection leaves no GPU type")
    return trimmed


def cpu_configs(configs: list[dict[str, Any]]) -> None:
    for index, config in enumerate(configs):
        flavor = catalog.CPU_FLAVORS_BY_ID.get(config["id"])
        if flavor is None:
            raise bad_request(f"cpu[{index}].id: unknown CPU flavor {config['id']!r}; see GET /v2/catalog/cpus")
        count = int(config["vcpuCount"])
        if count & (count - 1) or not flavor.vcpu_min <= count <= flavor.vcpu_max:
            raise bad_request(
                f"cpu[{index}].vcpuCount: {count} is not valid for {flavor.id} "
                f"(a power of two from {flavor.vcpu_min} to {flavor.vcpu_max})"
            )


def worker_bounds(minimum: int, maximum: int) -> None:
    if minimum > maximum:
        raise bad_request(f"workers.min ({minimum}) must not exceed workers.max ({maximum})")


def idle_timeout(kind: str, scaler_type: str, sent: bool) -> None:
    if sent and not idle_timeout_applies(kind, scaler_type):
        raise bad_request("workers.idleTimeout is not applicable to a QUEUE endpoint scaling on REQUEST_COUNT")


def data_centers(ids: list[str]) -> None:
    for dc in ids:
        if dc not in catalog.DATA_CENTERS_BY_ID:
            raise bad_request(f"dataCenterIds: unknown data center {dc!r}; see GET /v2/catalog/datacenters")


def network_volumes(ids: list[str], volumes: dict[str, dict[str, Any]], dcs: list[str]) -> None:
    """Volumes must exist, one per data centre, in the endpoint's data centres when it names any."""
    seen: dict[str, str] = {}
    for volume_id in ids:
        volume = volumes.get(volume_id)
        if volume is None:
            raise bad_request(f"networkVolumes: network volume {volume_id!r} not found")
        dc = str(volume.get("dataCenterId", ""))
        if dcs and dc not in dcs:
            raise bad_request(f"networkVolumes: network volume {volume_id!r} is in {dc}, not in dataCenterIds")
        if dc in seen:
            raise bad_request(f"networkVolumes: {seen[dc]!r} and {volume_id!r} are both in {dc}; one per data center")
        seen[dc] = volume_id


def registry(registry_id: str | None, registries: dict[str, dict[str, Any]]) -> None:
    if registry_id and registry_id not in registries:
        raise bad_request(f"registry: container registry credential {registry_id!r} not found")


def volume_data_center(dc: str, volume_type: str | None) -> None:
    if dc not in catalog.DATA_CENTERS_BY_ID:
        raise bad_request(f"dataCenter: unknown data center {dc!r}; see GET /v2/catalog/datacenters")
    if volume_type is not None and volume_type not in catalog.volume_types(dc):
        raise bad_request(f"type: {dc} offers no {volume_type} network volumes")
