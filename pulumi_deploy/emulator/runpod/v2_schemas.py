"""REST v2 request bodies as :class:`~.v2_validator.Schema` data (the 422 layer).

Written from the v2 OpenAPI document's request schemas: every object is closed
(``additionalProperties``/``unevaluatedProperties: false``), so an unknown key -- including
``type`` on an endpoint PATCH, which is create-only -- is a 422. Rules that the document gives a
400 for (mutual exclusions, references, catalog membership) are *not* here: ``v2_rules.py``.
"""

from __future__ import annotations

from typing import Any

from .v2_validator import Schema

CUDA_PATTERN = r"^\d+\.\d+$"

_STRING = Schema("string")
_NON_EMPTY = Schema("string", min_length=1)
_STRINGS = Schema("array", items=_STRING)

#: ``ContainerConfig``: what templates and endpoints share.
CONTAINER_PROPS: dict[str, Schema] = {
    "args": _STRING,
    "disk": Schema("integer", minimum=1),
    "env": Schema("map", values=_STRING),
    "image": _STRING,
    "ports": _STRINGS,
    "registry": Schema("string", nullable=True),
}

FLASHBOOT = Schema("string", enum=("OFF", "FLASHBOOT", "PRIORITY_FLASHBOOT"))
ENDPOINT_TYPE = Schema("string", enum=("QUEUE", "LOAD_BALANCER"))


def _scaling_variant(body: dict[str, Any], path: str) -> list[str]:
    """``EndpointScaling`` is a union discriminated on ``type``; each variant is closed."""
    own, other = ("queueDelay", "requestCount") if body["type"] == "QUEUE_DELAY" else ("requestCount", "queueDelay")
    problems = []
    if other in body:
        problems.append(f"{path}: additional properties '{other}' not allowed")
    if own not in body:
        problems.append(f"{path}: missing properties: '{own}'")
    return problems


SCALING = Schema(
    "object",
    props={
        "type": Schema("string", enum=("QUEUE_DELAY", "REQUEST_COUNT")),
        "queueDelay": Schema("number", minimum=0.5),
        "requestCount": Schema("integer", minimum=1),
    },
    required=("type",),
    rules=(_scaling_variant,),
)

WORKERS = Schema(
    "object",
    props={
        "min": Schema("integer", minimum=0),
        "max": Schema("integer", minimum=0),
        "idleTimeout": Schema("integer", minimum=1, maximum=3600),
    },
)

_GPU_BASE: dict[str, Schema] = {
    "pools": Schema("array", min_items=1, items=_STRING),
    "excludedTypes": Schema("array", unique_items=True, items=Schema("string", pattern=r"^\s*[^-\s]")),
    "count": Schema("integer", minimum=1),
}
CREATE_GPU = Schema(
    "object",
    props={
        **_GPU_BASE,
        "allowedCudaVersions": Schema("array", items=Schema("string", pattern=CUDA_PATTERN)),
        "minCudaVersion": Schema("string", pattern=CUDA_PATTERN),
    },
    required=("pools",),
)
UPDATE_GPU = Schema(
    "object",
    props={
        **_GPU_BASE,
        "allowedCudaVersions": Schema("array", items=Schema("string", pattern=CUDA_PATTERN)),
        "minCudaVersion": Schema("string", pattern=r"^$|^\d+\.\d+$"),
    },
    dependent_required={"excludedTypes": ("pools",)},
)
CPU_CONFIGS = Schema(
    "array",
    min_items=1,
    unique_items=True,
    items=Schema(
        "object",
        props={"id": _NON_EMPTY, "vcpuCount": Schema("integer", minimum=2)},
        required=("id", "vcpuCount"),
    ),
)


def _image_unless_template(body: dict[str, Any], path: str) -> list[str]:
    return [] if "templateId" in body or "image" in body else [f"{path}: missing properties: 'image'"]


def _load_balancer_scales_on_requests(body: dict[str, Any], path: str) -> list[str]:
    if body.get("type") == "LOAD_BALANCER" and body["scaling"].get("type") != "REQUEST_COUNT":
        return [f'{path}.scaling.type: value must be one of "REQUEST_COUNT"']
    return []


CREATE_ENDPOINT = Schema(
    "object",
    props={
        **CONTAINER_PROPS,
        "name": _NON_EMPTY,
        "type": ENDPOINT_TYPE,
        "scaling": SCALING,
        "gpu": CREATE_GPU,
        "cpu": CPU_CONFIGS,
        "dataCenterIds": _STRINGS,
        "flashboot": FLASHBOOT,
        "networkVolumes": _STRINGS,
        "templateId": _NON_EMPTY,
        "timeout": Schema("integer"),
        "workers": WORKERS,
    },
    required=("name", "type", "scaling"),
    rules=(_image_unless_template, _load_balancer_scales_on_requests),
)

UPDATE_ENDPOINT = Schema(
    "object",
    props={
        **CONTAINER_PROPS,
        "cpu": CPU_CONFIGS,
        "dataCenterIds": _STRINGS,
        "flashboot": FLASHBOOT,
        "gpu": UPDATE_GPU,
        "name": _NON_EMPTY,
        "networkVolumes": _STRINGS,
        "scaling": SCALING,
        "templateId": _STRING,
        "timeout": Schema("integer"),
        "workers": WORKERS,
    },
)

TEMPLATE_MOUNTS = Schema(
    "object",
    props={
        "persistent": Schema(
            "object",
            props={"size": Schema("integer", minimum=10), "path": _STRING},
            required=("size", "path"),
        )
    },
)
_TEMPLATE_PROPS: dict[str, Schema] = {
    **CONTAINER_PROPS,
    "allowedCudaVersions": Schema("array", items=Schema("string", pattern=CUDA_PATTERN)),
    "category": Schema("string", enum=("CPU", "NVIDIA", "AMD")),
    "mounts": TEMPLATE_MOUNTS,
    "name": _NON_EMPTY,
    "public": Schema("boolean"),
    "serverless": Schema("boolean"),
    "startJupyter": Schema("boolean"),
    "startSsh": Schema("boolean"),
}
CREATE_TEMPLATE = Schema("object", props=_TEMPLATE_PROPS, required=("name", "image"))
UPDATE_TEMPLATE = Schema("object", props=_TEMPLATE_PROPS)

_VOLUME_SIZE = Schema("integer", minimum=10, maximum=4096)
CREATE_NETWORK_VOLUME = Schema(
    "object",
    props={
        "dataCenter": _NON_EMPTY,
        "name": _NON_EMPTY,
        "size": _VOLUME_SIZE,
        "type": Schema("string", enum=("STANDARD", "HIGH_PERFORMANCE")),
    },
    required=("name", "size", "dataCenter"),
)
UPDATE_NETWORK_VOLUME = Schema("object", props={"name": _NON_EMPTY, "size": _VOLUME_SIZE}, min_properties=1)

CREATE_REGISTRY = Schema(
    "object",
    props={"name": _NON_EMPTY, "username": _NON_EMPTY, "password": _NON_EMPTY},
    required=("name", "username", "password"),
)
