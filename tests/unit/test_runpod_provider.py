"""RunPod providers called directly, shaped like the engine's calls (floats, Unknowns, __provider)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi.output import Unknown

from pulumi_deploy.core.request import update_call
from pulumi_deploy.runpod.endpoint import EndpointProvider
from pulumi_deploy.runpod.network_volume import NetworkVolumeProvider
from pulumi_deploy.runpod.template import TemplateProvider

PROVIDER = {"__provider": "pickled", "_logical_name": "api"}


def failures(result):
    return {f.property: f.reason for f in result.failures}


def test_check_accepts_floats_from_the_engine_and_returns_ints():
    result = EndpointProvider().check({}, {**PROVIDER, "template_id": "t", "workers_max": 3.0})
    assert failures(result) == {}
    assert result.inputs["workers_max"] == 3
    assert isinstance(result.inputs["workers_max"], int)


def test_check_tolerates_unknown_values_during_preview():
    result = EndpointProvider().check({}, {**PROVIDER, "template_id": Unknown(), "workers_max": 2.0})
    assert failures(result) == {}
    assert isinstance(result.inputs["template_id"], Unknown)
    assert result.inputs["workers_max"] == 2  # known values are still validated and kept


def test_check_with_unknown_required_field_still_judges_the_known_ones():
    result = EndpointProvider().check({}, {**PROVIDER, "template_id": Unknown(), "workers_min": 5, "workers_max": 2})
    assert "workers_min" in failures(result) or "workers_max" in failures(result)


@pytest.mark.parametrize(
    ("prop", "value", "message"),
    [
        ("idle_timeout", 0, "greater than or equal to 1"),
        ("idle_timeout", 3601, "less than or equal to 3600"),
        ("scaler_type", "FAST", "'QUEUE_DELAY' or 'REQUEST_COUNT'"),
        ("gpu_type_ids", ["NVIDIA GTX 9999"], "unknown GPU type 'NVIDIA GTX 9999' (closest: "),
        ("workers_max", -1, "greater than or equal to 0"),
        ("data_center_ids", 7, "Input should be"),
    ],
)
def test_check_rejects_invalid_endpoint_input_naming_the_property(prop, value, message):
    result = EndpointProvider().check({}, {**PROVIDER, "template_id": "t", prop: value})
    assert list(failures(result)) == [prop]
    assert message in failures(result)[prop]


def test_check_cross_field_rule_workers_min_above_max():
    result = EndpointProvider().check({}, {**PROVIDER, "template_id": "t", "workers_min": 4, "workers_max": 2})
    assert failures(result) == {"workers_min": "workers_min: must not exceed workers_max (4 > 2)"}


def test_check_autonames_once_and_keeps_the_name():
    first = TemplateProvider().check({}, {**PROVIDER, "image_name": "img"}).inputs
    again = TemplateProvider().check(first, {**PROVIDER, "image_name": "img2"}).inputs
    assert first["name"].startswith("api-")
    assert again["name"] == first["name"]


def test_diff_names_replacing_field_and_explicit_name_deletes_first(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_VERSION", "v1")  # v1's template update does not take a category
    olds = {
        **PROVIDER,
        "image_name": "img",
        "name": "fixed",
        "category": "NVIDIA",
        "_input_names": ["category", "image_name", "name"],
    }
    news = {**PROVIDER, "image_name": "img", "name": "fixed", "category": "AMD"}
    result = TemplateProvider().diff("tid", olds, news)
    assert result.replaces == ["category"]
    assert result.delete_before_replace is True
    assert result.changes is None  # the engine computes the property-level diff


def test_volume_shrink_is_a_check_failure_on_the_transition():
    result = NetworkVolumeProvider().check(
        {**PROVIDER, "size": 50.0, "data_center_id": "EU-RO-1", "name": "v"},
        {**PROVIDER, "size": 40, "data_center_id": "EU-RO-1", "name": "v"},
    )
    assert list(failures(result)) == ["size"]


@given(st.lists(st.sampled_from(["EU-RO-1", "US-TX-3", "CA-MTL-1"]), min_size=1, unique=True))
def test_data_center_ids_order_and_form_do_not_change_checked_inputs(dcs):
    p = EndpointProvider()
    as_list = p.check({}, {**PROVIDER, "template_id": "t", "data_center_ids": dcs}).inputs["data_center_ids"]
    as_csv = p.check({}, {**PROVIDER, "template_id": "t", "data_center_ids": ",".join(reversed(dcs))})
    assert as_list == as_csv.inputs["data_center_ids"] == sorted(dcs)


def test_adopting_an_object_whose_identity_field_differs_fails_instead_of_ignoring_it(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_VERSION", "v1")  # the answer below is v1-shaped
    import httpx

    from pulumi_deploy.core.errors import PulumiDeployError
    from pulumi_deploy.core.http import ApiClient

    live = {"id": "v1", "name": "data", "size": 50, "dataCenterId": "US-TX-3"}
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(200, json=live)

    client = ApiClient("runpod", "http://127.0.0.1:1", {}, transport=httpx.MockTransport(handler))
    props = {**PROVIDER, "adopt_id": "v1", "name": "data", "size": 50, "data_center_id": "EU-RO-1"}
    with pytest.raises(PulumiDeployError, match=r"data_center_id is 'US-TX-3', not 'EU-RO-1'"):
        NetworkVolumeProvider()._adopt(client, "v1", props)
    assert calls == ["GET"]  # nothing written
    _, obj = NetworkVolumeProvider()._adopt(client, "v1", {**props, "data_center_id": "US-TX-3"})
    assert obj == live and calls == ["GET", "GET"]  # same content: adopted without an update


@pytest.mark.parametrize(("version", "size", "refused"), [("v2", 5, True), ("v2", 10, False), ("v2", 4096, False),
                                                          ("v1", 5, False), ("v1", 4096, True)])  # fmt: skip
def test_a_volume_size_outside_what_the_api_version_accepts_fails_at_check(monkeypatch, version, size, refused):
    monkeypatch.setenv("RUNPOD_API_VERSION", version)
    result = NetworkVolumeProvider().check({}, {**PROVIDER, "size": size, "data_center_id": "EU-RO-1", "name": "v"})
    assert (f"a REST {version} network volume is" in failures(result).get("size", "")) is refused


@pytest.mark.parametrize(
    ("props", "field"),
    [({"volume_in_gb": 5}, "volume_in_gb"), ({"volume_mount_path": "/data"}, "volume_mount_path")],
)
def test_a_template_volume_rest_v2_cannot_send_fails_at_check(monkeypatch, props, field):
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    result = TemplateProvider().check({}, {**PROVIDER, "image_name": "img", **props})
    assert list(failures(result)) == [field]
    fine = TemplateProvider().check(
        {}, {**PROVIDER, "image_name": "img", "volume_in_gb": 10, "volume_mount_path": "/d"}
    )
    assert failures(fine) == {}


def test_a_load_balancer_counts_requests_so_a_fractional_scaler_value_fails_at_check(monkeypatch):
    # given: a LOAD_BALANCER endpoint leaving scaler_type to its type (REQUEST_COUNT)
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    props = {**PROVIDER, "image": "acme/w:1", "type": "LOAD_BALANCER", "scaler_value": 0.5}
    # when
    result = EndpointProvider().check({}, props)
    # then: refused as a request count would be, not sent as requestCount 0
    assert "a request count must be a whole number >= 1 (got 0.5)" in failures(result)["scaler_value"]


def test_rest_v2_patches_a_templates_category_in_place(monkeypatch):
    # given: REST v2, whose template PATCH takes `category` and `serverless`
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    olds = {**PROVIDER, "image_name": "img", "name": "fixed", "category": "NVIDIA"}
    news = {**PROVIDER, "image_name": "img", "name": "fixed", "category": "AMD", "is_serverless": True}
    p = TemplateProvider()
    # when
    result = p.diff("tid", olds, news)
    plan = p.change_plan(p.user_inputs(olds), p.user_inputs(news))
    call = update_call(p.spec, p._routes(), "tid", plan, p.user_inputs(news))
    # then: an update, whose PATCH carries both
    assert result.replaces == [] and result.changes is not False  # None: the engine diffs the properties
    assert call is not None and p.wire_body(call.body, p.user_inputs(news)) == {"category": "AMD", "serverless": True}


def test_removing_a_templates_volume_on_rest_v2_fails_at_check(monkeypatch):
    # given: REST v2, whose template PATCH cannot remove a persistent mount
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    olds = {**PROVIDER, "image_name": "img", "name": "t", "volume_in_gb": 20.0, "volume_mount_path": "/data"}
    # when
    result = TemplateProvider().check(olds, {**olds, "volume_in_gb": 0, "volume_mount_path": None})
    grown = TemplateProvider().check(olds, {**olds, "volume_in_gb": 30})
    # then: refused with what to do instead, rather than a PATCH that changes nothing
    assert "REST v2 cannot remove a template's persistent volume (20 GB -> 0" in failures(result)["volume_in_gb"]
    assert failures(grown) == {}


def test_a_volume_made_on_v1_below_v2s_minimum_stays_usable_under_v2(monkeypatch):
    # given: a 5 GB volume and a template with a 5 GB volume, made on REST v1, and a stack now on v2
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    volume = {**PROVIDER, "size": 5.0, "data_center_id": "EU-RO-1", "name": "v"}
    template = {**PROVIDER, "image_name": "img", "name": "t", "volume_in_gb": 5.0, "volume_mount_path": "/data"}
    # when: nothing about their sizes changes
    same_volume = NetworkVolumeProvider().check(volume, {**volume, "size": 5})
    same_template = TemplateProvider().check(template, {**template, "image_name": "img2", "volume_in_gb": 5})
    # then: nothing that would be sent is refused; a size that would be sent still is
    assert failures(same_volume) == {} and failures(same_template) == {}
    grown = NetworkVolumeProvider().check(volume, {**volume, "size": 8})
    assert "a REST v2 network volume is 10 to 4096 GB (got 8)" in failures(grown)["size"]


def test_adopting_on_v2_judges_sizes_against_the_object_adopted(monkeypatch):
    # given: REST v2, and a 5 GB volume made on v1 (below v2's minimum) to adopt
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    p = NetworkVolumeProvider()
    live = {"name": "v", "size": 5, "data_center_id": "EU-RO-1"}
    declared = {**PROVIDER, "size": 5, "data_center_id": "EU-RO-1", "name": "v", "adopt_id": "vol-made-on-v1"}
    # when: check, which cannot read the object, and the adoption's plan, which has it
    checked = p.check({}, declared)
    same = p.adoption_plan("vol-made-on-v1", live, declared)
    # then: its own size is no change; a size the adoption would send, or a shrink, is refused there
    assert failures(checked) == {} and same.changed == []
    with pytest.raises(Exception, match=r"adopting 'vol-made-on-v1' cannot take .*10 to 4096 GB \(got 8\)"):
        p.adoption_plan("vol-made-on-v1", live, {**declared, "size": 8})
    with pytest.raises(Exception, match=r"cannot shrink \(20 GB -> 12 GB\)"):
        p.adoption_plan("vol-made-on-v1", {**live, "size": 20}, {**declared, "size": 12})


@pytest.mark.parametrize(
    ("props", "prop", "message"),
    [
        ({"compute_type": "CPU", "allowed_cuda_versions": ["12.8"]}, "allowed_cuda_versions", "no CUDA constraint"),
        ({"compute_type": "CPU", "min_cuda_version": "12.8"}, "min_cuda_version", "no CUDA constraint"),
        ({"compute_type": "CPU", "vcpu_count": 6}, "vcpu_count", "must be a power of two (got 6)"),
        ({"compute_type": "CPU", "cpu_flavor_ids": ["cpu3c", "cpu5c", "cpu3c"]}, "cpu_flavor_ids", "'cpu3c' more"),
        ({"allowed_cuda_versions": ["13"]}, "allowed_cuda_versions", "should match pattern"),
    ],
)
def test_rest_v2_refuses_at_check_what_its_endpoint_schema_refuses(monkeypatch, props, prop, message):
    # given: REST v2, whose CPU endpoints have no `gpu` block (where the CUDA constraints live)
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    # when
    result = EndpointProvider().check({}, {**PROVIDER, "image": "acme/w:1", **props})
    # then: refused at preview, rather than dropped from the body or refused by the API at `up`
    assert list(failures(result)) == [prop]
    assert message in failures(result)[prop]


def test_cuda_versions_and_cpu_flavours_are_open_on_rest_v2_and_closed_on_v1(monkeypatch):
    # given: versions and a flavour newer than REST v1's lists
    newer = {"allowed_cuda_versions": ["13.1"], "min_cuda_version": None}
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    # when
    v2 = EndpointProvider().check({}, {**PROVIDER, "image": "acme/w:1", **newer})
    v2_floor = EndpointProvider().check({}, {**PROVIDER, "image": "acme/w:1", "min_cuda_version": "12.11"})
    v2_cpu = EndpointProvider().check(
        {}, {**PROVIDER, "image": "acme/w:1", "compute_type": "CPU", "cpu_flavor_ids": ["cpu3m"], "vcpu_count": 8}
    )
    monkeypatch.setenv("RUNPOD_API_VERSION", "v1")
    v1 = EndpointProvider().check({}, {**PROVIDER, "template_id": "t", **newer})
    # then: v2 takes any `major.minor` and any catalogue flavour; v1 names its own list
    assert failures(v2) == failures(v2_floor) == failures(v2_cpu) == {}
    assert "REST v1 takes CUDA versions 11.8 to 13.0 only (got '13.1')" in failures(v1)["allowed_cuda_versions"]


def test_adopting_on_v2_an_endpoint_with_its_one_volume_changes_nothing(monkeypatch):
    # given: REST v2, which returns the volumes as a list, and a program naming the one volume by itself
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    p = EndpointProvider()
    live = {"image": "acme/w:1", "network_volume_ids": ["vol-1"], "gpu_pools": ["AMPERE_24"]}
    declared = {**PROVIDER, "image": "acme/w:1", "network_volume_id": "vol-1", "gpu_pools": ["AMPERE_24"]}
    # when
    plan = p.adoption_plan("ep-vol", live, {**declared, "adopt_id": "ep-vol"})
    without = p.adoption_plan("ep-vol", live, {**PROVIDER, "image": "acme/w:1", "gpu_pools": ["AMPERE_24"]})
    # then: the same volume is no change; a program without it detaches it (the preview says so)
    assert plan.changed == []
    assert without.changed == ["network_volume_ids"]


def test_an_adopt_id_naming_another_object_is_not_judged_against_the_one_before(monkeypatch):
    # given: a resource adopting a 20 GB volume, now naming a 12 GB one
    monkeypatch.setenv("RUNPOD_API_VERSION", "v2")
    olds = {**PROVIDER, "size": 20, "data_center_id": "EU-RO-1", "name": "v", "adopt_id": "vol-a-20"}
    # when
    moved = NetworkVolumeProvider().check(olds, {**olds, "size": 12, "adopt_id": "vol-b-12"})
    kept = NetworkVolumeProvider().check(olds, {**olds, "size": 12})
    # then: the adopted object judges it (at the adoption's read); the same object still may not shrink
    assert failures(moved) == {}
    assert "cannot shrink (20 GB -> 12 GB)" in failures(kept)["size"]
