"""The hardware catalog one emulated RunPod account sees: GPU types and their serverless pools,
CPU flavours, data centres.

Both API views read it: v1 takes GPU *type* ids (``gpuTypeIds``), v2 takes serverless *pool* ids
(``gpu.pools``) and subtracts types (``gpu.excludedTypes``), so the pool of every type is what
lets one endpoint be read through either view. Type ids and data-centre ids are the ones the v1
schema enumerates; pool membership, memory, prices and vCPU ranges are representative values.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import DATA_CENTER_IDS, GPU_TYPE_IDS


@dataclass(frozen=True)
class GpuType:
    id: str
    name: str
    pool: str | None
    memory: int
    manufacturer: str = "NVIDIA"

    def render(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "pool": self.pool,
            "manufacturer": self.manufacturer,
            "memory": self.memory,
            "secure": True,
            "community": self.pool is not None,
            "price": {
                "secure": round(0.02 * self.memory, 2),
                "community": round(0.015 * self.memory, 2),
                "serverless": round(0.04 * self.memory, 2),
            },
            "maxCount": {"secure": 8, "community": 4},
        }


#: Serverless pool of each GPU type that belongs to one (the others have ``pool: null``).
_POOLS: dict[str, tuple[str, ...]] = {
    "AMPERE_16": ("NVIDIA RTX A4000", "NVIDIA RTX A4500", "NVIDIA RTX 4000 Ada Generation",
                  "NVIDIA RTX 2000 Ada Generation"),
    "AMPERE_24": ("NVIDIA RTX A5000", "NVIDIA L4", "NVIDIA GeForce RTX 3090"),
    "ADA_24": ("NVIDIA GeForce RTX 4090",),
    "ADA_32_PRO": ("NVIDIA GeForce RTX 5090",),
    "AMPERE_48": ("NVIDIA A40", "NVIDIA RTX A6000"),
    "ADA_48_PRO": ("NVIDIA L40", "NVIDIA L40S", "NVIDIA RTX 6000 Ada Generation"),
    "AMPERE_80": ("NVIDIA A100 80GB PCIe", "NVIDIA A100-SXM4-80GB"),
    "ADA_80_PRO": ("NVIDIA H100 PCIe", "NVIDIA H100 80GB HBM3", "NVIDIA H100 NVL"),
    "HOPPER_141": ("NVIDIA H200",),
    "BLACKWELL_96": ("NVIDIA RTX PRO 6000 Blackwell Server Edition",
                     "NVIDIA RTX PRO 6000 Blackwell Workstation Edition"),
    "BLACKWELL_180": ("NVIDIA B200",),
}  # fmt: skip
_POOL_MEMORY = {"AMPERE_16": 16, "AMPERE_24": 24, "ADA_24": 24, "ADA_32_PRO": 32, "AMPERE_48": 48,
                "ADA_48_PRO": 48, "AMPERE_80": 80, "ADA_80_PRO": 80, "HOPPER_141": 141,
                "BLACKWELL_96": 96, "BLACKWELL_180": 180}  # fmt: skip
POOL_IDS: tuple[str, ...] = tuple(_POOLS)
_POOL_OF: dict[str, str] = {gpu: pool for pool, gpus in _POOLS.items() for gpu in gpus}


def _short_name(type_id: str) -> str:
    for prefix in ("NVIDIA GeForce ", "NVIDIA ", "AMD ", "Tesla "):
        if type_id.startswith(prefix):
            return type_id[len(prefix) :].strip()
    return type_id


GPU_TYPES: tuple[GpuType, ...] = tuple(
    GpuType(
        id=type_id,
        name=_short_name(type_id),
        pool=_POOL_OF.get(type_id),
        memory=_POOL_MEMORY.get(_POOL_OF.get(type_id, ""), 16),
        manufacturer="AMD" if type_id.startswith("AMD") else "NVIDIA",
    )
    for type_id in GPU_TYPE_IDS
)
GPU_TYPES_BY_ID: dict[str, GpuType] = {gpu.id: gpu for gpu in GPU_TYPES}


def pool_types(pool: str) -> tuple[str, ...]:
    """The GPU type ids of one serverless pool, in catalog order."""
    return _POOLS.get(pool, ())


def pool_of(type_id: str) -> str | None:
    return _POOL_OF.get(type_id)


def types_of_selection(pools: list[str], excluded: list[str]) -> list[str]:
    """GPU type ids a v2 selection (pools minus excluded types) stands for, pool by pool."""
    return [gpu for pool in pools for gpu in pool_types(pool) if gpu not in excluded]


def selection_of_types(type_ids: list[str]) -> tuple[list[str], list[str]]:
    """The v2 selection (pools, excludedTypes) equivalent to a v1 list of GPU type ids.

    Each type maps to its pool (first appearance keeps the order); the pools' other types are
    excluded. Types that belong to no serverless pool cannot be expressed in v2 and are dropped.
    """
    pools: list[str] = []
    for type_id in type_ids:
        pool = pool_of(type_id)
        if pool is not None and pool not in pools:
            pools.append(pool)
    excluded = [gpu for pool in pools for gpu in pool_types(pool) if gpu not in type_ids]
    return pools, excluded


@dataclass(frozen=True)
class CpuFlavor:
    id: str
    name: str
    group: str
    ram_gb_per_vcpu: int
    vcpu_min: int = 2
    vcpu_max: int = 32

    def render(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "group": self.group,
            "vcpu": {"min": self.vcpu_min, "max": self.vcpu_max},
            "ramGbPerVcpu": self.ram_gb_per_vcpu,
            "price": {"securePerVcpu": 0.04, "serverlessPerVcpu": 0.03},
        }


CPU_FLAVORS: tuple[CpuFlavor, ...] = (
    CpuFlavor("cpu3c", "Compute-Optimized", "Gen 3", 2),
    CpuFlavor("cpu3g", "General Purpose", "Gen 3", 4),
    CpuFlavor("cpu5c", "Compute-Optimized", "Gen 5", 2),
    CpuFlavor("cpu5g", "General Purpose", "Gen 5", 4),
)
CPU_FLAVORS_BY_ID: dict[str, CpuFlavor] = {cpu.id: cpu for cpu in CPU_FLAVORS}

_REGION_BY_PREFIX = {"US": "NORTH_AMERICA", "CA": "NORTH_AMERICA", "EU": "EUROPE", "EUR": "EUROPE",
                     "OC": "OCEANIA", "AP": "ASIA"}  # fmt: skip


def data_center(dc_id: str) -> dict[str, object]:
    return {
        "id": dc_id,
        "name": dc_id,
        "region": _REGION_BY_PREFIX.get(dc_id.split("-")[0], "UNKNOWN"),
        "globalNetwork": dc_id.startswith("US-"),
        "networkVolumeTypes": ["STANDARD", "HIGH_PERFORMANCE"] if dc_id.startswith("US-") else ["STANDARD"],
        "compliance": ["SOC_2_TYPE_2"],
    }


DATA_CENTERS: tuple[dict[str, object], ...] = tuple(data_center(dc) for dc in DATA_CENTER_IDS)
DATA_CENTERS_BY_ID: dict[str, dict[str, object]] = {str(dc["id"]): dc for dc in DATA_CENTERS}


def volume_types(dc_id: str) -> list[str]:
    return list(DATA_CENTERS_BY_ID[dc_id]["networkVolumeTypes"])  # type: ignore[call-overload]
