"""RunPod: settings, API versions, paths and the lookups every RunPod object shares.

RunPod serves two REST APIs over the same account state: v2 (the default, ``/v2/serverless``,
``/v2/templates``, ...) and the older v1 (``/v1/endpoints``, ...), kept as an opt-in
(``runpod:apiVersion=v1``). The resource classes and their property names are the same for both; only
the wire mapping differs, so a stack created on v1 keeps its objects and ids when it moves to v2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ..core import autonaming
from ..core.config import Setting, VendorSettings, lookup, resolve_base_url
from ..core.errors import ConfigError, ErrorRules, InUse, body_excerpt, standard_message, when
from ..core.fields import MISSING, Policy, Replace
from ..core.http import ApiClient, get_client
from ..core.location import Location
from ..core.provider import SpecProvider
from ..core.request import SPARSE_PATCH, JsonObject, Routes
from ..core.spec import ObjectSpec, snake_to_camel

ApiVersion = Literal["v1", "v2"]

API_VERSION = Setting("runpod:apiVersion", "RUNPOD_API_VERSION", "v2")
BASE_URL = Setting("runpod:baseUrl", "RUNPOD_BASE_URL")
CREDENTIAL = Setting("runpod:apiKey", "RUNPOD_API_KEY")
DEFAULT_BASE_URLS: dict[ApiVersion, str] = {"v1": "https://rest.runpod.io/v1", "v2": "https://api.runpod.io/v2"}


class ProblemDetailsRules(ErrorRules):
    """REST v2 answers RFC 9457 problem details: the ``detail`` sentence, then each schema violation of a
    422 (``errors[]``, each naming the offending field, e.g. ``$.workers.idleTimeout: ...``)."""

    def message(self, body: Any, text: str) -> str:
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            problems = [str(e) for e in body.get("errors") or [] if e]
            return "; ".join([body["detail"].rstrip(".") if problems else body["detail"], *problems])
        return standard_message(body) or body_excerpt(text)


# A template still used by an endpoint: "Template ... is in use by endpoint ..." (also for a while after).
_IN_USE = when(InUse, status=400, methods="DELETE", message=r"\bin use\b")

SETTINGS: dict[ApiVersion, VendorSettings] = {
    version: VendorSettings(
        vendor="runpod",
        credential=CREDENTIAL,
        base_url=Setting(BASE_URL.config_key, BASE_URL.env, DEFAULT_BASE_URLS[version]),
        errors=ProblemDetailsRules(domain=(_IN_USE,))
        if version == "v2"
        else ErrorRules(message_keys=("message",), domain=(_IN_USE,)),
        # Input errors are 400/422; a 500 is RunPod failing for a moment.
        transient_statuses=frozenset({500, 502, 503, 504}),
        credential_scopes_objects=True,  # an API key is one account's
    )
    for version in ("v1", "v2")
}


def api_version() -> ApiVersion:
    """The configured REST version (``runpod:apiVersion`` / ``RUNPOD_API_VERSION``, default v2)."""
    raw = (lookup(API_VERSION) or "v2").strip().lower()
    if raw not in ("v1", "v2"):
        raise ConfigError(
            f"runpod: unknown API version {raw!r} in {API_VERSION.config_key} / ${API_VERSION.env}; use v2 or v1"
        )
    return "v1" if raw == "v1" else "v2"


class OnVersion:
    """A policy that holds on one REST version (``version``) and not on the other."""

    version: ApiVersion

    @property
    def in_effect(self) -> bool:
        return api_version() == self.version

    def on_each(self, here: str, there: str, why: str = "") -> str:
        """The reference sentence: what holds on ``version`` (and why), then what the other version does."""
        because = f" ({why})" if why else ""
        return f"{here} on REST {self.version}{because}; REST {other_version(self.version)} {there}"


@dataclass(frozen=True)
class OnlyOn(OnVersion, Policy):
    """A field one REST version has and the other does not: setting it under the other fails at preview,
    saying which version has it (and, with ``instead``, where to set it on the other)."""

    version: ApiVersion
    instead: str = ""

    @property
    def description(self) -> str:  # type: ignore[override]
        return f"REST {self.version} only"

    def unavailable(self) -> str | None:
        if self.in_effect:
            return None
        return f"{needs_version(self.version)}; {self.instead}" if self.instead else needs_version(self.version)


@dataclass(frozen=True)
class ClearedOn(OnVersion, Policy):
    """A field one REST version's update clears when the program removes it (by sending ``value``);
    under the other a removal sends nothing, and the last applied value stays."""

    value: Any = None
    version: ApiVersion = "v2"

    @property
    def description(self) -> str:  # type: ignore[override]
        return self.on_each("removing it clears it", "keeps the last applied value")

    def cleared_by(self) -> Any:
        return self.value if self.in_effect else MISSING


@dataclass(frozen=True)
class ReplacedOn(OnVersion, Replace):
    """A field one REST version cannot update (a change replaces the object) and the other patches in place."""

    version: ApiVersion = "v1"

    @property
    def description(self) -> str:  # type: ignore[override]
        return self.on_each("changing it replaces the object", "updates it in place", why=self.reason)

    def requires_replace(self, old: Any, new: Any) -> bool:
        return self.in_effect and super().requires_replace(old, new)

    @property
    def sent_on_update(self) -> bool:
        return not self.in_effect


@dataclass(frozen=True)
class WriteOnlyOn(OnVersion, Policy):
    """A field one REST version never returns (state keeps the input; refresh cannot see drift there)
    and the other does."""

    version: ApiVersion = "v1"

    @property
    def description(self) -> str:  # type: ignore[override]
        return self.on_each("write-only", "returns it", why="refresh cannot detect drift there")

    @property
    def returned(self) -> bool:
        return not self.in_effect

    @property
    def live_owned(self) -> bool:
        return not self.in_effect


def other_version(version: ApiVersion) -> ApiVersion:
    return "v1" if version == "v2" else "v2"


def needs_version(version: ApiVersion) -> str:
    """Why something only ``version`` has is refused under the other, and the setting that selects it."""
    if version == "v2":
        return f"needs REST v2 ({API_VERSION.config_key}=v2)"
    return f"not available on REST v2 ({API_VERSION.config_key}=v1 still offers it)"


def check_base_url(version: ApiVersion) -> None:
    """Refuse a base URL whose path names the other version: v2 bodies must never reach a v1 URL."""
    url = lookup(BASE_URL)
    if not url:
        return
    other = other_version(version)
    if other in [part.lower() for part in urlsplit(url).path.split("/")]:
        raise ConfigError(
            f"runpod: the base URL {url!r} ({BASE_URL.config_key} / ${BASE_URL.env}) is a REST {other} URL, but the "
            f"API version is {version} ({API_VERSION.config_key} / ${API_VERSION.env}, default v2). Set "
            f"{API_VERSION.config_key}={other} to keep using REST {other}, or point {BASE_URL.config_key} at the "
            f"{version} API (default {DEFAULT_BASE_URLS[version]})"
        )


def server_of(location: Location) -> str:
    """The server a recorded address names, whichever API version it used: RunPod's own for either
    version's default URL; for another (a proxy, the emulator) its URL without the version part."""
    url = location.get(BASE_URL.config_key, "").rstrip("/")
    if url in DEFAULT_BASE_URLS.values():
        return "runpod"
    version = location.get(API_VERSION.config_key, "")
    return url.removesuffix(f"/{version}") if version else url


def client_for(version: ApiVersion, provider: SpecProvider) -> ApiClient:
    check_base_url(version)
    return get_client(SETTINGS[version], provider.auth_headers())


def items_of(listing: Any) -> list[JsonObject]:
    """The objects of a list answer: v1 answers a bare array, v2 wraps it (``{"endpoints": [...]}``)."""
    if isinstance(listing, dict):
        listing = next((v for v in listing.values() if isinstance(v, list)), [])
    return [i for i in listing or [] if isinstance(i, dict)]


def strip_flashboot_suffix(name: str) -> str:
    """RunPod historically appended " -fb" to FlashBoot endpoint names: the name the user wrote is without it."""
    for suffix in (" -fb", "-fb"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class RestObjectProvider(SpecProvider):
    """What every RunPod collection shares: POST, GET by id, sparse PATCH, DELETE (declared per API version
    by ``routes_by_version``), the version's wire mapping, and the lookup by name after a create whose
    response was lost."""

    settings = SETTINGS["v2"]
    routes_by_version: dict[ApiVersion, Routes]

    def client(self) -> ApiClient:
        return client_for(api_version(), self)

    def base_url(self) -> str:
        return resolve_base_url(SETTINGS[api_version()])

    def location(self) -> Location:
        # The version picks the paths and bodies at the base URL: both address the object.
        return {API_VERSION.config_key: api_version(), BASE_URL.config_key: self.base_url()}

    def same_place(self, recorded: Location, current: Location) -> bool:
        # Both versions serve one account's objects, under the same ids: switching is no move.
        return server_of(recorded) == server_of(current)

    def _routes(self) -> Routes:
        # The same object lives at a different path on each API version.
        return self.routes_by_version[api_version()]

    def name_key(self, name: str) -> str:
        return name

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        # Names are not unique (endpoints): the one object with this name *and* the desired content,
        # from a listing read once per run.
        items = items_of(client.listing(self._routes().collection))
        named = [i for i in items if self.name_key(i.get("name") or "") == inputs["name"]]
        if len(named) == 1 and autonaming.chosen_here(inputs["name"]):
            return str(named[0]["id"]), named[0]  # an autoname from this resource's URN: the object is its own
        return self.find_same(named, inputs)

    def wire_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        return self.v2_body(body, values) if api_version() == "v2" else self.v1_body(body, values)

    def live_values(self, wire: JsonObject) -> dict[str, Any]:
        return self.v2_live(wire) if api_version() == "v2" else self.spec.from_wire(wire)

    # -- per-version wire mapping (the declared body is v1's: one camelCase key per field) ----------

    def v1_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        return body

    def v2_body(self, body: JsonObject, values: dict[str, Any]) -> JsonObject:
        raise NotImplementedError

    def v2_live(self, wire: JsonObject) -> dict[str, Any]:
        raise NotImplementedError


def routes(v1: str, v2: str) -> dict[ApiVersion, Routes]:
    return {"v1": Routes(f"/{v1}", update=SPARSE_PATCH), "v2": Routes(f"/{v2}", update=SPARSE_PATCH)}


def object_spec(kind: str, args: type, outputs: type | None = None) -> ObjectSpec:
    """RunPod's naming: camelCase on the wire; every object's ``name`` is autonamed when unset."""
    return ObjectSpec(vendor="runpod", kind=kind, args=args, outputs=outputs, wire_case=snake_to_camel, autoname="name")
