"""Plans, called directly: adoption is one-time, bookkeeping is never a change, older state is read."""

from __future__ import annotations

from pulumi_deploy.core import adoption_claims, bookkeeping, pending_notes
from pulumi_deploy.runpod.network_volume import NetworkVolumeProvider

VOLUME = {"name": "v", "size": 10, "data_center_id": "EU-RO-1"}


def _outs(**extra):
    book = bookkeeping.Bookkeeping("data", input_names=(*VOLUME, *extra))
    return bookkeeping.write({"__provider": "p", **VOLUME, **extra}, book)


def _news(**extra):
    return bookkeeping.write({"__provider": "p", **VOLUME, **extra}, bookkeeping.Bookkeeping("data"))


def test_removing_adopt_id_is_no_change_and_another_id_replaces():
    provider = NetworkVolumeProvider()
    adopted = _outs(adopt_id="vol-1")
    assert provider.diff("vol-1", adopted, _news()).changes is False
    assert provider.diff("vol-1", adopted, _news(adopt_id="vol-1")).changes is False
    assert provider.diff("vol-1", adopted, _news(adopt_id="vol-2")).replaces == ["adopt_id"]
    assert provider.diff("vol-1", _outs(), _news(adopt_id="vol-2")).replaces == ["adopt_id"]
    # the replacement's check shows what diff said (check cannot see the object's id)
    assert pending_notes.take(provider._urn("data")) == [
        "adopt_id names another object than this one (vol-1): that one is taken over and updated, and this one "
        "is deleted"
    ]


def test_setting_adopt_id_to_the_objects_own_id_is_no_change():
    provider = NetworkVolumeProvider()
    assert provider.diff("vol-1", _outs(), _news(adopt_id="vol-1")).changes is False
    assert provider.diff("vol-1", _outs(), _news(adopt_id="vol-1", size=20)).replaces == []
    checked = provider.check(_outs(), {**_news(adopt_id="vol-1"), "plan_notes": True}).inputs
    assert "plan_notes" not in checked  # nothing to say before diff knows which object it names


def test_a_new_logical_name_or_a_previews_plan_notes_is_no_change():
    provider = NetworkVolumeProvider()
    renamed = bookkeeping.write(_news(), bookkeeping.Bookkeeping("renamed"))
    assert provider.diff("v1", _outs(), renamed).changes is False
    assert provider.diff("v1", _outs(), {**_news(), "plan_notes": ["x"]}).changes is False
    assert provider.diff("v1", _outs(), _news(size=20)).changes is None  # the engine computes the shown diff


def test_format_1_state_is_read_and_one_update_rewrites_it_without_a_call():
    provider = NetworkVolumeProvider()
    legacy = {"__provider": "p", **VOLUME, "_logical_name": "data", "_input_names": sorted(VOLUME), "id": "x"}
    book = bookkeeping.read(legacy)
    assert (book.format, book.logical_name, book.input_names) == (1, "data", tuple(sorted(VOLUME)))
    assert provider.diff("v1", legacy, _news()).changes is True
    outs = provider.update("v1", legacy, _news()).outs  # no client: a call would fail here
    assert outs is not None and not set(outs) & set(bookkeeping.LEGACY_KEYS)
    assert outs[bookkeeping.ENVELOPE] == {"format": 2, "logical_name": "data", "input_names": sorted(VOLUME)}
    assert outs["id"] == "x"


def test_check_drops_the_preview_marker_and_writes_the_envelope():
    checked = NetworkVolumeProvider().check({}, {**_news(), "_logical_name": "old", "plan_notes": True}).inputs
    assert "plan_notes" not in checked and "_logical_name" not in checked
    assert checked[bookkeeping.ENVELOPE]["format"] == bookkeeping.FORMAT


def test_one_object_is_claimed_by_one_resource():
    assert adoption_claims.claim("k", "id-1", "urn:a") is None
    assert adoption_claims.claim("k", "id-1", "urn:a") is None  # the same resource checked again
    assert adoption_claims.claim("k", "id-1", "urn:b") == "urn:a"
    failures = NetworkVolumeProvider().check({}, {**_news(adopt_id="id-9"), "__pulumi_deploy": {"logical_name": "x"}})
    again = NetworkVolumeProvider().check({}, {**_news(adopt_id="id-9"), "__pulumi_deploy": {"logical_name": "y"}})
    assert failures.failures == []
    assert [f.property for f in again.failures] == ["adopt_id"]
