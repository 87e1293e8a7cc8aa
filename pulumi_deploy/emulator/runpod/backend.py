"""RunPod backend: one account's serverless endpoints, templates, network volumes (and, for REST
v2, registry credentials and releases), in memory, with the REST v1 operations.

Both API views share this state: the v1 operations are here, the v2 ones in ``v2_backend.py``.
Records in ``stores`` are in the v1 *response* shape (what ``GET`` returns), so the control API
can seed and drift them; the few v2-only facts sit under ``V2_*_KEYS``, which v1 never returns.
Every configuration version of an endpoint is a release its workers roll onto (``rollouts.py``).
Rules come from the v1 OpenAPI document and the research notes:

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
from .rollouts import Rollouts
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


#: Keys only REST v2 writes into the shared records; the v1 view never returns them.
V2_TYPE = "type"
V2_FLASHBOOT = "flashbootMode"
V2_POOLS = "gpuPools"
V2_EXCLUDED = "excludedTypes"
V2_ENDPOINT_KEYS: frozenset[str] = frozenset({V2_TYPE, V2_FLASHBOOT, V2_POOLS, V2_EXCLUDED})
#: a template an endpoint owns (created from v2 container settings) names its endpoint here
BOUND_TO = "boundEndpointId"
V2_ARGS = "args"
V2_TEMPLATE_KEYS: frozenset[str] = frozenset(
    {BOUND_TO, V2_ARGS, "allowedCudaVersions", "startSsh", "startJupyter"}
)
V2_VOLUME_KEYS: frozenset[str] = frozenset({"type"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _without(record: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in record.items() if k not in keys}


def _diff_entry(name: str, old: Any, new: Any) -> dict[str, Any]:
    return {"field": name, "old": copy.deepcopy(old), "new": copy.deepcopy(new)}


class RunpodBackend(EmulatorBackend):
    """State and rules of RunPod REST v1 (``/endpoints``, ``/templates``, ``/networkvolumes``)."""

    kinds: ClassVar[tuple[str, ...]] = ("endpoints", "templates", "networkvolumes")
    #: Kinds only REST v2 writes; the inventory lists them once they hold something.
    v2_kinds: ClassVar[tuple[str, ...]] = ("registries",)
    default_settings: ClassVar[dict[str, Any]] = {
        # how long a template stays undeletable after its last endpoint let go of it (the real
        # service: up to ~120 s); 0 so that other tests need not wait
        "template_release_seconds": 0.0,
        # stale workers replaced by each read of an endpoint's rollout (v2 /releases or /workers)
        "rollout_workers_per_read": 1,
        # > 0: also replace one stale worker per this many seconds of the backend clock
        "rollout_step_seconds": 0.0,
        # workers an endpoint runs beyond workersMin (as if it had traffic), capped by workersMax
        "traffic_workers": 0,
        # every new release fails (its workers come up UNHEALTHY and the rollout halts)
        "fail_new_releases": False,
    }

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.now = now
        #: template id -> (the endpoint that last used it, when it let go)
        self._released: dict[str, tuple[str, float]] = {}
        self.rollouts = Rollouts(lambda: self._new_token(14), self._timestamp)
        super().__init__(clock)

    def reset(self) -> None:
        with self.lock:
            super().reset()
            for kind in self.v2_kinds:
                self.stores[kind] = {}
            self._released = {}
            self.rollouts = Rollouts(lambda: self._new_token(14), self._timestamp)

    def inventory(self) -> dict[str, list[dict[str, Any]]]:
        """The v1 kinds always; ``registries`` and ``releases`` (REST v2 only) once non-empty."""
        with self.lock:
            listing = super().inventory()
            for kind in self.v2_kinds:
                if not listing[kind]:
                    del listing[kind]
            releases = self.rollouts.inventory()
            if releases:
                listing["releases"] = releases
            return listing

    def advance(self) -> None:
        """Clock-driven rollout steps (only with ``rollout_step_seconds`` > 0)."""
        with self.lock:
            interval = float(self.settings["rollout_step_seconds"])
            if interval <= 0:
                return
            now = self.clock()
            for endpoint_id, rollout in self.rollouts.by_endpoint.items():
                endpoint = self.stores["endpoints"].get(endpoint_id)
                if endpoint is None:
                    continue
                due = int((now - rollout.stepped_at) // interval)
                if due > 0:
                    self.rollouts.step(endpoint_id, int(endpoint.get("version", 0)), due)
                    rollout.stepped_at += due * interval

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
            self.record_release(record, [])
            return self._v1_endpoint(record)

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
                self.let_go_of_template(str(current.get("templateId") or ""), endpoint_id)
            changed = [f for f in ENDPOINT_ROLLOUT_FIELDS if updated.get(f) != current.get(f)]
            self.stores["endpoints"][endpoint_id] = updated
            if changed:
                updated["version"] = int(current.get("version", 0)) + 1
                self.record_release(updated, [_diff_entry(f, current.get(f), updated.get(f)) for f in changed])
            self.rescale(updated)
            return self._v1_endpoint(updated)

    def delete_endpoint(self, endpoint_id: str) -> None:
        """``DELETE /endpoints/{id}``: no precondition on workers (none documented for REST)."""
        with self.lock:
            endpoint = self._get_endpoint(endpoint_id)
            del self.stores["endpoints"][endpoint_id]
            self.rollouts.drop(endpoint_id)
            self.let_go_of_template(str(endpoint.get("templateId") or ""), endpoint_id)

    # -- templates -------------------------------------------------------------------------------

    def create_template(self, body: Any) -> dict[str, Any]:
        """``POST /templates``: ``name`` and ``imageName`` required; names unique per account."""
        with self.lock:
            validate(body, TEMPLATE_CREATE, required=("name", "imageName"))
            self._check_template_name_free(body["name"], None)
            record = self.new_template_record()
            record.update(copy.deepcopy(body))
            self.stores["templates"][record["id"]] = record
            return self._v1_template(record)

    def new_template_record(self) -> dict[str, Any]:
        """A template with the server defaults (shared by both API views)."""
        with self.lock:
            template_id = self._new_id("templates", 10)
            return {
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

    def list_templates(
        self,
        include_endpoint_bound: str | None = None,
        include_public: str | None = None,
        include_runpod: str | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /templates``: the account's own templates (no public/official catalogue emulated)."""
        with self.lock:
            with_bound, _, _ = self._template_flags(include_endpoint_bound, include_public, include_runpod)
            return [
                self._v1_template(r)
                for r in self.stores["templates"].values()
                if with_bound or BOUND_TO not in r
            ]

    def get_template(
        self,
        template_id: str,
        include_endpoint_bound: str | None = None,
        include_public: str | None = None,
        include_runpod: str | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            self._template_flags(include_endpoint_bound, include_public, include_runpod)
            return self._v1_template(self._get_template(template_id))

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
            if "dockerStartCmd" in body:
                updated.pop(V2_ARGS, None)  # v2's string form no longer describes the command
            self.stores["templates"][template_id] = updated
            self.roll_template_users(current, updated)
            return self._v1_template(updated)

    def roll_template_users(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """A change of a rollout field of a template releases every endpoint that runs it."""
        changed = [f for f in TEMPLATE_ROLLOUT_FIELDS if after.get(f) != before.get(f)]
        if not changed:
            return
        diff = [_diff_entry(f"template.{f}", before.get(f), after.get(f)) for f in changed]
        for endpoint in self._endpoints_using(str(after["id"])):
            endpoint["version"] = int(endpoint.get("version", 0)) + 1
            endpoint["env"] = copy.deepcopy(after.get("env", {}))
            self.record_release(endpoint, diff)

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
            return [_without(r, V2_VOLUME_KEYS) for r in self.stores["networkvolumes"].values()]

    def get_network_volume(self, volume_id: str) -> dict[str, Any]:
        with self.lock:
            return _without(self._get_network_volume(volume_id), V2_VOLUME_KEYS)

    def update_network_volume(self, volume_id: str, body: Any) -> dict[str, Any]:
        """``PATCH /networkvolumes/{id}``: ``{name?, size?}``; a new size must exceed the current one."""
        with self.lock:
            current = self._get_network_volume(volume_id)
            validate(body, NETWORK_VOLUME_UPDATE)
            if "size" in body and body["size"] <= int(current["size"]):
                raise errors.VolumeSizeNotIncreased(int(current["size"]), body["size"])
            current.update(body)
            return _without(current, V2_VOLUME_KEYS)

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
        if "gpuTypeIds" in body:  # v1 names types: the v2 pool selection is derived from them again
            record.pop(V2_POOLS, None)
            record.pop(V2_EXCLUDED, None)
        if "flashboot" in body:
            record.pop(V2_FLASHBOOT, None)
        if "dataCenterIds" in body:
            record["dataCenterIds"] = ",".join(body["dataCenterIds"])  # returned as a string
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
        rendered = self._v1_endpoint(record)
        template = self.stores["templates"].get(str(record.get("templateId")))
        if with_template and template is not None:
            rendered["template"] = self._v1_template(template)
        if with_workers:
            rendered["workers"] = []
        return rendered

    def let_go_of_template(self, template_id: str, endpoint_id: str) -> None:
        """The endpoint stopped running ``template_id``: its own (bound) template is deleted, a
        shared one becomes deletable after ``template_release_seconds``."""
        bound = self.stores["templates"].get(template_id)
        if bound is not None and bound.get(BOUND_TO) == endpoint_id:
            del self.stores["templates"][template_id]
        else:
            self._release(template_id, endpoint_id)

    def _release(self, template_id: str, endpoint_id: str) -> None:
        if template_id:
            self._released[template_id] = (endpoint_id, self.clock())

    def _endpoints_using(self, template_id: str) -> list[dict[str, Any]]:
        return [e for e in self.stores["endpoints"].values() if e.get("templateId") == template_id]

    def _check_template_name_free(self, name: str, own_id: str | None) -> None:
        for template_id, template in self.stores["templates"].items():
            if template_id != own_id and template.get("name") == name:
                raise errors.DuplicateTemplateName(name)

    def _template_flags(self, bound: str | None, public: str | None, runpod: str | None) -> tuple[bool, bool, bool]:
        return (
            self._flag("includeEndpointBoundTemplates", bound),
            self._flag("includePublicTemplates", public),
            self._flag("includeRunpodTemplates", runpod),
        )

    @staticmethod
    def _flag(name: str, raw: str | None) -> bool:
        if raw is None:
            return False
        if raw.lower() not in ("true", "false"):
            raise errors.InvalidType(name, "a boolean")
        return raw.lower() == "true"

    def _new_id(self, kind: str, length: int) -> str:
        while True:
            candidate = self._new_token(length)
            if candidate not in self.stores[kind]:
                return candidate

    @staticmethod
    def _new_token(length: int) -> str:
        return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))

    # -- shared with the v2 view -----------------------------------------------------------------

    def new_endpoint_id(self) -> str:
        return self._new_id("endpoints", 14)

    def new_registry_id(self) -> str:
        return self._new_id("registries", 10)

    def new_network_volume_id(self) -> str:
        return self._new_id("networkvolumes", 10)

    def check_template_name_free(self, name: str, own_id: str | None) -> None:
        """Template names are unique per account (400 ``DuplicateTemplateName`` otherwise)."""
        self._check_template_name_free(name, own_id)

    def timestamp(self) -> str:
        return self._timestamp()

    def random_name(self) -> str:
        return self._random_name()

    def worker_target(self, endpoint: dict[str, Any]) -> int:
        """Workers an endpoint runs: ``workersMin`` plus simulated traffic, at most ``workersMax``."""
        floor = max(int(endpoint.get("workersMin", 0)), int(self.settings["traffic_workers"]))
        return max(0, min(floor, int(endpoint.get("workersMax", 0))))

    def record_release(self, endpoint: dict[str, Any], diff: list[dict[str, Any]]) -> None:
        """A release for the endpoint's current ``version``; its workers start rolling onto it."""
        version = int(endpoint.get("version", 0))
        failed = bool(self.settings["fail_new_releases"])
        self.rollouts.release(str(endpoint["id"]), version, diff, failed=failed, now=self.clock())
        self.rescale(endpoint)

    def rescale(self, endpoint: dict[str, Any]) -> None:
        self.rollouts.reconcile(str(endpoint["id"]), int(endpoint.get("version", 0)), self.worker_target(endpoint))

    def observe_rollout(self, endpoint_id: str) -> None:
        """A read of the rollout: scale to the current bounds, then take the per-read steps."""
        endpoint = self._get_endpoint(endpoint_id)
        self.rescale(endpoint)
        steps = int(self.settings["rollout_workers_per_read"])
        self.rollouts.step(endpoint_id, int(endpoint.get("version", 0)), steps)

    def control_action(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /_emulator/runpod/actions/<action>``: ``rollout_step`` {endpointId, steps?=1}
        replaces that many stale workers; ``fail_release`` {endpointId} fails the newest release."""
        with self.lock:
            endpoint_id = str(body.get("endpointId", ""))
            endpoint = self.stores["endpoints"].get(endpoint_id)
            if endpoint is None:
                raise KeyError(f"unknown endpoint {endpoint_id!r}")
            version = int(endpoint.get("version", 0))
            if action == "rollout_step":
                self.rescale(endpoint)
                self.rollouts.step(endpoint_id, version, int(body.get("steps", 1)))
            elif action == "fail_release":
                if self.rollouts.fail_latest(endpoint_id) is None:
                    raise KeyError(f"endpoint {endpoint_id!r} has no release")
            else:
                raise KeyError(f"unknown action {action!r}; known: ['fail_release', 'rollout_step']")
            return self.rollouts.render_releases(endpoint_id, version, USER_ID)

    def _v1_endpoint(self, record: dict[str, Any]) -> dict[str, Any]:
        return _without(record, V2_ENDPOINT_KEYS)

    def _v1_template(self, record: dict[str, Any]) -> dict[str, Any]:
        return _without(record, V2_TEMPLATE_KEYS)

    def _timestamp(self) -> str:
        moment = self.now().astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    @staticmethod
    def _random_name() -> str:
        return "_".join(secrets.choice(words) for words in (_ADJECTIVES, _COLOURS, _ANIMALS))
