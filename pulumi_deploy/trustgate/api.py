"""TrustGate v1.x admin API (v1.6.10 swagger): settings, paths, shared nested args and error rules.

Quirks handled here for every TrustGate object:

* domain validation failures of a POST/PUT come back as **500** ``{"error": "..."}``, as do the server's
  own faults. Most are the user's input: the error rules classify them as ``InvalidInput``, which is
  never retried (the create loop retries only ``ServerError``/``TransportError``), and the message
  says both readings.
* deletes are guarded by references: a 400 "... being used by ..." is ``InUse``, and explained.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pulumi import Input
from pydantic import AfterValidator

from ..core.config import Setting, VendorSettings, lookup, resolve_base_url, resolve_credential
from ..core.errors import (
    ApiError,
    ConfigError,
    ErrorRules,
    InUse,
    InvalidInput,
    PulumiDeployError,
    ServerError,
    when,
)
from ..core.fields import Doc, In, Replace
from ..core.http import ApiClient, AuthHeaders, bearer, fresh_listings
from ..core.provider import SpecProvider
from ..core.request import read_call

SETTINGS = VendorSettings(
    vendor="trustgate",
    credential=Setting("trustgate:adminToken", "TRUSTGATE_ADMIN_TOKEN"),
    base_url=Setting("trustgate:baseUrl", "TRUSTGATE_BASE_URL"),
    credential_required=False,  # a token can also be minted from the server secret (auth_headers)
    errors=ErrorRules(
        message_keys=("error",),
        domain=(
            when(InUse, status=400, methods="DELETE", message=r"\bbeing used by\b"),
            when(InvalidInput, status=500, methods="POST PUT"),  # its validation failures are 500s
        ),
    ),
)
#: Optional alternative to a ready token: the server's ``SERVER_SECRET_KEY``, to mint an HS256 JWT.
SERVER_SECRET = Setting("trustgate:serverSecretKey", "TRUSTGATE_SERVER_SECRET_KEY")

PREFIX = "/api/v1"
NIL_UUID = "00000000-0000-0000-0000-000000000000"
PROTOCOLS = ("http", "https")

#: What Go's ``uuid.Parse`` accepts: canonical, 32 hex digits, ``urn:uuid:`` or braces.
UUID_PATTERN = (
    r"^(?:urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    r"|^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$"
    r"|^[0-9a-fA-F]{32}$"
)
#: Page size for the paged lists (gateways, upstreams); the server may cap it lower.
PAGE_SIZE = 100
#: Safety stop for a server that ignores ``offset`` (the same page again and again).
MAX_PAGES = 1000

_DURATION = re.compile(r"^(?:[-+]?0|[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$")
GO_DURATION_PATTERN = _DURATION.pattern


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(secret: str) -> str:
    """An HS256 admin JWT with an empty payload, as the server's helm chart mints one."""
    signing_input = _b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + _b64url(b"{}")
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64url(signature)


def auth_headers(token: str | None) -> dict[str, str]:
    """A ready token (``trustgate:adminToken``) wins; else mint one from ``trustgate:serverSecretKey``."""
    if token:
        return bearer(token)
    secret = lookup(SERVER_SECRET)
    if not secret:
        raise ConfigError(
            f"trustgate: no admin credential configured; set {SETTINGS.credential.describe()} (a ready admin JWT) "
            f"or {SERVER_SECRET.describe()} (the server's SERVER_SECRET_KEY, to mint one)"
        )
    # Same plain-http guard as for a ready token (raises for a remote http:// base URL).
    resolve_credential(dataclasses.replace(SETTINGS, credential=SERVER_SECRET), resolve_base_url(SETTINGS))
    return bearer(mint_token(secret))


def gateway_path(gateway_id: str, *rest: str) -> str:
    return "/".join([f"{PREFIX}/gateways/{gateway_id}", *rest])


def explain(error: ApiError, what: str, users: list[str] | None = None) -> ApiError | None:
    """TrustGate's error answers in the user's terms (``users``: what still references a refused delete)."""
    if isinstance(error, InUse):
        still = (
            f" Still referencing it: {', '.join(users)}; one that is not in your stack (an interrupted run may "
            "have left it) must be deleted in TrustGate, or adopted with `adopt_id`, first."
            if users
            else ""
        )
        return error.explained(
            f"{what}: {error.message}.{still} TrustGate does not cascade deletes: delete the objects that "
            "reference it first (in a program, pass `upstream.id` / `gateway.id` as inputs so Pulumi orders "
            "the deletes service -> upstream -> gateway)"
        )
    if isinstance(error, InvalidInput) and error.status >= 500:
        return error.explained(
            f"{what}: TrustGate rejected the input: {error.message} (it answers its validation failures with "
            "HTTP 500, and its own faults too: fix what the message names; one that names no input is a server "
            "fault, so run `pulumi up` again once TrustGate is healthy. A 500 is not retried: a repeated create "
            "could make the object twice)"
        )
    if isinstance(error, InvalidInput):
        return error.explained(f"{what}: TrustGate rejected the request ({error.status}): {error.message}")
    return None


def named(kind: str, items: list[dict[str, Any]]) -> list[str]:
    """``kind id ('name')`` for each listed object, as a refused delete names what references it."""
    return [f"{kind} {i.get('id')} ({i.get('name')!r})" for i in items]


def unwrap_list(body: Any, wrapper_key: str) -> list[dict[str, Any]]:
    """A list response: bare, or wrapped as ``{wrapper_key: [...]}`` by some builds."""
    if isinstance(body, dict):
        body = body.get(wrapper_key)
    return list(body or [])


def list_all(client: ApiClient, path: str, wrapper_key: str) -> list[dict[str, Any]]:
    """Every item of a paged list (``offset``/``limit``), read once per run (``ApiClient.listing``).

    The offset advances by what the server actually returned (it may cap ``limit`` below the page
    size asked for); the walk ends on an empty page, or on a page with nothing new (a server that
    ignores ``offset``)."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    offset = 0
    for _ in range(MAX_PAGES):
        page = unwrap_list(client.listing(path, params={"offset": offset, "limit": PAGE_SIZE}), wrapper_key)
        fresh = [i for i in page if str(i.get("id")) not in seen]
        if not fresh:
            break
        seen.update(str(i.get("id")) for i in fresh)
        items.extend(fresh)
        offset += len(page)
    return items


def uuid_of(what: str) -> Callable[[str], str]:
    """Pydantic check: a value the server's ``uuid.Parse`` accepts (``what`` says which id to pass)."""

    def check(value: str) -> str:
        if not re.fullmatch(UUID_PATTERN, value):
            raise ValueError(f"not a UUID (the server parses it as one; pass {what})")
        return value

    return check


uuid_value = uuid_of("an Upstream's `id`")

#: The ``gateway_id`` of an object that lives under a gateway (upstreams, services): a path parameter.
GatewayId = Annotated[
    Input[str],
    AfterValidator(uuid_of("a Gateway's `id`")),
    In("path"),
    Replace(reason="it belongs to one gateway"),
    Doc("The gateway's id (pass `gateway.id`); a UUID (the server parses it as one)."),
]


def drop_empty(value: Any) -> Any:
    """Go ``omitempty``: the server omits zero values, so compare without them (recursively)."""
    if isinstance(value, dict):
        out = {k: drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", 0, False, [], {})}
    if isinstance(value, list):
        return [drop_empty(v) for v in value]
    return value


@dataclass(kw_only=True)
class CredentialsArgs:
    """``types.Credentials`` (v1.6.10 spelling). Every value is kept secret by the resources."""

    allow_override: Input[bool] | None = None
    api_key: Input[str] | None = None
    header_name: Input[str] | None = None
    header_value: Input[str] | None = None
    param_name: Input[str] | None = None
    param_value: Input[str] | None = None
    param_location: Input[Literal["query", "body"]] | None = None
    azure_use_managed_identity: Input[bool] | None = None
    azure_endpoint: Input[str] | None = None
    azure_eversion: Annotated[Input[str] | None, Doc("API version (the v1.6.10 spelling).")] = None
    azure_client_id: Input[str] | None = None
    azure_client_secret: Input[str] | None = None
    azure_tenant_id: Input[str] | None = None
    gcp_use_service_account: Input[bool] | None = None
    gcp_service_account_json: Input[str] | None = None
    aws_access_key_id: Input[str] | None = None
    aws_secret_access_key: Input[str] | None = None
    aws_region: Input[str] | None = None
    aws_session_token: Input[str] | None = None
    aws_role: Input[str] | None = None
    aws_use_role: Input[bool] | None = None


class TrustGateProvider(SpecProvider):
    """Shared behaviour of the TrustGate objects."""

    settings = SETTINGS
    #: Go ``omitempty`` responses: a block absent from a GET is unset on the server (removed out of band).
    live_is_complete = True

    def auth_headers(self) -> AuthHeaders:
        return auth_headers

    def explain(self, error: ApiError, what: str, props: dict[str, Any], id_: str | None) -> PulumiDeployError | None:
        users = None
        if isinstance(error, InUse) and id_ is not None:
            try:
                with fresh_listings():
                    users = self.referencing(self.client(), id_, props)
            except PulumiDeployError:
                users = None  # the refusal still speaks for itself
        return explain(error, what, users)

    def referencing(self, client: ApiClient, id_: str, props: dict[str, Any]) -> list[str]:
        """The objects that reference ``id_`` (``kind id ('name')``), for a refused delete."""
        return []

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        """DELETE; 404 means gone (core). The server's delete has no 404 branch and may answer 500 for a
        missing object: after a 500, a GET that finds nothing also means gone."""
        assert self.routes is not None
        try:
            super().api_delete(client, id_, outs)
        except ServerError:
            if client.get_or_none(read_call(self.spec, self.routes, id_, outs).path) is None:
                self.confirm_gone(client, id_, outs)
                return
            raise
