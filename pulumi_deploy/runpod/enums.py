"""RunPod's catalogue values and closed enums.

GPU types and data centres are *open*: the live catalogue runs ahead of any list shipped here, so
their inputs are plain strings (``list[str]`` type-checks) and the known values are offered as
constants (``GPU_TYPE_IDS``, ``DATA_CENTER_IDS``; the ``GpuTypeId``/``DataCenterId`` literals name them
for editors). An unknown GPU type fails at preview naming the closest known ones unless the endpoint
sets ``allow_unknown_gpu_types=True``. CUDA versions and CPU flavours are open too (REST v2 takes any
``major.minor`` and any catalogue flavour). Scaler, compute and template categories stay closed enums.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Literal, get_args

from pydantic import StringConstraints

KnownGpuTypeId = Literal[
    "NVIDIA GeForce RTX 4090",
    "NVIDIA A40",
    "NVIDIA RTX A5000",
    "NVIDIA GeForce RTX 5090",
    "NVIDIA H100 80GB HBM3",
    "NVIDIA GeForce RTX 3090",
    "NVIDIA RTX A4500",
    "NVIDIA L40S",
    "NVIDIA H200",
    "NVIDIA L4",
    "NVIDIA RTX 6000 Ada Generation",
    "NVIDIA A100-SXM4-80GB",
    "NVIDIA RTX 4000 Ada Generation",
    "NVIDIA RTX A6000",
    "NVIDIA A100 80GB PCIe",
    "NVIDIA RTX 2000 Ada Generation",
    "NVIDIA RTX A4000",
    "NVIDIA RTX PRO 6000 Blackwell Server Edition",
    "NVIDIA H100 PCIe",
    "NVIDIA H100 NVL",
    "NVIDIA L40",
    "NVIDIA B200",
    "NVIDIA GeForce RTX 3080 Ti",
    "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
    "NVIDIA GeForce RTX 3080",
    "NVIDIA GeForce RTX 3070",
    "AMD Instinct MI300X OAM",
    "NVIDIA GeForce RTX 4080 SUPER",
    "Tesla V100-PCIE-16GB",
    "Tesla V100-SXM2-32GB",
    "NVIDIA RTX 5000 Ada Generation",
    "NVIDIA GeForce RTX 4070 Ti",
    "NVIDIA RTX 4000 SFF Ada Generation",
    "NVIDIA GeForce RTX 3090 Ti",
    "NVIDIA RTX A2000",
    "NVIDIA GeForce RTX 4080",
    "NVIDIA A30",
    "NVIDIA GeForce RTX 5080",
    "Tesla V100-FHHL-16GB",
    "NVIDIA H200 NVL",
    "Tesla V100-SXM2-16GB",
    "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition",
    "NVIDIA A5000 Ada",
    "Tesla V100-PCIE-32GB",
    "NVIDIA  RTX A4500",
    "NVIDIA  A30",
    "NVIDIA GeForce RTX 3080TI",
    "Tesla T4",
    "NVIDIA RTX A30",
]

KnownDataCenterId = Literal[
    "EU-RO-1",
    "CA-MTL-1",
    "EU-SE-1",
    "US-IL-1",
    "EUR-IS-1",
    "EU-CZ-1",
    "US-TX-3",
    "EUR-IS-2",
    "US-KS-2",
    "US-GA-2",
    "US-WA-1",
    "US-TX-1",
    "CA-MTL-3",
    "EU-NL-1",
    "US-TX-4",
    "US-CA-2",
    "US-NC-1",
    "OC-AU-1",
    "US-DE-1",
    "EUR-IS-3",
    "CA-MTL-2",
    "AP-JP-1",
    "EUR-NO-1",
    "EU-FR-1",
    "US-KS-3",
    "US-GA-1",
]

V1_CUDA_VERSIONS = ("13.0", "12.9", "12.8", "12.7", "12.6", "12.5", "12.4", "12.3", "12.2", "12.1", "12.0", "11.8")
"""The CUDA versions REST v1 accepts (a closed list there)."""

CudaVersion = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+$")]
"""A CUDA version as ``major.minor``: REST v2 takes any (a version no host reports leaves the
endpoint without capacity); REST v1 only those of ``V1_CUDA_VERSIONS``."""

CpuFlavorId = Annotated[str, StringConstraints(min_length=1)]
"""A CPU flavour id as RunPod's catalogue (``GET /v2/catalog/cpus``) lists it: ``cpu3c``, ``cpu5g``..."""

ScalerType = Literal[
    "QUEUE_DELAY",
    "REQUEST_COUNT",
]

ComputeType = Literal[
    "GPU",
    "CPU",
]

TemplateCategory = Literal[
    "NVIDIA",
    "AMD",
    "CPU",
]

DATA_CENTER_IDS: tuple[str, ...] = get_args(KnownDataCenterId)
GPU_TYPE_IDS: tuple[str, ...] = get_args(KnownGpuTypeId)

#: A GPU type id: any string (the known ones are ``GPU_TYPE_IDS``).
GpuTypeId = str
#: A data-centre id: any string (the known ones are ``DATA_CENTER_IDS``).
DataCenterId = str

EndpointType = Literal["QUEUE", "LOAD_BALANCER"]
FlashbootMode = Literal["OFF", "FLASHBOOT", "PRIORITY_FLASHBOOT"]


def closest_gpu_types(name: str, count: int = 3) -> list[str]:
    """The known GPU type ids nearest to ``name`` (for an error message)."""
    lowered = {g.lower(): g for g in GPU_TYPE_IDS}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=count, cutoff=0.3)
    return [lowered[f] for f in found]
