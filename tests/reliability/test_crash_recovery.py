"""A CI job killed mid-`up` (SIGKILL of the Pulumi CLI and everything it started), then the documented
recovery (README, "After a crash"): `pulumi cancel`, the killed command again, then
`pulumi refresh --clear-pending-creates`. Creates the killed run had sent are pending in the state; the
engine creates them again, and the provider finds each object the killed run made (deterministic
names, exact content) instead of making a second one. The engine keeps the pending operations (and
warns of them at every later `up`) until the refresh clears them.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
from pathlib import Path
from typing import Any

from pulumi_deploy import runpod

ENDPOINTS = 16


def program() -> None:
    tmpl = runpod.Template("worker", runpod.TemplateArgs(image_name="ghcr.io/acme/worker:1.0", is_serverless=True))
    for i in range(ENDPOINTS):
        runpod.Endpoint(f"ep{i}", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p))
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _the_cli_running(command: str = "up") -> int:
    for pid in _children(os.getpid()):
        args = _cmdline(pid)
        if args and args[0].endswith("/pulumi") and command in args:
            return pid
    raise AssertionError(f"no `pulumi {command}` child process found")


def _kill_tree(pid: int) -> None:
    """What a cancelled CI job does: the CLI and everything it started die at once."""
    for p in _tree(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(p, signal.SIGKILL)


def _wait_for(condition: Any, what: str) -> None:
    pause = threading.Event()
    for _ in range(1200):
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _killed_while_held(emulator, command: Any, cli: str, method: str, path: str) -> dict[str, Any]:
    """Run ``command`` (the stack's ``up`` or ``destroy``) until the server holds its first ``method`` to
    ``path``, kill the CLI and everything it started, then let the server finish that request."""
    hold = emulator.add_fault("runpod", kind="hold", method=method, path=path)
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            command()
        except Exception as exc:  # the killed run fails; reported to the caller
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        _wait_for(
            lambda: any(c["method"] == method and re.search(path, c["path"]) for c in emulator.calls("runpod")),
            f"the {method} to reach the emulator",
        )
        _kill_tree(_the_cli_running(cli))
        thread.join(timeout=120)
    finally:
        emulator.release_fault(hold)
    return result


def test_sigkill_mid_up_then_the_documented_recovery_leaves_one_object_per_resource(emulator, make_stack) -> None:
    stack = make_stack(program)
    emulator.set_latency(0.2, vendor="runpod")  # creates overlap the kill: some sent, some not yet
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            stack.up(parallel=4)
        except Exception as exc:  # the killed run fails; reported below
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    _wait_for(lambda: len(emulator.inventory("runpod")["endpoints"]) >= 5, "5 endpoints to exist")
    _kill_tree(_the_cli_running("up"))
    thread.join(timeout=120)
    assert "error" in result, "the killed `up` should have failed"
    emulator.set_latency(0.0, vendor="runpod")
    made = len(emulator.inventory("runpod")["endpoints"])
    assert 5 <= made <= ENDPOINTS
    pending = stack.export().get("pending_operations") or []

    # The documented recovery.
    stack.stack.cancel()
    again = stack.up()
    left_pending = stack.export().get("pending_operations") or []
    refreshed = stack.refresh(clear_pending_creates=True)

    assert "pending operations from previous deployment" in again.text
    assert len(left_pending) == len(pending) > 0  # what the refresh is for
    assert not stack.export().get("pending_operations")
    assert refreshed.summary == {"same": 1 + 1 + ENDPOINTS}
    inventory = emulator.inventory("runpod")
    user_templates = [t for t in inventory["templates"] if "__template__" not in t["name"]]
    assert len(user_templates) == 1
    assert len(inventory["endpoints"]) == ENDPOINTS, (made, len(pending))
    assert stack.preview().summary == {"same": 1 + 1 + ENDPOINTS}
    stack.destroy()
    assert emulator.inventory("runpod")["endpoints"] == []
    print(f"killed with {made} of {ENDPOINTS} endpoints made, {len(pending)} creates pending; recovered to {ENDPOINTS}")


def small_program() -> None:
    tmpl = runpod.Template("worker", runpod.TemplateArgs(image_name="ghcr.io/acme/worker:1.0", is_serverless=True))
    runpod.Endpoint("ep", runpod.EndpointArgs(template_id=tmpl.id, workers_max=2))
    runpod.NetworkVolume("vol", runpod.NetworkVolumeArgs(size=10, data_center_id="EU-RO-1"))


def test_sigkill_mid_destroy_then_the_documented_recovery_leaves_nothing(emulator, make_stack) -> None:
    # given: a destroy killed while the server is deleting the volume (the delete then completes)
    stack = make_stack(small_program)
    stack.up()
    result = _killed_while_held(emulator, stack.destroy, "destroy", "DELETE", "^/v2/network-volumes/")
    _wait_for(lambda: emulator.inventory("runpod")["networkvolumes"] == [], "the released delete to be served")
    assert "error" in result, "the killed `destroy` should have failed"
    killed_pending = [p["type"] for p in stack.export().get("pending_operations") or []]
    # when: the documented recovery
    stack.stack.cancel()
    stack.destroy()
    stack.refresh(clear_pending_creates=True)
    # then
    inventory = emulator.inventory("runpod")
    assert "deleting" in killed_pending  # the volume's (another delete may have been in flight too)
    assert inventory["networkvolumes"] == inventory["endpoints"] == []
    assert [t for t in inventory["templates"] if "__template__" not in t["name"]] == []
    assert not stack.export().get("pending_operations")
    assert [r["type"] for r in stack.export().get("resources") or []] == []


def template_program(image: str) -> Any:
    def run() -> None:
        runpod.Template("worker", runpod.TemplateArgs(image_name=image, is_serverless=True))

    return run


def test_sigkill_mid_create_then_a_changed_program_takes_the_object_over_with_the_new_values(
    emulator, make_stack
) -> None:
    # given: an `up` killed while the server is making the template (it is made; the state never knows)
    stack = make_stack(template_program("ghcr.io/acme/worker:1.0"))
    result = _killed_while_held(emulator, stack.up, "up", "POST", "^/v2/templates$")

    def user_templates() -> list[dict[str, Any]]:
        return [t for t in emulator.inventory("runpod")["templates"] if "__template__" not in t["name"]]

    _wait_for(lambda: len(user_templates()) == 1, "the released create to be served")
    assert "error" in result, "the killed `up` should have failed"
    (left,) = user_templates()
    # when: the program changes before the recovery
    stack.set_program(template_program("ghcr.io/acme/worker:2.0"))
    stack.stack.cancel()
    emulator.clear_calls()
    stack.up()
    stack.refresh(clear_pending_creates=True)
    # then: the one template holds what the program now says, and the state records that object
    (taken,) = user_templates()
    assert (taken["id"], taken["imageName"]) == (left["id"], "ghcr.io/acme/worker:2.0")
    assert [c["method"] for c in emulator.calls("runpod") if c["method"] != "GET"] == ["PATCH"]
    assert stack.preview().summary == {"same": 2}
