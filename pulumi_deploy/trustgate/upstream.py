"""TrustGate Upstream (``/api/v1/gateways/{gateway_id}/upstreams``).

Quirks:

* request and response keys differ: ``embedding`` -> ``embedding_config``, ``proxy_config`` ->
  ``proxy`` (``Wire(response=...)``). Requests are built from the inputs only, never from a response.
* PUT is a full replacement: every update sends the whole desired object, so a removed
  ``health_checks`` block is cleared on the server.
* target ``id`` is server-filled unless set (output ``target_ids``); ``websocket_config.
  enable_direct_communication`` is forced on create by one build: ignored only while the user leaves
  it unset; an explicit value (false included) is compared on refresh and enforced.
* Go durations (``ping_period``, ``pong_wait``, ``handshake_timeout``): ``""`` means unset (the server
  skips empty values), so it is accepted and not sent.
* ``websocket_config`` xor ``proxy_config`` is judged at preview when both blocks are known to be set
  (also when they only hold unknown values). When a whole block is an unknown Output it may still
  resolve to None, so the rule is left to the server at apply time (a 400, explained).
* Secrets: target credentials are moved (by the resource) out of ``targets`` into the top-level
  secret ``target_credentials`` (index-aligned), so ``targets`` stays readable in previews (a weight
  change is shown) while every credential is encrypted in state. ``embedding`` (which holds its
  credentials) is secret as a whole. Target ``headers`` are NOT secret (they stay in the readable
  ``targets``): put tokens in the target's ``credentials`` (``header_name``/``header_value``). Health
  check ``headers`` are not secret either.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pulumi import Input, Output
from pydantic import AfterValidator, Field

from ..core.fields import Computed, Doc, Normalise, Secret, Wire, int_if_integral, is_unknown
from ..core.http import ApiClient
from ..core.request import FULL_PUT, JsonObject, Routes
from ..core.resource import AdoptableArgs, SpecResource
from ..core.spec import ObjectSpec
from ..core.timestamps import Timestamps
from . import api
from .api import CredentialsArgs

Algorithm = Literal["round-robin", "weighted-round-robin", "least-conn", "semantic"]
Provider = Literal["openai", "google", "anthropic", "bedrock", "azure", "mistral"]


def _go_duration(value: str) -> str:
    if value == "":  # the server skips empty durations: "" means unset
        return value
    if not re.fullmatch(api.GO_DURATION_PATTERN, value):
        raise ValueError("not a Go duration (use e.g. `30s`, `500ms`, `1m30s`)")
    return value


GoDuration = Annotated[str, AfterValidator(_go_duration)]


@dataclass(kw_only=True)
class TargetArgs:
    """A provider target (``provider`` + ``models`` + ``default_model`` + ``credentials``) or a host target."""

    id: Annotated[Input[str] | None, Doc("Server-filled (`<upstream-id>-<provider>-<index>`) unless set.")] = None
    weight: Annotated[Input[int] | None, Field(ge=0)] = None
    priority: Input[int] | None = None
    tags: Input[list[Input[str]]] | None = None
    headers: Annotated[
        Input[dict[str, Input[str]]] | None,
        Doc(
            "NOT secret: shown in preview and stored readable in `targets`. Put tokens in `credentials` "
            "(header_name/header_value), which is kept secret."
        ),
    ] = None
    path: Input[str] | None = None
    host: Input[str] | None = None
    port: Annotated[Input[int] | None, Field(ge=1, le=65535)] = None
    protocol: Input[Literal["http", "https"]] | None = None
    provider: Input[Provider] | None = None
    models: Input[list[Input[str]]] | None = None
    default_model: Input[str] | None = None
    description: Annotated[Input[str] | None, Doc("Required by the `semantic` algorithm.")] = None
    credentials: Annotated[
        Input[CredentialsArgs] | None, Doc("Provider credentials; stored in the secret `target_credentials`.")
    ] = None
    stream: Input[bool] | None = None
    insecure_ssl: Input[bool] | None = None


@dataclass(kw_only=True)
class HealthCheckArgs:
    passive: Input[bool] | None = None
    path: Input[str] | None = None
    headers: Annotated[
        Input[dict[str, Input[str]]] | None,
        Doc(
            "Sent with each probe. NOT secret: shown in preview and stored readable in `health_checks`; "
            "for a token, pass it as `pulumi.Output.secret(...)`, which keeps the whole `health_checks` secret."
        ),
    ] = None
    threshold: Annotated[Input[int] | None, Field(ge=0), Doc("Failures before a target is unhealthy.")] = None
    interval: Annotated[Input[int] | None, Field(ge=0), Doc("Seconds before the failure count resets.")] = None


@dataclass(kw_only=True)
class EmbeddingArgs:
    provider: Annotated[Input[Literal["openai"]], Doc("Only `openai` is accepted by the server.")] = "openai"
    model: Annotated[Input[str], Field(min_length=1)]
    credentials: Input[CredentialsArgs] | None = None


def _port_number(value: str) -> str:
    if not 1 <= int(value) <= 65535:
        raise ValueError(f"must be a port number from 1 to 65535 (got {value})")
    return value


@dataclass(kw_only=True)
class ProxyArgs:
    host: Annotated[Input[str], Field(min_length=1)]
    port: Annotated[
        Input[str],
        Field(pattern=r"^[0-9]{1,5}$"),
        AfterValidator(_port_number),
        Doc("A port number (1-65535), as a string on the wire."),
    ]
    protocol: Input[Literal["http", "https"]] | None = None


@dataclass(kw_only=True)
class WebsocketArgs:
    enable_direct_communication: Annotated[
        Input[bool] | None, Doc("Unset: the server decides (and is not diffed); true/false: enforced.")
    ] = None
    return_error_details: Input[bool] | None = None
    ping_period: Annotated[Input[GoDuration] | None, Doc('Go duration, e.g. `30s`, `1m30s`; `""` = unset.')] = None
    pong_wait: Input[GoDuration] | None = None
    handshake_timeout: Input[GoDuration] | None = None
    read_buffer_size: Annotated[Input[int] | None, Field(ge=0)] = None
    write_buffer_size: Annotated[Input[int] | None, Field(ge=0)] = None


WS_XOR_PROXY = "websocket_config and proxy_config cannot be set together (set one)"


def _websocket(value: Any) -> JsonObject:
    """Go ``omitempty`` except an explicit ``enable_direct_communication`` (False included): it is compared."""
    out = api.drop_empty(value)
    if isinstance(value, dict) and isinstance(value.get("enable_direct_communication"), bool):
        out["enable_direct_communication"] = value["enable_direct_communication"]
    return out  # type: ignore[no-any-return]


def _targets(value: Any) -> list[JsonObject]:
    return [api.drop_empty({k: v for k, v in t.items() if k != "credentials"}) for t in value]


def _credentials_list(value: Any) -> list[JsonObject]:
    return [api.drop_empty(c or {}) for c in value]


@dataclass(kw_only=True)
class UpstreamArgs(AdoptableArgs):
    gateway_id: api.GatewayId
    name: Annotated[Input[str], Field(min_length=1)]
    algorithm: Annotated[Input[Algorithm], Doc("No server default.")]
    targets: Annotated[
        Input[list[Input[TargetArgs]]],
        Field(min_length=1),
        Normalise(_targets),
        Doc("Pass a list (not an Output of a list): credentials are split off into `target_credentials`."),
    ]
    target_credentials: Annotated[
        Input[list[Input[CredentialsArgs] | None]] | None,
        Normalise(_credentials_list),
        Secret(),
        Doc("Credentials of `targets[i]` (index-aligned); filled from `targets[*].credentials`."),
    ] = None
    health_checks: Annotated[Input[HealthCheckArgs] | None, Normalise(api.drop_empty)] = None
    embedding: Annotated[
        Input[EmbeddingArgs] | None,
        Normalise(api.drop_empty),
        Wire(response="embedding_config"),
        Secret(),
        Doc("Required by `semantic`. Secret as a whole (it holds credentials)."),
    ] = None
    proxy_config: Annotated[Input[ProxyArgs] | None, Normalise(api.drop_empty), Wire(response="proxy")] = None
    websocket_config: Annotated[
        Input[WebsocketArgs] | None,
        Normalise(_websocket),
        Doc(
            "Not together with proxy_config. Leave enable_direct_communication unset to accept the server's "
            "value (one build forces true on create); an explicit value, false included, is enforced."
        ),
    ] = None
    tags: Input[list[Input[str]]] | None = None

    def __post_init__(self) -> None:
        # Credentials written on the targets move to the secret `target_credentials` (index-aligned), so
        # the targets themselves stay readable in previews and state.
        targets, creds = _split_credentials(self.targets)
        if creds is not None and self.target_credentials is not None:
            raise TypeError("set credentials on the targets or target_credentials, not both")
        self.targets = targets
        self.target_credentials = self.target_credentials or creds

    @classmethod
    def raw_rules(cls, raw: dict[str, Any]) -> Iterable[tuple[str, str]]:
        # websocket_config xor proxy_config, judged also when a block is known to be set but holds
        # values unknown until apply (a dict around an Output). A block that is itself unknown may
        # still resolve to None: that case is left to the server at apply time.
        if all(_is_set(raw.get(n)) for n in ("websocket_config", "proxy_config")):
            yield "websocket_config", WS_XOR_PROXY

    @classmethod
    def rules(cls, values: dict[str, Any], unknown: set[str]) -> Iterable[tuple[str, str]]:
        if "targets" in unknown:
            return
        creds = values.get("target_credentials") or []
        semantic = values.get("algorithm") == "semantic"
        for i, t in enumerate(values.get("targets") or []):
            where = f"targets[{i}]"
            if t.get("provider"):
                if t.get("host") or t.get("port"):
                    yield "targets", f"{where}: a provider target takes no host/port"
                if t.get("path"):
                    yield "targets", f"{where}: a provider target must have an empty path"
                if not t.get("models"):
                    yield "targets", f"{where}: a provider target needs at least one model"
                if not t.get("default_model"):
                    yield "targets", f"{where}: a provider target needs default_model"
                elif t.get("models") and t["default_model"] not in t["models"]:
                    yield "targets", f"{where}: default_model {t['default_model']!r} is not in models"
                if "target_credentials" not in unknown and not (i < len(creds) and creds[i]):
                    yield "targets", f"{where}: a provider target needs credentials"
            elif t.get("host"):
                if not t.get("port"):
                    yield "targets", f"{where}: a host target needs port (1-65535)"
                if not t.get("protocol"):
                    yield "targets", f"{where}: a host target needs protocol (http or https)"
            else:
                yield "targets", f"{where}: set either provider or host"
            if semantic and not t.get("description"):
                yield "targets", f"{where}: the semantic algorithm needs a description on every target"
        if semantic and "embedding" not in unknown:
            embedding = values.get("embedding")
            if not embedding:
                yield "embedding", "the semantic algorithm needs an embedding (provider openai, model, credentials)"
            else:
                c = embedding.get("credentials") or {}
                if not c.get("api_key") and not (c.get("header_name") and c.get("header_value")):
                    yield "embedding", "embedding.credentials needs api_key, or header_name and header_value"


@dataclass(kw_only=True)
class UpstreamOutputs(Timestamps):
    target_ids: Annotated[list[str] | None, Computed(), Doc("Server ids of the targets, in order.")] = None


class UpstreamProvider(api.TrustGateProvider):
    spec: ClassVar[ObjectSpec] = ObjectSpec(
        vendor="trustgate", kind="Upstream", args=UpstreamArgs, outputs=UpstreamOutputs
    )

    # -- wire mapping -----------------------------------------------------------------------------

    routes = Routes(f"{api.PREFIX}/gateways/{{gateway_id}}/upstreams", update=FULL_PUT)

    # -- wire mapping -----------------------------------------------------------------------------

    def wire_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        """Targets carry their credentials on the wire (kept apart in ``target_credentials`` as a secret)."""
        body = {k: v for k, v in body.items() if k not in ("target_credentials", "targets")}
        creds = values.get("target_credentials") or []
        targets = []
        for i, t in enumerate(values["targets"]):
            target = api.drop_empty({k: v for k, v in dict(t).items() if k != "credentials"})
            if i < len(creds) and creds[i]:
                target["credentials"] = api.drop_empty(creds[i])
            targets.append(target)
        body["targets"] = int_if_integral(targets)  # the engine turns every int into a float
        return body

    def live_values(self, wire: JsonObject) -> dict[str, Any]:
        values = self.spec.from_wire(wire)
        targets = wire.get("targets") or []
        # Server-filled ids go to target_ids; ``read`` puts them back only where the user set one.
        values["targets"] = [{k: v for k, v in t.items() if k != "id"} for t in _targets(targets)]
        creds = _credentials_list([t.get("credentials") for t in targets])
        if any(creds):  # no credentials at all reads as unset, as the user would have written it
            values["target_credentials"] = creds
        values["target_ids"] = [str(t.get("id", "")) for t in targets]
        return values

    # -- hooks ------------------------------------------------------------------------------------

    def referencing(self, client: ApiClient, id_: str, props: dict[str, Any]) -> list[str]:
        services = api.list_all(client, api.gateway_path(props["gateway_id"], "services"), "services")
        return api.named("service", [s for s in services if s.get("upstream_id") == id_])

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        # Names are not unique: only an object with exactly the desired content, and only one (api.py).
        items = api.list_all(client, api.gateway_path(inputs["gateway_id"], "upstreams"), "upstreams")
        return self.find_same(items, inputs)

    def align_live(self, live: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        _align(live, inputs, live.get("target_ids") or [])
        return live


def _is_set(value: Any) -> bool:
    """Known to be non-empty at preview: a known value, or a container whose contents are unknown."""
    if value is None:
        return False
    if isinstance(value, dict):
        return True
    return not is_unknown(value)


def _align(store: dict[str, Any], old: dict[str, Any], ids: list[str]) -> None:
    """Make live values comparable with the user's inputs ``old`` (in place).

    Server-filled target ids are outputs (``target_ids``), kept in ``targets`` only where the
    user set one; the server-forced ``enable_direct_communication`` is ignored only when the user left
    it unset (an explicit value, even False, is compared)."""
    old_targets = old.get("targets") or []
    if "targets" in store and "targets" in old and isinstance(old_targets, list):
        store["targets"] = [
            {**t, "id": ids[i]}
            if i < len(old_targets) and isinstance(old_targets[i], dict) and old_targets[i].get("id") and i < len(ids)
            else t
            for i, t in enumerate(store["targets"])
        ]
    ws, old_ws = store.get("websocket_config"), old.get("websocket_config")
    if isinstance(ws, dict) and isinstance(old_ws, dict):
        if "enable_direct_communication" not in old_ws:
            store["websocket_config"] = {k: v for k, v in ws.items() if k != "enable_direct_communication"}
        elif "enable_direct_communication" not in ws:  # Go omitempty: absent is false
            store["websocket_config"] = {**ws, "enable_direct_communication": False}


def _split_credentials(targets: Any) -> tuple[list[Any], list[Any] | None]:
    """``targets[*].credentials`` -> (targets without them, index-aligned credentials or None)."""
    if not isinstance(targets, list | tuple):
        raise TypeError("trustgate.UpstreamArgs.targets must be a list (of TargetArgs or dicts), not an Output")
    stripped: list[Any] = []
    creds: list[Any] = []
    for t in targets:
        if isinstance(t, TargetArgs):
            creds.append(t.credentials)
            stripped.append(dataclasses.replace(t, credentials=None))
        elif isinstance(t, dict):
            creds.append(t.get("credentials"))
            stripped.append({k: v for k, v in t.items() if k != "credentials"})
        else:
            raise TypeError("trustgate.UpstreamArgs.targets items must be TargetArgs or dicts")
    return stripped, (creds if any(c is not None for c in creds) else None)


class Upstream(SpecResource, module="trustgate", name="Upstream"):
    """A TrustGate upstream: load-balanced targets (LLM providers or hosts) of one gateway."""

    provider_cls = UpstreamProvider
    gateway_id: Output[str]
    name: Output[str]
    algorithm: Output[str]
    targets: Output[list[dict[str, Any]]]
    target_credentials: Output[list[dict[str, Any]]]
    target_ids: Output[list[str]]
    health_checks: Output[dict[str, Any] | None]
    embedding: Output[dict[str, Any] | None]
    proxy_config: Output[dict[str, Any] | None]
    websocket_config: Output[dict[str, Any] | None]
    tags: Output[list[str] | None]
    created_at: Output[str]
    updated_at: Output[str]
