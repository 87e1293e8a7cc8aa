"""Aieev (AirCloud) External API: settings, paths and the calls every Aieev object shares."""

from __future__ import annotations

from typing import Any

from ..core.config import Setting, VendorSettings
from ..core.errors import Forbidden, NotFound, PulumiDeployError
from ..core.http import ApiClient

SETTINGS = VendorSettings(
    vendor="aieev",
    credential=Setting("aieev:apiKey", "AIEEV_API_KEY"),
    base_url=Setting("aieev:baseUrl", "AIEEV_BASE_URL", "https://external.aieev.cloud:5007/external/api/v1"),
    credential_scopes_objects=True,
)

#: The vendor's own spelling of "no environment variables".
NO_ENV_VARS: list[dict[str, str]] = [{"key": "", "value": ""}]

RUNNING, DEPLOYING, DEPLOY_FAILED, STOPPED = "RUNNING", "DEPLOYING", "DEPLOY_FAILED", "STOPPED"


def endpoint_path(endpoint_id: str, action: str = "") -> str:
    return f"/endpoints/{endpoint_id}" + (f"/{action}" if action else "")


def inaccessible(what: str, endpoint_id: str, exc: NotFound | Forbidden | None) -> PulumiDeployError:
    """An endpoint to adopt that does not exist (``exc`` a 404, or None: answered 404) or is not granted."""
    reason = "is not granted to this API key" if isinstance(exc, Forbidden) else "does not exist"
    answer = f" ({exc.status}: {exc.message})" if exc is not None else " (404)"
    return PulumiDeployError(
        f"{what}: endpoint {endpoint_id!r} {reason}{answer}. The Aieev External API "
        "cannot create endpoints: the endpoint must already exist (create it in the AirCloud console) and "
        "the API key (aieev:apiKey / AIEEV_API_KEY) must be granted access to it."
    )


def get_endpoint(client: ApiClient, endpoint_id: str) -> dict[str, Any]:
    return client.request("GET", endpoint_path(endpoint_id))  # type: ignore[no-any-return]


def env_vars(value: Any) -> list[dict[str, str]]:
    """Entries with an empty key mean "none" (the vendor's ``[{"key":"","value":""}]``); sorted by key."""
    items = [{"key": str(e["key"]), "value": str(e.get("value") or "")} for e in value or [] if e.get("key")]
    return sorted(items, key=lambda e: e["key"])


def encode_env_vars(value: Any) -> list[dict[str, str]]:
    """The environment as the PATCH carries it: always the whole list; none is the vendor's marker."""
    return env_vars(value) or list(NO_ENV_VARS)
