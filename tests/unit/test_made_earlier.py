"""An object an earlier run made for this resource and never recorded: taken as it is when it holds what
the program says, updated when the program changed since, refused when only a replacement could."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_deploy.core import autonaming
from pulumi_deploy.core.errors import PulumiDeployError
from pulumi_deploy.core.request import JsonObject
from pulumi_deploy.runpod.network_volume import NetworkVolumeProvider

#: Named as an autoname of this process's choosing: an object made for this resource.
VOLUME = {
    "id": "vol-1",
    "name": autonaming.choose("data", "urn:made-earlier::data"),
    "size": 10,
    "dataCenter": "EU-RO-1",
}


class LeftBehind(NetworkVolumeProvider):
    """Finds ``VOLUME`` by its name (as an autoname is found) and records the updates it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[list[str]] = []

    def api_find(self, client: Any, inputs: dict[str, Any]) -> tuple[str, JsonObject] | None:
        return VOLUME["id"], dict(VOLUME)

    def api_update(self, client: Any, id_: str, plan: Any, olds: dict[str, Any], news: dict[str, Any]) -> JsonObject:
        self.updates.append(list(plan.changed))
        return {**VOLUME, "size": news["size"]}


def inputs(**changes: Any) -> dict[str, Any]:
    return {"name": VOLUME["name"], "size": 10, "data_center_id": "EU-RO-1", **changes}


def test_an_object_holding_what_the_program_says_is_taken_as_it_is():
    provider = LeftBehind()
    assert provider._made_earlier(None, inputs(), inputs()) == (VOLUME["id"], VOLUME)  # type: ignore[arg-type]
    assert provider.updates == []


def test_an_object_made_before_the_program_changed_is_updated_to_what_it_says_now():
    provider = LeftBehind()
    id_, wire = provider._made_earlier(None, inputs(size=20), inputs(size=20))  # type: ignore[arg-type,misc]
    assert (id_, wire["size"]) == (VOLUME["id"], 20)
    assert provider.updates == [["size"]]


def test_an_object_only_a_replacement_could_change_is_refused_saying_what_to_do():
    provider = LeftBehind()
    with pytest.raises(PulumiDeployError) as failed:
        provider._made_earlier(None, inputs(data_center_id="US-KS-2"), inputs(data_center_id="US-KS-2"))  # type: ignore[arg-type]
    message = str(failed.value)
    assert "'vol-1', made for this resource by an earlier run that did not record it" in message
    assert "data_center_id is 'EU-RO-1', not 'US-KS-2'" in message
    assert "delete it (no stack records it)" in message
    assert provider.updates == []


def test_an_object_with_a_name_the_user_chose_is_refused_naming_it():
    provider = LeftBehind()
    chosen = {**inputs(), "name": "models"}
    with pytest.raises(PulumiDeployError) as failed:
        provider._made_earlier(None, chosen, chosen)  # type: ignore[arg-type]
    message = str(failed.value)
    assert "NetworkVolume vol-1 already has this resource's name and exactly its inputs" in message
    assert "set adopt_id='vol-1'" in message and "`aliases`" in message
    assert provider.updates == []
