"""Translation between the shared (v1-shaped) records and the REST v2 shapes.

The backend keeps one record per object in the v1 response shape, so both views read the same
objects and ids. REST v2 puts container settings (``image``, ``args``, ``disk``, ``ports``,
``env``, ``registry``) on the endpoint itself; here they live on the template the endpoint runs
(its own *bound* template when it was created or changed through v2). The few v2-only facts
(routing ``type``, FlashBoot mode, the pool selection as submitted) are kept in the record under
the keys ``backend.V2_ENDPOINT_KEYS``, which the v1 view never returns.
"""

from __future__ import annotations

import copy
import shlex
from typing import Any

from . import catalog
from .backend import V2_ARGS, V2_EXCLUDED, V2_FLASHBOOT, V2_POOLS, V2_TYPE

REQUEST_URL_HOST = "https://api.runpod.ai/v2"
FLASHBOOT_SUFFIX = " -fb"


# -- container settings <-> template record --------------------------------------------------------


def container_of(template: dict[str, Any] | None) -> dict[str, Any]:
    """The v2 container settings a template record stands for."""
    t = template or {}
    args = t[V2_ARGS] if V2_ARGS in t else shlex.join(t.get("dockerStartCmd") or [])
    return {
        "image": t.get("imageName", ""),
        "args": args,
        "disk": t.get("containerDiskInGb", 0),
        "ports": copy.deepcopy(t.get("ports", [])),
        "env": copy.deepcopy(t.get("env", {})),
        "registry": t.get("containerRegistryAuthId") or None,
    }


def write_container(template: dict[str, Any], settings: dict[str, Any]) -> None:
    """Write the v2 container settings present in ``settings`` into a template record."""
    if "image" in settings:
        template["imageName"] = settings["image"]
    if "args" in settings:
        template[V2_ARGS] = settings["args"]
        template["dockerStartCmd"] = split_args(settings["args"])
    if "disk" in settings:
        template["containerDiskInGb"] = settings["disk"]
    if "ports" in settings:
        template["ports"] = list(settings["ports"])
    if "env" in settings:
        template["env"] = dict(settings["env"])
    if "registry" in settings:
        if settings["registry"]:
            template["containerRegistryAuthId"] = settings["registry"]
        else:
            template.pop("containerRegistryAuthId", None)


def split_args(args: str) -> list[str]:
    try:
        return shlex.split(args)
    except ValueError:  # unbalanced quotes: keep the string whole
        return [args]


# -- templates -------------------------------------------------------------------------------------


def render_template(record: dict[str, Any]) -> dict[str, Any]:
    container = container_of(record)
    size = int(record.get("volumeInGb", 0) or 0)
    mounts = {"persistent": {"size": size, "path": record.get("volumeMountPath", "")}} if size else {}
    return {
        "id": record["id"],
        "name": record.get("name", ""),
        **container,
        "mounts": mounts,
        "serverless": bool(record.get("isServerless", False)),
        "public": bool(record.get("isPublic", False)),
        "category": record.get("category", "NVIDIA"),
        "startSsh": bool(record.get("startSsh", True)),
        "startJupyter": bool(record.get("startJupyter", True)),
        "allowedCudaVersions": list(record.get("allowedCudaVersions", [])),
    }


# -- network volumes -------------------------------------------------------------------------------


def render_network_volume(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "name": record.get("name", ""),
        "size": record.get("size", 0),
        "dataCenter": record.get("dataCenterId", ""),
        "type": record.get("type", "STANDARD"),
    }


# -- endpoints -------------------------------------------------------------------------------------


def data_center_ids(record: dict[str, Any]) -> list[str]:
    raw = record.get("dataCenterIds", "")
    items = raw if isinstance(raw, list) else str(raw).split(",")
    return [dc.strip() for dc in items if dc.strip()]


def gpu_selection(record: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(pools, excludedTypes) as submitted through v2, or derived from v1's ``gpuTypeIds``."""
    if V2_POOLS in record:
        return list(record[V2_POOLS]), list(record.get(V2_EXCLUDED, []))
    return catalog.selection_of_types(list(record.get("gpuTypeIds") or []))


def cpu_configs(record: dict[str, Any]) -> list[dict[str, Any]]:
    """CPU endpoints keep their configurations as v1 instance ids ``<flavor>-<vcpus>-<memory GB>``."""
    configs = []
    for instance in record.get("instanceIds") or []:
        flavor, _, rest = str(instance).partition("-")
        vcpus, _, memory = rest.partition("-")
        configs.append({"id": flavor, "vcpuCount": int(vcpus or 0), "memory": int(memory or 0)})
    return configs


def instance_id(flavor: str, vcpu_count: int) -> str:
    memory = vcpu_count * catalog.CPU_FLAVORS_BY_ID[flavor].ram_gb_per_vcpu
    return f"{flavor}-{vcpu_count}-{memory}"


def is_cpu(record: dict[str, Any]) -> bool:
    return record.get("computeType") == "CPU"


def endpoint_type(record: dict[str, Any]) -> str:
    return str(record.get(V2_TYPE, "QUEUE"))


def flashboot(record: dict[str, Any]) -> str:
    if record.get(V2_FLASHBOOT):
        return str(record[V2_FLASHBOOT])
    return "FLASHBOOT" if str(record.get("name", "")).endswith(FLASHBOOT_SUFFIX) else "OFF"


def scaling(record: dict[str, Any]) -> dict[str, Any]:
    value = record.get("scalerValue", 4)
    if record.get("scalerType") == "REQUEST_COUNT":
        return {"type": "REQUEST_COUNT", "requestCount": int(value)}
    return {"type": "QUEUE_DELAY", "queueDelay": value}


def idle_timeout_applies(kind: str, scaler_type: str) -> bool:
    """Queue endpoints that scale on request count have no idle timeout."""
    return not (kind == "QUEUE" and scaler_type == "REQUEST_COUNT")


def request_urls(endpoint_id: str, kind: str) -> dict[str, str]:
    if kind == "LOAD_BALANCER":
        base = f"https://{endpoint_id}.api.runpod.ai"
        return {"base": base, "health": f"{base}/ping"}
    root = f"{REQUEST_URL_HOST}/{endpoint_id}"
    return {
        "run": f"{root}/run",
        "runSync": f"{root}/runsync",
        "status": f"{root}/status/{{job_id}}",
        "stream": f"{root}/stream/{{job_id}}",
        "cancel": f"{root}/cancel/{{job_id}}",
        "retry": f"{root}/retry/{{job_id}}",
        "purgeQueue": f"{root}/purge-queue",
        "health": f"{root}/health",
    }


def render_endpoint(record: dict[str, Any], template: dict[str, Any] | None) -> dict[str, Any]:
    kind = endpoint_type(record)
    container = container_of(template)
    container["env"] = copy.deepcopy(record.get("env", container["env"]))
    body: dict[str, Any] = {
        "id": record["id"],
        "name": record.get("name", ""),
        "type": kind,
        "requestUrls": request_urls(str(record["id"]), kind),
        **container,
    }
    if is_cpu(record):
        body["gpu"] = None
        body["cpu"] = cpu_configs(record)
    else:
        pools, excluded = gpu_selection(record)
        gpu: dict[str, Any] = {
            "pools": pools,
            "count": record.get("gpuCount", 1),
            "allowedCudaVersions": list(record.get("allowedCudaVersions") or []),
            "minCudaVersion": record.get("minCudaVersion") or None,
        }
        if excluded:
            gpu["excludedTypes"] = excluded
        body["gpu"] = gpu
    scale = scaling(record)
    workers: dict[str, Any] = {"min": record.get("workersMin", 0), "max": record.get("workersMax", 0)}
    if idle_timeout_applies(kind, scale["type"]):
        workers["idleTimeout"] = record.get("idleTimeout", 5)
    body.update(
        {
            "workers": workers,
            "scaling": scale,
            "dataCenterIds": data_center_ids(record),
            "networkVolumes": list(record.get("networkVolumeIds") or []),
            "timeout": record.get("executionTimeoutMs", 300000),
            "flashboot": flashboot(record),
            "createdAt": record.get("createdAt", ""),
        }
    )
    return body


#: The parts of a v2 endpoint whose change makes a new release that workers roll onto.
ROLLOUT_PATHS: tuple[tuple[str, ...], ...] = (
    ("image",), ("args",), ("disk",), ("ports",), ("env",), ("registry",),
    ("gpu", "pools"), ("gpu", "excludedTypes"), ("gpu", "count"), ("gpu", "allowedCudaVersions"),
    ("gpu", "minCudaVersion"), ("cpu",), ("dataCenterIds",), ("networkVolumes",),
)  # fmt: skip


def release_diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """``ReleaseDiffEntry`` items for the rollout parts that differ between two v2 renderings."""
    diff = []
    for path in ROLLOUT_PATHS:
        old, new = _dig(before, path), _dig(after, path)
        if old != new:
            diff.append({"field": ".".join(path), "old": old, "new": new})
    return diff


def _dig(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = body
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return copy.deepcopy(value)
