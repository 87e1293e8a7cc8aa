"""RunPod REST v1 input schemas as data, and the strict validator that applies them.

Each input object (``EndpointCreateInput``, ``TemplateUpdateInput``, ...) is a mapping from wire
name to a :class:`Field`; :func:`validate` rejects unknown keys, wrong types, closed-enum misses,
range and length violations, and missing required keys, raising the errors in ``errors.py``.
Enum values and limits follow the v1 OpenAPI document (info.version 0.1.0).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .errors import (
    AboveMaximum,
    BelowMinimum,
    Empty,
    InvalidEnumValue,
    InvalidJson,
    InvalidType,
    MissingField,
    PatternMismatch,
    TooLong,
    UnknownField,
)

GPU_TYPE_IDS: tuple[str, ...] = (
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
    "NVIDIA  RTX A4500",  # sic: two spaces; a distinct id from "NVIDIA RTX A4500"
    "NVIDIA  A30",  # sic: two spaces
    "NVIDIA GeForce RTX 3080TI",
    "Tesla T4",
    "NVIDIA RTX A30",
)

#: Also the server default for an endpoint's ``dataCenterIds`` (all 26, in this order).
DATA_CENTER_IDS: tuple[str, ...] = (
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
)

CUDA_VERSIONS: tuple[str, ...] = (
    "13.0", "12.9", "12.8", "12.7", "12.6", "12.5", "12.4", "12.3", "12.2", "12.1", "12.0", "11.8",
)  # fmt: skip
CPU_FLAVOR_IDS: tuple[str, ...] = ("cpu3c", "cpu3g", "cpu5c", "cpu5g")
SCALER_TYPES: tuple[str, ...] = ("QUEUE_DELAY", "REQUEST_COUNT")
COMPUTE_TYPES: tuple[str, ...] = ("GPU", "CPU")
TEMPLATE_CATEGORIES: tuple[str, ...] = ("NVIDIA", "AMD", "CPU")

#: GPU types the emulated server picks when ``gpuTypeIds`` is omitted (real ids, priority order).
DEFAULT_GPU_TYPE_IDS: tuple[str, ...] = (
    "NVIDIA GeForce RTX 4090",
    "NVIDIA RTX A5000",
    "NVIDIA GeForce RTX 3090",
)
DEFAULT_TEMPLATE_PORTS: tuple[str, ...] = ("8888/http", "22/tcp")

Kind = Literal["str", "int", "bool", "str_list", "str_map"]
_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "bool": "a boolean",
    "str_list": "an array of strings",
    "str_map": "an object with string values",
}
PORT_PATTERN = re.compile(r"^([1-9][0-9]{0,4})/(http|tcp)$")


@dataclass(frozen=True)
class Field:
    """One input key: its JSON kind and constraints (``enum`` applies to list items too)."""

    kind: Kind
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    non_empty: bool = False
    port_items: bool = False


def validate(body: Any, fields: Mapping[str, Field], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return ``body`` if it satisfies ``fields``; raise the first violation otherwise."""
    if not isinstance(body, dict):
        raise InvalidJson()
    for key in body:
        if key not in fields:
            raise UnknownField(key)
    for key in required:
        if key not in body:
            raise MissingField(key)
    for key, value in body.items():
        _check(key, value, fields[key])
    return body


def _check(path: str, value: Any, field: Field) -> None:
    kind = field.kind
    if kind == "str":
        if not isinstance(value, str):
            raise InvalidType(path, _EXPECTED[kind])
        _check_string(path, value, field)
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidType(path, _EXPECTED[kind])
        if field.minimum is not None and value < field.minimum:
            raise BelowMinimum(path, field.minimum)
        if field.maximum is not None and value > field.maximum:
            raise AboveMaximum(path, field.maximum)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise InvalidType(path, _EXPECTED[kind])
    elif kind == "str_list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidType(path, _EXPECTED[kind])
        for index, item in enumerate(value):
            _check_string(f"{path}[{index}]", item, field)
    elif kind == "str_map":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise InvalidType(path, _EXPECTED[kind])
        for name in value:
            if not name:
                raise Empty(f"{path} key")


def _check_string(path: str, value: str, field: Field) -> None:
    if field.non_empty and not value:
        raise Empty(path)
    if field.max_length is not None and len(value) > field.max_length:
        raise TooLong(path, field.max_length)
    if field.enum is not None and value not in field.enum:
        raise InvalidEnumValue(path, value)
    if field.port_items:
        match = PORT_PATTERN.match(value)
        if match is None or int(match.group(1)) > 65535:
            raise PatternMismatch(path, value, "[port number]/[http|tcp]")


# -- endpoint inputs -----------------------------------------------------------------------------

_ENDPOINT_COMMON: dict[str, Field] = {
    "allowedCudaVersions": Field("str_list", enum=CUDA_VERSIONS),
    "cpuFlavorIds": Field("str_list", enum=CPU_FLAVOR_IDS),
    "dataCenterIds": Field("str_list", enum=DATA_CENTER_IDS),
    "executionTimeoutMs": Field("int", minimum=0),
    "flashboot": Field("bool"),
    "gpuCount": Field("int", minimum=1),
    "gpuTypeIds": Field("str_list", enum=GPU_TYPE_IDS),
    "idleTimeout": Field("int", minimum=1, maximum=3600),
    "minCudaVersion": Field("str", enum=CUDA_VERSIONS),
    "name": Field("str", max_length=191),
    "networkVolumeId": Field("str"),
    "networkVolumeIds": Field("str_list", non_empty=True),
    "scalerType": Field("str", enum=SCALER_TYPES),
    "scalerValue": Field("int", minimum=1),
    "templateId": Field("str", non_empty=True),
    "vcpuCount": Field("int", minimum=1),
    "workersMax": Field("int", minimum=0),
    "workersMin": Field("int", minimum=0),
}
#: ``EndpointCreateInput`` (required: templateId).
ENDPOINT_CREATE: dict[str, Field] = {**_ENDPOINT_COMMON, "computeType": Field("str", enum=COMPUTE_TYPES)}
#: ``EndpointUpdateInput``: the create input without ``computeType``.
ENDPOINT_UPDATE: dict[str, Field] = dict(_ENDPOINT_COMMON)

#: Endpoint fields whose change starts a rolling release (``version`` + 1).
ENDPOINT_ROLLOUT_FIELDS: tuple[str, ...] = (
    "templateId",
    "gpuTypeIds",
    "gpuCount",
    "allowedCudaVersions",
    "dataCenterIds",
    "networkVolumeId",
    "networkVolumeIds",
    "minCudaVersion",
)

# -- template inputs -----------------------------------------------------------------------------

TEMPLATE_UPDATE: dict[str, Field] = {
    "containerDiskInGb": Field("int", minimum=0),
    "containerRegistryAuthId": Field("str"),
    "dockerEntrypoint": Field("str_list"),
    "dockerStartCmd": Field("str_list"),
    "env": Field("str_map"),
    "imageName": Field("str", non_empty=True),
    "isPublic": Field("bool"),
    "name": Field("str", non_empty=True),
    "ports": Field("str_list", port_items=True),
    "readme": Field("str"),
    "volumeInGb": Field("int", minimum=0),
    "volumeMountPath": Field("str"),
}
TEMPLATE_CREATE: dict[str, Field] = {
    **TEMPLATE_UPDATE,
    "category": Field("str", enum=TEMPLATE_CATEGORIES),
    "isServerless": Field("bool"),
}
#: Template fields whose change rolls every endpoint that uses the template.
TEMPLATE_ROLLOUT_FIELDS: tuple[str, ...] = (
    "imageName",
    "env",
    "dockerStartCmd",
    "dockerEntrypoint",
    "containerDiskInGb",
    "ports",
)

# -- network volume inputs -----------------------------------------------------------------------

NETWORK_VOLUME_UPDATE: dict[str, Field] = {
    "name": Field("str", non_empty=True),
    "size": Field("int", minimum=0, maximum=4000),
}
NETWORK_VOLUME_CREATE: dict[str, Field] = {
    **NETWORK_VOLUME_UPDATE,
    "dataCenterId": Field("str", enum=DATA_CENTER_IDS),
}
