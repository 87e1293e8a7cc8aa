"""Cyberun core API: settings, the JWT/key auth rule and the service-status waits every object shares."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ..core.config import Setting, VendorSettings, lookup
from ..core.errors import AlreadyExists, ConfigError, ErrorRules, PulumiDeployError, when
from ..core.http import ApiClient
from ..core.wait import wait_until

SETTINGS = VendorSettings(
    vendor="cyberun",
    credential=Setting("cyberun:token", "CYBERUN_TOKEN"),
    base_url=Setting("cyberun:baseUrl", "CYBERUN_BASE_URL", "https://core.cyberun.cloud/api/v1"),
    errors=ErrorRules(
        message_keys=("error_message",),
        domain=(when(AlreadyExists, status=409, methods="POST", message=r"\balready exists\b"),),
    ),
    # No documented use of 500 for input errors (those are 400/409/422): a 500 is a passing failure.
    transient_statuses=frozenset({500, 502, 503, 504}),
)
TEAM_ID = Setting("cyberun:teamId", "CYBERUN_TEAM_ID")

#: Key families whose team is fixed when the key is issued (X-Team-ID is ignored for them).
KEY_PREFIXES = ("sk-", "dk-")
#: Asynchronous statuses: no PUT, deploy, undeploy or delete until they settle.
TRANSITIONING = frozenset({"deploying", "stopping"})
DEFAULT_WAIT_TIMEOUT = 900.0


def acts_for_team(token: str | None) -> bool:
    """The token is a user JWT, which acts for the team ``X-Team-ID`` names (a key's team is fixed)."""
    return bool(token) and not str(token).startswith(KEY_PREFIXES)


def auth_headers(token: str | None) -> dict[str, str]:
    """``Authorization: Bearer``; a user JWT also needs ``X-Team-ID`` (the API answers 400 without it)."""
    if not token:
        return {}
    headers = {"Authorization": f"Bearer {token}"}
    if not acts_for_team(token):
        return headers
    team = lookup(TEAM_ID)
    if not team:
        raise ConfigError(
            "cyberun: the token is a user JWT, which needs a team id: set "
            f"{TEAM_ID.describe()} (or use an sk- integration key, whose team is fixed)"
        )
    try:
        uuid.UUID(team)
    except ValueError:
        raise ConfigError(f"cyberun: team id {team!r} ({TEAM_ID.config_key} / ${TEAM_ID.env}) is not a uuid") from None
    return {**headers, "X-Team-ID": team}


def status_of(obj: dict[str, Any] | None) -> str:
    return "deleted" if obj is None else str(obj.get("service_status") or "unknown")


def wait_for(
    what: str,
    probe: Callable[[], dict[str, Any] | None],
    done: Callable[[str], bool],
    *,
    timeout: float,
    failed: Callable[[str], str | None] = lambda _: None,
) -> dict[str, Any]:
    """Poll ``probe`` until the service status satisfies ``done`` (bounded, with progress lines)."""

    def why_not(obj: dict[str, Any] | None) -> str | None:
        return "the service disappeared while waiting" if obj is None else failed(status_of(obj))

    result = wait_until(
        what,
        probe,
        lambda obj: obj is not None and done(status_of(obj)),
        timeout=timeout,
        failed=why_not,
        describe=status_of,
    )
    if result is None:  # pragma: no cover -- done() excludes it
        raise PulumiDeployError(f"{what}: the service disappeared")
    return result


PAGE_SIZE = 100
MAX_PAGES = 100


def list_containers(client: ApiClient) -> list[dict[str, Any]]:
    """Every container service of the team (``{containers, page_meta}`` pages), read once per run."""
    items: list[dict[str, Any]] = []
    for page_no in range(1, MAX_PAGES + 1):
        body = client.listing("/containers", params={"current_page": page_no, "per_page": PAGE_SIZE})
        page = list(body.get("containers") or []) if isinstance(body, dict) else list(body or [])
        items.extend(i for i in page if isinstance(i, dict))
        meta = body.get("page_meta") if isinstance(body, dict) else None
        last = meta.get("last_page") or meta.get("total_pages") if isinstance(meta, dict) else None
        if not page or len(page) < PAGE_SIZE or (isinstance(last, int) and page_no >= last):
            break
    return items
