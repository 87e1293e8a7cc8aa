"""RunPod REST v1: settings, paths and the lookups every RunPod object shares."""

from __future__ import annotations

from typing import Any, ClassVar

from ..core.config import Setting, VendorSettings
from ..core.http import ApiClient
from ..core.provider import SpecProvider
from ..core.spec import Plan

SETTINGS = VendorSettings(
    vendor="runpod",
    credential=Setting("runpod:apiKey", "RUNPOD_API_KEY"),
    base_url=Setting("runpod:baseUrl", "RUNPOD_BASE_URL", "https://rest.runpod.io/v1"),
)


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


class RestObjectProvider(SpecProvider):
    """The CRUD every RunPod v1 collection shares: POST, GET by id, sparse PATCH, DELETE."""

    settings = SETTINGS
    collection: ClassVar[str]
    #: Fields the collection's PATCH accepts (None: every input field).
    patchable: ClassVar[frozenset[str] | None] = None

    def name_key(self, name: str) -> str:
        return name

    def api_create(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        obj = client.request("POST", f"/{self.collection}", json=self.spec.to_wire(inputs), idempotent=False)
        return str(obj["id"]), obj

    def api_find(self, client: ApiClient, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        return find_by_name(client, self.collection, inputs["name"], self.name_key)

    def api_read(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> dict[str, Any] | None:
        return client.get_or_none(f"/{self.collection}/{id_}")

    def api_update(
        self, client: ApiClient, id_: str, plan: Plan, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        # Only the changed fields: PATCH is sparse, and explicit zeros (workers_min=0) are sent.
        names = [n for n in plan.changed if self.patchable is None or n in self.patchable]
        body = self.spec.to_wire(news, names)
        if not body:
            return client.request("GET", f"/{self.collection}/{id_}")  # type: ignore[no-any-return]
        return client.request("PATCH", f"/{self.collection}/{id_}", json=body)  # type: ignore[no-any-return]

    def api_delete(self, client: ApiClient, id_: str, outs: dict[str, Any]) -> None:
        client.request("DELETE", f"/{self.collection}/{id_}")
