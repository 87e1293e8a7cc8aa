"""TrustGate Gateway / Upstream / Service through the real Pulumi CLI against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from trustgate_programs import NIL, SERVICE_SECRET, TARGET_KEY, base_cfg, program

from pulumi_deploy import trustgate
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e


def tg_calls(emulator, method: str | None = None) -> list[dict[str, Any]]:
    return [c for c in emulator.calls("trustgate") if method is None or c["method"] == method]


def inventory(emulator, kind: str) -> list[dict[str, Any]]:
    return emulator.inventory("trustgate")[kind]


def test_create_all_four_maps_keys_and_fills_nil_upstream_for_the_endpoint_service(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    # when
    created = stack.up()
    # then
    (up,) = inventory(emulator, "upstreams")
    assert [t.get("weight") for t in up["targets"]] == [70, 30]
    assert up["health_checks"]["threshold"] == 3
    assert created.outputs["target_ids"] == [t["id"] for t in up["targets"]]
    services = {s["name"]: s for s in inventory(emulator, "services")}
    assert services["llm"]["upstream_id"] == created.outputs["upstream_id"]
    assert (services["ext"]["upstream_id"], services["ext"]["port"]) == (NIL, 443)
    bodies = [c["body"] for c in tg_calls(emulator, "POST")]
    assert all("createdAt" not in b and "gateway_id" not in b and "id" not in b for b in bodies)
    assert all("credentials" not in b.get("targets", [{}])[1] for b in bodies if "targets" in b)


def test_target_weight_change_is_one_full_put_and_preview_names_targets(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    created = stack.up()
    emulator.clear_calls()
    # when
    cfg["upstream"]["targets"][1].weight = 50
    preview = stack.preview()
    stack.up()
    # then
    step = preview.step("up")
    assert step.op == "update"
    assert step.diffs == ["targets"]
    assert "targets[1].weight" in step.detailed_diff, step.detailed_diff
    (put,) = tg_calls(emulator, "PUT")
    assert put["path"].endswith(f"/upstreams/{created.outputs['upstream_id']}")
    assert [t.get("weight") for t in put["body"]["targets"]] == [70, 50]
    assert put["body"]["targets"][0]["credentials"] == {"api_key": TARGET_KEY}  # full object, creds included
    assert "health_checks" in put["body"]
    assert [t.get("weight") for t in inventory(emulator, "upstreams")[0]["targets"]] == [70, 50]
    assert TARGET_KEY not in preview.text


def test_removing_health_checks_clears_them_on_the_server(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    stack.up()
    emulator.clear_calls()
    # when
    del cfg["upstream"]["health_checks"]
    stack.up()
    # then
    (put,) = tg_calls(emulator, "PUT")
    assert "health_checks" not in put["body"]
    assert len(put["body"]["targets"]) == 2
    assert "health_checks" not in inventory(emulator, "upstreams")[0]


def test_subdomain_change_replaces_the_gateway_and_its_children(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    first = stack.up()
    # when
    cfg["gateway"]["subdomain"] = "main2"
    preview = stack.preview()
    second = stack.up()
    # then
    step = preview.step("gw")
    assert step.op == "replace"
    assert step.replace_keys == ["subdomain"]
    assert second.outputs["gateway_id"] != first.outputs["gateway_id"]
    assert [g["subdomain"] for g in inventory(emulator, "gateways")] == ["main2"]
    assert {s["gateway_id"] for s in inventory(emulator, "services")} == {second.outputs["gateway_id"]}


def test_unchanged_rerun_makes_no_api_calls_and_destroy_follows_dependency_order(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    created = stack.up()
    emulator.clear_calls()
    # when
    again = stack.up()
    calls_on_rerun = tg_calls(emulator)
    destroyed = stack.destroy()
    # then
    assert again.summary == {"same": 5}
    assert calls_on_rerun == []
    deletes = [c["path"] for c in tg_calls(emulator, "DELETE")]
    up_at = deletes.index(next(p for p in deletes if p.endswith(created.outputs["upstream_id"])))
    llm_at = deletes.index(next(p for p in deletes if p.endswith(created.outputs["llm_id"])))
    gw_at = deletes.index(next(p for p in deletes if p.endswith(f"gateways/{created.outputs['gateway_id']}")))
    assert llm_at < up_at < gw_at
    assert "being used by" not in destroyed.text
    assert all(not records for records in emulator.inventory("trustgate").values())


@pytest.mark.parametrize(
    ("section", "change", "prop"),
    [
        ("upstream", {"algorithm": "random"}, "algorithm"),
        ("upstream", {"targets": [trustgate.TargetArgs(provider="openai", host="x.example", models=["m"],
                                                        default_model="m",
                                                        credentials=trustgate.CredentialsArgs(api_key="k"))]},
         "targets"),
        ("upstream", {"websocket_config": trustgate.WebsocketArgs(ping_period="5s"),
                      "proxy_config": trustgate.ProxyArgs(host="proxy", port="3128")}, "websocket_config"),
        ("upstream", {"targets": [trustgate.TargetArgs(host="h", port=0, protocol="http")]}, "targets"),
        ("upstream", {"websocket_config": trustgate.WebsocketArgs(ping_period="5 seconds")}, "ping_period"),
        ("ext", {"port": 0}, "port"),
    ],
)  # fmt: skip
def test_invalid_input_fails_at_preview_naming_the_property_and_sends_nothing(
    emulator, make_stack, section, change, prop
):
    # given
    cfg = base_cfg()
    cfg["llm"] = None  # a failed upstream would leave the dependent service without an upstream_id
    cfg[section].update(change)
    stack = make_stack(program(cfg))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert prop in failed.value.text
    assert tg_calls(emulator) == []


def test_credentials_never_appear_in_plaintext_in_state_preview_or_logs(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    created = stack.up()
    # when
    cfg["ext"]["credentials"] = trustgate.CredentialsArgs(header_name="X-Key", header_value=f"{SERVICE_SECRET}-2")
    cfg["upstream"]["targets"][0].credentials = trustgate.CredentialsArgs(api_key=f"{TARGET_KEY}-2")
    preview = stack.preview()
    updated = stack.up()
    refreshed = stack.refresh()
    # then
    assert preview.step("ext").diffs == ["credentials"]
    for text in (created.text, preview.text, updated.text, refreshed.text, stack.export_text()):
        assert TARGET_KEY not in text
        assert SERVICE_SECRET not in text
    ext = next(s for s in inventory(emulator, "services") if s["name"] == "ext")
    assert ext["credentials"]["header_value"] == f"{SERVICE_SECRET}-2"


def test_refresh_detects_out_of_band_service_change_and_delete(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    created = stack.up()
    # when
    emulator.patch("trustgate", "services", created.outputs["ext_id"], port=8443)
    emulator.delete("trustgate", "services", created.outputs["llm_id"])
    stack.refresh()
    preview = stack.preview()
    # then
    assert stack.resource_state("ext")["inputs"]["port"] == 8443
    with pytest.raises(KeyError):
        stack.resource_state("llm")
    assert preview.step("ext").op == "update"
    assert preview.step("ext").diffs == ["port"]
    assert preview.step("llm").op == "create"
    assert preview.step("up").op == "same"  # server-filled target ids are not drift


def test_refresh_sees_blocks_removed_or_added_out_of_band_and_up_restores_the_program(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    created = stack.up()
    upstream_id = inventory(emulator, "upstreams")[0]["id"]
    # when: someone drops the health checks and adds a path to a service, outside Pulumi
    emulator.patch("trustgate", "upstreams", upstream_id, health_checks=None)
    emulator.patch("trustgate", "services", created.outputs["ext_id"], path="/added-by-hand")
    stack.refresh()
    preview = stack.preview()
    stack.up()
    # then
    assert (preview.step("up").op, preview.step("up").diffs) == ("update", ["health_checks"])
    assert (preview.step("ext").op, preview.step("ext").diffs) == ("update", ["path"])
    assert inventory(emulator, "upstreams")[0]["health_checks"]["threshold"] == 3
    assert not next(s for s in inventory(emulator, "services") if s["id"] == created.outputs["ext_id"]).get("path")


def test_domain_validation_500_on_create_is_a_user_error_and_is_not_retried(emulator, make_stack):
    # given: the server answers 500 for its own domain validation failures (an input error, not an outage)
    emulator.add_fault("trustgate", method="POST", path="/services$", status=500, message="name is required", times=3)
    stack = make_stack(program(base_cfg()))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "TrustGate rejected the input: name is required" in failed.value.text
    service_posts = [c for c in tg_calls(emulator, "POST") if c["path"].endswith("/services")]
    names = [c["body"]["name"] for c in service_posts]
    assert names and len(names) == len(set(names))  # each service POSTed once: a 500 here is not retried
    assert inventory(emulator, "services") == []


def test_a_secret_field_set_out_of_band_is_encrypted_by_refresh_and_up_removes_it(emulator, make_stack):
    # given: a service the program gives no headers
    stack = make_stack(program(base_cfg()))
    created = stack.up()
    token = "Bearer out-of-band-4e7a91"
    # when: someone adds a header holding a token, outside Pulumi, and the stack is refreshed
    emulator.patch("trustgate", "services", created.outputs["llm_id"], headers={"Authorization": token})
    refreshed = stack.refresh()
    state = stack.resource_state("llm")
    preview = stack.preview(diff=True)
    stack.up()
    # then: the refresh records it encrypted, the preview shows it going away, and the up removes it
    for props in (state["inputs"], state["outputs"]):
        assert set(props["headers"]) == {"4dabf18193072939515e22adb298388d", "ciphertext"}, props["headers"]
    for text in (refreshed.text, preview.stdout, stack.export_text()):
        assert "out-of-band-4e7a91" not in text
    assert (preview.step("llm").op, preview.step("llm").diffs) == ("update", ["headers"])
    service = next(s for s in inventory(emulator, "services") if s["id"] == created.outputs["llm_id"])
    assert not service.get("headers")
