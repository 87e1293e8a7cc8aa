"""Let the dynamic-provider process serve as many calls at once as the engine sends.

The Python SDK's provider server (``python -m pulumi.dynamic``) is a gRPC server on a thread pool of
four workers, whatever ``pulumi up --parallel`` says. Every call holds its worker for the whole
operation, waits included (a NeMo deployment becoming READY, a Cyberun deploy, a RunPod rollout), so
four slow objects stall every other object in the stack, and a fan-out of N endpoints takes about
N/4 round trips.

The server is built before any of this package's code runs, and nothing in the SDK exposes it. The
pool is a plain ``concurrent.futures.ThreadPoolExecutor``; it starts a new worker on ``submit``
while fewer than ``_max_workers`` exist and none is idle, so raising that limit on the live executor
(and restarting its idle count) is enough: the pool grows on demand up to the new limit and no call
is queued behind a wait. gRPC's own limit on
concurrent RPCs is unset in the SDK's server, so the pool is the only bottleneck.

This runs once, when the provider process first loads a pulumi-deploy provider (the engine unpickles
it inside the server's worker thread), and only in that process: a program or a test importing the
package is left alone. Every provider in this package is safe to call from many threads (no state
on instances; one thread-safe HTTP client per vendor and credential).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

DEFAULT_THREADS = 64
"""Enough for ``--parallel`` values teams use; idle workers cost a few hundred KB each."""

THREADS_ENV = "PULUMI_DEPLOY_PROVIDER_THREADS"

_done = False
_lock = threading.Lock()


def in_provider_process() -> bool:
    """True inside the SDK's dynamic-provider server (``python -m pulumi.dynamic``)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name in ("pulumi.dynamic.__main__", "pulumi.dynamic"):
        return True
    path = getattr(main, "__file__", "") or ""
    return path.replace("\\", "/").endswith("pulumi/dynamic/__main__.py")


def wanted_threads() -> int:
    raw = os.environ.get(THREADS_ENV, "")
    try:
        value = int(raw) if raw else DEFAULT_THREADS
    except ValueError:
        value = DEFAULT_THREADS
    return max(4, value)


def widen(executor: ThreadPoolExecutor, threads: int) -> bool:
    """Raise the executor's worker limit to ``threads`` (never lower it). True if it changed."""
    current = getattr(executor, "_max_workers", None)
    if not isinstance(current, int) or current >= threads:
        return False
    executor._max_workers = threads  # type: ignore[attr-defined]  # read by submit() on every call
    # ``submit`` starts no worker while this semaphore can be taken: it counts finished tasks not yet
    # matched by a submit, which over-counts idle workers by every call that ever queued at the old
    # limit. Start it afresh so a burst of calls gets new workers (at worst a few more than needed).
    executor._idle_semaphore = threading.Semaphore(0)  # type: ignore[attr-defined]
    return True


def widen_provider_thread_pool() -> int:
    """In the provider process, widen the gRPC server's pool once; return how many pools changed."""
    global _done
    if _done or not in_provider_process():
        return 0
    with _lock:
        if _done:
            return 0
        _done = True
        threads = wanted_threads()
        # The server's executor is the only ThreadPoolExecutor the SDK's provider process creates.
        pools = [o for o in gc.get_objects() if isinstance(o, ThreadPoolExecutor)]
        return sum(widen(pool, threads) for pool in pools)
