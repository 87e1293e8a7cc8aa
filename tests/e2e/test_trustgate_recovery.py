"""TrustGate review fixes through the real Pulumi CLI: safe recovery after a lost create, preview-time
validation of the gateway blocks, secrets outside the credential types, the explicit websocket flag."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from trustgate_programs import upstream_program

from pulumi_deploy import trustgate
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

PLUGIN_KEY = "plugin-api-s3cr3t-value"
HEADER_TOKEN = "Bearer svc-header-s3cr3t-value"


def tg_calls(emulator, method: str | None = None) -> list[dict[str, Any]]:
    return [c for c in emulator.calls("trustgate") if method is None or c["method"] == method]


def siblings_program(state: dict[str, bool]):
    """u1/s1 always; with ``state["second"]``, u2/s2 with the SAME names but other content."""

    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(name="g", subdomain="g"))
        u1 = trustgate.Upstream(
            "u1",
            trustgate.UpstreamArgs(
                gateway_id=gw.id,
                name="llms",
                algorithm="round-robin",
                targets=[trustgate.TargetArgs(host="a.internal", port=80, protocol="http")],
            ),
        )
        s1 = trustgate.Service(
            "s1", trustgate.ServiceArgs(gateway_id=gw.id, name="svc", type="upstream", upstream_id=u1.id)
        )
        pulumi.export("u1", u1.id)
        pulumi.export("s1", s1.id)
        if state["second"]:
            u2 = trustgate.Upstream(
                "u2",
                trustgate.UpstreamArgs(
                    gateway_id=gw.id,
                    name="llms",
                    algorithm="least-conn",
                    targets=[trustgate.TargetArgs(host="b.internal", port=81, protocol="http")],
                ),
            )
            s2 = trustgate.Service(
                "s2",
                trustgate.ServiceArgs(
                    gateway_id=gw.id, name="svc", type="endpoint", host="b.example.com", port=443, protocol="https"
                ),
            )
            pulumi.export("u2", u2.id)
            pulumi.export("s2", s2.id)

    return run


def test_lost_create_next_to_a_same_named_object_posts_again_instead_of_adopting_it(emulator, make_stack):
    # given: u1/s1 exist; u2/s2 reuse their names, and their first POSTs never reach the server
    state = {"second": False}
    stack = make_stack(siblings_program(state))
    first = stack.up()
    state["second"] = True
    emulator.add_fault("trustgate", kind="drop_before", method="POST", path="/upstreams$", times=1)
    emulator.add_fault("trustgate", kind="drop_before", method="POST", path="/services$", times=1)
    # when
    second = stack.up()
    # then: each new resource has its own object; the old ones are untouched
    out = second.outputs
    assert out["u1"] == first.outputs["u1"] and out["s1"] == first.outputs["s1"]
    assert out["u2"] != out["u1"] and out["s2"] != out["s1"]
    upstreams = {u["id"]: u for u in emulator.inventory("trustgate")["upstreams"]}
    services = {s["id"]: s for s in emulator.inventory("trustgate")["services"]}
    assert (upstreams[out["u1"]]["algorithm"], upstreams[out["u2"]]["algorithm"]) == ("round-robin", "least-conn")
    assert (services[out["s1"]]["type"], services[out["s2"]]["type"]) == ("upstream", "endpoint")
    assert len(upstreams) == 2 and len(services) == 2


def test_lost_create_response_adopts_only_the_object_with_the_desired_content(emulator, make_stack):
    # given: u2's POST is processed but its response is lost; u1 has the same name
    state = {"second": False}
    stack = make_stack(siblings_program(state))
    first = stack.up()
    state["second"] = True
    emulator.add_fault("trustgate", kind="drop_after", method="POST", path="/upstreams$", times=1)
    emulator.clear_calls()
    # when
    second = stack.up()
    # then: the object the lost POST created is adopted, and no duplicate is made
    upstreams = {u["id"]: u for u in emulator.inventory("trustgate")["upstreams"]}
    assert len(upstreams) == 2
    assert upstreams[second.outputs["u2"]]["algorithm"] == "least-conn"
    assert second.outputs["u1"] == first.outputs["u1"]
    assert len([c for c in tg_calls(emulator, "POST") if c["path"].endswith("/upstreams")]) == 1


def test_lost_gateway_create_is_found_beyond_the_first_page_of_a_capped_list(emulator, make_stack):
    # given: the server caps list pages at 2 and already holds 3 other gateways
    emulator.settings("trustgate", max_list_limit=2)
    stamp = {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    for i in range(3):
        gid = f"0b2c6c58-6a4f-4b7e-9c1d-3f0e0f6f6a1{i}"
        emulator.seed("trustgate", "gateways", {"id": gid, "name": f"o{i}", "subdomain": f"o{i}", **stamp})
    emulator.add_fault("trustgate", kind="drop_after", method="POST", path="/gateways$", times=1)

    def run() -> None:
        pulumi.export("gw", trustgate.Gateway("gw", trustgate.GatewayArgs(name="g", subdomain="g")).id)

    stack = make_stack(run)
    # when
    created = stack.up()
    # then: adopted (a second POST would have failed on the duplicate subdomain)
    gateways = emulator.inventory("trustgate")["gateways"]
    (mine,) = [g for g in gateways if g["subdomain"] == "g"]
    assert created.outputs["gw"] == mine["id"]
    assert len([c for c in tg_calls(emulator, "POST") if c["path"].endswith("/gateways")]) == 1


def gateway_program(gateway: dict[str, Any], service: dict[str, Any] | None = None):
    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(name="main", subdomain="main", **gateway))
        if service is not None:
            trustgate.Service("svc", trustgate.ServiceArgs(gateway_id=gw.id, name="svc", **service))

    return run


@pytest.mark.parametrize(
    "gateway,service,prop",
    [
        ({"telemetry": {"header_mapping": {"bogus": "X-B"}}}, None, "telemetry.header_mapping"),
        ({"security_config": trustgate.SecurityConfigArgs(sts_seconds="1y")}, None, "security_config.sts_seconds"),
        ({}, {"type": "upstream", "upstream_id": "not-a-uuid"}, "upstream_id"),
    ],
)  # fmt: skip
def test_invalid_gateway_block_or_upstream_id_fails_at_preview_and_sends_nothing(
    emulator, make_stack, gateway, service, prop
):
    # given
    stack = make_stack(gateway_program(gateway, service))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert prop in failed.value.text
    assert tg_calls(emulator) == []


def test_plugin_settings_and_service_headers_stay_secret_in_state_and_preview(emulator, make_stack):
    # given: an API key in a plugin's settings and a bearer token in a service header
    plugins = [trustgate.PluginArgs(name="rate_limiter", enabled=True, settings={"api_key": PLUGIN_KEY})]
    service = {"type": "endpoint", "host": "api.example.com", "port": 443, "protocol": "https",
               "headers": {"Authorization": HEADER_TOKEN}}  # fmt: skip
    stack = make_stack(gateway_program({"required_plugins": plugins}, service))
    # when
    preview = stack.preview()
    created = stack.up()
    # then
    (gw,) = emulator.inventory("trustgate")["gateways"]
    assert gw["required_plugins"][0]["settings"] == {"api_key": PLUGIN_KEY}
    assert emulator.inventory("trustgate")["services"][0]["headers"] == {"Authorization": HEADER_TOKEN}
    for text in (preview.text, created.text, stack.export_text()):
        assert PLUGIN_KEY not in text
        assert "svc-header-s3cr3t-value" not in text


def websocket_program(websocket: trustgate.WebsocketArgs):
    return upstream_program("ws", websocket_config=lambda: websocket)


def test_explicit_false_direct_communication_is_enforced_when_the_server_forced_true(emulator, make_stack):
    # given: the server forces enable_direct_communication=true on create
    emulator.settings("trustgate", websocket_direct_on_create=True)
    stack = make_stack(websocket_program(trustgate.WebsocketArgs(enable_direct_communication=False, ping_period="")))
    stack.up()
    (up,) = emulator.inventory("trustgate")["upstreams"]
    assert up["websocket_config"]["enable_direct_communication"] is True
    # when
    stack.refresh()
    preview = stack.preview()
    stack.up()
    # then
    assert (preview.step("up").op, preview.step("up").diffs) == ("update", ["websocket_config"])
    (up,) = emulator.inventory("trustgate")["upstreams"]
    assert up["websocket_config"]["enable_direct_communication"] is False
    assert not up["websocket_config"].get("ping_period")  # "" = unset: not sent
    stack.refresh()
    assert stack.preview().step("up").op == "same"


def test_a_gateway_delete_refused_for_an_upstream_not_in_the_stack_names_it(emulator, make_stack):
    # given: a gateway of this stack, and an upstream in it that the stack does not know (a lost run's)
    def run() -> None:
        pulumi.export("gw", trustgate.Gateway("gw", trustgate.GatewayArgs(name="g", subdomain="g")).id)

    stack = make_stack(run)
    gid = stack.up().outputs["gw"]
    orphan = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    stamp = {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    record = {"id": orphan, "gateway_id": gid, "name": "left-behind", "algorithm": "round-robin", **stamp}
    emulator.seed("trustgate", "upstreams", {**record, "targets": []})
    # when
    with pytest.raises(StackFailed) as refused:
        stack.destroy()
    # then: what still references the gateway is named, with what to do about one not in the stack
    text = refused.value.text
    assert f"Still referencing it: upstream {orphan} ('left-behind')" in text
    assert "must be deleted in TrustGate, or adopted with `adopt_id`, first" in text
    assert stack.resource_state("gw")["id"] == gid  # nothing forgotten
