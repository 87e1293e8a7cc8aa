"""A create whose follow-up step fails (here: Cyberun's deploy) has made an object: the stack records it,
with the failure as the resource's initialization error, so the next `up` finishes that object (no
second one, no adopt_id) and `destroy` deletes it. A slug held by someone else's service is left alone.
"""

from __future__ import annotations

import pytest

from pulumi_deploy import cyberun
from pulumi_deploy.local_stack import StackFailed
from scripts.demo import FAST_TRANSITIONS

SLUG = "follow-up"


def program(adopt_id: str | None = None):
    def run() -> None:
        args = cyberun.ContainerServiceArgs(
            service_slug=SLUG, docker_image="vllm/vllm-openai:v0.6.3", adopt_id=adopt_id
        )
        cyberun.ContainerService("svc", args)

    return run


def _containers(emulator) -> list[dict]:
    return emulator.inventory("cyberun")["containers"]


def _posts(emulator, suffix: str = "") -> list[dict]:
    return [c for c in emulator.calls("cyberun") if c["method"] == "POST" and c["path"].endswith(suffix)]


@pytest.fixture
def fast(emulator):
    emulator.settings("cyberun", **FAST_TRANSITIONS["cyberun"])
    return emulator


def _recorded(stack) -> list[dict]:
    return [r for r in stack.export().get("resources", []) if r["type"].endswith("ContainerService")]


def test_a_failed_deploy_after_create_is_recorded_and_finished_by_the_next_up(fast, make_stack) -> None:
    emulator = fast
    stack = make_stack(program())
    emulator.settings("cyberun", fail_next_deploy=True)
    with pytest.raises(StackFailed) as failed:
        stack.up()
    assert "deploy ended in `failed`" in failed.value.text
    assert "created, but not finished" in failed.value.text
    (left,) = _containers(emulator)
    assert left["service_status"] == "failed"
    (recorded,) = _recorded(stack)
    assert recorded["id"] == left["id"]
    assert any("deploy ended in `failed`" in e for e in recorded.get("initErrors", []))

    preview = stack.preview(diff=True)
    assert preview.step("svc").op == "update"
    (said,) = [m for urn, _, m in preview.resource_diagnostics if urn == recorded["urn"] and "before finishing" in m]
    assert "deploy ended in `failed`" in said and "`pulumi up` finishes it (deploys it" in said
    assert "failed before finishing it" in stack.preview(diff=False).stdout  # under the resource
    emulator.clear_calls()
    stack.up()
    assert [c["service_status"] for c in _containers(emulator)] == ["running"]
    assert _posts(emulator, "/containers") == []  # finished, not created again
    assert len(_posts(emulator, "/deploy")) == 1
    assert "initErrors" not in _recorded(stack)[0]
    assert stack.preview().summary == {"same": 2}
    stack.destroy()
    assert _containers(emulator) == []


def test_an_unfinished_create_survives_a_refresh_and_a_destroy_deletes_it(fast, make_stack) -> None:
    emulator = fast
    stack = make_stack(program())
    emulator.settings("cyberun", fail_next_deploy=True)
    with pytest.raises(StackFailed):
        stack.up()
    stack.refresh()  # the engine forgets the failure here; the stack still knows the create is unfinished
    assert "initErrors" not in _recorded(stack)[0]
    assert stack.preview().step("svc").op == "update"
    stack.destroy()
    assert _containers(emulator) == []


def test_a_deploy_whose_answer_was_lost_is_not_sent_twice(fast, make_stack) -> None:
    emulator = fast
    stack = make_stack(program())
    emulator.add_fault("cyberun", kind="drop_after", method="POST", path="/deploy$")
    stack.up()
    assert [c["service_status"] for c in _containers(emulator)] == ["running"]
    assert len(_posts(emulator, "/deploy")) == 1  # the state check saw it had taken effect
    stack.destroy()


def test_a_slug_held_by_a_service_this_stack_does_not_manage_is_left_alone(fast, make_stack) -> None:
    emulator = fast
    other = make_stack(
        lambda: cyberun.ContainerService(
            "theirs", cyberun.ContainerServiceArgs(service_slug=SLUG, docker_image="someone/else:1")
        )
    )
    other.up()
    theirs = _containers(emulator)[0]
    stack = make_stack(program())
    with pytest.raises(StackFailed) as failed:
        stack.up()
    assert "does not manage" in failed.value.text and "adopt_id" in failed.value.text
    assert [c["docker_image"] for c in _containers(emulator)] == [theirs["docker_image"]]
    other.destroy()
