"""RunPod REST v1 backend: serverless endpoints, templates and network volumes, in memory.

Records in ``stores`` are in the v1 *response* shape (what ``GET`` returns), so the control API
can seed and drift them. Rules come from the v1 OpenAPI document and the research notes:

* every input object is validated strictly (``schema.py``): unknown keys, closed enums, ranges;
* endpoint create fills server defaults, ignores ``computeType=CPU`` (the endpoint is GPU), and
  never returns ``flashboot`` / ``vcpuCount`` / ``cpuFlavorIds``; ``flashboot: true`` gives the
  stored name the historic ``" -fb"`` suffix; ``dataCenterIds`` is returned comma-joined;
  ``networkVolumeId`` and ``networkVolumeIds`` mirror each other;
* PATCH is sparse; ``version`` goes up when a rollout field changes value, and a template PATCH of
  a rollout field bumps every endpoint that uses the template (and refreshes its ``env``);
* template names are unique; a template used by an endpoint cannot be deleted; a network volume
  can only grow.

Known deviations are listed in ``COVERAGE.md``.
"""

from __future__ import annotations

import copy
import secrets
import string
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from ..base import EmulatorBackend
from . import errors
from .schema import (
    DATA_CENTER_IDS,
    DEFAULT_GPU_TYPE_IDS,
    DEFAULT_TEMPLATE_PORTS,
    ENDPOINT_CREATE,
    ENDPOINT_ROLLOUT_FIELDS,
    ENDPOINT_UPDATE,
    NETWORK_VOLUME_CREATE,
    NETWORK_VOLUME_UPDATE,
    TEMPLATE_CREATE,
    TEMPLATE_ROLLOUT_FIELDS,
    TEMPLATE_UPDATE,
    validate,
)

USER_ID = "user_2emulatorRunpodAccount0001"
FLASHBOOT_SUFFIX = " -fb"
_ID_ALPHABET = string.ascii_lowercase + string.digits
_ADJECTIVES = ("dramatic", "quiet", "brave", "gentle", "rapid", "lucky", "silent", "vivid")
_COLOURS = ("aqua", "amber", "coral", "indigo", "olive", "scarlet", "teal", "ivory")
_ANIMALS = ("ptarmigan", "otter", "heron", "lynx", "marmot", "gecko", "falcon", "walrus")

#: Endpoint keys copied verbatim from the input when present.
_ENDPOINT_PLAIN_FIELDS = (
    "allowedCudaVersions",
    "executionTimeoutMs",
    "gpuCount",
    "gpuTypeIds",
    "idleTimeout",
    "minCudaVersion",
    "scalerType",
    "scalerValue",
    "workersMax",
    "workersMin",
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RunpodBackend(EmulatorBackend):
    """State and rules of RunPod REST v1 (``/endpoints``, ``/templates``, ``/networkvolumes``)."""

    kinds: ClassVar[tuple[str, ...]] = ("endpoints", "templates", "networkvolumes")
    #: ``template_release_seconds``: how long a template stays undeletable after its last endpoint let go of
    #: it (the real service: up to ~120 s). 0 by default so other tests need not wait; set it to exercise it.
    default_settings: ClassVar[dict[str, Any]] = {"template_release_seconds": 0.0}

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.now = now
        #: template id -> (the endpoint that last used it, when it let go)
        self._released: dict[str, tuple[str, float]] = {}
        super().__init__(clock)

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self._released = {}

    # -- auth ------------------------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> None:
        """Accept any non-empty bearer token (the emulator has one account)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.Unauthorized()

    # -- endpoints -------------------------------------------------------------------------------

    def create_endpoint(self, body: Any) -> dict[str, Any]:
        """``POST /endpoints``. ``computeType``/``cpuFlavorIds``/``vcpuCount`` are accepted and ignored."""
        with self.lock:
            validate(body, ENDPOINT_CREATE, required=("templateId",))
            endpoint_id = self._new_id("endpoints", 14)
            record: dict[str, Any] = {
                "allowedCudaVersions": [],
                "computeType": "GPU",
                "createdAt": self._timestamp(),
                "dataCenterIds": ",".join(DATA_CENTER_IDS),
                "env": {},
                "executionTimeoutMs": 600000,
                "gpuCount": 1,
                "gpuTypeIds": list(DEFAULT_GPU_TYPE_IDS),
                "id": endpoint_id,
                "idleTimeout": 5,
                "instanceIds": [],
                "name": self._random_name(),
                "scalerType": "QUEUE_DELAY",
                "scalerValue": 4,
                "templateId": "",
                "userId": USER_ID,
                "version": 0,
                "workersMax": 3,
                "workersMin": 0,
            }
            self._apply_endpoint_input(record, body)
            self.stores["endpoints"][endpoint_id] = record
            return copy.deepcopy(record)

    def list_endpoints(
        self, include_template: str | None = None, include_workers: str | None = None
    ) -> list[dict[str, Any]]:
        """``GET /endpoints``: a bare array in creation order (no pagination)."""
        with self.lock:
            with_template = self._flag("includeTemplate", include_template)
            with_workers = self._flag("includeWorkers", include_workers)
            return [self._render_endpoint(r, with_template, with_workers) for r in self.stores["endpoints"].values()]

    def get_endpoint(
        self, endpoint_id: str, include_template: str | None = None, include_workers: str | None = None
    ) -> dict[str, Any]:
        with self.lock:
            with_template = self._flag("includeTemplate", include_template)
            with_workers = self._flag("includeWorkers", include_workers)
            return self._render_endpoint(self._get_endpoint(endpoint_id), with_template, with_workers)

    def update_endpoint(self, endpoint_id: str, body: Any) -> dict[str, Any]:
        """``PATCH /endpoints/{id}`` and ``POST /endpoints/{id}/update``: sparse; may bump ``version``."""
        with self.lock:
            current = self._get_endpoint(endpoint_id)
            validate(body, ENDPOINT_UPDATE)
            updated = copy.deepcopy(current)
            self._apply_endpoint_input(updated, body)
            if updated.get("templateId") != current.get("templateId"):
                self._release(str(current.get("templateId") or ""), endpoint_id)
            if any(updated.get(f) != current.get(f) for f in ENDPOINT_ROLLOUT_FIELDS):
                updated["version"] = int(current.get("version", 0)) + 1
            self.stores["endpoints"][endpoint_id] = updated
            return copy.deepcopy(updated)

    def delete_endpoint(self, endpoint_id: str) -> None:
        """``DELETE /endpoints/{id}``: no precondition on workers (none documented for REST)."""
        with self.lock:
            endpoint = self._get_endpoint(endpoint_id)
            del self.stores["endpoints"][endpoint_id]
            self._release(str(endpoint.get("templateId") or ""), endpoint_id)

    # -- templates -------------------------------------------------------------------------------

    def create_template(self, body: Any) -> dict[str, Any]:
        """``POST /templates``: ``name`` and ``imageName`` required; names unique per account."""
        with self.lock:
            validate(body, TEMPLATE_CREATE, required=("name", "imageName"))
            self._check_template_name_free(body["name"], None)
            template_id = self._new_id("templates", 10)
            record: dict[str, Any] = {
                "category": "NVIDIA",
                "containerDiskInGb": 50,
                "dockerEntrypoint": [],
                "dockerStartCmd": [],
                "earned": 0,
                "env": {},
                "id": template_id,
                "imageName": "",
                "isPublic": False,
                "isRunpod": False,
                "isServerless": False,
                "name": "",
                "ports": list(DEFAULT_TEMPLATE_PORTS),
                "readme": "",
                "runtimeInMin": 0,
                "volumeInGb": 20,
                "volumeMountPath": "/workspace",
            }
            record.update(copy.deepcopy(body))
            self.stores["templates"][template_id] = record
            return copy.deepcopy(record)

    def list_templates(
        self,
        include_endpoint_bound: str | None = None,
        include_public: str | None = None,
        include_runpod: str | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /templates``: the account's own templates (no public/official catalogue emulated)."""
        with self.lock:
            self._template_flags(include_endpoint_bound, include_public, include_runpod)
            return [copy.deepcopy(r) for r in self.stores["templates"].values()]

    def get_template(
        self,
        template_id: str,
        include_endpoint_bound: str | None = None,
        include_public: str | None = None,
        include_runpod: str | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            self._template_flags(include_endpoint_bound, include_public, include_runpod)
            return copy.deepcopy(self._get_template(template_id))

    def update_template(self, template_id: str, body: Any) -> dict[str, Any]:
        """``PATCH /templates/{id}``: sparse; ``isServerless``/``category`` are not updatable.

        A change of a rollout field (image, env, start command, entrypoint, disk, ports) bumps
        ``version`` of every endpoint using the template; an ``env`` change is copied to them.
        """
        with self.lock:
            current = self._get_template(template_id)
            validate(body, TEMPLATE_UPDATE)
            if "name" in body:
                self._check_template_name_free(body["name"], template_id)
            updated = copy.deepcopy(current)
            updated.update(copy.deepcopy(body))
            if any(updated.get(f) != current.get(f) for f in TEMPLATE_ROLLOUT_FIELDS):
                for endpoint in self._endpoints_using(template_id):
                    endpoint["version"] = int(endpoint.get("version", 0)) + 1
                    endpoint["env"] = copy.deepcopy(updated.get("env", {}))
            self.stores["templates"][template_id] = updated
            return copy.deepcopy(updated)

    def delete_template(self, template_id: str) -> None:
        """``DELETE /templates/{id}``: refused (400) while any endpoint uses the template."""
        with self.lock:
            self._get_template(template_id)
            users = self._endpoints_using(template_id)
            if users:
                raise errors.TemplateInUse(template_id, str(users[0]["id"]))
            last_user, released_at = self._released.get(template_id, ("", float("-inf")))
            if self.clock() - released_at < float(self.settings["template_release_seconds"]):
                raise errors.TemplateInUse(template_id, last_user)
            del self.stores["templates"][template_id]
            self._released.pop(template_id, None)

    # -- network volumes -------------------------------------------------------------------------

    def create_network_volume(self, body: Any) -> dict[str, Any]:
        """``POST /networkvolumes``: ``name``, ``size`` (0..4000 GB) and ``dataCenterId`` required."""
        with self.lock:
            validate(body, NETWORK_VOLUME_CREATE, required=("name", "size", "dataCenterId"))
            volume_id = self._new_id("networkvolumes", 10)
            record = {
                "dataCenterId": body["dataCenterId"],
                "id": volume_id,
                "name": body["name"],
                "size": body["size"],
            }
            self.stores["networkvolumes"][volume_id] = record
            return copy.deepcopy(record)

    def list_network_volumes(self) -> list[dict[str, Any]]:
        with self.lock:
            return [copy.deepcopy(r) for r in self.stores["networkvolumes"].values()]

    def get_network_volume(self, volume_id: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self._get_network_volume(volume_id))

    def update_network_volume(self, volume_id: str, body: Any) -> dict[str, Any]:
        """``PATCH /networkvolumes/{id}``: ``{name?, size?}``; a new size must exceed the current one."""
        with self.lock:
            current = self._get_network_volume(volume_id)
            validate(body, NETWORK_VOLUME_UPDATE)
            if "size" in body and body["size"] <= int(current["size"]):
                raise errors.VolumeSizeNotIncreased(int(current["size"]), body["size"])
            current.update(body)
            return copy.deepcopy(current)

    def delete_network_volume(self, volume_id: str) -> None:
        with self.lock:
            self._get_network_volume(volume_id)
            del self.stores["networkvolumes"][volume_id]

    # -- helpers ---------------------------------------------------------------------------------

    def _get_endpoint(self, endpoint_id: str) -> dict[str, Any]:
        try:
            return self.stores["endpoints"][endpoint_id]
        except KeyError:
            raise errors.EndpointNotFound(endpoint_id) from None

    def _get_template(self, template_id: str) -> dict[str, Any]:
        try:
            return self.stores["templates"][template_id]
        except KeyError:
            raise errors.TemplateNotFound(template_id) from None

    def _get_network_volume(self, volume_id: str) -> dict[str, Any]:
        try:
            return self.stores["networkvolumes"][volume_id]
        except KeyError:
            raise errors.NetworkVolumeNotFound(volume_id) from None

    def _apply_endpoint_input(self, record: dict[str, Any], body: dict[str, Any]) -> None:
        """Write validated input keys into a (copied) endpoint record, response-shaped."""
        for key in _ENDPOINT_PLAIN_FIELDS:
            if key in body:
                record[key] = copy.deepcopy(body[key])
        if "dataCenterIds" in body:
            record["dataCenterIds"] = ",".join(body["dataCenterIds"])  # returned as a string (Q2)
        if "templateId" in body:
            template = self._serverless_template(body["templateId"])
            record["templateId"] = body["templateId"]
            record["env"] = copy.deepcopy(template.get("env", {}))
        if "networkVolumeIds" in body or "networkVolumeId" in body:
            ids = body.get("networkVolumeIds")
            if ids is None:
                ids = [body["networkVolumeId"]] if body["networkVolumeId"] else []
            for volume_id in ids:
                if volume_id not in self.stores["networkvolumes"]:
                    raise errors.NetworkVolumeReferenceNotFound(volume_id)
            record.pop("networkVolumeId", None)
            record.pop("networkVolumeIds", None)
            if ids:
                record["networkVolumeId"] = ids[0]
                record["networkVolumeIds"] = list(ids)
        if "name" in body or "flashboot" in body:
            current = str(record.get("name", ""))
            flashboot = body.get("flashboot", current.endswith(FLASHBOOT_SUFFIX))
            base = body["name"] if "name" in body else current.removesuffix(FLASHBOOT_SUFFIX)
            record["name"] = base.removesuffix(FLASHBOOT_SUFFIX) + FLASHBOOT_SUFFIX if flashboot else base

    def _serverless_template(self, template_id: str) -> dict[str, Any]:
        template = self.stores["templates"].get(template_id)
        if template is None:
            raise errors.TemplateReferenceNotFound(template_id)
        if not template.get("isServerless"):
            raise errors.TemplateNotServerless(template_id)
        return template

    def _render_endpoint(self, record: dict[str, Any], with_template: bool, with_workers: bool) -> dict[str, Any]:
        rendered = copy.deepcopy(record)
        template = self.stores["templates"].get(str(record.get("templateId")))
        if with_template and template is not None:
            rendered["template"] = copy.deepcopy(template)
        if with_workers:
            rendered["workers"] = []
        return rendered

    def _release(self, template_id: str, endpoint_id: str) -> None:
        if template_id:
            self._released[template_id] = (endpoint_id, self.clock())

    def _endpoints_using(self, template_id: str) -> list[dict[str, Any]]:
        return [e for e in self.stores["endpoints"].values() if e.get("templateId") == template_id]

    def _check_template_name_free(self, name: str, own_id: str | None) -> None:
        for template_id, template in self.stores["templates"].items():
            if template_id != own_id and template.get("name") == name:
                raise errors.DuplicateTemplateName(name)

    def _template_flags(self, bound: str | None, public: str | None, runpod: str | None) -> None:
        self._flag("includeEndpointBoundTemplates", bound)
        self._flag("includePublicTemplates", public)
        self._flag("includeRunpodTemplates", runpod)

    @staticmethod
    def _flag(name: str, raw: str | None) -> bool:
        if raw is None:
            return False
        if raw.lower() not in ("true", "false"):
            raise errors.InvalidType(name, "a boolean")
        return raw.lower() == "true"

    def _new_id(self, kind: str, length: int) -> str:
        while True:
            candidate = "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))
            if candidate not in self.stores[kind]:
                return candidate

    def _timestamp(self) -> str:
        moment = self.now().astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    @staticmethod
    def _random_name() -> str:
        return "_".join(secrets.choice(words) for words in (_ADJECTIVES, _COLOURS, _ANIMALS))
