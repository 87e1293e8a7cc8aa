"""NeMo providers called directly: check/diff (pure) and error parsing with a mock transport."""

from __future__ import annotations

import pydoc

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_deploy import nemo
from pulumi_deploy.core import bookkeeping
from pulumi_deploy.core.errors import BadRequest, ConfigError, Conflict, Forbidden, InvalidInput, ServerError
from pulumi_deploy.core.http import ApiClient, RetryPolicy, get_client, use_transport
from pulumi_deploy.core.request import whole_body
from pulumi_deploy.core.spec import Plan
from pulumi_deploy.nemo import api
from pulumi_deploy.nemo.api import SETTINGS, ConcurrentModification, call, name_problem, new_version
from pulumi_deploy.nemo.deployment import ModelDeploymentProvider
from pulumi_deploy.nemo.deployment_config import ModelDeploymentConfigProvider, config_users, kept_model_entity_id

PROVIDER = {"__provider": "pickled", "_logical_name": "x"}
CONFIG = {
    **PROVIDER,
    "name": "llama-cfg",
    "engine": "nim",
    "model_spec": {"model_name": "llama"},
    "executor_config": {"gpu": 1.0},
}


def answer_posts(request: httpx.Request, status: int, body: dict) -> httpx.Response:
    """Mutations get ``status``; the name look-up before a create finds nothing (404)."""
    if request.method == "GET":
        return httpx.Response(404, json={"detail": "not found"})
    return httpx.Response(status, json=body)


def failures(result):
    # A field with secret parts is reported without its property (the engine would print its value
    # beside the reason); its reason starts with the field's name.
    return {f.property or f.reason.split(":", 1)[0].split(".", 1)[0]: f.reason for f in result.failures}


def test_nemo_exports_and_type_tokens_are_pinned():
    assert sorted(nemo.__all__) == [
        "Connection",
        "ExecutorConfigArgs",
        "K8sNimOperatorConfigArgs",
        "ModelDeployment",
        "ModelDeploymentArgs",
        "ModelDeploymentConfig",
        "ModelDeploymentConfigArgs",
        "ModelDeploymentStatus",
        "ModelDeploymentStatusArgs",
        "ModelSpecArgs",
        "ToolCallConfigArgs",
    ]
    assert nemo.ModelDeployment._resource_type_name == "dynamic/nemo:ModelDeployment"


@pytest.mark.parametrize("name", ["ab", "llama-3.1-8b", "m@v1+x_y", "a" * 63])
def test_names_allowed_by_the_0_6_0_rule(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["a", "Llama", "llama--3", "llama-", "3llama", "a" * 64, "llama 3"])
def test_names_refused_by_the_0_6_0_rule(name):
    assert name_problem(name) is not None


def test_check_defaults_workspace_from_env_and_drops_config_version_zero(monkeypatch):
    monkeypatch.setenv("NEMO_WORKSPACE", "team-a")
    result = ModelDeploymentProvider().check({}, {**PROVIDER, "name": "llama", "config": "cfg", "config_version": 0.0})
    assert failures(result) == {}
    assert result.inputs["workspace"] == "team-a"
    assert "config_version" not in result.inputs


def test_check_generic_engine_needs_image_and_health_path_and_refuses_lora():
    props = {**CONFIG, "engine": "generic", "model_spec": {"lora_enabled": True}, "executor_config": {"gpu": 1}}
    result = ModelDeploymentConfigProvider().check({}, props)
    assert "executor_config.image_name and executor_config.health_check_path" in failures(result)["executor_config"]
    assert "lora_enabled" in failures(result)["model_spec"]


def test_check_leaves_unknown_engine_to_apply_time_and_refuses_unknown_nested_fields():
    unknown = ModelDeploymentConfigProvider().check({}, {**CONFIG, "engine": Unknown()})
    assert failures(unknown) == {}
    typo = ModelDeploymentConfigProvider().check({}, {**CONFIG, "executor_config": {"gpu": 1, "gpus": 2}})
    assert "executor_config.gpus" in failures(typo)["executor_config"]


@pytest.mark.parametrize(
    ("model_spec", "executor_config", "prop", "reason"),
    [
        ({"tool_call_config": {"tool_call_parsr": "hermes"}}, {}, "model_spec", "tool_call_config.tool_call_parsr"),
        ({"tool_call_config": {"tool_call_plugin": "w/" + "x" * 254}}, {}, "model_spec", "at most 255"),
        ({"tool_call_config": {"auto_tool_choice": "maybe"}}, {}, "model_spec", "auto_tool_choice"),
        ({}, {"k8s_nim_operator_config": {"node_selectr": {}}}, "executor_config", "node_selectr"),
        ({}, {"k8s_nim_operator_config": {"startup_probe_grace_seconds": 0}}, "executor_config", "greater than 0"),
        ({}, {"k8s_nim_operator_config": {"node_selector": {"zone": 1}}}, "executor_config", "node_selector.zone"),
    ],
    ids=["tool-call-typo", "plugin-too-long", "auto-choice-not-bool", "k8s-typo", "grace-zero", "selector-not-str"],
)
def test_check_refuses_unknown_keys_and_bad_values_in_tool_call_and_k8s_operator_config(
    model_spec, executor_config, prop, reason
):
    # given
    props = {
        **CONFIG,
        "model_spec": {"model_name": "llama", **model_spec},
        "executor_config": {"gpu": 1, **executor_config},
    }
    # when
    result = ModelDeploymentConfigProvider().check({}, props)
    # then
    assert reason in failures(result)[prop]


def test_check_accepts_typed_tool_call_and_k8s_operator_config():
    # given
    props = {
        **CONFIG,
        "model_spec": {
            "model_name": "llama",
            "tool_call_config": {"tool_call_parser": "hermes", "auto_tool_choice": True},
        },
        "executor_config": {
            "gpu": 1,
            "k8s_nim_operator_config": {
                "resources": {"limits": {"memory": "16Gi"}},
                "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}],
                "node_selector": {"zone": "a"},
                "startup_probe_grace_seconds": 600,
            },
        },
    }
    # when
    result = ModelDeploymentConfigProvider().check({}, props)
    # then
    assert failures(result) == {}
    assert result.inputs["executor_config"]["k8s_nim_operator_config"]["startup_probe_grace_seconds"] == 600


def test_diff_pinning_the_resolved_config_version_is_no_change_and_another_version_is():
    # given: created with config_version unset, resolved to 1 (an output only)
    outs = {"name": "llama", "config": "cfg", "workspace": "default", "config_version": 1.0, "entity_version": 1.0}
    olds = bookkeeping.write(outs, bookkeeping.Bookkeeping("llama", input_names=("config", "name", "workspace")))
    news = {**PROVIDER, "name": "llama", "config": "cfg", "workspace": "default"}
    provider = ModelDeploymentProvider()
    # when
    same = provider.diff("default/llama", olds, {**news, "config_version": 1.0})
    other = provider.diff("default/llama", olds, {**news, "config_version": 2.0})
    # then
    assert same.changes is False
    assert other.changes is not False


def test_server_filled_defaults_and_nulls_are_not_a_change():
    spec = ModelDeploymentConfigProvider.spec
    live = spec.from_wire(
        {
            "name": "llama-cfg",
            "workspace": "default",
            "engine": "nim",
            "model_spec": {"model_name": "llama", "lora_enabled": False, "tool_call_config": None},
            "executor_config": {"gpu": 1, "disk_size": "50Gi", "additional_args": [], "image_name": None},
        }
    )
    news = ModelDeploymentConfigProvider().check({}, CONFIG).inputs
    assert spec.plan(live, news).changed == []
    gpu = spec.plan(news, {**news, "executor_config": {"gpu": 2}})
    assert (gpu.changed, gpu.new_version, gpu.replace_keys) == (["executor_config"], ["executor_config"], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"detail": "1 validation error for CreateModelDeploymentRequest name"}, "1 validation error"),
        ({"detail": [{"loc": ["body", "name"], "msg": "String should match pattern"}]}, "name: String should match"),
    ],
    ids=["string-detail", "list-detail"],
)
def test_422_detail_is_reported_whether_string_or_list(monkeypatch, body, message):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9/nemo")
    transport = httpx.MockTransport(lambda req: answer_posts(req, 422, body))
    with use_transport(lambda _url: transport), pytest.raises(BadRequest, match=message):
        ModelDeploymentProvider().create({**PROVIDER, "name": "llama", "config": "cfg", "workspace": "default"})


def test_runtime_none_is_a_rejected_input_that_says_what_to_set_on_the_server(monkeypatch):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9/nemo")
    detail = {"detail": "Deployments are not enabled because the backend runtime is set to 'none'"}
    transport = httpx.MockTransport(lambda req: answer_posts(req, 422, detail))
    with use_transport(lambda _url: transport), pytest.raises(BadRequest, match=r"platform\.runtime"):
        ModelDeploymentProvider().create({**PROVIDER, "name": "llama", "config": "cfg", "workspace": "default"})


# -- platform errors explained in one place (api.explain) ----------------------------------------


def answer(status: int, detail: str, entities_status: int = 200):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/apis/entities/"):
            return httpx.Response(entities_status, json={"detail": "Workspace 'ghost' not found"})
        return httpx.Response(status, json={"detail": detail})

    return handler


@pytest.mark.parametrize(
    ("token", "status", "detail", "expected"),
    [
        (None, 401, "Unauthorized", "no token is configured in `nemo:token` / $NEMO_TOKEN"),
        ("tok-zz9", 401, "Invalid or expired token", "rejected the token from `nemo:token` / $NEMO_TOKEN"),
        ("tok-qq7", 403, "Forbidden", "may not GET in workspace 'default'"),
        (None, 403, "Forbidden", "refused to GET in workspace 'default' without a token"),
    ],
    ids=["no-token", "wrong-token", "no-role", "no-token-403"],
)
def test_auth_failures_name_the_setting_and_the_token_that_fits(monkeypatch, token, status, detail, expected):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    if token:
        monkeypatch.setenv("NEMO_TOKEN", token)
    transport = httpx.MockTransport(answer(status, detail))
    with use_transport(lambda _url: transport), pytest.raises(ConfigError) as failed:
        ModelDeploymentProvider().read("default/llama", {**PROVIDER, "workspace": "default"})
    assert expected in str(failed.value)
    assert "Scoped Access Key" in str(failed.value)
    assert token is None or token not in str(failed.value)  # never the credential itself


def test_a_403_with_the_platforms_own_reason_is_told_as_it_is_not_as_a_token_problem(monkeypatch):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("NEMO_TOKEN", "tok-qq7")
    reason = "tool_call_plugin is disabled at the platform level. Set models.tool_call_plugin.enabled=true ..."
    transport = httpx.MockTransport(answer(403, reason))
    with use_transport(lambda _url: transport), pytest.raises(Forbidden) as failed:
        ModelDeploymentProvider().read("default/llama", {**PROVIDER, "workspace": "default"})
    assert reason in str(failed.value)
    assert "token" not in str(failed.value)


def test_a_500_for_an_unknown_workspace_says_so_and_a_500_elsewhere_stays_a_server_error(monkeypatch):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9")
    unknown = httpx.MockTransport(answer(500, "Failed to get deployment", entities_status=404))
    known = httpx.MockTransport(answer(500, "Failed to get deployment", entities_status=200))
    with use_transport(lambda _url: unknown), pytest.raises(ConfigError, match="workspace 'ghost' does not exist"):
        ModelDeploymentProvider().read("ghost/llama", {**PROVIDER})
    with use_transport(lambda _url: known), pytest.raises(ServerError):
        ModelDeploymentProvider().read("ghost/llama", {**PROVIDER})


def test_an_unknown_project_says_which_and_how_to_create_it(monkeypatch):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9")
    detail = {"detail": "Project 'p1' does not exist in workspace 'default'. Please create the project first."}
    transport = httpx.MockTransport(lambda req: answer_posts(req, 422, detail))
    with use_transport(lambda _url: transport), pytest.raises(BadRequest, match="Project 'p1' does not exist"):
        ModelDeploymentConfigProvider().create({**CONFIG, "workspace": "default", "project": "p1"})


# -- server-filled model_entity_id ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("news", "kept"),
    [
        ({"model_spec": {"model_name": "llama"}}, "default/llama"),
        ({"model_spec": {"model_name": "mistral"}}, None),
        ({"model_spec": {"model_name": "llama"}, "model_entity_id": "default/other"}, None),
    ],
    ids=["same-model", "other-model", "set-by-the-user"],
)
def test_server_filled_model_entity_id_is_sent_again_only_for_the_same_model(news, kept):
    olds = {"model_spec": {"model_name": "llama"}, "model_entity_id": "default/llama", "_input_names": ["name"]}
    assert kept_model_entity_id(olds, news) == kept


def test_a_model_entity_id_the_user_set_and_then_removed_is_not_sent_again():
    olds = {
        "model_spec": {"model_name": "llama"},
        "model_entity_id": "default/llama",
        "_input_names": ["model_entity_id"],
    }
    assert kept_model_entity_id(olds, {"model_spec": {"model_name": "llama"}}) is None


# -- config delete: who blocks it ------------------------------------------------------------------


def test_config_users_are_classified_against_each_deployments_latest_version(monkeypatch):
    # given: "moved" uses cfg only in v1 (v2 on cfg2); "live" uses it now; "going" is being deleted
    rows = [
        {"name": "moved", "entity_version": 1, "config": "cfg", "status": "READY"},
        {"name": "live", "entity_version": 1, "config": "cfg", "status": "READY"},
        {"name": "going", "entity_version": 3, "config": "cfg", "status": "DELETING"},
    ]
    latest = {"moved": {"name": "moved", "config": "cfg2", "status": "READY"}, "live": rows[1], "going": rows[2]}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.params))
        if request.url.path.endswith("/deployments"):
            return httpx.Response(200, json={"data": rows, "pagination": {"total_pages": 1}})
        return httpx.Response(200, json=latest[request.url.path.rsplit("/", 1)[-1]])

    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9")
    transport = httpx.MockTransport(handler)
    with use_transport(lambda _url: transport):
        users = config_users(get_client(SETTINGS), "default", "cfg")
    # then
    assert users.superseded == [("moved", 1)]
    assert [d["name"] for d in users.live] == ["live"]
    assert [d["name"] for d in users.going] == ["going"]
    assert "all_versions=true" in seen[0] and "filter%5Bconfig%5D=cfg" in seen[0]


# -- request bodies derived from the declarations (NeMo updates are new-version POSTs) ----------


def test_config_bodies_come_from_the_declarations():
    spec = ModelDeploymentConfigProvider.spec
    values = {**CONFIG, "workspace": "default", "project": "p1", "description": "d",
              "model_entity_id": "default/llama", "delete_timeout": 5.0, "adopt_id": None}  # fmt: skip
    assert sorted(whole_body(spec, values)) == [
        "description", "engine", "executor_config", "model_entity_id", "model_spec", "name", "project",
    ]  # fmt: skip
    update = new_version(spec, "/c", Plan(changed=["description"]), {**values, "description": None})
    assert update is not None
    assert (update.method, update.path, update.idempotent) == ("POST", "/c", False)
    # The complete definition: the removed description is left out (cleared in the new version).
    assert sorted(update.body or {}) == ["engine", "executor_config", "model_entity_id", "model_spec"]


def test_a_change_of_provider_settings_only_writes_no_version():
    assert new_version(ModelDeploymentConfigProvider.spec, "/c", Plan(changed=["delete_timeout"]), CONFIG) is None
    values = {"name": "llama", "config": "cfg", "wait_for": "READY", "wait_timeout": 5.0}
    assert new_version(ModelDeploymentProvider.spec, "/d", Plan(changed=["wait_for", "wait_timeout"]), values) is None


def test_deployment_and_status_bodies_leave_path_and_local_fields_out():
    from pulumi_deploy.nemo.deployment_status import ModelDeploymentStatusProvider

    spec = ModelDeploymentProvider.spec
    values = {"name": "llama", "config": "cfg", "config_version": 2, "workspace": "default", "project": "p1",
              "wait_for": "READY", "wait_timeout": 5.0}  # fmt: skip
    assert whole_body(spec, values) == {"name": "llama", "config": "cfg", "config_version": 2, "project": "p1"}
    update = new_version(spec, "/d", Plan(changed=["config"]), values)
    assert update is not None and update.body == {"config": "cfg", "config_version": 2}
    status = {"deployment": "llama", "workspace": "default", "status": "READY", "status_message": "ok",
              "model_provider_id": "default/llama", "version": 2}  # fmt: skip
    assert whole_body(ModelDeploymentStatusProvider.spec, status) == {
        "status": "READY", "status_message": "ok", "model_provider_id": "default/llama",
    }  # fmt: skip


# -- one retry policy: a concurrent modification is sent again through the client's backoff -------


def conflicting_client(answers: list[tuple[int, str]]) -> tuple[ApiClient, list[str]]:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        status, detail = answers[min(len(sent), len(answers)) - 1]
        return httpx.Response(status, json={"detail": detail} if status >= 400 else {"name": "llama"})

    client = ApiClient(
        "nemo", "http://127.0.0.1:9", {}, transport=httpx.MockTransport(handler), errors=SETTINGS.errors,
        retry=RetryPolicy(attempts=4), sleep=lambda _delay: None,
    )  # fmt: skip
    return client, sent


def test_a_concurrent_modification_is_sent_again_until_it_goes_through():
    client, sent = conflicting_client([(409, "Concurrent modification - please retry.")] * 2 + [(200, "")])
    obj = call(client, lambda: client.request("POST", "/d", json={}, idempotent=False), "deployment")
    assert obj == {"name": "llama"}
    assert sent == ["POST", "POST", "POST"]


def test_a_concurrent_modification_that_persists_fails_after_the_policys_attempts():
    client, sent = conflicting_client([(409, "Concurrent modification - please retry.")])
    with pytest.raises(ConcurrentModification):
        call(client, lambda: client.request("POST", "/d", json={}, idempotent=False), "deployment")
    assert len(sent) == 4


def test_another_conflict_is_not_sent_again():
    client, sent = conflicting_client([(409, "Deployment config is in use")])
    with pytest.raises(Conflict) as failed:
        call(client, lambda: client.request("DELETE", "/c"), "config")
    assert not isinstance(failed.value, ConcurrentModification)
    assert sent == ["DELETE"]


def test_an_explained_rejection_keeps_the_platforms_error_as_its_cause(monkeypatch):
    monkeypatch.setenv("NEMO_BASE_URL", "http://127.0.0.1:9/nemo")
    detail = {"detail": "Deployments are not enabled because the backend runtime is set to 'none'"}
    transport = httpx.MockTransport(lambda req: answer_posts(req, 400, detail))
    with use_transport(lambda _url: transport), pytest.raises(InvalidInput) as failed:
        ModelDeploymentProvider().create({**PROVIDER, "name": "llama", "config": "cfg", "workspace": "default"})
    assert failed.value.status == 400
    assert isinstance(failed.value.__cause__, BadRequest)
    assert "runtime is set to 'none'" in failed.value.__cause__.message


def test_the_documented_wait_default_is_the_one_used():
    assert api.DEFAULT_WAIT_TIMEOUT == 900.0
    for args in (nemo.ModelDeploymentArgs, nemo.ModelDeploymentConfigArgs):
        assert "(default 900)" in pydoc.render_doc(args, renderer=pydoc.plaintext)


@pytest.mark.parametrize(
    ("provider", "props", "prop", "message"),
    [
        (ModelDeploymentConfigProvider, {**CONFIG, "name": "a" * 61}, "name", "must be at most 60 characters"),
        (ModelDeploymentProvider, {**PROVIDER, "name": "a" * 61, "config": "c"}, "name", "'<name>-vN', within 63"),
        (ModelDeploymentConfigProvider, {**CONFIG, "name": "llama\n"}, "name", "must start with a lowercase"),
        (ModelDeploymentConfigProvider, {**CONFIG, "workspace": "default\n"}, "workspace", "a workspace name must"),
        (ModelDeploymentConfigProvider, {**CONFIG, "workspace": "Team"}, "workspace", "a workspace name must"),
        (ModelDeploymentConfigProvider, {**CONFIG, "project": "p\n"}, "project", "must match"),
        (ModelDeploymentConfigProvider, {**CONFIG, "model_entity_id": "a/b/c"}, "model_entity_id", "`workspace/name`"),
        (ModelDeploymentConfigProvider, {**CONFIG, "model_entity_id": "ws/ "}, "model_entity_id", "`workspace/name`"),
    ],
)
def test_check_refuses_what_the_platform_refuses(provider, props, prop, message):
    # when
    result = provider().check({}, props)
    # then: refused at preview, not by a 422/400 (or an invalid URL) at `up`
    assert list(failures(result)) == [prop]
    assert message in failures(result)[prop]


def test_check_accepts_what_the_platform_accepts():
    # given: the longest name version 1 fits, entity references of either form, a provider id of any form
    status = {**PROVIDER, "deployment": "llama", "status": "READY", "model_provider_id": "noslash"}
    # when
    results = [
        ModelDeploymentConfigProvider().check({}, {**CONFIG, "name": "a" * 60, "model_entity_id": "llama-3"}),
        ModelDeploymentConfigProvider().check({}, {**CONFIG, "model_entity_id": "default/llama-3"}),
        nemo.deployment_status.ModelDeploymentStatusProvider().check({}, status),
    ]
    # then
    assert [failures(r) for r in results] == [{}, {}, {}]


def test_an_update_whose_version_no_longer_fits_the_stored_name_is_refused_at_preview():
    # given: a config with a 60-character name at version 9 (version 10 is stored as `<name>-v10`: 64)
    name = "a" * 60
    outs = {**CONFIG, "name": name, "workspace": "default", "entity_version": 9.0}
    olds = bookkeeping.write(
        {k: v for k, v in outs.items() if k not in PROVIDER},
        bookkeeping.Bookkeeping("x", input_names=("name", "engine", "model_spec", "executor_config", "workspace")),
    )
    news = {**CONFIG, "name": name, "workspace": "default"}
    provider = ModelDeploymentConfigProvider()
    refresh = provider.diff(f"default/{name}", olds, {**news, "description": "drift"})  # no check before it
    # when: a preview (check, then diff)
    same = provider.diff(f"default/{name}", olds, provider.check(olds, news).inputs)
    changed = provider.check(olds, {**news, "description": "new"}).inputs
    with pytest.raises(Exception, match=r"cannot update it: the platform stores version 10 as 'a{60}-v10'") as refused:
        provider.diff(f"default/{name}", olds, changed)
    # then: no change is no version; a change says which versions the name allows; a refresh never fails
    assert same.changes is False and refresh.changes is not False
    assert "a 60-character name allows versions up to 9" in str(refused.value)


def test_adopting_a_config_whose_next_version_would_not_fit_is_refused():
    # given: a live config with a 60-character name at version 9, and a program that changes it
    name = "b" * 60
    live = {"name": name, "workspace": "default", "engine": "nim", "model_spec": {"model_name": "llama"},
            "executor_config": {"gpu": 1}, "entity_version": 9}  # fmt: skip
    declared = {**CONFIG, "name": name, "workspace": "default", "description": "new", "adopt_id": f"default/{name}"}
    # when / then: said before the adoption writes anything
    with pytest.raises(Exception, match=r"cannot update it: the platform stores version 10"):
        ModelDeploymentConfigProvider().adoption_plan(f"default/{name}", live, declared)
