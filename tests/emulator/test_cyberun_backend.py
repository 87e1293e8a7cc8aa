"""Cyberun emulator backend, without HTTP (moto style: given / when / then)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fake_clock import FakeClock

from pulumi_deploy.emulator.cyberun.auth import Caller
from pulumi_deploy.emulator.cyberun.backend import CyberunBackend
from pulumi_deploy.emulator.cyberun.errors import CyberunError

TEAM = "11111111-1111-4111-8111-111111111111"
OTHER_TEAM = "22222222-2222-4222-8222-222222222222"
CRED_ID = "33333333-3333-4333-8333-333333333333"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2ln"


@pytest.fixture
def backend(clock: FakeClock) -> CyberunBackend:
    return CyberunBackend(clock=clock)


@pytest.fixture
def caller(backend: CyberunBackend) -> Caller:
    return backend.authenticate(f"Bearer {JWT}", TEAM)


def deployed(**fields: Any) -> dict[str, Any]:
    return {"service_slug": "vllm-api", "docker_image": "vllm/vllm-openai:latest", **fields}


def external(**fields: Any) -> dict[str, Any]:
    base = {"service_slug": "ext-api", "service_type": "external", "external_url": "https://x.example"}
    return {**base, **fields}


IMMUTABLE = "cannot be changed after creation; delete and recreate the service"


def busy(service_id: str, status: str) -> str:
    return f"container service {service_id} is {status}; retry once it has settled"


def error_of(excinfo: pytest.ExceptionInfo[CyberunError]) -> tuple[int, str]:
    return excinfo.value.status, excinfo.value.message


# -- auth -------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Basic abc", "Bearer    "])
def test_authenticate_missing_bearer(backend: CyberunBackend, header: str | None) -> None:
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.authenticate(header, TEAM)
    # then
    assert error_of(excinfo) == (401, "missing or invalid bearer token")


def test_authenticate_jwt_without_team_header(backend: CyberunBackend) -> None:
    with pytest.raises(CyberunError) as excinfo:
        backend.authenticate(f"Bearer {JWT}", None)
    assert error_of(excinfo) == (400, "X-Team-ID header is required for user tokens")


def test_authenticate_jwt_invalid_team_header(backend: CyberunBackend) -> None:
    with pytest.raises(CyberunError) as excinfo:
        backend.authenticate(f"Bearer {JWT}", "team-1")
    assert error_of(excinfo) == (400, "invalid X-Team-ID: 'team-1' is not a uuid")


def test_authenticate_jwt_uses_team_header_and_sub(backend: CyberunBackend) -> None:
    # when
    who = backend.authenticate(f"Bearer {JWT}", TEAM)
    # then
    assert (who.kind, who.team_id, who.user_id) == ("jwt", TEAM, "user-1")


@pytest.mark.parametrize("token", ["sk-test", "dk-device"])
def test_authenticate_key_ignores_team_header(backend: CyberunBackend, token: str) -> None:
    # when
    who = backend.authenticate(f"Bearer {token}", OTHER_TEAM)
    # then
    assert (who.kind, who.team_id) == ("key", backend.settings["key_team_id"])


def test_authenticate_agent_key_rejected(backend: CyberunBackend) -> None:
    with pytest.raises(CyberunError) as excinfo:
        backend.authenticate("Bearer ak-agent", TEAM)
    assert error_of(excinfo) == (401, "agent keys (ak-) are not accepted on the REST API")


# -- create -----------------------------------------------------------------------------------


def test_create_container_applies_server_defaults(backend: CyberunBackend, caller: Caller) -> None:
    # when
    created = backend.create_container(caller, deployed())
    # then
    record = backend.get_container(caller, created["id"])
    assert set(created) == {"id"}
    assert record["service_status"] == "created"
    assert record["service_type"] == "deployed"
    assert (record["exposed_port"], record["health_path"]) == (8080, "/health")
    assert (record["gpu_count"], record["replica_count"]) == (0, 1)
    assert record["external_url"] is None and record["external_auth_credential_id"] is None
    assert record["created_at"] == record["updated_at"]


def test_create_container_external(backend: CyberunBackend, caller: Caller) -> None:
    # when
    created = backend.create_container(caller, external(external_auth_credential_id=CRED_ID))
    # then
    record = backend.get_container(caller, created["id"])
    assert (record["service_type"], record["external_url"]) == ("external", "https://x.example")
    assert record["external_auth_credential_id"] == CRED_ID


def test_create_container_keeps_env_values_and_gpu_all(backend: CyberunBackend, caller: Caller) -> None:
    # given
    env = [{"env_name": "TOKEN", "env_value": "s3cret"}]
    # when
    created = backend.create_container(caller, deployed(env_config=env, gpu_count=-1))
    # then
    record = backend.get_container(caller, created["id"])
    assert (record["env_config"], record["gpu_count"]) == (env, -1)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"docker_image": "x"}, "service_slug: is required"),
        (deployed(service_slug="ab"), "service_slug: must match ^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$"),
        (deployed(service_slug="Vllm"), "service_slug: must match ^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$"),
        (deployed(service_slug="vllm-"), "service_slug: must match ^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$"),
        (deployed(service_slug="a" * 101), "service_slug: must match ^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$"),
        (deployed(service_type="serverless"), "service_type: must be one of deployed, external"),
        ({"service_slug": "vllm"}, "docker_image: is required for deployed services"),
        (deployed(docker_image=""), "docker_image: must not be empty"),
        (external(external_url=None), "external_url: must not be null"),
        (
            {"service_slug": "ext", "service_type": "external"},
            "external_url: is required for external services",
        ),
        (external(external_url="http://x.example"), "external_url: must be an https:// URL"),
        (external(external_url="https://" + "a" * 2041), "external_url: must be at most 2048 characters"),
        (deployed(external_url="https://x.example"), "external_url: is only valid for external services"),
        (
            deployed(external_auth_credential_id=CRED_ID),
            "external_auth_credential_id: is only valid for external services",
        ),
        (external(external_auth_credential_id="sk-abc"), "external_auth_credential_id: must be a uuid"),
        (deployed(display_name="x" * 256), "display_name: must be at most 255 characters"),
        (deployed(exposed_port=0), "exposed_port: must be between 1 and 65535"),
        (deployed(exposed_port=65536), "exposed_port: must be between 1 and 65535"),
        (deployed(exposed_port="8080"), "exposed_port: must be an integer"),
        (deployed(exposed_port=True), "exposed_port: must be an integer"),
        (deployed(replica_count=0), "replica_count: must be between 1 and 10"),
        (deployed(replica_count=11), "replica_count: must be between 1 and 10"),
        (deployed(gpu_count=-2), "gpu_count: must be >= -1"),
        (deployed(openapi_url="/" * 501), "openapi_url: must be at most 500 characters"),
        (deployed(required_labels="gpu"), "required_labels: must be an array of strings"),
        (deployed(env_config=[{"env_name": "A"}]), "env_config[0].env_value: is required"),
        (
            deployed(env_config=[{"env_name": "", "env_value": ""}]),
            "env_config[0].env_name: must not be empty",
        ),
        (deployed(volume_config=["/a:/b"]), "volume_config[0]: must be an object"),
        (deployed(display_name=None), "display_name: must not be null"),
        (deployed(replicas=2), 'invalid request body: unknown field "replicas"'),
        (
            deployed(env_config=[{"env_name": "A", "env_value": "1", "secret": True}]),
            'invalid request body: unknown field "env_config[0].secret"',
        ),
        ([], "invalid request body: request body must be a JSON object"),
    ],
)
def test_create_container_invalid(backend: CyberunBackend, caller: Caller, body: Any, message: str) -> None:
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.create_container(caller, body)
    # then
    assert error_of(excinfo) == (400, message)
    assert backend.stores["containers"] == {}


def test_create_container_duplicate_slug(backend: CyberunBackend, caller: Caller) -> None:
    # given
    backend.create_container(caller, deployed())
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.create_container(caller, deployed())
    # then
    assert error_of(excinfo) == (409, "service_slug 'vllm-api' already exists in this team")


def test_create_container_same_slug_in_other_team(backend: CyberunBackend, caller: Caller) -> None:
    # given
    backend.create_container(caller, deployed())
    other = backend.authenticate(f"Bearer {JWT}", OTHER_TEAM)
    # when
    created = backend.create_container(other, deployed())
    # then
    assert backend.get_container(other, created["id"])["service_slug"] == "vllm-api"
    assert len(backend.list_containers(caller, None, None)["containers"]) == 1


# -- read -------------------------------------------------------------------------------------


def test_get_container_not_found(backend: CyberunBackend, caller: Caller) -> None:
    with pytest.raises(CyberunError) as excinfo:
        backend.get_container(caller, CRED_ID)
    assert error_of(excinfo) == (404, "resource not found")


def test_get_container_invalid_id(backend: CyberunBackend, caller: Caller) -> None:
    with pytest.raises(CyberunError) as excinfo:
        backend.get_container(caller, "vllm-api")
    assert error_of(excinfo) == (400, "invalid serviceId: 'vllm-api' is not a uuid")


def test_get_container_other_team_not_found(backend: CyberunBackend, caller: Caller) -> None:
    # given
    created = backend.create_container(caller, deployed())
    other = backend.authenticate(f"Bearer {JWT}", OTHER_TEAM)
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.get_container(other, created["id"])
    # then
    assert error_of(excinfo) == (404, "resource not found")


def test_get_container_by_slug(backend: CyberunBackend, caller: Caller) -> None:
    # given
    created = backend.create_container(caller, deployed())
    # when
    record = backend.get_container_by_slug(caller, "vllm-api")
    # then
    assert record["id"] == created["id"]
    with pytest.raises(CyberunError) as excinfo:
        backend.get_container_by_slug(caller, "missing")
    assert error_of(excinfo) == (404, "resource not found")


def test_list_containers_paginates(backend: CyberunBackend, caller: Caller) -> None:
    # given
    for index in range(3):
        backend.create_container(caller, deployed(service_slug=f"svc-{index}"))
    # when
    listed = backend.list_containers(caller, "2", "2")
    # then
    assert [r["service_slug"] for r in listed["containers"]] == ["svc-2"]
    assert listed["page_meta"] == {"current_page": 2, "per_page": 2, "total_count": 3}


@pytest.mark.parametrize(
    ("current_page", "per_page", "message"),
    [
        ("0", None, "invalid query parameter current_page: must be >= 1"),
        (None, "101", "invalid query parameter per_page: must be between 1 and 100"),
        (None, "x", "invalid query parameter per_page: must be an integer"),
    ],
)
def test_list_containers_invalid_page(
    backend: CyberunBackend, caller: Caller, current_page: str | None, per_page: str | None, message: str
) -> None:
    with pytest.raises(CyberunError) as excinfo:
        backend.list_containers(caller, current_page, per_page)
    assert error_of(excinfo) == (400, message)


# -- update -----------------------------------------------------------------------------------


def test_update_container_merges(backend: CyberunBackend, caller: Caller, clock: FakeClock) -> None:
    # given
    service_id = backend.create_container(caller, deployed(display_name="A", replica_count=2))["id"]
    # when
    result = backend.update_container(caller, service_id, {"display_name": "B", "env_config": []})
    # then
    record = backend.get_container(caller, service_id)
    assert result == {"id": service_id}
    assert (record["display_name"], record["replica_count"]) == ("B", 2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"service_slug": "new"}, f"service_slug: {IMMUTABLE}"),
        ({"service_type": "external"}, f"service_type: {IMMUTABLE}"),
        ({"external_url": "https://x.example"}, "external_url: is only valid for external services"),
        ({"docker_image": ""}, "docker_image: must not be empty"),
        ({"replica_count": 11}, "replica_count: must be between 1 and 10"),
        ({"usage_prompt": None}, "usage_prompt: must not be null"),
        ({"image": "x"}, 'invalid request body: unknown field "image"'),
    ],
)
def test_update_container_invalid(backend: CyberunBackend, caller: Caller, body: Any, message: str) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.update_container(caller, service_id, body)
    # then
    assert error_of(excinfo) == (400, message)


def test_update_container_external_auth_credential_id_null_leaves_unchanged(
    backend: CyberunBackend, caller: Caller
) -> None:
    # given
    service_id = backend.create_container(caller, external(external_auth_credential_id=CRED_ID))["id"]
    # when
    backend.update_container(caller, service_id, {"external_auth_credential_id": None, "display_name": "x"})
    backend.update_container(caller, service_id, {"display_name": "y"})
    # then
    assert backend.get_container(caller, service_id)["external_auth_credential_id"] == CRED_ID


def test_update_container_external_fields(backend: CyberunBackend, caller: Caller) -> None:
    # given
    service_id = backend.create_container(caller, external())["id"]
    # when
    backend.update_container(
        caller, service_id, {"external_url": "https://y.example/v1", "external_auth_credential_id": CRED_ID}
    )
    # then
    record = backend.get_container(caller, service_id)
    assert record["external_url"] == "https://y.example/v1"
    assert record["external_auth_credential_id"] == CRED_ID


@pytest.mark.parametrize("status", ["deploying", "stopping"])
def test_update_container_refused_while_transitioning(
    backend: CyberunBackend, caller: Caller, clock: FakeClock, status: str
) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.deploy_container(caller, service_id)
    if status == "stopping":
        clock.now += 1
        backend.undeploy_container(caller, service_id)
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.update_container(caller, service_id, {"display_name": "x"})
    # then
    assert error_of(excinfo) == (409, busy(service_id, status))


# -- deploy / undeploy / delete ---------------------------------------------------------------


def test_deploy_container_goes_through_deploying(backend: CyberunBackend, caller: Caller, clock: FakeClock) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    # when
    result = backend.deploy_container(caller, service_id)
    # then
    assert result == {"is_success": True}
    assert backend.get_container(caller, service_id)["service_status"] == "deploying"
    clock.now += 0.19
    assert backend.get_container(caller, service_id)["service_status"] == "deploying"
    clock.now += 0.01
    assert backend.get_container(caller, service_id)["service_status"] == "running"


def test_deploy_container_fail_next_deploy(backend: CyberunBackend, caller: Caller, clock: FakeClock) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.update_settings({"fail_next_deploy": True, "deploy_seconds": 0})
    # when
    backend.deploy_container(caller, service_id)
    # then
    assert backend.get_container(caller, service_id)["service_status"] == "failed"
    assert backend.settings["fail_next_deploy"] is False
    backend.deploy_container(caller, service_id)
    assert backend.get_container(caller, service_id)["service_status"] == "running"


def test_deploy_container_refused_while_deploying(backend: CyberunBackend, caller: Caller) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.deploy_container(caller, service_id)
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.deploy_container(caller, service_id)
    # then
    assert excinfo.value.status == 409


def test_undeploy_container_goes_through_stopping(backend: CyberunBackend, caller: Caller, clock: FakeClock) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.deploy_container(caller, service_id)
    clock.now += 1
    # when
    result = backend.undeploy_container(caller, service_id)
    # then
    assert result == {"is_success": True}
    assert backend.get_container(caller, service_id)["service_status"] == "stopping"
    clock.now += 1
    assert backend.get_container(caller, service_id)["service_status"] == "stopped"


@pytest.mark.parametrize("settled", ["created", "stopped"])
def test_undeploy_container_noop_when_not_running(backend: CyberunBackend, caller: Caller, settled: str) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.control_patch("containers", service_id, {"service_status": settled})
    # when
    result = backend.undeploy_container(caller, service_id)
    # then
    assert result == {"is_success": True}
    assert backend.get_container(caller, service_id)["service_status"] == settled


def test_delete_container(backend: CyberunBackend, caller: Caller, clock: FakeClock) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.deploy_container(caller, service_id)
    clock.now += 1
    # when
    backend.delete_container(caller, service_id)
    # then
    assert backend.stores["containers"] == {}
    with pytest.raises(CyberunError) as excinfo:
        backend.delete_container(caller, service_id)
    assert error_of(excinfo) == (404, "resource not found")


def test_delete_container_refused_while_deploying(backend: CyberunBackend, caller: Caller) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.deploy_container(caller, service_id)
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.delete_container(caller, service_id)
    # then
    assert error_of(excinfo) == (409, busy(service_id, "deploying"))


# -- control hooks ----------------------------------------------------------------------------


def test_control_seed_container_in_transition_settles(
    backend: CyberunBackend, caller: Caller, clock: FakeClock
) -> None:
    # given
    record = {"id": CRED_ID, "service_slug": "seeded", "service_status": "deploying"}
    backend.control_seed("containers", record)
    # when
    first = backend.get_container_by_slug(caller, "seeded")["service_status"]
    clock.now += 1
    # then
    assert (first, backend.get_container(caller, CRED_ID)["service_status"]) == ("deploying", "running")


def test_control_patch_status_drift(backend: CyberunBackend, caller: Caller, clock: FakeClock) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    backend.deploy_container(caller, service_id)
    # when
    backend.control_patch("containers", service_id, {"service_status": "failed"})
    clock.now += 1
    # then
    assert backend.get_container(caller, service_id)["service_status"] == "failed"


def test_control_delete_container(backend: CyberunBackend, caller: Caller) -> None:
    # given
    service_id = backend.create_container(caller, deployed())["id"]
    # when
    backend.control_delete("containers", service_id)
    # then
    with pytest.raises(CyberunError) as excinfo:
        backend.get_container(caller, service_id)
    assert excinfo.value.status == 404


# -- credentials ------------------------------------------------------------------------------


def test_create_credential_key_authenticates_for_its_team(backend: CyberunBackend, caller: Caller) -> None:
    # when
    created = backend.create_credential(caller, {"kind": "integration", "display_name": "ci"})
    # then
    assert set(created) == {"id", "kind", "key_prefix", "raw_key"}
    assert created["raw_key"].startswith("sk-") and created["key_prefix"] == created["raw_key"][:12]
    who = backend.authenticate(f"Bearer {created['raw_key']}", None)
    assert (who.kind, who.team_id, who.user_id) == ("key", TEAM, "user-1")
    row = backend.list_credentials(caller, None, None, None)["credentials"][0]
    assert "raw_key" not in row and row["key_status"] == "active" and row["last_used_at"] is not None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "device", "display_name": "d"}, "kind: device keys are issued by desktop pairing"),
        ({"kind": "admin", "display_name": "d"}, "kind: must be one of integration, agent"),
        ({"kind": "integration"}, "display_name: is required"),
        ({"kind": "integration", "display_name": "x" * 101}, "display_name: must be at most 100 characters"),
        (
            {"kind": "integration", "display_name": "d", "expires_in_days": 366},
            "expires_in_days: must be between 1 and 365",
        ),
    ],
)
def test_create_credential_invalid(backend: CyberunBackend, caller: Caller, body: Any, message: str) -> None:
    with pytest.raises(CyberunError) as excinfo:
        backend.create_credential(caller, body)
    assert error_of(excinfo) == (400, message)


def test_create_credential_requires_jwt(backend: CyberunBackend) -> None:
    # given
    key_caller = backend.authenticate("Bearer sk-test", None)
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.create_credential(key_caller, {"kind": "integration", "display_name": "ci"})
    # then
    assert error_of(excinfo) == (403, "this endpoint requires a user token (JWT); API keys are not accepted")


def test_revoke_credential(backend: CyberunBackend, caller: Caller) -> None:
    # given
    created = backend.create_credential(caller, {"kind": "integration", "display_name": "ci"})
    # when
    backend.revoke_credential(caller, created["id"])
    # then
    assert backend.list_credentials(caller, None, None, None)["credentials"] == []
    with pytest.raises(CyberunError) as excinfo:
        backend.authenticate(f"Bearer {created['raw_key']}", None)
    assert error_of(excinfo) == (401, "API key has been revoked")


@pytest.mark.parametrize("which", ["raw_key", "key_prefix"])
def test_revoke_credential_with_secret(backend: CyberunBackend, caller: Caller, which: str) -> None:
    # given
    created = backend.create_credential(caller, {"kind": "integration", "display_name": "ci"})
    # when
    with pytest.raises(CyberunError) as excinfo:
        backend.revoke_credential(caller, created[which])
    # then
    message = "credentialId must be the credential id (uuid), not the key or its prefix"
    assert error_of(excinfo) == (400, message)


def test_list_credentials_filters_kind(backend: CyberunBackend, caller: Caller) -> None:
    # given
    backend.create_credential(caller, {"kind": "integration", "display_name": "ci"})
    backend.create_credential(caller, {"kind": "agent", "display_name": "gpu-box", "expires_in_days": 30})
    # when
    listed = backend.list_credentials(caller, None, None, "agent")
    # then
    assert [r["display_name"] for r in listed["credentials"]] == ["gpu-box"]
    assert listed["credentials"][0]["expires_at"] is not None
    assert listed["page_meta"] == {"current_page": 1, "per_page": 20, "total_count": 1}


def test_jwt_subject_from_payload() -> None:
    # given
    payload = base64.urlsafe_b64encode(json.dumps({"sub": "u-42"}).encode()).decode().rstrip("=")
    backend = CyberunBackend()
    # when
    who = backend.authenticate(f"Bearer h.{payload}.s", TEAM)
    # then
    assert who.user_id == "u-42"
