"""NeMo scenarios run through the real Pulumi CLI against a *peer*: the emulator or the real service.

Each scenario takes a :class:`Peer` (where the models API is, and the few things that differ between
the two, such as how to keep a deployment in DELETING) and a stack factory, and asserts on what a user
sees: preview steps, the CLI's output and the peer's own answers over HTTP.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pulumi
import pytest
from state_edits import forget_where_objects_live

from pulumi_deploy import nemo
from pulumi_deploy.local_stack import LocalStack, StackFailed

MODELS = "/apis/models/v2/workspaces"
_serial = itertools.count(1)


@dataclass
class Peer:
    """A running models API. ``hold_deleting(name)`` deletes a deployment out of band so that it stays
    DELETING until ``release(name)``; ``env`` is what a stack needs to reach it."""

    base_url: str
    env: dict[str, str]
    hold_deleting: Callable[[str], None]
    release: Callable[[str], None]
    label: str
    headers: dict[str, str] = field(default_factory=dict)
    #: Keep new deployments from becoming READY until a status is posted (the real service has no controller).
    stall_controller: Callable[[], None] = lambda: None

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(self.base_url + path, params=params or None, headers=self.headers, timeout=10)

    def post(self, path: str, body: Any, **params: Any) -> httpx.Response:
        return httpx.post(self.base_url + path, json=body, params=params or None, headers=self.headers, timeout=10)

    def delete(self, path: str) -> httpx.Response:
        return httpx.delete(self.base_url + path, headers=self.headers, timeout=10)

    def config(self, name: str, workspace: str = "default") -> httpx.Response:
        return self.get(f"{MODELS}/{workspace}/deployment-configs/{name}")

    def deployment(self, name: str, workspace: str = "default") -> httpx.Response:
        return self.get(f"{MODELS}/{workspace}/deployments/{name}")

    def versions(self, name: str) -> list[tuple[int, str, str]]:
        r = self.get(f"{MODELS}/default/deployments/{name}/versions")
        assert r.status_code == 200, r.text
        return sorted((d["entity_version"], d["status"], d["config"]) for d in r.json())


def unique(prefix: str) -> str:
    """Names are unique per run: the real service keeps its state for the whole session."""
    return f"{prefix}-{next(_serial)}-{int(time.time() * 1000) % 100000}"


def config_args(name: str, **overrides: Any) -> nemo.ModelDeploymentConfigArgs:
    values: dict[str, Any] = {
        "name": name,
        "engine": "nim",
        "model_spec": nemo.ModelSpecArgs(model_name="llama-3.1-8b-instruct", model_type="llm"),
        "executor_config": nemo.ExecutorConfigArgs(gpu=1),
        **overrides,
    }
    return nemo.ModelDeploymentConfigArgs(**values)


def assert_clean(stack: LocalStack) -> None:
    """Refresh finds nothing changed and the next preview plans nothing."""
    refreshed = stack.refresh()
    assert refreshed.summary.get("update", 0) == 0, refreshed.text
    planned = stack.preview()
    assert set(planned.summary) <= {"same"}, planned.summary


# -- scenarios -------------------------------------------------------------------------------


def move_deployment_to_a_new_config_and_remove_the_old_one(peer: Peer, make_stack: Callable[..., LocalStack]) -> float:
    """Config A + deployment; then the deployment on config B and A removed. Returns the seconds that `up` took."""
    cfg_a, cfg_b, dep_name = unique("cfg-a"), unique("cfg-b"), unique("dep")
    state = {"config": "a"}

    def program() -> None:
        key = state["config"]
        config = nemo.ModelDeploymentConfig(f"cfg-{key}", config_args(cfg_a if key == "a" else cfg_b))
        dep = nemo.ModelDeployment("dep", nemo.ModelDeploymentArgs(name=dep_name, config=config.name))
        pulumi.export("dep_version", dep.entity_version)
        pulumi.export("dep_config", dep.config)

    stack = make_stack(program, env=peer.env)
    stack.up()
    # when
    state["config"] = "b"
    preview = stack.preview()
    start = time.monotonic()
    moved = stack.up()
    elapsed = time.monotonic() - start
    # then
    assert (preview.step("cfg-b").op, preview.step("dep").op, preview.step("cfg-a").op) == (
        "create",
        "update",
        "delete",
    )
    assert peer.config(cfg_a).status_code == 404
    latest = peer.deployment(dep_name).json()
    assert (latest["entity_version"], latest["config"]) == (2, cfg_b)
    assert (moved.outputs["dep_version"], moved.outputs["dep_config"]) == (2, cfg_b)
    assert f"retiring default/{dep_name} version 1" in moved.text
    versions = peer.versions(dep_name)
    assert versions[-1] == (2, latest["status"], cfg_b) and latest["status"] not in ("DELETING", "DELETED")
    assert all(status == "DELETED" for v, status, _ in versions if v == 1)  # retired (or already collected)
    assert_clean(stack)
    # when
    stack.destroy()
    # then
    assert (peer.deployment(dep_name).status_code, peer.config(cfg_b).status_code) == (404, 404)
    return elapsed


def live_deployment_blocks_a_config_replacement_fast(peer: Peer, make_stack: Callable[..., LocalStack]) -> None:
    """Same-name config replaced (project change) while the deployment's current version uses it: fail at once."""
    cfg, dep_name = unique("cfg"), unique("dep")
    project = {"value": None}

    def program() -> None:
        config = nemo.ModelDeploymentConfig("cfg", config_args(cfg, project=project["value"]))
        nemo.ModelDeployment("dep", nemo.ModelDeploymentArgs(name=dep_name, config=config.name))

    stack = make_stack(program, env=peer.env)
    stack.up()
    assert peer.post("/apis/entities/v2/workspaces/default/projects", {"name": f"{cfg}-p"}).status_code == 201
    # when
    project["value"] = f"{cfg}-p"
    with pytest.raises(StackFailed) as failed:
        stack.up()
    text = failed.value.text
    # then
    assert f"cannot delete deployment config default/{cfg}" in text and f"default/{dep_name} (status" in text
    assert peer.config(cfg).json().get("project") is None
    project["value"] = None
    stack.destroy()
    assert peer.deployment(dep_name).status_code == 404


def status_is_recorded_per_version_without_drift(peer: Peer, make_stack: Callable[..., LocalStack]) -> None:
    """ModelDeploymentStatus on the latest version, then on the current version by number (``?version=N``)."""
    cfg, dep_name = unique("cfg"), unique("dep")
    gpu: dict[str, Any] = {"value": 1, "track": False}

    def program() -> None:
        config = nemo.ModelDeploymentConfig(
            "cfg", config_args(cfg, executor_config=nemo.ExecutorConfigArgs(gpu=gpu["value"]))
        )
        dep = nemo.ModelDeployment(
            "dep", nemo.ModelDeploymentArgs(name=dep_name, config=config.name, config_version=config.entity_version)
        )
        nemo.ModelDeploymentStatus(
            "status",
            nemo.ModelDeploymentStatusArgs(
                deployment=dep.name,
                version=dep.entity_version if gpu["track"] else None,
                status="READY",
                status_message="served by the pipeline",
                model_provider_id="default/pipeline-provider",
            ),
        )

    stack = make_stack(program, env=peer.env)
    stack.up()
    assert peer.deployment(dep_name).json()["status"] == "READY"
    # when: config v2 -> deployment v2 -> the status recorded on v2
    gpu.update(value=2, track=True)
    stack.up()
    # then
    latest = peer.deployment(dep_name).json()
    assert (latest["entity_version"], latest["config_version"], latest["status"]) == (2, 2, "READY")
    assert latest["model_provider_id"] == "default/pipeline-provider"
    assert peer.get(f"{MODELS}/default/deployments/{dep_name}/versions/2").json()["status"] == "READY"
    assert_clean(stack)
    stack.destroy()
    assert (peer.deployment(dep_name).status_code, peer.config(cfg).status_code) == (404, 404)


def unknown_workspace_and_project_fail_with_one_clear_line(peer: Peer, make_stack: Callable[..., LocalStack]) -> None:
    cfg = unique("cfg")
    where: dict[str, Any] = {"workspace": "no-such-ws", "project": None}

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(cfg, workspace=where["workspace"], project=where["project"]))

    stack = make_stack(program, env=peer.env)
    for change, expected in (
        ({}, "workspace 'no-such-ws' does not exist on the NeMo platform"),
        (
            {"workspace": "default", "project": "no-such-project"},
            "Project 'no-such-project' does not exist in workspace 'default'. Please create the project first.",
        ),
    ):
        where.update(change)
        with pytest.raises(StackFailed) as failed:
            stack.up()
        assert [line for line in failed.value.text.splitlines() if expected in line], failed.value.text
    assert peer.config(cfg).status_code == 404


def a_feature_the_platform_disables_is_refused_in_its_words(peer: Peer, make_stack: Callable[..., LocalStack]) -> None:
    # given: a custom tool-call parser plugin, which the platform's configuration disables by default
    cfg = unique("cfg")
    spec = nemo.ModelSpecArgs(model_name="m", tool_call_config=nemo.ToolCallConfigArgs(tool_call_plugin="default/p"))

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(cfg, model_spec=spec))

    stack = make_stack(program, env=peer.env)
    # when
    with pytest.raises(StackFailed) as failed:
        stack.up()
    # then: the platform's reason, not a token or role problem (there is no token: auth is off)
    text = failed.value.text
    assert "403" in text and "Set models.tool_call_plugin.enabled=true" in text, text
    assert "token" not in text and "role" not in text, text
    assert peer.config(cfg).status_code == 404


def update_while_deleting_is_refused_and_writes_nothing(peer: Peer, make_stack: Callable[..., LocalStack]) -> None:
    cfg, dep_name = unique("cfg"), unique("hold-dep")
    change = {"gpu": 1, "pin": None}

    def program() -> None:
        config = nemo.ModelDeploymentConfig(
            "cfg", config_args(cfg, executor_config=nemo.ExecutorConfigArgs(gpu=change["gpu"]))
        )
        nemo.ModelDeployment(
            "dep", nemo.ModelDeploymentArgs(name=dep_name, config=config.name, config_version=change["pin"])
        )

    stack = make_stack(program, env=peer.env)
    stack.up()
    peer.hold_deleting(dep_name)
    # when: a new deployment version is due while the deployment is being deleted outside Pulumi
    change.update(gpu=2, pin=2)
    with pytest.raises(StackFailed) as failed:
        stack.up()
    text = failed.value.text
    # then
    assert "not updated — it is DELETING" in text and "pulumi refresh" in text
    assert peer.versions(dep_name) == [(1, "DELETING", cfg)]
    # cleanup: let the deletion finish; refresh forgets the deployment, destroy removes the config
    peer.release(dep_name)
    stack.refresh()
    stack.destroy()
    assert (peer.deployment(dep_name).status_code, peer.config(cfg).status_code) == (404, 404)


def a_create_whose_wait_runs_out_is_recorded_and_finished_once_the_status_comes(
    peer: Peer, make_stack: Callable[..., LocalStack]
) -> None:
    """Nothing moves the new deployment on to READY, so ``wait_for=READY`` runs out: the deployment
    exists, and the stack records it with the failure. Once a pipeline reports READY, the next `up`
    finishes the create (no second deployment, no new version)."""
    peer.stall_controller()
    cfg, dep_name = unique("cfg"), unique("dep")

    def program() -> None:
        config = nemo.ModelDeploymentConfig("cfg", config_args(cfg))
        nemo.ModelDeployment(
            "dep", nemo.ModelDeploymentArgs(name=dep_name, config=config.name, wait_for="READY", wait_timeout=1)
        )

    stack = make_stack(program, env=peer.env)
    with pytest.raises(StackFailed) as failed:
        stack.up()
    assert "created, but not finished" in failed.value.text and "READY" in failed.value.text
    dep = stack.resource_state("dep")
    assert dep["id"] == f"default/{dep_name}" and dep.get("initErrors")
    assert peer.deployment(dep_name).json()["status"] in ("CREATED", "PENDING")  # the real one stays CREATED
    assert stack.preview().step("dep").op == "update"
    # when: the pipeline reports READY
    reported = peer.post(f"{MODELS}/default/deployments/{dep_name}/status", {"status": "READY", "status_message": "up"})
    assert reported.status_code == 200, reported.text
    stack.up()
    # then
    assert "initErrors" not in stack.resource_state("dep")
    assert [(v, st) for v, st, _ in peer.versions(dep_name)] == [(1, "READY")]
    assert_clean(stack)
    stack.destroy()
    assert peer.deployment(dep_name).status_code == 404


def a_404_is_believed_only_from_the_models_api(peer: Peer, make_stack: Callable[..., LocalStack]) -> None:
    """A config deleted out of band leaves the stack on refresh; behind a base URL that is not the models
    API (every path 404), refresh fails naming the setting and the stack keeps what it has. (State that
    records the server of its objects is refreshed there whatever the base URL: this is older state.)"""
    kept, dropped = unique("cfg-kept"), unique("cfg-dropped")

    def program() -> None:
        nemo.ModelDeploymentConfig("kept", config_args(kept))
        nemo.ModelDeploymentConfig("dropped", config_args(dropped))

    stack = make_stack(program, env=peer.env)
    stack.up()
    forget_where_objects_live(stack)
    # when: one config is deleted outside Pulumi, and the stack refreshes through a wrong base URL
    assert peer.delete(f"{MODELS}/default/deployment-configs/{dropped}").status_code in (200, 202, 204)
    right = stack.env["NEMO_BASE_URL"]
    stack.set_env("NEMO_BASE_URL", right + "/not-the-models-api")
    with pytest.raises(StackFailed) as failed:
        stack.refresh()
    # then: nothing left the stack, and the failure names the setting
    assert "nemo:baseUrl / $NEMO_BASE_URL" in failed.value.text
    assert "nothing was removed from the stack" in failed.value.text
    assert {"kept", "dropped"} <= stack.resource_names()
    # when: the base URL is right again
    stack.set_env("NEMO_BASE_URL", right)
    stack.refresh()
    # then: only the config deleted out of band left the stack, and the live one is unchanged
    assert "kept" in stack.resource_names() and "dropped" not in stack.resource_names()
    assert peer.config(kept).status_code == 200
    stack.destroy()
    assert peer.config(kept).status_code == 404


def pinning_the_resolved_config_version_is_no_change(peer: Peer, make_stack: Callable[..., LocalStack]) -> None:
    """A deployment left on the latest config version, then pinned to exactly the version the server
    resolved: the preview plans nothing and says nothing of a new version, and `up` writes none."""
    cfg, dep_name = unique("cfg"), unique("dep")
    pin: dict[str, Any] = {"version": None}

    def program() -> None:
        config = nemo.ModelDeploymentConfig("cfg", config_args(cfg))
        nemo.ModelDeployment(
            "dep", nemo.ModelDeploymentArgs(name=dep_name, config=config.name, config_version=pin["version"])
        )

    stack = make_stack(program, env=peer.env)
    stack.up()
    resolved = peer.deployment(dep_name).json()["config_version"]
    # when
    pin["version"] = resolved
    preview = stack.preview()
    stack.up()
    # then
    assert preview.step("dep").op == "same"
    assert "new version" not in preview.text
    assert [v for v, _, _ in peer.versions(dep_name)] == [1]
    assert_clean(stack)
    stack.destroy()


def a_version_that_no_longer_fits_its_name_is_refused_at_preview(
    peer: Peer, make_stack: Callable[..., LocalStack]
) -> None:
    """The platform stores version N of a config as `<name>-vN` and judges that by the 63-character name
    rule: version 10 of a 60-character name is refused (422, quoting the stored name). The preview says so
    before anything is sent."""
    name = unique("cfg").ljust(60, "x")
    description = {"text": "first"}

    def program() -> None:
        nemo.ModelDeploymentConfig("cfg", config_args(name, description=description["text"]))

    stack = make_stack(program, env=peer.env)
    stack.up()
    path = f"{MODELS}/default/deployment-configs/{name}"
    definition = {"engine": "nim", "model_spec": {"model_name": "llama-3.1-8b-instruct"}, "executor_config": {"gpu": 1}}
    for _ in range(8):  # versions 2..9, out of band
        assert peer.post(path, {**definition, "description": "first"}).status_code == 201
    tenth = peer.post(path, {**definition, "description": "first"})
    stack.refresh()
    # when: the program changes the config
    description["text"] = "second"
    with pytest.raises(StackFailed) as refused:
        stack.preview()
    # then: the platform refuses version 10 at its stored name; the preview refuses it first
    assert tenth.status_code == 422 and f"{name}-v10" in tenth.text, tenth.text
    assert peer.config(name).json()["entity_version"] == 9
    assert f"the platform stores version 10 as '{name}-v10'" in refused.value.text
    stack.destroy()
