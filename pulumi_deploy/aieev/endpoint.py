"""Aieev (AirCloud) Endpoint: adopted by id, reconfigured with stop -> PATCH -> start.

The External API cannot create or delete endpoints (they are made in the console), so "create"
adopts: GET the endpoint, then converge it to the inputs. Container settings can only be PATCHed
while the endpoint is stopped and GET never returns them (write-only: state keeps the inputs).
``active`` is the desired running state (start/stop), ``replicas`` the desired replica count
(``/scale``, only while active with autoscaling off). Delete stops the endpoint (or only forgets it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pulumi import Input, Output
from pydantic import Field

from ..core import log
from ..core.errors import Conflict, Forbidden, NotFound, PulumiDeployError
from ..core.fields import (
    Computed,
    Doc,
    Downtime,
    Encode,
    KeptWhenRemoved,
    Local,
    Normalise,
    Replace,
    Secret,
    WriteOnly,
)
from ..core.http import ApiClient
from ..core.provider import SpecProvider
from ..core.request import JsonObject, changes_body
from ..core.resource import ResourceArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from ..core.wait import wait_until
from . import api

DEFAULT_START_TIMEOUT = 600.0
#: Extra seconds past ``health_check_timeout`` so the server reports a failed start before we give up.
START_GRACE = 60.0
# start/stop are documented as idempotent and /scale sets an absolute count: safe to retry on 502/503/504.


T = TypeVar("T")
#: A container setting: PATCHed only while the endpoint is stopped (applying it to a running one stops it),
#: never returned by GET, and never cleared by the API.
ContainerSetting = Annotated[T, WriteOnly(), Downtime(), KeptWhenRemoved()]


@dataclass(kw_only=True)
class EnvVarArgs:
    key: Annotated[Input[str], Doc("Variable name; an empty key means no variable.")]
    value: Annotated[Input[str], Doc("Variable value (secret).")] = ""


@dataclass(kw_only=True)
class EndpointArgs(ResourceArgs):
    endpoint_id: Annotated[
        Input[str],
        Field(min_length=1),
        Replace(reason="it names the console endpoint this resource manages"),
        Doc("Id of an existing endpoint (the External API cannot create endpoints). It is the resource id."),
    ]
    container_start_command: Annotated[ContainerSetting[Input[str] | None], Doc("Overrides the image command.")] = None
    container_env_vars: Annotated[
        ContainerSetting[Input[list[Input[EnvVarArgs]]] | None],
        Normalise(api.env_vars),
        Encode(api.encode_env_vars),
        Secret(values="value", keys="key"),
        Doc("The container environment, sent whole; compared by key, order-insensitive. Values are secret."),
    ] = None
    container_port: Annotated[ContainerSetting[Input[int] | None], Field(ge=1, le=65535)] = None
    container_health_check_path: ContainerSetting[Input[str] | None] = None
    container_health_check_timeout: Annotated[
        ContainerSetting[Input[int] | None], Field(ge=1), Doc("Seconds; per-container health timeout.")
    ] = None
    health_check_timeout: Annotated[
        ContainerSetting[Input[int] | None],
        Field(ge=1),
        Doc("Seconds; the overall deadline for a start (also bounds the provider's wait)."),
    ] = None
    container_metric_path: ContainerSetting[Input[str] | None] = None
    active: Annotated[Input[bool], Local(), Doc("Desired running state: true starts the endpoint, false stops it.")] = (
        True
    )
    replicas: Annotated[
        Input[int] | None,
        Field(ge=1, le=100),
        Local(),
        Doc("Desired replica count (`/scale`); ignored with a warning while autoscaling is on."),
    ] = None
    on_delete: Annotated[
        Input[Literal["stop", "forget"]],
        Local(),
        Doc('On destroy: "stop" the endpoint (default) or "forget" it (leave it untouched).'),
    ] = "stop"

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        keys = [e["key"] for e in values.get("container_env_vars") or []]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            yield "container_env_vars", f"duplicate keys: {', '.join(dupes)}"


@dataclass(kw_only=True)
class EndpointOutputs:
    name: Annotated[str | None, Computed()] = None
    is_active: Annotated[bool | None, Computed(), Doc("Observed running state.")] = None
    status: Annotated[str | None, Computed(), Doc("STOPPED, DEPLOYING, RUNNING or DEPLOY_FAILED.")] = None
    num_replicas: Annotated[int | None, Computed(), Doc("Observed replicas (the autoscaler may move it).")] = None
    enable_autoscaling: Annotated[bool | None, Computed(), Doc("Console-only setting.")] = None
    instance_type_name: Annotated[str | None, Computed()] = None
    serving_endpoint_url: Annotated[str | None, Computed()] = None
    updated_at: Annotated[str | None, Computed()] = None


class EndpointProvider(SpecProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(vendor="aieev", kind="Endpoint", args=EndpointArgs, outputs=EndpointOutputs)
    settings = api.SETTINGS

    #: "Create" adopts (GET, then converge): idempotent, so an ambiguous failure is not retried by looking,
    #: and there is no object an earlier run could have made.
    create_attempts = 1
    find_before_create = False
    #: Every resource takes over the console endpoint it names; its preview reads it first, as adoption does.
    adopts_by = "endpoint_id"
    finish_description = "starts or stops it as `active` says, then scales it to `replicas`"

    # -- hooks ----------------------------------------------------------------------------------

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject]:
        id_ = str(inputs["endpoint_id"])
        what = self.describe(inputs, id_)
        try:
            live = api.get_endpoint(client, id_)
        except (NotFound, Forbidden) as exc:
            raise api.inaccessible(what, id_, exc) from exc
        log.info(f"{what}: adopting existing endpoint {live.get('name')!r}")
        settings = [f.name for f in self.spec.inputs() if f.sent_on_update and f.name in inputs]
        return id_, self._converge(client, id_, inputs, settings, live, what)

    def plan_notes(self, plan: Plan, olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
        # A settings change stops a running endpoint only: one that is stopped is PATCHed as it is.
        notes = super().plan_notes(plan, olds, news)
        if olds.get("active") is False and plan.downtime:
            stops = Downtime().preview_note(plan.downtime)
            notes = [n for n in notes if n != stops]
        return notes

    def replaced_note(self, olds: dict[str, Any]) -> str | None:
        old = olds.get("endpoint_id")
        if olds.get("on_delete") == "forget":
            return f"the endpoint {old} is then left as it is (on_delete='forget')"
        return f"the endpoint {old} is then stopped (on_delete='stop'; 'forget' leaves it running)"

    def not_there_to_adopt(self, props: dict[str, Any], id_: str) -> PulumiDeployError:
        return api.inaccessible(self.describe(props, id_), id_, None)

    def lists_of(self, id_: str, outs: dict[str, Any]) -> list[str]:
        return ["/endpoints"]

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        try:
            return api.get_endpoint(client, id_)
        except NotFound:
            return None
        except Forbidden as exc:  # not "deleted": the key lost access
            raise api.inaccessible(self.describe(outs, id_), id_, exc) from exc

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        inputs = self.user_inputs(news)
        what = self.describe(news, id_)
        live = api.get_endpoint(client, id_)
        settings = [n for n in plan.changed if self.spec.fields[n].sent_on_update]
        removed = [n for n in settings if n not in inputs]
        if removed:
            log.warn(f"{what}: {KeptWhenRemoved().preview_note(removed)}")
        return self._converge(client, id_, inputs, settings, live, what, news)

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        if outs.get("on_delete") == "forget":
            log.info(f"{self.describe(outs, id_)}: on_delete=forget: leaving the endpoint as it is")
            return
        # The External API cannot delete endpoints: stop it (no compute, no billing).
        client.request("POST", api.endpoint_path(id_, "stop"), idempotent=True)

    def align_live(self, live: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """The observed running state and replica count stand for the inputs ``active`` / ``replicas``, so
        refresh sees a start, stop or scale made elsewhere (replica moves of the autoscaler are not drift)."""
        observed = live.get("is_active")
        if "active" in inputs and observed is not None:
            live["active"] = bool(observed)
        replicas = live.get("num_replicas")
        autoscaled = live.get("enable_autoscaling")
        if inputs.get("replicas") is not None and observed and not autoscaled and replicas is not None:
            live["replicas"] = replicas
        return live

    # -- the convergence sequence -------------------------------------------------------------

    def _converge(
        self,
        client: ApiClient,
        id_: str,
        inputs: dict[str, Any],
        send: list[str],
        live: JsonObject,
        what: str,
        props: dict[str, Any] | None = None,
    ) -> JsonObject:
        """Settings (stop if active -> PATCH), then the desired state (start/stop), then replicas.

        Given the update's ``props``, what follows a PATCH runs in ``finishing``: the settings are applied
        and the endpoint is stopped, so should starting it fail, the stack records the new settings (they
        are write-only: refresh could not see them) and the next ``up`` starts it (``api_finish``)."""
        body = changes_body(self.spec, send, inputs)
        if not body:
            return self._run_state(client, id_, inputs, live, what, changed=False)
        self._patch(client, id_, body, bool(live.get("is_active")), what)
        stopped = {**live, "is_active": False}  # a successful PATCH always leaves the endpoint stopped
        if props is None:  # adopting at create: nothing is recorded yet, and the next `up` adopts it again
            return self._run_state(client, id_, inputs, stopped, what, changed=True)
        return self.finishing(
            id_, stopped, props, lambda: self._run_state(client, id_, inputs, stopped, what, changed=True)
        )

    def api_finish(self, client: ApiClient, id_: str, wire: JsonObject, inputs: dict[str, Any]) -> JsonObject:
        # The settings are in place (applied at create, or by the update that failed after them): the run
        # state and the replicas are what is left. A start that ended in DEPLOY_FAILED leaves the endpoint
        # active; finishing it is starting it again, which takes a stop first.
        what = self.describe(inputs, id_)
        if inputs.get("active", True) and wire.get("is_active") and wire.get("status") == api.DEPLOY_FAILED:
            log.info(f"{what}: its last start failed (DEPLOY_FAILED): stopping it to start it again")
            client.request("POST", api.endpoint_path(id_, "stop"), idempotent=True)
            wire = {**wire, "is_active": False}
        return self._run_state(client, id_, inputs, wire, what, changed=False)

    def _run_state(
        self, client: ApiClient, id_: str, inputs: dict[str, Any], live: JsonObject, what: str, *, changed: bool
    ) -> JsonObject:
        """The desired run state (start/stop), then replicas; ``changed``: ``live`` is stale (re-read at the end)."""
        active = bool(live.get("is_active"))
        want_active = bool(inputs.get("active", True))
        if want_active and not active:
            self._start(client, id_, inputs, what)
            active, changed = True, True
        elif not want_active and active:
            log.info(f"{what}: stopping (active=false)")
            client.request("POST", api.endpoint_path(id_, "stop"), idempotent=True)
            active, changed = False, True
        if changed:
            live = api.get_endpoint(client, id_)
        elif want_active and live.get("status") == api.DEPLOY_FAILED:
            log.warn(f"{what}: the endpoint's last start failed (DEPLOY_FAILED); stop and start it to retry")
        replicas = inputs.get("replicas")
        if replicas is not None and int(replicas) != live.get("num_replicas"):
            if not want_active:
                log.info(f"{what}: replicas={replicas} is applied when the endpoint is active")
            elif live.get("enable_autoscaling"):
                log.warn(f"{what}: autoscaling is on (a console setting): replicas={replicas} is ignored")
            else:
                client.request(
                    "POST", api.endpoint_path(id_, "scale"), json={"num_replicas": int(replicas)}, idempotent=True
                )
                live = api.get_endpoint(client, id_)
        return live

    def _patch(self, client: ApiClient, id_: str, body: dict[str, Any], active: bool, what: str) -> JsonObject:
        downtime = " (stopping the endpoint: downtime)" if active else ""
        log.info(f"{what}: applying {', '.join(sorted(body))}{downtime}")

        def stop_then_patch(attempt: int) -> JsonObject:
            if active or attempt:  # a 409 means the endpoint was started meanwhile: stop it again
                client.request("POST", api.endpoint_path(id_, "stop"), idempotent=True)
            return client.request("PATCH", api.endpoint_path(id_), json=body)  # type: ignore[no-any-return]

        return client.retrying(f"{what}: stop -> PATCH", stop_then_patch, Conflict)

    def _start(self, client: ApiClient, id_: str, inputs: dict[str, Any], what: str) -> JsonObject:
        client.request("POST", api.endpoint_path(id_, "start"), idempotent=True)
        hct = inputs.get("health_check_timeout")
        timeout = float(hct) + START_GRACE if hct else DEFAULT_START_TIMEOUT

        def failed(obj: JsonObject) -> str | None:
            if obj.get("status") == api.DEPLOY_FAILED:
                return (
                    "the start failed (DEPLOY_FAILED): the container did not pass its health check in time; "
                    "check the image, port, health check path and the endpoint's logs"
                )
            if not obj.get("is_active"):
                return f"the endpoint stopped while starting (status {obj.get('status')})"
            return None

        return wait_until(
            f"{what}: starting",
            lambda: api.get_endpoint(client, id_),
            lambda obj: bool(obj.get("is_active")) and obj.get("status") == api.RUNNING,
            timeout=timeout,
            failed=failed,
            describe=lambda obj: str(obj.get("status")),
        )


class Endpoint(SpecResource, module="aieev", name="Endpoint"):
    """An existing Aieev (AirCloud) endpoint, adopted by id and kept in its desired settings and state."""

    provider_cls = EndpointProvider
    endpoint_id: Output[str]
    container_start_command: Output[str | None]
    container_env_vars: Output[list[dict[str, str]] | None]
    container_port: Output[int | None]
    container_health_check_path: Output[str | None]
    container_health_check_timeout: Output[int | None]
    health_check_timeout: Output[int | None]
    container_metric_path: Output[str | None]
    active: Output[bool]
    replicas: Output[int | None]
    on_delete: Output[str]
    name: Output[str]
    is_active: Output[bool]
    status: Output[str]
    num_replicas: Output[int]
    enable_autoscaling: Output[bool]
    instance_type_name: Output[str]
    serving_endpoint_url: Output[str]
    updated_at: Output[str]


__all__ = ["Endpoint", "EndpointArgs", "EnvVarArgs"]
