"""``nemo.Connection`` through the real CLI: a config and its deployment on another platform (and
workspace) than the stack's settings name, created, refreshed and destroyed there.

The stack's own NeMo base URL points at a loopback port where nothing listens, so any call that
ignored the connection would fail with "connection refused" instead of passing by accident.
"""

from __future__ import annotations

import socket

import httpx
import pulumi
import pytest
from nemo_helpers import FAST, fast_controller, nemo_calls, objects
from nemo_scenarios import config_args

from pulumi_deploy import nemo, runpod

pytestmark = pytest.mark.e2e

WORKSPACE = "team-b"


def dead_base_url() -> str:
    """A loopback URL with nothing listening (the port is bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def config_and_deployment(connection: nemo.Connection | pulumi.Output[nemo.Connection]) -> None:
    config = nemo.ModelDeploymentConfig("cfg", config_args("conn-cfg"), connection=connection)
    dep = nemo.ModelDeployment(
        "dep",
        nemo.ModelDeploymentArgs(name="conn-dep", config=config.name, wait_for="READY", wait_timeout=30),
        connection=connection,
    )
    pulumi.export("cfg_workspace", config.workspace)
    pulumi.export("dep_status", dep.status)


@pytest.fixture(autouse=True)
def _platform(emulator):
    fast_controller(emulator)
    created = httpx.post(f"{emulator.base_url('nemo')}/apis/entities/v2/workspaces", json={"name": WORKSPACE})
    assert created.status_code == 201, created.text
    emulator.clear_calls()


def test_objects_given_a_connection_live_on_its_platform_and_workspace_through_up_refresh_and_destroy(
    emulator, make_stack
):
    # given: the stack's settings name a dead platform; the connection names the emulator and team-b
    connection = nemo.Connection(base_url=emulator.base_url("nemo"), workspace=WORKSPACE)
    stack = make_stack(lambda: config_and_deployment(connection), env={**FAST, "NEMO_BASE_URL": dead_base_url()})
    # when
    created = stack.up()
    # then: both objects are in team-b on the connection's platform
    assert (created.outputs["cfg_workspace"], created.outputs["dep_status"]) == (WORKSPACE, "READY")
    assert objects(emulator, "deployment_configs")["conn-cfg"]["workspace"] == WORKSPACE
    assert objects(emulator, "deployments")["conn-dep"]["workspace"] == WORKSPACE
    assert {path.split("/")[5] for _, path in nemo_calls(emulator, contains="/apis/models/")} == {WORKSPACE}
    assert emulator.base_url("nemo") not in stack.export_text()  # the connection is kept as a secret
    # when: refresh and a re-run
    emulator.clear_calls()
    refreshed = stack.refresh()
    again = stack.preview()
    # then: read on the connection's platform, nothing changed
    assert refreshed.summary.get("update", 0) == 0, refreshed.text
    assert set(again.summary) == {"same"}, again.summary
    assert nemo_calls(emulator, "GET"), "refresh read nothing from the connection's platform"
    # when
    stack.destroy()
    # then
    assert "conn-cfg" not in objects(emulator, "deployment_configs")
    assert "conn-dep" not in objects(emulator, "deployments")
    assert stack.resource_names() == set()


def test_a_connection_not_known_at_preview_does_not_preview_the_stacks_workspace(emulator, make_stack):
    # given: the connection is known only once a RunPod template exists (an Output at preview)
    base_url = emulator.base_url("nemo")

    def program() -> None:
        template = runpod.Template("t", runpod.TemplateArgs(image_name="ghcr.io/a/worker:1", is_serverless=True))
        later = template.id.apply(lambda _id: nemo.Connection(base_url=base_url, workspace=WORKSPACE))
        config_and_deployment(later)

    stack = make_stack(program, env={**FAST, "NEMO_WORKSPACE": "default"})
    # when
    preview = stack.preview()
    created = stack.up()
    # then: the preview does not claim the stack's workspace; up puts the objects in the connection's
    assert preview.step("cfg").new_inputs.get("workspace") != "default", preview.step("cfg").new_inputs
    assert created.outputs["cfg_workspace"] == WORKSPACE
    assert objects(emulator, "deployment_configs")["conn-cfg"]["workspace"] == WORKSPACE


def test_a_connection_that_becomes_known_only_at_up_says_in_the_diff_that_up_may_replace(emulator, make_stack):
    # given: a config made through a connection known at preview
    base_url = emulator.base_url("nemo")
    state = {"later": False}

    def program() -> None:
        connection: nemo.Connection | pulumi.Output[nemo.Connection] = nemo.Connection(base_url=base_url)
        if state["later"]:
            template = runpod.Template("t", runpod.TemplateArgs(image_name="ghcr.io/a/worker:1", is_serverless=True))
            connection = template.id.apply(lambda _id: nemo.Connection(base_url=base_url))
        nemo.ModelDeploymentConfig("cfg", config_args("late-cfg"), connection=connection)

    stack = make_stack(program, env=FAST)
    stack.up()
    # when: the connection is known only once another resource exists
    state["later"] = True
    preview = stack.preview(diff=True)
    stack.up()
    # then: the diff CI captures says what `up` may do; here it names the same server, so nothing moves
    assert "connection is known only at `up`" in preview.stdout, preview.stdout
    assert [c["name"] for c in emulator.inventory("nemo")["deployment_configs"]].count("late-cfg") == 1
