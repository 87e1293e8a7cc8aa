"""RunPod REST v1: settings, paths and the lookups every RunPod object shares."""

from __future__ import annotations

from typing import Any

from ..core.config import Setting, VendorSettings
from ..core.errors import NotFound
from ..core.http import ApiClient

SETTINGS = VendorSettings(
    vendor="runpod",
    credential=Setting("runpod:apiKey", "RUNPOD_API_KEY"),
    base_url=Setting("runpod:baseUrl", "RUNPOD_BASE_URL", "https://rest.runpod.io/v1"),
)


def get_or_none(client: ApiClient, path: str) -> dict[str, Any] | None:
    try:
        return client.request("GET", path)  # type: ignore[no-any-return]
    except NotFound:
        return None


def find_by_name(
    client: ApiClient, collection: str, name: str, normalise: Any = str
) -> tuple[str, dict[str, Any]] | None:
    """The object of ``collection`` whose (normalised) name is ``name``, if exactly one has it."""
    items = client.request("GET", f"/{collection}") or []
    matches = [i for i in items if isinstance(i, dict) and normalise(i.get("name") or "") == name]
    if len(matches) == 1:
        return str(matches[0]["id"]), matches[0]
    return None


def strip_flashboot_suffix(name: str) -> str:
    """RunPod historically appended " -fb" to FlashBoot endpoint names (research Q8)."""
    for suffix in (" -fb", "-fb"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
