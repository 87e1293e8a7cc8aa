"""TrustGate field policies through the real CLI: type change, partial gateway PUT, forced flags, delete guards."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
from trustgate_programs import upstream_program

from pulumi_deploy import trustgate
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

NIL = "00000000-0000-0000-0000-000000000000"


def program(cfg: dict[str, Any]):
    """gateway -> host-target upstream -> one service whose inputs come from ``cfg``."""

    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(**cfg["gateway"]))
        up = trustgate.Upstream("up", trustgate.UpstreamArgs(gateway_id=gw.id, **cfg["upstream"]))
        svc_args = dict(cfg["service"])
        if svc_args.get("type") == "upstream":
            svc_args["upstream_id"] = up.id
        svc = trustgate.Service("svc", trustgate.ServiceArgs(gateway_id=gw.id, **svc_args))
        pulumi.export("gateway_id", gw.id)
        pulumi.export("upstream_id", up.id)
        pulumi.export("service_id", svc.id)

    return run


def base_cfg() -> dict[str, Any]:
    return {
        "gateway": {"name": "main", "subdomain": "pol"},
        "upstream": {
            "name": "hosts",
            "algorithm": "round-robin",
            "targets": [trustgate.TargetArgs(id="primary", host="a.internal", port=8080, protocol="http")],
            "websocket_config": trustgate.WebsocketArgs(ping_period="30s", pong_wait="1m"),
        },
        "service": {"name": "svc", "type": "endpoint", "host": "api.example.com", "port": 443, "protocol": "https"},
    }


def tg_calls(emulator, method: str | None = None) -> list[dict[str, Any]]:
    return [c for c in emulator.calls("trustgate") if method is None or c["method"] == method]


def test_service_type_endpoint_to_upstream_is_one_full_put_keeping_the_id(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    created = stack.up()
    emulator.clear_calls()
    # when
    cfg["service"] = {"name": "svc", "type": "upstream"}
    preview = stack.preview()
    updated = stack.up()
    # then
    step = preview.step("svc")
    assert step.op == "update"
    assert set(step.diffs) >= {"type", "host", "port"}
    (put,) = tg_calls(emulator, "PUT")
    assert put["body"] == {"name": "svc", "type": "upstream", "upstream_id": created.outputs["upstream_id"]}
    assert updated.outputs["service_id"] == created.outputs["service_id"]
    (svc,) = emulator.inventory("trustgate")["services"]
    assert (svc["type"], svc["upstream_id"], svc.get("host")) == ("upstream", created.outputs["upstream_id"], None)


def test_gateway_rename_sends_a_partial_put_then_reads_back(emulator, make_stack):
    # given
    cfg = base_cfg()
    stack = make_stack(program(cfg))
    created = stack.up()
    emulator.clear_calls()
    # when
    cfg["gateway"]["name"] = "main-renamed"
    preview = stack.preview()
    stack.up()
    # then
    assert preview.step("gw").op == "update"
    assert preview.step("gw").diffs == ["name"]
    puts = tg_calls(emulator, "PUT")
    assert [(c["path"], c["body"]) for c in puts] == [
        (f"/api/v1/gateways/{created.outputs['gateway_id']}", {"name": "main-renamed"})
    ]
    assert emulator.inventory("trustgate")["gateways"][0]["name"] == "main-renamed"


def test_refresh_keeps_user_target_id_and_ignores_server_forced_websocket_flag(emulator, make_stack):
    # given: the emulator forces enable_direct_communication=true on create
    stack = make_stack(program(base_cfg()))
    stack.up()
    (up,) = emulator.inventory("trustgate")["upstreams"]
    assert up["websocket_config"]["enable_direct_communication"] is True
    assert up["targets"][0]["id"] == "primary"
    # when
    stack.refresh()
    emulator.clear_calls()
    preview = stack.preview()
    # then
    assert preview.step("up").op == "same"
    assert preview.step("svc").op == "same"
    assert tg_calls(emulator) == []


def test_delete_blocked_by_a_foreign_service_is_explained(emulator, make_stack):
    # given: a service made outside the stack uses the upstream
    stack = make_stack(program(base_cfg()))
    created = stack.up()
    emulator.seed(
        "trustgate",
        "services",
        {
            "id": "7b0a9a3c-1f2e-4c3d-9e8f-0a1b2c3d4e5f",
            "gateway_id": created.outputs["gateway_id"],
            "name": "foreign",
            "type": "upstream",
            "description": "",
            "upstream_id": created.outputs["upstream_id"],
            "credentials": {},
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        },
    )
    # when
    with pytest.raises(StackFailed) as failed:
        stack.destroy()
    # then
    assert "upstream is being used by services" in failed.value.text
    assert "does not cascade deletes" in failed.value.text
    assert len([c for c in tg_calls(emulator, "DELETE") if "/upstreams/" in c["path"]]) == 1


def test_destroy_after_out_of_band_delete_treats_404_as_gone(emulator, make_stack):
    # given
    stack = make_stack(program(base_cfg()))
    created = stack.up()
    emulator.delete("trustgate", "services", created.outputs["service_id"])
    # when
    stack.destroy()
    # then
    assert all(not records for records in emulator.inventory("trustgate").values())


def test_example_program_deploys_and_destroys_cleanly(emulator, make_stack):
    # given
    path = Path(__file__).resolve().parents[2] / "examples" / "trustgate-gateway" / "__main__.py"
    stack = make_stack(lambda: runpy.run_path(str(path)))
    # when
    created = stack.up()
    rerun = stack.up()
    stack.destroy()
    # then
    assert set(created.outputs["services"]) == {"chat", "search"}
    assert rerun.summary == {"same": 5}
    assert "sk-demo-key" not in stack.export_text()
    assert all(not records for records in emulator.inventory("trustgate").values())


def test_admin_token_is_minted_from_the_server_secret_when_no_token_is_set(emulator, make_stack):
    # given
    env = {"TRUSTGATE_ADMIN_TOKEN": "", "TRUSTGATE_SERVER_SECRET_KEY": "server-s3cr3t-key"}
    stack = make_stack(program(base_cfg()), env=env)
    # when
    created = stack.up()
    # then
    assert created.outputs["service_id"]
    auth = {c["headers"].get("authorization") for c in tg_calls(emulator)}
    assert auth == {"Bearer <84 chars>"}  # the call log redacts tokens; an HS256 JWT with a `{}` payload is 84 chars
    assert "server-s3cr3t-key" not in created.text + stack.export_text()


def semantic_program(with_embedding: bool):
    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(name="sem", subdomain="sem"))
        target = dict(provider="anthropic", models=["claude"], default_model="claude", description="writing")
        trustgate.Upstream(
            "sem",
            trustgate.UpstreamArgs(
                gateway_id=gw.id,
                name="sem",
                algorithm="semantic",
                targets=[trustgate.TargetArgs(**target, credentials=trustgate.CredentialsArgs(api_key="k-target"))],
                embedding=trustgate.EmbeddingArgs(
                    model="text-embedding-3-small", credentials=trustgate.CredentialsArgs(api_key=EMBED_KEY)
                )
                if with_embedding
                else None,
            ),
        )

    return run


EMBED_KEY = "sk-embedding-s3cr3t"


def test_semantic_upstream_sends_embedding_and_reads_embedding_config_back_as_secret(emulator, make_stack):
    # given
    stack = make_stack(semantic_program(with_embedding=True))
    # when
    created = stack.up()
    stack.refresh()
    again = stack.preview()
    # then
    (post,) = [c for c in tg_calls(emulator, "POST") if c["path"].endswith("/upstreams")]
    assert post["body"]["embedding"]["credentials"] == {"api_key": EMBED_KEY}
    assert "embedding_config" not in post["body"]
    (up,) = emulator.inventory("trustgate")["upstreams"]
    assert up["embedding_config"]["model"] == "text-embedding-3-small"
    assert again.step("sem").op == "same"
    assert EMBED_KEY not in created.text + stack.export_text()


def test_an_embedding_written_as_a_dict_sends_the_provider_its_args_class_defaults_to(emulator, make_stack):
    # given: the embedding as a plain dict, without `provider` (EmbeddingArgs defaults it to openai)
    def run() -> None:
        gw = trustgate.Gateway("gw", trustgate.GatewayArgs(name="sem", subdomain="sem"))
        target = trustgate.TargetArgs(
            provider="anthropic", models=["claude"], default_model="claude", description="writing",
            credentials=trustgate.CredentialsArgs(api_key="k-target"),
        )  # fmt: skip
        embedding = {"model": "text-embedding-3-small", "credentials": {"api_key": EMBED_KEY}}
        trustgate.Upstream(
            "sem", trustgate.UpstreamArgs(gateway_id=gw.id, name="sem", algorithm="semantic", targets=[target],
                                          embedding=embedding),  # type: ignore[arg-type]
        )  # fmt: skip

    stack = make_stack(run)
    # when
    stack.up()
    again = stack.preview()
    # then: the server, which takes only `openai`, got it; the stack sees no change after
    (post,) = [c for c in tg_calls(emulator, "POST") if c["path"].endswith("/upstreams")]
    assert post["body"]["embedding"]["provider"] == "openai"
    assert again.step("sem").op == "same"


def test_semantic_upstream_without_embedding_fails_at_preview(emulator, make_stack):
    # given
    stack = make_stack(semantic_program(with_embedding=False))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert "embedding" in failed.value.text and "semantic" in failed.value.text
    assert tg_calls(emulator) == []


def test_invalid_secret_credentials_fail_at_preview_without_printing_their_values(emulator, make_stack):
    # given: credential values on a service and on a target; in each preview exactly one of the two has a
    # bad param_location (with two failing checks, which one the engine reports first is scheduling)
    secret = "svc-header-s3cr3t-value"

    def service_credentials(location: str) -> trustgate.CredentialsArgs:
        return trustgate.CredentialsArgs(header_value=secret, param_location=location)

    def target(location: str) -> trustgate.TargetArgs:
        creds = trustgate.CredentialsArgs(api_key=f"{secret}-2", param_location=location)
        return trustgate.TargetArgs(host="a.internal", port=8080, protocol="http", credentials=creds)

    cfg = base_cfg()
    cfg["service"]["credentials"] = service_credentials("query")
    cfg["upstream"]["targets"] = [target("header")]
    stack = make_stack(program(cfg))
    # when
    with pytest.raises(StackFailed) as target_failed:
        stack.preview()
    cfg["service"]["credentials"] = service_credentials("header")
    cfg["upstream"]["targets"] = [target("query")]
    with pytest.raises(StackFailed) as service_failed:
        stack.preview()
    # then
    assert "target_credentials.0.param_location" in target_failed.value.text
    assert "credentials.param_location" in service_failed.value.text
    for text in (target_failed.value.text, service_failed.value.text):
        assert secret not in text
    assert tg_calls(emulator) == []


def test_adopt_id_takes_over_an_existing_service_of_a_gateway(emulator, make_stack):
    # given: a gateway and a service made outside Pulumi
    gateway_id, service_id = "0b2c6c58-6a4f-4b7e-9c1d-3f0e0f6f6a11", "1b2c6c58-6a4f-4b7e-9c1d-3f0e0f6f6a12"
    stamp = {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    emulator.seed("trustgate", "gateways", {"id": gateway_id, "name": "g", "subdomain": "g", **stamp})
    emulator.seed(
        "trustgate",
        "services",
        {"id": service_id, "gateway_id": gateway_id, "name": "s", "type": "endpoint", "upstream_id": NIL,
         "host": "old.example.com", "port": 80, "protocol": "http", **stamp},
    )  # fmt: skip

    def adopt() -> None:
        args = trustgate.ServiceArgs(
            gateway_id=gateway_id, name="s", type="endpoint", host="new.example.com", port=80, protocol="http",
            adopt_id=service_id,
        )  # fmt: skip
        trustgate.Service("s", args)

    stack = make_stack(adopt)
    # when
    up = stack.up()
    # then
    assert up.summary == {"create": 2}  # the stack and the adopted service
    (svc,) = emulator.inventory("trustgate")["services"]
    assert (svc["id"], svc["host"]) == (service_id, "new.example.com")
    assert stack.resource_state("s")["id"] == service_id


PROBE_TOKEN = "Bearer probe-s3cr3t-token"


def test_a_health_check_header_given_as_a_secret_stays_encrypted_in_state_and_previews(emulator, make_stack):
    # given: health-check headers are not secret by themselves; Output.secret makes them so
    def probed() -> trustgate.HealthCheckArgs:
        headers = {"Authorization": pulumi.Output.secret(PROBE_TOKEN)}
        return trustgate.HealthCheckArgs(passive=False, path="/health", headers=headers)

    stack = make_stack(upstream_program("probed", health_checks=probed))
    # when
    created = stack.up()
    stack.refresh()
    again = stack.preview()
    # then
    (up,) = emulator.inventory("trustgate")["upstreams"]
    assert up["health_checks"]["headers"] == {"Authorization": PROBE_TOKEN}
    assert again.step("up").op == "same"
    assert PROBE_TOKEN not in created.text + again.text + stack.export_text()
