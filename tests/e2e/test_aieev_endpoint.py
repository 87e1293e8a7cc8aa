"""Aieev Endpoint (adopted by id) through the real Pulumi CLI against the emulator."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_deploy import aieev
from pulumi_deploy.local_stack import StackFailed

pytestmark = pytest.mark.e2e

EP = "ep-llm-1"
SECRET = "s3cr3t-token-value"
FAST = {"PULUMI_DEPLOY_POLL_INTERVAL": "0.05"}
#: The key Pulumi's checkpoint uses to mark a secret value.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"


def program(cfg: dict[str, Any]):
    """One endpoint whose inputs come from ``cfg`` (mutated between steps)."""

    def run() -> None:
        ep = aieev.Endpoint("llm", aieev.EndpointArgs(**cfg))
        pulumi.export("id", ep.id)
        pulumi.export("status", ep.status)
        pulumi.export("num_replicas", ep.num_replicas)

    return run


def base_cfg() -> dict[str, Any]:
    return {
        "endpoint_id": EP,
        "container_port": 8080,
        "container_env_vars": [aieev.EnvVarArgs(key="MODEL", value="llama"), {"key": "TOKEN", "value": SECRET}],
        "health_check_timeout": 120,
    }


@pytest.fixture
def aieev_emu(emulator):
    emulator.settings("aieev", deploy_duration=0.1)
    return emulator


def seed(emulator, **fields: Any) -> None:
    emulator.seed("aieev", "endpoints", {"id": EP, "name": "llm", **fields})


def managed_running_endpoint(emulator, make_stack) -> tuple[dict[str, Any], Any]:
    """A running endpoint this stack has taken over with ``base_cfg()`` (the dict is the program's)."""
    seed(emulator, is_active=True)
    cfg = base_cfg()
    stack = make_stack(program(cfg), env=FAST)
    stack.up()
    return cfg, stack


def calls(emulator, *, reads: bool = True) -> list[tuple[str, str]]:
    return [(c["method"], c["path"]) for c in emulator.calls("aieev") if reads or c["method"] != "GET"]


def record(emulator) -> dict[str, Any]:
    return next(r for r in emulator.inventory("aieev")["endpoints"] if r["endpoint_id"] == EP)


GET = ("GET", f"/endpoints/{EP}")
STOP = ("POST", f"/endpoints/{EP}/stop")
START = ("POST", f"/endpoints/{EP}/start")
PATCH = ("PATCH", f"/endpoints/{EP}")
SCALE = ("POST", f"/endpoints/{EP}/scale")


def test_adopting_running_endpoint_with_settings_gets_stops_patches_then_starts_it(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    stack = make_stack(program(base_cfg()), env=FAST)
    # when
    up = stack.up()
    # then
    log = calls(aieev_emu)
    assert log[:4] == [GET, STOP, PATCH, START]
    assert set(log[4:]) == {GET}
    rec = record(aieev_emu)
    assert rec["is_active"] is True and rec["status"] == "RUNNING"
    assert rec["container_port"] == 8080 and rec["health_check_timeout"] == 120
    assert sorted(e["key"] for e in rec["container_env_vars"]) == ["MODEL", "TOKEN"]
    assert up.outputs["id"] == EP and up.outputs["status"] == "RUNNING"
    assert SECRET not in stack.export_text()


def test_changing_only_replicas_calls_only_scale(aieev_emu, make_stack):
    # given
    cfg, stack = managed_running_endpoint(aieev_emu, make_stack)
    aieev_emu.clear_calls()
    # when
    cfg["replicas"] = 3
    up = stack.up()
    # then
    assert calls(aieev_emu, reads=False) == [SCALE]
    assert [c["body"] for c in aieev_emu.calls("aieev") if c["method"] == "POST"] == [{"num_replicas": 3}]
    assert record(aieev_emu)["num_replicas"] == 3
    assert up.outputs["num_replicas"] == 3


def test_changing_container_port_previews_in_place_downtime_update_and_applies_stop_patch_start(aieev_emu, make_stack):
    # given
    cfg, stack = managed_running_endpoint(aieev_emu, make_stack)
    # when
    cfg["container_port"] = 9000
    preview = stack.preview()
    aieev_emu.clear_calls()
    stack.up()
    # then
    step = preview.step("llm")
    assert step.op == "update"
    assert step.diffs == ["container_port"]
    assert "downtime" in preview.text and "container_port" in preview.text
    assert calls(aieev_emu, reads=False) == [STOP, PATCH, START]
    patch = next(c for c in aieev_emu.calls("aieev") if c["method"] == "PATCH")
    assert patch["body"] == {"container_port": 9000}
    assert record(aieev_emu)["container_port"] == 9000 and record(aieev_emu)["is_active"] is True


def test_removing_a_setting_previews_that_the_last_value_stays_with_no_downtime_and_calls_nothing(
    aieev_emu, make_stack
):
    # given
    cfg, stack = managed_running_endpoint(aieev_emu, make_stack)
    # when: the port is no longer set (the API cannot clear it)
    del cfg["container_port"]
    preview = stack.preview()
    aieev_emu.clear_calls()
    stack.up()
    # then: the preview says what happens (nothing is sent), not a downtime that never comes
    assert preview.step("llm").notes == [
        "container_port no longer set: the last applied value stays (the API cannot clear it; nothing is sent)"
    ]
    assert "downtime" not in preview.text
    assert calls(aieev_emu, reads=False) == []
    assert record(aieev_emu)["container_port"] == 8080 and record(aieev_emu)["is_active"] is True


def test_unchanged_rerun_makes_no_changes_and_no_api_calls(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    stack = make_stack(program({**base_cfg(), "replicas": 2}), env=FAST)
    stack.up()
    aieev_emu.clear_calls()
    # when
    again = stack.up()
    # then
    assert again.summary == {"same": 2}  # the stack and the endpoint
    assert calls(aieev_emu) == []


def test_active_false_stops_endpoint_and_still_patches_settings(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    stack = make_stack(program({**base_cfg(), "active": False}), env=FAST)
    # when
    stack.up()
    # then
    assert calls(aieev_emu, reads=False) == [STOP, PATCH]
    rec = record(aieev_emu)
    assert rec["is_active"] is False and rec["container_port"] == 8080


def test_destroy_stops_the_endpoint(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    stack = make_stack(program({"endpoint_id": EP}), env=FAST)
    stack.up()
    aieev_emu.clear_calls()
    # when
    stack.destroy()
    # then
    assert calls(aieev_emu) == [STOP]
    assert record(aieev_emu)["is_active"] is False


def test_destroy_with_on_delete_forget_leaves_the_endpoint_running(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    stack = make_stack(program({"endpoint_id": EP, "on_delete": "forget"}), env=FAST)
    stack.up()
    aieev_emu.clear_calls()
    # when
    stack.destroy()
    # then
    assert calls(aieev_emu) == []
    assert record(aieev_emu)["is_active"] is True


def test_invalid_inputs_fail_at_preview_naming_the_property_and_send_nothing(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    stack = make_stack(program({**base_cfg(), "container_port": 70000, "health_check_timeout": 0}))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert "container_port" in failed.value.text and "health_check_timeout" in failed.value.text
    assert calls(aieev_emu) == []


def test_missing_endpoint_id_fails_at_preview_naming_it(aieev_emu, make_stack):
    # given
    stack = make_stack(program({"container_port": 8080}))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert "endpoint_id" in failed.value.text
    assert calls(aieev_emu) == []


def test_unknown_endpoint_id_fails_at_preview_and_at_up_saying_it_must_exist_and_be_granted(aieev_emu, make_stack):
    # given
    stack = make_stack(program({"endpoint_id": "ep-missing", "container_port": 8080}))
    # when: the preview reads the endpoint it would take over, as up does
    with pytest.raises(StackFailed) as at_preview:
        stack.preview()
    with pytest.raises(StackFailed) as at_up:
        stack.up()
    # then
    for text in (at_preview.value.text, at_up.value.text):
        assert "'ep-missing' does not exist" in text and "must already exist" in text and "granted" in text
    assert calls(aieev_emu) == [("GET", "/endpoints/ep-missing")] * 2


def test_adopting_a_running_endpoint_previews_the_settings_it_sends_and_the_downtime(aieev_emu, make_stack):
    # given: a running endpoint with two replicas
    seed(aieev_emu, is_active=True, num_replicas=2)
    stack = make_stack(program({**base_cfg(), "replicas": 2}), env=FAST)
    # when
    preview = stack.preview()
    read = calls(aieev_emu)
    aieev_emu.clear_calls()
    stack.up()
    # then: one read; each setting up sends, and that sending them stops the running endpoint
    assert read == [GET]
    assert preview.step("llm").notes == [
        f"adopting {EP}: container_env_vars changes (secret)",
        f"adopting {EP}: container_port (write-only, not readable) => 8080",
        f"adopting {EP}: health_check_timeout (write-only, not readable) => 120",
        "downtime — applying container_env_vars, container_port, health_check_timeout stops the service meanwhile",
    ]
    assert calls(aieev_emu, reads=False) == [STOP, PATCH, START]
    assert SECRET not in preview.text


def test_naming_another_endpoint_previews_that_the_old_one_is_stopped_and_what_the_new_one_gets(aieev_emu, make_stack):
    # given: the stack manages a running endpoint; another one exists, stopped
    cfg, stack = managed_running_endpoint(aieev_emu, make_stack)
    aieev_emu.seed("aieev", "endpoints", {"id": "ep-llm-2", "name": "llm2", "is_active": False})
    # when
    cfg["endpoint_id"] = "ep-llm-2"
    preview = stack.preview()
    aieev_emu.clear_calls()
    stack.up()
    # then: the replacement says what happens to the endpoint it leaves, and what the new one gets
    step = preview.step("llm")
    assert step.op == "replace"
    assert f"the endpoint {EP} is then stopped (on_delete='stop'; 'forget' leaves it running)" in step.notes
    assert "adopting ep-llm-2: container_port (write-only, not readable) => 8080" in step.notes
    assert "adopting ep-llm-2: active False => True" in step.notes
    assert not any(n.startswith("downtime") for n in step.notes)  # it is stopped: nothing to stop
    assert ("POST", f"/endpoints/{EP}/stop") in calls(aieev_emu, reads=False)
    active = {r["endpoint_id"]: r["is_active"] for r in aieev_emu.inventory("aieev")["endpoints"]}
    assert active == {EP: False, "ep-llm-2": True}


def test_endpoint_not_granted_to_the_key_fails_at_up_saying_so_and_touches_nothing(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True, granted_keys=["someone-elses-key"])
    stack = make_stack(program(base_cfg()))
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert f"{EP!r} is not granted to this API key" in failed.value.text
    assert calls(aieev_emu) == [GET]
    assert record(aieev_emu)["is_active"] is True


def test_patch_409_race_is_retried_by_stopping_again(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    aieev_emu.add_fault(
        "aieev", kind="status", status=409, method="PATCH", message=f"Endpoint {EP} is active. Stop it first."
    )
    stack = make_stack(program(base_cfg()), env=FAST)
    # when
    stack.up()
    # then
    assert calls(aieev_emu, reads=False) == [STOP, PATCH, STOP, PATCH, START]
    rec = record(aieev_emu)
    assert rec["is_active"] is True and rec["container_port"] == 8080


def test_failed_start_is_reported_clearly(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=False, health_check_passes=False)
    stack = make_stack(program(base_cfg()), env=FAST)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then
    assert "DEPLOY_FAILED" in failed.value.text and "health check" in failed.value.text
    assert calls(aieev_emu, reads=False) == [PATCH, START]


@pytest.mark.parametrize(("then", "more"), [({}, []), ({"replicas": 2}, [SCALE])], ids=["unchanged", "rescaled"])
def test_an_update_whose_start_fails_after_its_patch_records_the_new_settings_and_the_next_up_only_starts(
    aieev_emu, make_stack, then, more
):
    # given: a managed running endpoint whose next start will fail its health check
    cfg, stack = managed_running_endpoint(aieev_emu, make_stack)
    aieev_emu.patch("aieev", "endpoints", EP, health_check_passes=False)
    cfg["container_port"] = 9000
    # when: the PATCH is applied, then the start fails; the next up runs unchanged, or with a new replicas
    with pytest.raises(StackFailed) as failed:
        stack.up()
    recorded = stack.resource_state("llm")
    aieev_emu.patch("aieev", "endpoints", EP, health_check_passes=True)
    aieev_emu.clear_calls()
    cfg.update(then)
    stack.up()
    # then: the stack kept the applied port (write-only: no refresh could have seen it), and the next up
    # started the failed endpoint again (a stop, then a start), with no second PATCH
    assert "updated, but not finished" in failed.value.text and "DEPLOY_FAILED" in failed.value.text
    assert recorded["outputs"]["container_port"] == 9000 and recorded.get("initErrors")
    assert sorted(calls(aieev_emu, reads=False)) == sorted([STOP, START, *more])
    assert record(aieev_emu)["container_port"] == 9000 and record(aieev_emu)["is_active"] is True
    assert not stack.resource_state("llm").get("initErrors")


def test_refresh_ignores_autoscaler_replica_moves_but_sees_out_of_band_stop(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True, enable_autoscaling=True)
    stack = make_stack(program({"endpoint_id": EP, "replicas": 2}), env=FAST)
    stack.up()
    aieev_emu.patch("aieev", "endpoints", EP, num_replicas=5)
    stack.refresh()
    # when
    preview = stack.preview()
    aieev_emu.patch("aieev", "endpoints", EP, is_active=False, status="STOPPED", replica_status_summary=None)
    stack.refresh()
    aieev_emu.clear_calls()
    stack.up()
    # then
    assert preview.step("llm").op == "same"
    assert calls(aieev_emu, reads=False) == [START]
    assert record(aieev_emu)["is_active"] is True


def test_env_secret_values_stay_encrypted_through_update_refresh_and_diff_output(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)
    cfg = base_cfg()
    stack = make_stack(program(cfg), env=FAST)
    created = stack.up()
    # when
    cfg["container_env_vars"] = [*cfg["container_env_vars"], aieev.EnvVarArgs(key="EXTRA", value=f"{SECRET}-2")]
    preview = stack.preview()
    updated = stack.up()
    refreshed = stack.refresh()
    # then
    assert preview.step("llm").diffs == ["container_env_vars"]
    for text in (created.text, preview.text, updated.text, refreshed.text, stack.export_text()):
        assert SECRET not in text
    assert sorted(e["value"] for e in record(aieev_emu)["container_env_vars"]) == ["llama", SECRET, f"{SECRET}-2"]
    state = stack.resource_state("llm")
    for props in (state["inputs"], state["outputs"]):
        assert set(props["container_env_vars"]) == {SECRET_SIG_KEY, "ciphertext"}  # an encrypted secret value


def test_two_resources_naming_one_endpoint_fail_at_preview_with_no_write(aieev_emu, make_stack):
    # given
    seed(aieev_emu, is_active=True)

    def twice() -> None:
        for name in ("a", "b"):
            aieev.Endpoint(name, aieev.EndpointArgs(endpoint_id=EP, container_port=8080))

    stack = make_stack(twice, env=FAST)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.preview()
    # then
    assert f"endpoint_id: {EP!r} is already adopted by" in failed.value.text
    assert calls(aieev_emu, reads=False) == []


def test_renaming_the_resource_without_aliases_leaves_the_endpoint_running(aieev_emu, make_stack):
    # given: a running endpoint this stack manages as "llm"
    cfg, stack = managed_running_endpoint(aieev_emu, make_stack)
    aieev_emu.clear_calls()

    def renamed() -> None:
        pulumi.export("id", aieev.Endpoint("chat", aieev.EndpointArgs(**cfg)).id)

    # when: the resource is renamed; the new one adopts the same endpoint, the old one leaves the stack
    stack.set_program(renamed)
    done = stack.up()
    # then: the new resource's adoption applies its settings (stop -> PATCH -> start); the old resource's
    # delete does not stop the endpoint the new one now manages
    assert calls(aieev_emu, reads=False) == [STOP, PATCH, START]
    assert record(aieev_emu)["is_active"] is True
    assert "not deleted: 'chat' adopts it in this update" in done.text
    assert stack.preview().summary == {"same": 2}
