"""A create whose answer was lost after the server made the object, for the vendors whose names are
unique (NeMo) and those whose names are not (RunPod endpoints, TrustGate upstreams): one `up`, exactly
one object each; and an object of the same name but another content is never taken over.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pulumi
import pytest

from pulumi_deploy import nemo, runpod
from pulumi_deploy.local_stack import StackFailed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))
from nemo_helpers import FAST, fast_controller


def nemo_program(gpu: int = 1) -> None:
    config = nemo.ModelDeploymentConfig(
        "cfg",
        nemo.ModelDeploymentConfigArgs(
            name="lost-cfg",
            engine="nim",
            model_spec=nemo.ModelSpecArgs(model_type="llm", model_name="llama-3.1-8b-instruct"),
            executor_config=nemo.ExecutorConfigArgs(gpu=gpu),
        ),
    )
    nemo.ModelDeployment("dep", nemo.ModelDeploymentArgs(name="lost-dep", config=config.name, wait_for="READY"))


def _live(emulator, kind: str) -> list[dict]:
    return [r for r in emulator.inventory("nemo")[kind] if str(r.get("status", "")).upper() != "DELETED"]


def test_nemo_creates_whose_answers_were_lost_converge_with_one_object_each(emulator, make_stack) -> None:
    fast_controller(emulator)
    stack = make_stack(nemo_program, env=FAST)
    for path in ("/deployment-configs$", "/deployments$"):
        emulator.add_fault("nemo", kind="drop_after", method="POST", path=path)
    stack.up()
    assert len({r["name"] for r in _live(emulator, "deployment_configs")}) == 1
    assert len({r["name"] for r in _live(emulator, "deployments")}) == 1
    posts = [
        c for c in emulator.calls("nemo") if c["method"] == "POST" and c["path"].endswith(("configs", "deployments"))
    ]
    assert len(posts) == 2  # each sent once: the lost answer was found, not re-sent
    assert stack.preview().summary == {"same": 3}
    stack.destroy()


def test_a_nemo_config_of_the_same_name_and_another_definition_is_not_taken_over(emulator, make_stack) -> None:
    fast_controller(emulator)
    theirs = make_stack(lambda: nemo_program(gpu=2), env=FAST)
    theirs.up()
    ours = make_stack(nemo_program, env=FAST)
    with pytest.raises(StackFailed):
        ours.up()
    configs = [r for r in _live(emulator, "deployment_configs") if r["name"] == "lost-cfg"]
    assert configs and all(r["executor_config"]["gpu"] == 2 for r in configs)
    theirs.destroy()


def _volume_program() -> None:
    volume = runpod.NetworkVolume("vol", runpod.NetworkVolumeArgs(size=10, data_center_id="EU-RO-1"))
    pulumi.export("id", volume.id)


def _volume_posts(emulator) -> list[dict]:
    return [c for c in emulator.calls("runpod") if (c["method"], c["path"]) == ("POST", "/v2/network-volumes")]


def _one_post_made_the_stacks_one_volume(emulator, stack, volume_id: str) -> None:
    """One POST ever, its volume the one the stack records (unchanged since), and destroy deletes it."""
    assert len(_volume_posts(emulator)) == 1
    assert [v["id"] for v in emulator.inventory("runpod")["networkvolumes"]] == [volume_id]
    assert stack.preview().summary == {"same": 2}
    stack.destroy()
    assert emulator.inventory("runpod")["networkvolumes"] == []


def test_a_create_the_server_answers_too_late_is_not_sent_again_and_the_next_up_takes_it_over(
    emulator, make_stack
) -> None:
    # given: the server keeps the create waiting longer than the client's timeout (names are not unique
    # on RunPod, so a second POST would make a second volume)
    hold = emulator.add_fault("runpod", kind="hold", method="POST", path="^/v2/network-volumes$")
    stack = make_stack(_volume_program, env={"PULUMI_DEPLOY_HTTP_TIMEOUT": "3"})
    # when: `up` times out; then the server finishes the create; then `up` again
    try:
        with pytest.raises(StackFailed) as failed:
            stack.up()
    finally:
        emulator.release_fault(hold)
    settled = threading.Event()
    for _ in range(300):  # the released request is served in the background
        if emulator.inventory("runpod")["networkvolumes"]:
            break
        settled.wait(0.1)
    posts_before = len(_volume_posts(emulator))
    again = stack.up()
    # then: one POST ever, and the object it made is the stack's
    assert "was not sent again" in failed.value.text, failed.value.text[-2000:]
    assert "the next `pulumi up` looks for it first and takes it over" in failed.value.text
    assert posts_before == 1
    assert "taking it over" in again.text
    _one_post_made_the_stacks_one_volume(emulator, stack, again.outputs["id"])


def test_a_create_a_gateway_gave_up_on_is_found_when_the_server_makes_it_and_not_sent_again(
    emulator, make_stack
) -> None:
    # given: a gateway answers 504 at once while the server behind it makes the volume a second later
    # (names are not unique on RunPod: a second POST would make a second volume)
    emulator.add_fault(
        "runpod", kind="answer_then_process", status=504, seconds=1.0, method="POST", path="^/v2/network-volumes$"
    )
    stack = make_stack(_volume_program, env={"PULUMI_DEPLOY_HTTP_TIMEOUT": "20"})
    # when
    made = stack.up()
    # then: one POST, one volume, and it is the stack's
    assert "the create that got no answer had succeeded; adopting it" in made.text
    _one_post_made_the_stacks_one_volume(emulator, stack, made.outputs["id"])
