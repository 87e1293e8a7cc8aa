"""Act on the emulator at a point in a CLI operation defined by its call log, not by the clock.

A test that needs "refuse until the provider has been refused once, then give in" must not guess
how long the engine takes between two steps (that depends on machine load). Instead a background
thread watches the emulator's call log while the operation runs and changes the emulator's
settings as soon as the call it waits for has been answered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pulumi_deploy.emulator.client import EmulatorControl

#: How often the call log is read while waiting (each read is one loopback request).
CHECK_EVERY_SECONDS = 0.02


@dataclass
class Watch:
    fired: bool = False
    error: BaseException | None = None


@contextmanager
def once_called(
    root_url: str,
    vendor: str,
    matches: Callable[[dict[str, Any]], bool],
    then: Callable[[EmulatorControl], None],
) -> Iterator[Watch]:
    """While the block runs, call ``then`` once a logged ``vendor`` call ``matches``; joined on exit."""
    watch = Watch()
    stop = threading.Event()
    control = EmulatorControl(root_url)  # its own HTTP client: the test's one is not shared across threads

    def run() -> None:
        try:
            while not stop.is_set():
                if any(matches(call) for call in control.calls(vendor)):
                    then(control)
                    watch.fired = True
                    return
                stop.wait(CHECK_EVERY_SECONDS)
        except BaseException as exc:  # reported by the test, not lost in the thread
            watch.error = exc

    thread = threading.Thread(target=run, name=f"watch-{vendor}-calls", daemon=True)
    thread.start()
    try:
        yield watch
    finally:
        stop.set()
        thread.join()
        control.close()
    if watch.error is not None:
        raise watch.error
