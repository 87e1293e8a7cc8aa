"""State shared by a team: the stack lives in an S3 bucket (a local moto server), and the backend's lock
keeps two `up`s of one stack from interleaving while two different stacks update at once.

Overlap is made certain, not hoped for: a ``hold`` fault keeps the first `up`'s template create waiting
in the emulator until the test releases it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from s3_state import AWS_ENV, S3Server

from pulumi_deploy import runpod
from pulumi_deploy.emulator.client import EmulatorControl
from pulumi_deploy.local_stack import LocalStack, Outcome, StackFailed

ENDPOINTS = 2


def program() -> None:
    tmpl = runpod.Template("worker", runpod.TemplateArgs(image_name="ghcr.io/acme/worker:1.0", is_serverless=True))
    for i in range(ENDPOINTS):
        runpod.Endpoint(f"api{i}", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))


Workspace = Callable[..., LocalStack]


@pytest.fixture
def workspace(cli_root: Path, stack_env: dict[str, str], tmp_path: Path) -> Iterator[Workspace]:
    """A team member's checkout: its own work dir and Pulumi home, the shared backend."""
    count = iter(range(100))

    def factory(backend_url: str, stack: str = "shared") -> LocalStack:
        return LocalStack(
            tmp_path / f"member{next(count)}",
            program,
            cli_root=cli_root,
            env={**stack_env, **AWS_ENV},
            stack=stack,
            backend_url=backend_url,
        )

    yield factory


def _held_calls(emulator: EmulatorControl) -> list[dict[str, Any]]:
    return [c for c in emulator.calls("runpod") if c["method"] == "POST" and c["path"] == "/v2/templates"]


def _wait_for(condition: Callable[[], bool], what: str, attempts: int = 600) -> None:
    """Poll the emulator for a state the test created (bounded); the hold keeps that state stable."""
    event = threading.Event()
    for _ in range(attempts):
        if condition():
            return
        event.wait(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _in_thread(fn: Callable[[], Outcome]) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["outcome"] = fn()
        except BaseException as exc:  # reported by the test after join
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def _counts(emulator: EmulatorControl) -> tuple[int, int]:
    """(the program's templates, endpoints). An endpoint created through RunPod REST v2 (the default) runs
    its own copy of its template, which the emulator lists as ``<name>__template__<endpoint id>``."""
    inv = emulator.inventory("runpod")
    return len([t for t in inv["templates"] if "__template__" not in t["name"]]), len(inv["endpoints"])


def test_the_stack_lives_in_the_bucket_and_another_checkout_sees_it(emulator, s3_server: S3Server, workspace) -> None:
    backend = s3_server.new_bucket()
    alice = workspace(backend)
    alice.up()
    keys = s3_server.keys(backend)
    assert f".pulumi/stacks/{alice.project}/shared.json" in keys
    assert not (alice.workdir / "state" / ".pulumi" / "stacks").exists()  # nothing kept locally

    bob = workspace(backend)
    emulator.clear_calls()
    preview = bob.preview()
    assert preview.summary == {"same": 1 + 1 + ENDPOINTS}  # the stack resource, template, endpoints
    assert emulator.calls("runpod") == []
    bob.destroy()
    assert _counts(emulator) == (0, 0)


def test_a_concurrent_up_of_the_same_stack_is_refused_and_nothing_is_lost(
    emulator, s3_server: S3Server, workspace
) -> None:
    backend = s3_server.new_bucket()
    alice, bob = workspace(backend), workspace(backend)
    hold = emulator.add_fault("runpod", kind="hold", method="POST", path="^/v2/templates$")
    thread, result = _in_thread(alice.up)
    try:
        _wait_for(lambda: len(_held_calls(emulator)) == 1, "alice's template create to reach the emulator")
        with pytest.raises(StackFailed) as refused:
            bob.up()
        assert "currently locked" in refused.value.text, refused.value.text[-2000:]
    finally:
        emulator.release_fault(hold)
        thread.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert _counts(emulator) == (1, ENDPOINTS)
    assert len(_held_calls(emulator)) == 1  # bob's refused `up` made no request
    assert bob.preview().summary == {"same": 1 + 1 + ENDPOINTS}
    bob.destroy()
    assert _counts(emulator) == (0, 0)


def test_two_stacks_in_one_bucket_update_at_once(emulator, s3_server: S3Server, workspace) -> None:
    backend = s3_server.new_bucket()
    dev, prod = workspace(backend, stack="dev"), workspace(backend, stack="prod")
    hold = emulator.add_fault("runpod", kind="hold", method="POST", path="^/v2/templates$", times=2)
    threads = [_in_thread(dev.up), _in_thread(prod.up)]
    try:
        # Both creates held in the emulator at the same moment: both updates run at once.
        _wait_for(lambda: len(_held_calls(emulator)) == 2, "both stacks' template creates")
    finally:
        emulator.release_fault(hold)
        for thread, _ in threads:
            thread.join(timeout=300)
    for _, result in threads:
        assert "error" not in result, result.get("error")
    assert _counts(emulator) == (2, 2 * ENDPOINTS)
    keys = s3_server.keys(backend)
    assert {f".pulumi/stacks/{dev.project}/dev.json", f".pulumi/stacks/{dev.project}/prod.json"} <= set(keys)
    dev.destroy()
    prod.destroy()
    assert _counts(emulator) == (0, 0)
