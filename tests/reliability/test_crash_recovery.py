"""A CI job killed mid-`up` (SIGKILL of the Pulumi CLI and everything it started), then the documented
recovery (README, "After a crash"): `pulumi cancel`, then `pulumi up`. Creates the killed run had sent
are pending in the state; the engine drops them and creates again, and the provider finds each object
the killed run made (deterministic names, exact content) instead of making a second one.
"""

from __future__ import annotations

import contextlib
import os
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


def _the_cli_running_up() -> int:
    for pid in _children(os.getpid()):
        args = _cmdline(pid)
        if args and args[0].endswith("/pulumi") and "up" in args:
            return pid
    raise AssertionError("no `pulumi up` child process found")


def _wait_for(condition: Any, what: str) -> None:
    pause = threading.Event()
    for _ in range(1200):
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError(f"timed out waiting for {what}")


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
    tree = _tree(_the_cli_running_up())
    for pid in tree:  # what a cancelled CI job does: the CLI and everything it started die at once
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    thread.join(timeout=120)
    assert "error" in result, "the killed `up` should have failed"
    emulator.set_latency(0.0, vendor="runpod")
    made = len(emulator.inventory("runpod")["endpoints"])
    assert 5 <= made <= ENDPOINTS
    pending = stack.export().get("pending_operations") or []

    # The documented recovery.
    stack.stack.cancel()
    stack.up()

    inventory = emulator.inventory("runpod")
    user_templates = [t for t in inventory["templates"] if "__template__" not in t["name"]]
    assert len(user_templates) == 1
    assert len(inventory["endpoints"]) == ENDPOINTS, (made, len(pending))
    assert stack.preview().summary == {"same": 1 + 1 + ENDPOINTS}
    stack.destroy()
    assert emulator.inventory("runpod")["endpoints"] == []
    print(f"killed with {made} of {ENDPOINTS} endpoints made, {len(pending)} creates pending; recovered to {ENDPOINTS}")
