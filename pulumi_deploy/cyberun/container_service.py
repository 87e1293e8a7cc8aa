"""Cyberun container service (``/containers``).

Quirks encoded here: ``service_slug`` and ``service_type`` cannot change after
creation; ``external_auth_credential_id`` can be set or changed but never cleared; a PUT changes
only the stored definition (it takes effect on the next deploy), so a service that should run is
redeployed after it; PUT/deploy/undeploy/delete are refused while ``deploying``/``stopping``, so
every call waits for a settled status first; ``env_value`` comes back in clear (a secret here).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pulumi import Input, Output
from pydantic import Field

from ..core import env_names, log
from ..core.config import lookup, resolve_base_url
from ..core.errors import AlreadyExists, ApiError, PulumiDeployError
from ..core.fields import (
    Computed,
    Default,
    Doc,
    Local,
    Normalise,
    Replace,
    ReplaceWhenCleared,
    Secret,
    ServerDefault,
    as_sorted_set,
)
from ..core.http import ApiClient, AuthHeaders
from ..core.location import Location, without_userinfo
from ..core.provider import SpecProvider
from ..core.request import PARTIAL_PUT, JsonObject, Routes, update_call
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec, Plan
from ..core.timestamps import Timestamps
from . import api

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")
RUNNING_STATUSES = frozenset({"running", "deploying"})
#: The provider's record of the definition last deployed, carried with the object as read.
DEPLOYED_DIGEST = "deployed_digest"


@dataclass(kw_only=True)
class EnvVarArgs:
    env_name: Annotated[Input[str], Field(min_length=1)]
    env_value: Input[str]


@dataclass(kw_only=True)
class VolumeMountArgs:
    host_path: Annotated[Input[str], Field(min_length=1)]
    container_path: Annotated[Input[str], Field(min_length=1)]


def _by(key: str) -> Any:
    return lambda items: sorted((dict(i) for i in items), key=lambda i: str(i.get(key, "")))


@dataclass(kw_only=True)
class ContainerServiceArgs(AdoptableArgs):
    service_slug: Annotated[
        Input[str],
        Field(min_length=3, max_length=100),
        Replace(),
        Doc("3-100 lowercase letters, digits and hyphens; unique per team; used in `/r/containers/{slug}`."),
    ]
    service_type: Annotated[
        Input[Literal["deployed", "external"]],
        Replace(),
        Doc("`deployed` (Cyberun runs `docker_image`) or `external` (agents call `external_url`)."),
    ] = "deployed"
    display_name: Annotated[Input[str] | None, Field(max_length=255), ServerDefault("")] = None
    service_desc: Annotated[Input[str] | None, ServerDefault("")] = None
    docker_image: Annotated[
        Input[str] | None, Field(min_length=1), Doc("Required when `service_type` is `deployed`.")
    ] = None
    exposed_port: Annotated[Input[int] | None, Field(ge=1, le=65535), ServerDefault(8080)] = None
    health_path: Annotated[Input[str] | None, ServerDefault("/health")] = None
    env_config: Annotated[
        Input[list[Input[EnvVarArgs]]] | None,
        Normalise(_by("env_name")),
        Secret(values="env_value", keys="env_name"),
        ServerDefault([]),
        Doc("Environment variables; compared by `env_name`. Values are secrets (the API returns them in clear)."),
    ] = None
    volume_config: Annotated[
        Input[list[Input[VolumeMountArgs]]] | None,
        Normalise(_by("container_path")),
        ServerDefault([]),
        Doc("Host bind mounts; compared by `container_path`."),
    ] = None
    required_labels: Annotated[
        Input[list[Input[str]]] | None,
        Normalise(as_sorted_set),
        ServerDefault([]),
        Doc("Agent labels required to run the service (compared as a set)."),
    ] = None
    gpu_count: Annotated[
        Input[int] | None, Field(ge=-1), ServerDefault(0), Doc("`-1` = all GPUs, `0` = none, N = N GPUs.")
    ] = None
    replica_count: Annotated[Input[int] | None, Field(ge=1, le=10), ServerDefault(1)] = None
    usage_prompt: Annotated[
        Input[str] | None, ServerDefault(""), Doc("AI-facing text, readable by the whole team: no secrets.")
    ] = None
    openapi_url: Annotated[Input[str] | None, Field(max_length=500), ServerDefault("")] = None
    external_url: Annotated[
        Input[str] | None,
        Field(max_length=2048),
        Doc("`https://` URL; required for, and only valid on, external services."),
    ] = None
    external_auth_credential_id: Annotated[
        Input[str] | None,
        Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
        ReplaceWhenCleared(reason="the API cannot clear it: delete and recreate"),
        Doc("Vault reference sent as `Authorization` to an external service; can be changed, not removed."),
    ] = None
    deployed: Annotated[
        Input[bool],
        Local(),
        Doc("Desired run state: true deploys (and redeploys after a change), false undeploys."),
    ] = True
    wait_timeout: Annotated[
        Input[float] | None,
        Field(gt=0),
        Local(),
        Default(api.DEFAULT_WAIT_TIMEOUT),
        Doc("Seconds to wait for deploy/undeploy to settle."),
    ] = None

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        slug = values.get("service_slug")
        if isinstance(slug, str) and not SLUG_PATTERN.match(slug):
            yield (
                "service_slug",
                f"must be lowercase letters, digits and hyphens, starting and ending with a letter or digit "
                f"({SLUG_PATTERN.pattern}); got {slug!r}",
            )
        env = values.get("env_config") or []
        yield from env_names.problems("env_config", (e.get("env_name") for e in env if isinstance(e, dict)))
        url = values.get("external_url")
        if isinstance(url, str) and not (url.startswith("https://") and urlsplit(url).hostname):
            yield "external_url", f"must be an https:// URL with a host (got {url!r})"
        mounts = [m.get("container_path") for m in values.get("volume_config") or [] if isinstance(m, dict)]
        known = [p for p in mounts if isinstance(p, str)]  # a path not known yet is judged when it is
        twice = sorted({p for p in known if known.count(p) > 1})
        if twice:
            yield "volume_config", f"mounts {', '.join(twice)} more than once (a container path takes one mount)"
        if "service_type" in unknown:
            return
        kind = values.get("service_type", "deployed")
        if kind == "deployed":
            if "docker_image" not in values and "docker_image" not in unknown:
                yield "docker_image", "is required when service_type is 'deployed'"
            for name in ("external_url", "external_auth_credential_id"):
                if name in values or name in unknown:
                    yield name, "is only valid when service_type is 'external'"
        elif "external_url" not in values and "external_url" not in unknown:
            yield "external_url", "is required when service_type is 'external'"


@dataclass(kw_only=True)
class ContainerServiceOutputs(Timestamps):
    service_status: Annotated[
        str | None, Computed(), Doc("created, deploying, running, stopping, stopped or failed.")
    ] = None
    proxy_url: Annotated[
        str | None,
        Computed(),
        Doc(
            "Base URL of the running service: a request to `<proxy_url>/<path>` is passed through to the "
            "container's `<path>` (runtime surface `/r/containers/{service_slug}`; same credential as the API)."
        ),
    ] = None
    invoke_url: Annotated[
        str | None,
        Computed(),
        Doc(
            "The service's invoke endpoint (`POST /r/invoke/{service_slug}`, body `{method, path, body_base64, "
            "headers}`), for clients that cannot proxy."
        ),
    ] = None
    deployed_digest: Annotated[
        str | None,
        Computed(),
        Secret(),
        Doc(
            "A digest of the definition this stack last deployed. The API does not say which definition a "
            "service runs: when the stored one has another digest (an update stopped between its PUT and its "
            "deploy, or a change made elsewhere without a deploy), refresh shows `deployed` as false and "
            "`pulumi up` deploys the definition."
        ),
    ] = None


class ContainerServiceProvider(SpecProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="cyberun", kind="ContainerService", args=ContainerServiceArgs, outputs=ContainerServiceOutputs
    )
    settings = api.SETTINGS
    routes = Routes("/containers", update=PARTIAL_PUT)
    finish_description = "deploys it and waits until it runs, unless `deployed` is false"

    def auth_headers(self) -> AuthHeaders:
        return api.auth_headers

    def location(self) -> Location:
        # A user JWT acts for the team X-Team-ID names, and sees that team's services only.
        where = super().location()
        if api.acts_for_team(lookup(self.settings.credential)):
            where[api.TEAM_ID.config_key] = lookup(api.TEAM_ID) or ""
        return where

    def place(self) -> str:
        team = lookup(api.TEAM_ID) if api.acts_for_team(lookup(self.settings.credential)) else None
        return f"{super().place()}, team {team}" if team else super().place()

    def plan_notes(self, plan: Plan, olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
        # A PUT only stores the definition; api_update then redeploys a service meant to run.
        notes = super().plan_notes(plan, olds, news)
        if plan.replaces or news.get("deployed") is False:
            return notes
        # What api_update's PUT carries: a field removed without a clearing value is not sent at all.
        put = update_call(self.spec, self.routes, "-", plan, self.user_inputs(news))
        sent = [n for n in plan.changed if put is not None and self.spec.fields[n].wire in (put.body or {})]
        if sent:
            return [*notes, f"redeploy — changing {', '.join(sent)} redeploys the service (PUT, then POST /deploy)"]
        if "deployed" in plan.changed:  # false in state: stopped, or running another definition than the stored one
            return [
                *notes,
                "deploy — POST /deploy runs the stored definition (a service running an earlier one is redeployed)",
            ]
        return notes

    def delete_before_replace(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        # Slugs are unique per team: the successor can only be created once the old one is gone.
        return olds.get("service_slug") == news.get("service_slug")

    def live_values(self, wire: JsonObject) -> dict[str, Any]:
        values = self.spec.from_wire(wire)
        status = wire.get("service_status")
        if status is not None:
            # The run state as an input, so refresh sees an undeploy (or a failure) made elsewhere, and a
            # stored definition that was never deployed (a PUT only takes effect at the next deploy).
            recorded = wire.get(DEPLOYED_DIGEST)
            values["deployed"] = status in RUNNING_STATUSES and recorded in (None, self.definition_digest(wire))
        slug = wire.get("service_slug")
        if isinstance(slug, str) and slug:
            # The base URL of the call being served: the resource's connection, else the stack's — without
            # credentials it may carry (outputs are stored and exported in plain text).
            base = without_userinfo(resolve_base_url(self.settings))
            values["proxy_url"] = f"{base}/r/containers/{slug}"
            values["invoke_url"] = f"{base}/r/invoke/{slug}"
        return values

    # -- hooks ------------------------------------------------------------------------------------

    def explain(self, error: ApiError, what: str, props: dict[str, Any], id_: str | None) -> PulumiDeployError | None:
        if isinstance(error, AlreadyExists):
            # Only reached when no service with this slug has exactly the desired definition (api_find):
            # the slug belongs to a service this stack does not manage.
            return error.explained(
                f"{what}: {error.message} — a service this stack does not manage has that slug and another "
                "definition; adopt it with adopt_id=<its id> (then `pulumi up` applies your definition), or "
                "choose another service_slug"
            )
        return None

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        # Slugs are unique per team, but a service with this slug and another definition is someone
        # else's: it is left alone (the POST then fails on the slug, saying so).
        listed = [c for c in api.list_containers(client) if c.get("service_slug") == inputs["service_slug"]]
        return self.find_same(listed, inputs)

    def api_finish(self, client: ApiClient, id_: str, wire: JsonObject, inputs: dict[str, Any]) -> JsonObject:
        # A created service is only stored: the deploy runs it (a service found running is left running).
        return self._converge(client, id_, inputs, redeploy=False)

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> JsonObject | None:
        obj = self._get(client, id_, outs.get("service_slug"))
        if obj is None:
            return None
        if obj.get("service_status") == "failed":
            log.warn(f"{self.describe(outs, id_)} is `failed`; `pulumi up` redeploys it")
        # State written before digests were recorded: the stored definition is taken as the deployed one.
        obj = self.with_digest(obj, outs.get(DEPLOYED_DIGEST) or self.definition_digest(obj))
        if obj.get("service_status") in RUNNING_STATUSES and not self.live_values(obj)["deployed"]:
            log.warn(
                f"{self.describe(outs, id_)}: the definition stored on Cyberun is not the one this stack last "
                "deployed (an update stopped between its PUT and its deploy, or a change made elsewhere without "
                "a deploy); it counts as not deployed until `pulumi up` deploys it"
            )
        return obj

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> JsonObject:
        what = self.describe(news, id_)
        slug = olds.get("service_slug") or news.get("service_slug")
        self._settled(client, id_, slug, news, what)  # PUT is refused while deploying/stopping
        call = update_call(self.spec, self.routes, id_, plan, self.user_inputs(news))
        if call is not None:
            self.send(client, call, news)
        # ``deployed`` false -> true also where the service runs: an earlier definition than the stored one.
        redeploy = call is not None or "deployed" in plan.changed
        return self._converge(client, id_, news, redeploy=redeploy, recorded=olds.get(DEPLOYED_DIGEST))

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        what = self.describe(outs, id_)
        obj = self._settled(client, id_, outs.get("service_slug"), outs, what)
        if obj is None:
            self.confirm_gone(client, id_, outs)
            log.info(f"{what} was already deleted")
            return
        if obj.get("service_status") in ("running", "failed"):
            self._undeploy(client, id_, outs.get("service_slug"))
            self._wait(client, id_, outs, f"{what}: undeploying", lambda s: s not in api.TRANSITIONING)
        super().api_delete(client, id_, outs)

    # -- helpers ------------------------------------------------------------------------------

    def definition_digest(self, wire: JsonObject) -> str:
        """A digest of the stored definition: every field a PUT sends, as the API returns it."""
        values = self.spec.from_wire(wire)
        definition = {f.name: values.get(f.name) for f in self.spec.inputs() if f.sent_on_update}
        text = json.dumps(definition, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @staticmethod
    def with_digest(obj: JsonObject, digest: str | None) -> JsonObject:
        """The object as read, with the digest of the definition last deployed (the provider's record)."""
        return {**obj, DEPLOYED_DIGEST: digest}

    def _deploy(self, client: ApiClient, id_: str, slug: str | None, before: JsonObject) -> None:
        """POST deploy; after an unknown outcome it counts as done once the service is deploying, or
        running since a write later than the one seen before (a redeploy of a running service)."""

        def took_effect() -> bool:
            now = self._get(client, id_, slug) or {}
            status = now.get("service_status")
            return status == "deploying" or (status == "running" and now.get("updated_at") != before.get("updated_at"))

        client.act("POST", f"/containers/{id_}/deploy", took_effect=took_effect)

    def _undeploy(self, client: ApiClient, id_: str, slug: str | None) -> None:
        def took_effect() -> bool:
            return (self._get(client, id_, slug) or {}).get("service_status") in ("stopping", "stopped")

        client.act("POST", f"/containers/{id_}/undeploy", took_effect=took_effect)

    def _get(self, client: ApiClient, id_: str, slug: str | None) -> JsonObject | None:
        """By slug on the documented runtime surface; by id (inferred path) when the slug is unknown."""
        if not slug:
            return client.get_or_none(f"/containers/{id_}")
        obj = client.get_or_none(f"/r/containers/{slug}")
        return obj if obj is not None and str(obj.get("id")) == id_ else None

    def _wait(
        self, client: ApiClient, id_: str, props: dict[str, Any], what: str, done: Any, failed: Any = None
    ) -> JsonObject:
        timeout = float(self.spec.value_of(props, "wait_timeout"))
        slug = props.get("service_slug")
        return api.wait_for(
            what, lambda: self._get(client, id_, slug), done, timeout=timeout, failed=failed or (lambda _: None)
        )

    def _settled(
        self, client: ApiClient, id_: str, slug: str | None, props: dict[str, Any], what: str
    ) -> JsonObject | None:
        obj = self._get(client, id_, slug)
        if obj is None or obj.get("service_status") not in api.TRANSITIONING:
            return obj
        return self._wait(
            client,
            id_,
            {**props, "service_slug": slug},
            f"{what}: waiting to settle",
            lambda s: s not in api.TRANSITIONING,
        )

    def _converge(
        self,
        client: ApiClient,
        id_: str,
        inputs: dict[str, Any],
        *,
        redeploy: bool,
        recorded: str | None = None,
    ) -> JsonObject:
        """Bring the run state to ``deployed``; redeploy a running service whose definition changed.
        ``recorded`` is the digest of the definition last deployed, kept where nothing is deployed now."""
        what = self.describe(inputs, id_)
        obj = self._settled(client, id_, inputs.get("service_slug"), inputs, what)
        if obj is None:
            raise PulumiDeployError(f"{what}: the service is not visible after the write")
        status = obj.get("service_status")
        if inputs.get("deployed", True):
            if status == "running" and not redeploy:
                # A service this run finds running (one an earlier run made) runs what is stored.
                return self.with_digest(obj, recorded or self.definition_digest(obj))
            self._deploy(client, id_, inputs.get("service_slug"), obj)
            running = self._wait(
                client,
                id_,
                inputs,
                f"{what}: deploying",
                lambda s: s == "running",
                lambda s: (
                    f"deploy ended in `{s}` (check the image, port and agent labels)"
                    if s in ("failed", "stopped", "created")
                    else None
                ),
            )
            return self.with_digest(running, self.definition_digest(running))
        if status in ("running", "failed"):
            self._undeploy(client, id_, inputs.get("service_slug"))
            obj = self._wait(client, id_, inputs, f"{what}: undeploying", lambda s: s not in api.TRANSITIONING)
        return self.with_digest(obj, recorded)


class ContainerService(SpecResource, module="cyberun", name="ContainerService"):
    """A Cyberun container service (`/containers`), deployed or external, with its run state."""

    provider_cls = ContainerServiceProvider
    service_slug: Output[str]
    service_type: Output[str]
    display_name: Output[str]
    service_desc: Output[str]
    docker_image: Output[str | None]
    exposed_port: Output[int]
    health_path: Output[str]
    env_config: Output[list[dict[str, str]]]
    volume_config: Output[list[dict[str, str]]]
    required_labels: Output[list[str]]
    gpu_count: Output[int]
    replica_count: Output[int]
    usage_prompt: Output[str]
    openapi_url: Output[str]
    external_url: Output[str | None]
    external_auth_credential_id: Output[str | None]
    deployed: Output[bool]
    wait_timeout: Output[float | None]
    service_status: Output[str]
    created_at: Output[str]
    updated_at: Output[str]
    proxy_url: Output[str]
    invoke_url: Output[str]
    deployed_digest: Output[str | None]
