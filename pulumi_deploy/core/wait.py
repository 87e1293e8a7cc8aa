"""Bounded polling with progress lines (the provider serves only 4 calls at once: never wait forever)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

from . import log
from .errors import PulumiDeployError, WaitTimeout

T = TypeVar("T")


def poll_interval(default: float = 2.0) -> float:
    """``PULUMI_DEPLOY_POLL_INTERVAL`` overrides the polling interval (tests shorten it)."""
    try:
        return float(os.environ.get("PULUMI_DEPLOY_POLL_INTERVAL", default))
    except ValueError:
        return default


def wait_until(
    what: str,
    probe: Callable[[], T],
    done: Callable[[T], bool],
    *,
    timeout: float,
    failed: Callable[[T], str | None] = lambda _: None,
    describe: Callable[[T], str] = str,
    interval: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``probe`` until ``done`` (return its value), ``failed`` says why not, or ``timeout`` passes.

    Prints a progress line when the observed state changes and at most every 30 s otherwise.
    """
    step = poll_interval() if interval is None else interval
    start = clock()
    last_state: str | None = None
    last_line = start
    while True:
        value = probe()
        state = describe(value)
        if done(value):
            if last_state is not None:
                log.info(f"{what}: {state} after {clock() - start:.0f}s")
            return value
        reason = failed(value)
        if reason:
            raise PulumiDeployError(f"{what}: {reason}")
        now = clock()
        if state != last_state or now - last_line >= 30:
            log.info(f"{what}: {state} ({now - start:.0f}s elapsed, timeout {timeout:.0f}s)")
            last_state, last_line = state, now
        if now - start >= timeout:
            raise WaitTimeout(f"{what}: still {state} after {timeout:.0f}s")
        sleep(step)
