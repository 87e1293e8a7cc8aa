"""RunPod REST v1: settings, paths and the lookups every RunPod object shares."""

from __future__ import annotations

from typing import Any

from ..core.config import Setting, VendorSettings
from ..core.errors import ErrorRules, InUse, when
from ..core.http import ApiClient
from ..core.provider import SpecProvider
from ..core.request import SPARSE_PATCH, JsonObject, Routes
from ..core.spec import ObjectSpec, snake_to_camel

SETTINGS = VendorSettings(
    vendor="runpod",
    credential=Setting("runpod:apiKey", "RUNPOD_API_KEY"),
    base_url=Setting("runpod:baseUrl", "RUNPOD_BASE_URL", "https://rest.runpod.io/v1"),
    # A template still used by an endpoint: "Template ... is in use by endpoint ..." (also for a while after).
    errors=ErrorRules(
        message_keys=("message",), domain=(when(InUse, status=400, methods="DELETE", message=r"\bin use\b"),)
    ),
    # Input errors are 400/422; a 500 is RunPod failing for a moment.
    transient_statuses=frozenset({500, 502, 503, 504}),
)


def strip_flashboot_suffix(name: str) -> str:
    """RunPod historically appended " -fb" to FlashBoot endpoint names: the name the user wrote is without it."""
    for suffix in (" -fb", "-fb"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class RestObjectProvider(SpecProvider):
    """What every RunPod v1 collection shares: POST, GET by id, sparse PATCH, DELETE (declared by
    ``routes``), and the lookup by name after a create whose response was lost."""

    settings = SETTINGS

    def name_key(self, name: str) -> str:
        return name

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        # Names are not unique (endpoints): the one object with this name *and* the desired content.
        assert self.routes is not None
        items = client.listing(self.routes.collection) or []
        named = [i for i in items if isinstance(i, dict) and self.name_key(i.get("name") or "") == inputs["name"]]
        return self.find_same(named, inputs)


def routes(collection: str) -> Routes:
    return Routes(f"/{collection}", update=SPARSE_PATCH)


def object_spec(kind: str, args: type, outputs: type | None = None) -> ObjectSpec:
    """RunPod's naming: camelCase on the wire; every object's ``name`` is autonamed when unset."""
    return ObjectSpec(vendor="runpod", kind=kind, args=args, outputs=outputs, wire_case=snake_to_camel, autoname="name")
