"""The stack's base URL changes after objects were made: they stay where they live until `up` moves them.

Two emulators stand for two RunPod servers; no connection is given. A base URL changed in stack config
reaches the provider at the next `up` (refresh and destroy run with the provider settings of the last
deployment), one changed in the environment at once. Refresh and destroy must reach the objects on the
server that made them, and `up` must move them, as the preview says, rather than forget them there and
make duplicates on the new one.
"""

from __future__ import annotations

import pulumi
import pytest

from pulumi_deploy import runpod
from pulumi_deploy.emulator.process import run_emulator
from pulumi_deploy.local_stack import LocalStack

pytestmark = pytest.mark.e2e


def one_template() -> None:
    t = runpod.Template("t", runpod.TemplateArgs(image_name="ghcr.io/a/worker:1", is_serverless=True))
    pulumi.export("id", t.id)


def writes(calls: list[dict]) -> list[tuple[str, str]]:
    return [(c["method"], c["path"]) for c in calls if c["method"] != "GET"]


def test_a_new_base_url_in_stack_config_previews_a_move_and_up_moves_the_object(make_stack, emulator):
    # given: a template made on this emulator; a second emulator is another RunPod server
    stack = make_stack(one_template)
    old_id = stack.up().outputs["id"]
    with run_emulator() as other:
        new_url = other.base_urls["RUNPOD_BASE_URL"]
        # when: stack config names the other server
        stack.set_config("runpod:baseUrl", new_url)
        emulator.clear_calls()
        preview = stack.preview()
        moved = stack.up()
        # then: the preview said replace, and why; up created it there, then deleted it here
        assert preview.step("t").op == "replace", preview.text
        assert f"the stack's settings now name another server ({new_url})" in preview.text
        assert [n for n in preview.step("t").notes if "now name another server" in n], preview.step("t")
        assert [t["id"] for t in other.control.inventory("runpod")["templates"]] == [moved.outputs["id"]]
        assert emulator.inventory("runpod")["templates"] == []
        assert writes(emulator.calls("runpod")) == [("DELETE", f"/v2/templates/{old_id}")]
        # and the stack now lives there: a preview changes nothing, destroy deletes it there
        assert stack.preview().summary == {"same": 2}
        stack.destroy()
        assert other.control.inventory("runpod")["templates"] == []


def test_refresh_and_destroy_under_another_base_url_reach_the_object_where_it_lives(
    emulator, stack_env, cli_root, tmp_path
):
    # given: a template made on this emulator, then the environment (a CI variable, say) names another
    # server; refresh and destroy, which run no program, see the environment at once
    made = LocalStack(tmp_path / "s", one_template, cli_root=cli_root, env=stack_env).up().outputs["id"]
    with run_emulator() as other:
        moved_env = {**stack_env, "RUNPOD_BASE_URL": other.base_urls["RUNPOD_BASE_URL"]}
        stack = LocalStack(tmp_path / "s", one_template, cli_root=cli_root, env=moved_env)
        emulator.clear_calls()
        # when
        refreshed = stack.refresh()
        kept = stack.outputs()
        stack.destroy()
        # then: refresh read it here and kept it; destroy deleted it here; the other server saw no call
        assert refreshed.summary == {"same": 2}, refreshed.text
        assert kept["id"] == made
        assert ("GET", f"/v2/templates/{made}") in [(c["method"], c["path"]) for c in emulator.calls("runpod")]
        assert writes(emulator.calls("runpod")) == [("DELETE", f"/v2/templates/{made}")]
        assert emulator.inventory("runpod")["templates"] == []
        assert other.control.calls("runpod") == []


def test_another_url_of_the_same_server_in_stack_config_is_recorded_without_a_write(
    make_stack, emulator, emulator_process
):
    # given
    stack = make_stack(one_template)
    made = stack.up().outputs["id"]
    by_name = emulator_process.base_urls["RUNPOD_BASE_URL"].replace("127.0.0.1", "localhost")
    # when: the same server by its host name
    stack.set_config("runpod:baseUrl", by_name)
    emulator.clear_calls()
    preview = stack.preview()
    recorded = stack.up()
    # then: found there; the update records the address and sends nothing; after it, nothing changes
    assert preview.step("t").op == "update", preview.text
    assert f"{by_name} answers for this object too" in preview.text
    assert recorded.summary.get("update") == 1, recorded.summary
    assert writes(emulator.calls("runpod")) == []
    assert [t["id"] for t in emulator.inventory("runpod")["templates"]] == [made]
    assert stack.preview().summary == {"same": 2}
    location = next(
        r["outputs"]["__pulumi_deploy"]["location"]
        for r in stack.export()["resources"]
        if r["type"].endswith("Template")
    )
    assert location == {"runpod:apiVersion": "v2", "runpod:baseUrl": by_name}
