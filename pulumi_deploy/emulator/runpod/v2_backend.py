"""RunPod REST v2 operations over the shared RunPod backend (same objects and ids as REST v1).

Each method validates the body against the v2 schema (422 with every violation), applies the v2
rules (400, ``v2_rules``), resolves references (404 / 422), then reads or writes the shared
v1-shaped records through ``v2_shapes``. Endpoint container settings are kept on the template the
endpoint runs: a v2 create makes the endpoint its own *bound* template (deleted with it, hidden
from template lists); a v2 change of container settings on an endpoint that still runs a shared
template (created through v1) first gives it a bound copy, so the change never leaks into the
shared template. ``templateId`` in a v2 body is applied once, as if its settings were in the body.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from . import catalog, v2_rules
from . import v2_shapes as shapes
from .backend import (
    BOUND_TO,
    USER_ID,
    V2_EXCLUDED,
    V2_FLASHBOOT,
    V2_POOLS,
    V2_TYPE,
    RunpodBackend,
)
from .errors import RunpodError
from .v2_errors import Problem, bad_request, not_found, unprocessable, validation_failed
from .v2_schemas import (
    CREATE_ENDPOINT,
    CREATE_NETWORK_VOLUME,
    CREATE_REGISTRY,
    CREATE_TEMPLATE,
    UPDATE_ENDPOINT,
    UPDATE_NETWORK_VOLUME,
    UPDATE_TEMPLATE,
)
from .v2_validator import Schema, check

CONTAINER_KEYS = ("image", "args", "disk", "ports", "env", "registry")
DEFAULT_TIMEOUT_MS = 300000


def _validated(body: Any, schema: Schema) -> dict[str, Any]:
    problems = check(body, schema)
    if problems:
        raise validation_failed(problems)
    assert isinstance(body, dict)
    return body


class RunpodV2:
    """The v2 view. Every public method answers in the v2 response shape."""

    def __init__(self, backend: RunpodBackend) -> None:
        self.backend = backend
        self.lock = backend.lock

    @property
    def _endpoints(self) -> dict[str, dict[str, Any]]:
        return self.backend.stores["endpoints"]

    @property
    def _templates(self) -> dict[str, dict[str, Any]]:
        return self.backend.stores["templates"]

    @property
    def _volumes(self) -> dict[str, dict[str, Any]]:
        return self.backend.stores["networkvolumes"]

    @property
    def _registries(self) -> dict[str, dict[str, Any]]:
        return self.backend.stores["registries"]

    # -- endpoints -------------------------------------------------------------------------------

    def list_endpoints(self) -> dict[str, Any]:
        with self.lock:
            return {"endpoints": [self._render(r) for r in self._endpoints.values()]}

    def get_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        with self.lock:
            return self._render(self._endpoint(endpoint_id))

    def create_endpoint(self, raw: Any) -> dict[str, Any]:
        with self.lock:
            body = _validated(raw, CREATE_ENDPOINT)
            v2_rules.one_compute_family(body)
            template = self._template_to_apply(body.get("templateId"))
            kind = body["type"]
            scale = body["scaling"]
            workers = {"min": 0, "max": 3, "idleTimeout": 10, **body.get("workers", {})}
            v2_rules.worker_bounds(workers["min"], workers["max"])
            v2_rules.idle_timeout(kind, scale["type"], "idleTimeout" in body.get("workers", {}))
            dcs = list(body.get("dataCenterIds", []))
            v2_rules.data_centers(dcs)
            volumes = list(body.get("networkVolumes", []))
            v2_rules.network_volumes(volumes, self._volumes, dcs)
            settings = self._settings_to_apply(template, body)
            v2_rules.registry(settings.get("registry"), self._registries)

            endpoint_id = self.backend.new_endpoint_id()
            record: dict[str, Any] = {
                "allowedCudaVersions": [],
                "computeType": "CPU" if "cpu" in body else "GPU",
                "createdAt": self.backend.timestamp(),
                "dataCenterIds": ",".join(dcs),
                "env": dict(settings.get("env", {})),
                "executionTimeoutMs": body.get("timeout", DEFAULT_TIMEOUT_MS),
                "gpuCount": 1,
                "gpuTypeIds": [],
                "id": endpoint_id,
                "idleTimeout": workers["idleTimeout"],
                "instanceIds": [],
                "name": body["name"],
                "scalerType": scale["type"],
                "scalerValue": scale.get("queueDelay", scale.get("requestCount")),
                "templateId": "",
                "userId": USER_ID,
                "version": 0,
                "workersMax": workers["max"],
                "workersMin": workers["min"],
                V2_TYPE: kind,
                V2_FLASHBOOT: body.get("flashboot", "OFF"),
            }
            if "gpu" in body:
                gpu = dict(body["gpu"])
                if "allowedCudaVersions" not in gpu and "minCudaVersion" not in gpu and template is not None:
                    gpu["allowedCudaVersions"] = list(template.get("allowedCudaVersions", []))
                self._apply_gpu(record, gpu)
            else:
                self._apply_cpu(record, body["cpu"])
            self._apply_volumes(record, volumes)
            bound = self._bound_template(endpoint_id, body["name"], None)
            shapes.write_container(bound, settings)
            record["templateId"] = bound["id"]
            self._templates[bound["id"]] = bound
            self._endpoints[endpoint_id] = record
            self.backend.record_release(record, [])
            return self._render(record)

    def update_endpoint(self, endpoint_id: str, raw: Any) -> dict[str, Any]:
        with self.lock:
            current = self._endpoint(endpoint_id)
            body = _validated(raw, UPDATE_ENDPOINT)
            v2_rules.same_compute_family(body, shapes.is_cpu(current))
            template = self._template_to_apply(body.get("templateId")) if "templateId" in body else None
            before = self._render(current)
            updated = copy.deepcopy(current)
            kind = shapes.endpoint_type(current)

            if "name" in body:
                updated["name"] = body["name"]
            if "flashboot" in body:
                updated[V2_FLASHBOOT] = body["flashboot"]
            if "timeout" in body:
                updated["executionTimeoutMs"] = body["timeout"]
            if "scaling" in body:
                scale = body["scaling"]
                if kind == "LOAD_BALANCER" and scale["type"] != "REQUEST_COUNT":
                    raise validation_failed(['$.scaling.type: value must be one of "REQUEST_COUNT"'])
                updated["scalerType"] = scale["type"]
                updated["scalerValue"] = scale.get("queueDelay", scale.get("requestCount"))
            workers = body.get("workers", {})
            for key, field in (("min", "workersMin"), ("max", "workersMax"), ("idleTimeout", "idleTimeout")):
                if key in workers:
                    updated[field] = workers[key]
            v2_rules.worker_bounds(int(updated.get("workersMin", 0)), int(updated.get("workersMax", 0)))
            v2_rules.idle_timeout(kind, str(updated.get("scalerType")), "idleTimeout" in workers)
            if "gpu" in body:
                self._apply_gpu(updated, body["gpu"])
            if "cpu" in body:
                self._apply_cpu(updated, body["cpu"])
            if "dataCenterIds" in body:
                v2_rules.data_centers(list(body["dataCenterIds"]))
                updated["dataCenterIds"] = ",".join(body["dataCenterIds"])
            volumes = list(body.get("networkVolumes", updated.get("networkVolumeIds") or []))
            if "networkVolumes" in body or "dataCenterIds" in body:
                v2_rules.network_volumes(volumes, self._volumes, shapes.data_center_ids(updated))
                self._apply_volumes(updated, volumes)

            settings = (
                self._settings_to_apply(template, body)
                if template is not None
                else {k: body[k] for k in CONTAINER_KEYS if k in body}
            )
            v2_rules.registry(settings.get("registry"), self._registries)
            if settings:
                own = self._own_template(updated)
                shapes.write_container(own, settings)
                if "env" in settings:
                    updated["env"] = dict(settings["env"])

            self._endpoints[endpoint_id] = updated
            diff = shapes.release_diff(before, self._render(updated))
            if diff:
                updated["version"] = int(current.get("version", 0)) + 1
                self.backend.record_release(updated, diff)
            self.backend.rescale(updated)
            return self._render(updated)

    def delete_endpoint(self, endpoint_id: str) -> None:
        with self.lock:
            self._endpoint(endpoint_id)
            self.backend.delete_endpoint(endpoint_id)

    def list_releases(self, endpoint_id: str) -> dict[str, Any]:
        with self.lock:
            endpoint = self._endpoint(endpoint_id)
            self.backend.observe_rollout(endpoint_id)
            return self.backend.rollouts.render_releases(endpoint_id, int(endpoint.get("version", 0)), USER_ID)

    def list_workers(self, endpoint_id: str) -> dict[str, Any]:
        with self.lock:
            endpoint = self._endpoint(endpoint_id)
            self.backend.observe_rollout(endpoint_id)
            rendered = self._render(endpoint)
            gpu = rendered.get("gpu")
            types = catalog.types_of_selection(gpu["pools"], gpu.get("excludedTypes", [])) if gpu else []
            placement = {
                "gpuCount": gpu["count"] if gpu else 0,
                "gpuTypeId": types[0] if types else None,
                "dataCenterId": (rendered["dataCenterIds"] or [catalog.DATA_CENTERS[0]["id"]])[0],
                "image": rendered["image"],
            }
            return self.backend.rollouts.render_workers(endpoint_id, int(endpoint.get("version", 0)), placement)

    # -- templates -------------------------------------------------------------------------------

    def list_templates(self) -> dict[str, Any]:
        with self.lock:
            return {"templates": [shapes.render_template(t) for t in self._templates.values() if BOUND_TO not in t]}

    def get_template(self, template_id: str) -> dict[str, Any]:
        with self.lock:
            return shapes.render_template(self._template(template_id))

    def create_template(self, raw: Any) -> dict[str, Any]:
        with self.lock:
            body = _validated(raw, CREATE_TEMPLATE)
            self._shared(lambda: self.backend.check_template_name_free(body["name"], None))
            v2_rules.registry(body.get("registry"), self._registries)
            record = self.backend.new_template_record()
            record.update({"ports": [], "volumeInGb": 0, "volumeMountPath": "", "allowedCudaVersions": [],
                           "startSsh": True, "startJupyter": True})  # fmt: skip
            self._write_template(record, body)
            self._templates[record["id"]] = record
            return shapes.render_template(record)

    def update_template(self, template_id: str, raw: Any) -> dict[str, Any]:
        with self.lock:
            current = self._template(template_id)
            body = _validated(raw, UPDATE_TEMPLATE)
            if "name" in body:
                self._shared(lambda: self.backend.check_template_name_free(body["name"], template_id))
            v2_rules.registry(body.get("registry"), self._registries)
            updated = copy.deepcopy(current)
            self._write_template(updated, body)
            self._templates[template_id] = updated
            self.backend.roll_template_users(current, updated)
            return shapes.render_template(updated)

    def delete_template(self, template_id: str) -> None:
        with self.lock:
            self._template(template_id)
            self._shared(lambda: self.backend.delete_template(template_id))

    # -- network volumes -------------------------------------------------------------------------

    def list_network_volumes(self) -> dict[str, Any]:
        with self.lock:
            return {"networkVolumes": [shapes.render_network_volume(v) for v in self._volumes.values()]}

    def get_network_volume(self, volume_id: str) -> dict[str, Any]:
        with self.lock:
            return shapes.render_network_volume(self._volume(volume_id))

    def create_network_volume(self, raw: Any) -> dict[str, Any]:
        with self.lock:
            body = _validated(raw, CREATE_NETWORK_VOLUME)
            v2_rules.volume_data_center(body["dataCenter"], body.get("type"))
            volume_id = self.backend.new_network_volume_id()
            record = {
                "dataCenterId": body["dataCenter"],
                "id": volume_id,
                "name": body["name"],
                "size": body["size"],
                "type": body.get("type", "STANDARD"),
            }
            self._volumes[volume_id] = record
            return shapes.render_network_volume(record)

    def update_network_volume(self, volume_id: str, raw: Any) -> dict[str, Any]:
        with self.lock:
            current = self._volume(volume_id)
            body = _validated(raw, UPDATE_NETWORK_VOLUME)
            if "size" in body and body["size"] < int(current["size"]):
                size, now = body["size"], current["size"]
                raise bad_request(f"size: network volume storage cannot be reduced ({size} < {now})")
            current.update(body)
            return shapes.render_network_volume(current)

    def delete_network_volume(self, volume_id: str) -> None:
        with self.lock:
            self._volume(volume_id)
            del self._volumes[volume_id]

    # -- container registry credentials ----------------------------------------------------------

    def list_registries(self) -> dict[str, Any]:
        with self.lock:
            return {"registries": [_render_registry(r) for r in self._registries.values()]}

    def get_registry(self, registry_id: str) -> dict[str, Any]:
        with self.lock:
            return _render_registry(self._registry(registry_id))

    def create_registry(self, raw: Any) -> dict[str, Any]:
        """Credentials are write-only: only a digest of the password is kept (for tests to compare)."""
        with self.lock:
            body = _validated(raw, CREATE_REGISTRY)
            registry_id = self.backend.new_registry_id()
            record = {
                "id": registry_id,
                "name": body["name"],
                "username": body["username"],
                "passwordSha256": hashlib.sha256(body["password"].encode()).hexdigest(),
            }
            self._registries[registry_id] = record
            return _render_registry(record)

    def delete_registry(self, registry_id: str) -> None:
        """Templates that reference the credential silently lose it (``registry`` becomes null)."""
        with self.lock:
            self._registry(registry_id)
            del self._registries[registry_id]
            for template in self._templates.values():
                if template.get("containerRegistryAuthId") == registry_id:
                    del template["containerRegistryAuthId"]

    # -- catalog ---------------------------------------------------------------------------------

    def list_gpu_types(self, product: str | None, include: list[str]) -> dict[str, Any]:
        gpus = [g for g in catalog.GPU_TYPES if product != "SERVERLESS" or g.pool is not None]
        return {"gpus": [_with_availability(g.render(), include) for g in gpus]}

    def get_gpu_type(self, type_id: str, include: list[str]) -> dict[str, Any]:
        gpu = catalog.GPU_TYPES_BY_ID.get(type_id)
        if gpu is None:
            raise not_found("GPU type", type_id)
        return _with_availability(gpu.render(), include)

    def list_cpu_types(self, include: list[str]) -> dict[str, Any]:
        return {"cpus": [_with_availability(c.render(), include) for c in catalog.CPU_FLAVORS]}

    def get_cpu_type(self, flavor_id: str, include: list[str]) -> dict[str, Any]:
        flavor = catalog.CPU_FLAVORS_BY_ID.get(flavor_id)
        if flavor is None:
            raise not_found("CPU type", flavor_id)
        return _with_availability(flavor.render(), include)

    def list_data_centers(self) -> dict[str, Any]:
        return {"dataCenters": [copy.deepcopy(dc) for dc in catalog.DATA_CENTERS]}

    def get_data_center(self, dc_id: str) -> dict[str, Any]:
        dc = catalog.DATA_CENTERS_BY_ID.get(dc_id)
        if dc is None:
            raise not_found("data center", dc_id)
        return copy.deepcopy(dc)

    # -- helpers ---------------------------------------------------------------------------------

    def _render(self, record: dict[str, Any]) -> dict[str, Any]:
        return shapes.render_endpoint(record, self._templates.get(str(record.get("templateId"))))

    def _endpoint(self, endpoint_id: str) -> dict[str, Any]:
        record = self._endpoints.get(endpoint_id)
        if record is None:
            raise not_found("endpoint", endpoint_id)
        return record

    def _template(self, template_id: str) -> dict[str, Any]:
        record = self._templates.get(template_id)
        if record is None:
            raise not_found("template", template_id)
        return record

    def _volume(self, volume_id: str) -> dict[str, Any]:
        record = self._volumes.get(volume_id)
        if record is None:
            raise not_found("network volume", volume_id)
        return record

    def _registry(self, registry_id: str) -> dict[str, Any]:
        record = self._registries.get(registry_id)
        if record is None:
            raise not_found("registry", registry_id)
        return record

    def _template_to_apply(self, template_id: str | None) -> dict[str, Any] | None:
        """``templateId`` in a body: unknown -> 404, not serverless -> 422."""
        if template_id is None:
            return None
        template = self._template(template_id)
        if not template.get("isServerless"):
            raise unprocessable(f"template {template_id} is not a serverless template")
        return template

    @staticmethod
    def _settings_to_apply(template: dict[str, Any] | None, body: dict[str, Any]) -> dict[str, Any]:
        """The template's container settings overridden by the body's; ``env`` merges per key."""
        settings = shapes.container_of(template) if template is not None else {}
        for key in CONTAINER_KEYS:
            if key in body and key != "env":
                settings[key] = copy.deepcopy(body[key])
        if "env" in body or template is not None:
            settings["env"] = {**settings.get("env", {}), **body.get("env", {})}
        return settings

    def _bound_template(self, endpoint_id: str, name: str, source: dict[str, Any] | None) -> dict[str, Any]:
        record = self.backend.new_template_record()
        record.update({"ports": [], "containerDiskInGb": 20, "volumeInGb": 0, "volumeMountPath": "",
                       "env": {}, "isServerless": True})  # fmt: skip
        if source is not None:
            shapes.write_container(record, shapes.container_of(source))
        record["name"] = f"{name}__template__{endpoint_id}"
        record[BOUND_TO] = endpoint_id
        return record

    def _own_template(self, endpoint: dict[str, Any]) -> dict[str, Any]:
        """The endpoint's bound template; an endpoint on a shared template gets a copy of it first."""
        endpoint_id = str(endpoint["id"])
        current_id = str(endpoint.get("templateId") or "")
        current = self._templates.get(current_id)
        if current is not None and current.get(BOUND_TO) == endpoint_id:
            return current
        bound = self._bound_template(endpoint_id, str(endpoint.get("name", "")), current)
        self._templates[bound["id"]] = bound
        endpoint["templateId"] = bound["id"]
        self.backend.let_go_of_template(current_id, endpoint_id)
        return bound

    def _apply_gpu(self, record: dict[str, Any], gpu: dict[str, Any]) -> None:
        """Pools replace the whole selection (omitted exclusions are cleared); CUDA fields are
        sparse (``[]`` / ``""`` clear); the resulting constraints must not combine a set and a floor."""
        if "pools" in gpu:
            excluded = v2_rules.gpu_selection(list(gpu["pools"]), list(gpu.get("excludedTypes", [])))
            record[V2_POOLS] = list(gpu["pools"])
            record[V2_EXCLUDED] = excluded
            record["gpuTypeIds"] = catalog.types_of_selection(record[V2_POOLS], excluded)
        if "count" in gpu:
            record["gpuCount"] = gpu["count"]
        if "allowedCudaVersions" in gpu:
            record["allowedCudaVersions"] = list(gpu["allowedCudaVersions"])
        if "minCudaVersion" in gpu:
            if gpu["minCudaVersion"]:
                record["minCudaVersion"] = gpu["minCudaVersion"]
            else:
                record.pop("minCudaVersion", None)
        v2_rules.cuda_constraints(list(record.get("allowedCudaVersions") or []), record.get("minCudaVersion"))

    @staticmethod
    def _apply_cpu(record: dict[str, Any], configs: list[dict[str, Any]]) -> None:
        v2_rules.cpu_configs(configs)
        record["instanceIds"] = [shapes.instance_id(c["id"], int(c["vcpuCount"])) for c in configs]

    @staticmethod
    def _apply_volumes(record: dict[str, Any], volumes: list[str]) -> None:
        record.pop("networkVolumeId", None)
        record.pop("networkVolumeIds", None)
        if volumes:
            record["networkVolumeId"] = volumes[0]
            record["networkVolumeIds"] = list(volumes)

    @staticmethod
    def _write_template(record: dict[str, Any], body: dict[str, Any]) -> None:
        shapes.write_container(record, body)
        for key, field in (("name", "name"), ("serverless", "isServerless"), ("public", "isPublic"),
                           ("category", "category"), ("startSsh", "startSsh"), ("startJupyter", "startJupyter"),
                           ("allowedCudaVersions", "allowedCudaVersions")):  # fmt: skip
            if key in body:
                record[field] = copy.deepcopy(body[key])
        persistent = body.get("mounts", {}).get("persistent")
        if persistent is not None:
            record["volumeInGb"] = persistent["size"]
            record["volumeMountPath"] = persistent["path"]

    @staticmethod
    def _shared(operation: Any) -> Any:
        """Run a shared (v1) rule; its 400 becomes a v2 problem with the same status and wording."""
        try:
            return operation()
        except RunpodError as exc:
            raise Problem(exc.status, exc.message) from None


def _render_registry(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record["id"], "name": record["name"]}


def _with_availability(item: dict[str, Any], include: list[str]) -> dict[str, Any]:
    if "AVAILABILITY" in include:
        item["availability"] = "HIGH"
    return item
